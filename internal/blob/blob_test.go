package blob

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPutDeduplicatesAndLimits(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, n, err := s.Put(strings.NewReader("領収書.pdf の中身"), 0)
	if err != nil || n != int64(len("領収書.pdf の中身")) {
		t.Fatal(err, n)
	}
	b, _, err := s.Put(strings.NewReader("領収書.pdf の中身"), 0)
	if err != nil || a != b {
		t.Fatalf("same content, different names: %s %s %v", a, b, err)
	}
	f, err := s.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "領収書.pdf の中身" {
		t.Fatalf("read back %q", got)
	}
	if _, _, err := s.Put(strings.NewReader(strings.Repeat("x", 11)), 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over limit: %v", err)
	}
	if _, err := s.Open("../../etc/passwd"); err == nil {
		t.Fatal("path traversal opened a file")
	}
}
