package mailbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Key encrypts mailbox credentials at rest with AES-256-GCM. The database
// holds only ciphertext; the key lives outside it (configuration or a file
// in the data directory), so a leaked database dump leaks no passwords.
type Key struct {
	aead cipher.AEAD
}

// KeySource gives the key when it is first needed.
type KeySource interface {
	Key() (*Key, error)
}

// Key makes a *Key its own KeySource.
func (k *Key) Key() (*Key, error) { return k, nil }

// NewKey builds a key from 32 raw bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != 32 {
		return nil, fmt.Errorf("mailbox: the secret key must be 32 bytes, not %d", len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// ParseKey decodes a base64 (standard or URL alphabet, padded or not)
// 32-byte key, the form of --secret-key.
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(s); err == nil {
			return NewKey(raw)
		}
	}
	return nil, errors.New("mailbox: the secret key is not base64 (generate one with: head -c 32 /dev/urandom | base64)")
}

// sealedPrefix marks an encrypted value and its format version.
const sealedPrefix = "v1:"

// Seal encrypts plaintext; field is bound as associated data, so a value
// copied into another column does not decrypt.
func (k *Key) Seal(field, plaintext string) string {
	if plaintext == "" {
		return ""
	}
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(field))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// ErrWrongKey means stored credentials were encrypted with another key.
var ErrWrongKey = errors.New("mailbox: credentials cannot be decrypted with this secret key (every node must use the same --secret-key)")

// Open decrypts what Seal produced.
func (k *Key) Open(field, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if !strings.HasPrefix(sealed, sealedPrefix) {
		return "", fmt.Errorf("mailbox: %s is not encrypted in a known format", field)
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed[len(sealedPrefix):])
	if err != nil || len(raw) < k.aead.NonceSize() {
		return "", fmt.Errorf("mailbox: %s is damaged", field)
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(field))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}

// Keyring loads the key on first use: from the configured value
// (--secret-key / STEWARD_SECRET_KEY) when set, else from File, which it
// creates with a random key (mode 0600) when missing.
type Keyring struct {
	Configured string
	File       string
	Log        *slog.Logger

	mu  sync.Mutex
	key *Key
}

// Key returns the key, loading or creating it the first time.
func (r *Keyring) Key() (*Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.key != nil {
		return r.key, nil
	}
	var err error
	if strings.TrimSpace(r.Configured) != "" {
		if r.key, err = ParseKey(r.Configured); err != nil {
			return nil, fmt.Errorf("--secret-key: %w", err)
		}
		return r.key, nil
	}
	if r.File == "" {
		return nil, errors.New("mailbox: no secret key configured (set --secret-key or STEWARD_SECRET_KEY)")
	}
	for {
		b, err := os.ReadFile(r.File)
		if err == nil {
			if r.key, err = ParseKey(string(b)); err != nil {
				return nil, fmt.Errorf("%s: %w", r.File, err)
			}
			return r.key, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("mailbox: read secret key: %w", err)
		}
		raw := make([]byte, 32)
		rand.Read(raw)
		err = writeKeyFile(r.File, base64.StdEncoding.EncodeToString(raw)+"\n")
		if errors.Is(err, os.ErrExist) {
			continue // another process created it first: use theirs
		}
		if err != nil {
			return nil, fmt.Errorf("mailbox: create secret key: %w", err)
		}
		if r.Log != nil {
			r.Log.Warn("generated a secret key for mailbox credentials; back it up with the database, and on PostgreSQL with several nodes set the same --secret-key (STEWARD_SECRET_KEY) on every node",
				"file", r.File)
		}
		r.key, err = NewKey(raw)
		return r.key, err
	}
}

// writeKeyFile creates path with mode 0600, failing if it exists.
func writeKeyFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// Link, not rename: it fails if the file appeared meanwhile.
	return os.Link(tmp.Name(), path)
}
