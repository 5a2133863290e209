// Package blob stores attachment bytes once, named by their SHA-256, in a
// directory tree (data/blobs/ab/cd/abcd…). Writes go to a temp file and are
// renamed into place, so a crash never leaves a half-written blob under a real name.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrTooLarge means the content exceeded the store's limit.
var ErrTooLarge = errors.New("blob: too large")

// Store is a content-addressed directory.
type Store struct {
	dir string
}

// New returns a store rooted at dir (created if missing).
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum[2:4], sum)
}

// Put stores r (at most limit bytes; 0 = no limit) and returns its hex SHA-256 and size.
func (s *Store) Put(r io.Reader, limit int64) (string, int64, error) {
	tmp, err := os.CreateTemp(s.dir, ".incoming-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		return "", 0, fmt.Errorf("blob: write: %w", err)
	}
	if limit > 0 && n > limit {
		return "", n, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, n, nil // already stored: content addressing de-duplicates
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("blob: rename: %w", err)
	}
	return sum, n, nil
}

// Open returns the blob with the given hex SHA-256.
func (s *Store) Open(sum string) (*os.File, error) {
	if len(sum) != 64 {
		return nil, os.ErrNotExist
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, os.ErrNotExist
	}
	return os.Open(s.path(sum))
}

// Remove deletes a blob (erasure). The caller makes sure nothing else
// refers to it; a blob that is already gone is not an error.
func (s *Store) Remove(sum string) error {
	if len(sum) != 64 {
		return nil
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil
	}
	if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}
