// Package prework moves pure, CPU-heavy work on a text (search analysis,
// tone scoring) out of write transactions.
//
// On SQLite every write transaction runs on the one writer, one after
// another, so a microsecond spent inside one is a microsecond no other
// request can write. A request that is about to write a text can do such
// work first, on its own goroutine and in parallel with the others, and
// leave the result in a Memo; the code inside the transaction takes it from
// there instead of computing it again. The result is a pure function of the
// text, so a miss (evicted, never warmed, a text that changed on the way)
// only costs the work it would have cost anyway.
package prework

import "sync"

// maxText is the longest text kept: longer ones are rare, and holding them
// would let a few large messages pin megabytes.
const maxText = 64 << 10

// Memo holds results of one function of a text, each taken at most once,
// the oldest dropped first once size are held.
type Memo[T any] struct {
	mu    sync.Mutex
	m     map[string]T
	ring  []string // insertion order, for eviction
	next  int
	taken int64
}

// New returns a memo of at most size results.
func New[T any](size int) *Memo[T] {
	return &Memo[T]{m: make(map[string]T, size), ring: make([]string, size)}
}

// Put keeps v as the result for text.
func (m *Memo[T]) Put(text string, v T) {
	if text == "" || len(text) > maxText || len(m.ring) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[text]; ok {
		m.m[text] = v
		return
	}
	// The oldest: taken already, or never will be (its transaction failed
	// before reaching it). If the same text was put again since, this drops
	// the newer result too, which only costs a miss.
	if old := m.ring[m.next]; old != "" {
		delete(m.m, old)
	}
	m.ring[m.next] = text
	m.next = (m.next + 1) % len(m.ring)
	m.m[text] = v
}

// Take returns the result kept for text and forgets it.
func (m *Memo[T]) Take(text string) (T, bool) {
	var zero T
	if len(text) > maxText {
		return zero, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[text]
	if ok {
		delete(m.m, text)
		m.taken++
	}
	return v, ok
}

// Taken is how many results were taken since the memo was made.
func (m *Memo[T]) Taken() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.taken
}

// Len is the number of results held.
func (m *Memo[T]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
