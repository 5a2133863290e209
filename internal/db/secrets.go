package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// Secret returns the installation-wide secret with the given name, creating
// a random 32-byte one on first use. Every node sharing the database gets the
// same value (the first writer wins the race).
func (d *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	var v string
	err := d.R.QueryRowContext(ctx, "SELECT value FROM secrets WHERE name = $1", name).Scan(&v)
	if err != nil {
		b := make([]byte, 32)
		rand.Read(b)
		if _, err := d.W.ExecContext(ctx, "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
			name, hex.EncodeToString(b), Now()); err != nil {
			return nil, fmt.Errorf("db: create secret %s: %w", name, err)
		}
		if err := d.W.QueryRowContext(ctx, "SELECT value FROM secrets WHERE name = $1", name).Scan(&v); err != nil {
			return nil, fmt.Errorf("db: read secret %s: %w", name, err)
		}
	}
	return hex.DecodeString(v)
}
