package search

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// The leader merges once writers pause: never while they index
// PendingBusy documents a second, then when PendingDocs were indexed since
// its last merge or PendingIdle after the last one; never for a sequence
// that did not move. Each tick decides on the value the previous tick read.
func TestPendingTrigger(t *testing.T) {
	var seq atomic.Int64
	tr := newPendingTrigger(func(context.Context) (int64, error) { return seq.Load(), nil })
	clock := time.Unix(1_800_000_000, 0)
	tr.now = func() time.Time { return clock }
	tick := func() bool {
		args, opts := tr.next()
		for tr.reading.Load() { // the read started in the background
			time.Sleep(time.Millisecond)
		}
		if args != nil && (opts == nil || opts.MaxAttempts != pendingAttempts) {
			t.Fatalf("merge job options %+v", opts)
		}
		return args != nil
	}
	steps := []struct {
		seq  int64 // the sequence during this tick (decided on at the next)
		want bool
		why  string // what this tick decides on
	}{
		{1000, false, "nothing read yet"},
		{1000, false, "first value: no rate yet"},
		{1000, true, "catch-up merge of what no node merged"},
		{1000, false, "nothing since"},
		{1000 + PendingBusy, false, "nothing since"},
		{1000 + 3*PendingBusy, false, "PendingBusy in a second: writers merge"},
		{1000 + 5*PendingBusy, false, "busy"},
		{1000 + 5*PendingBusy, false, "busy"},
		{1000 + 5*PendingBusy + 1, true, "paused after a burst"},
		{1000 + 5*PendingBusy + 2, false, "one document since the merge"},
		{1000 + 5*PendingBusy + 2 + PendingDocs, false, "two documents since, just now"},
		{1000 + 5*PendingBusy + 2 + PendingDocs, true, "PendingDocs since the merge"},
	}
	for i, s := range steps {
		seq.Store(s.seq)
		clock = clock.Add(PendingCheck)
		if got := tick(); got != s.want {
			t.Fatalf("step %d (%s): merge %v, want %v", i, s.why, got, s.want)
		}
	}
	// A few documents, then a quiet minute.
	seq.Add(3)
	tick()
	for i := 0; i < 3; i++ {
		clock = clock.Add(PendingCheck)
		if tick() {
			t.Fatal("merged a few documents at once")
		}
	}
	clock = clock.Add(PendingIdle)
	if !tick() {
		t.Fatal("a few documents not merged after PendingIdle")
	}
	clock = clock.Add(2 * PendingIdle)
	if tick() {
		t.Fatal("merged with nothing new")
	}
}
