package prework

import (
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestTakeOnce(t *testing.T) {
	m := New[int](4)
	m.Put("寄付の領収書", 7)
	if v, ok := m.Take("寄付の領収書"); !ok || v != 7 {
		t.Fatalf("Take = %d, %v; want 7, true", v, ok)
	}
	if _, ok := m.Take("寄付の領収書"); ok {
		t.Fatal("a result was taken twice")
	}
	if _, ok := m.Take("收据"); ok {
		t.Fatal("a text never put was found")
	}
	if m.Taken() != 1 {
		t.Fatalf("Taken = %d, want 1", m.Taken())
	}
}

func TestOldestDroppedFirst(t *testing.T) {
	m := New[int](3)
	for i := range 5 {
		m.Put("text "+strconv.Itoa(i), i)
	}
	if m.Len() != 3 {
		t.Fatalf("Len = %d, want 3", m.Len())
	}
	for i := range 5 {
		v, ok := m.Take("text " + strconv.Itoa(i))
		if want := i >= 2; ok != want || (ok && v != i) {
			t.Errorf("Take(text %d) = %d, %v; want kept = %v", i, v, ok, want)
		}
	}
}

func TestEmptyAndLongTextsAreNotKept(t *testing.T) {
	m := New[int](2)
	m.Put("", 1)
	long := strings.Repeat("捐款", maxText)
	m.Put(long, 2)
	if m.Len() != 0 {
		t.Fatalf("Len = %d, want 0", m.Len())
	}
	if _, ok := m.Take(long); ok {
		t.Fatal("a long text was kept")
	}
}

func TestConcurrentUse(t *testing.T) {
	m := New[string](64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := strconv.Itoa(g) + "/" + strconv.Itoa(i)
				m.Put(k, k)
				if v, ok := m.Take(k); ok && v != k {
					t.Errorf("Take(%q) = %q", k, v)
				}
			}
		}()
	}
	wg.Wait()
	if m.Len() > 64 {
		t.Fatalf("Len = %d, more than the size", m.Len())
	}
}
