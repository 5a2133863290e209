package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
)

// ErrUnauthenticated means no valid credential was presented.
var ErrUnauthenticated = errors.New("unauthenticated")

// newSecret returns a random URL-safe secret with a recognisable prefix
// (so leaked tokens are easy to grep for).
func newSecret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is what is stored: SHA-256 of a high-entropy secret needs no
// salt or slow hash, and the lookup by hash is a constant-time index probe.
func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// CreateAPIToken makes a token for a user; the plain token is returned once
// and only its hash is stored.
func CreateAPIToken(ctx context.Context, q db.Querier, userID int64, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errs.Field("name", "required", "a token needs a label")
	}
	tok := newSecret("stw_")
	_, err := q.ExecContext(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
		userID, name, hashSecret(tok), db.Now())
	return tok, err
}

// UserByAPIToken resolves a bearer token to its active user.
func UserByAPIToken(ctx context.Context, d *db.DB, token string) (staff.User, error) {
	if !strings.HasPrefix(token, "stw_") {
		return staff.User{}, ErrUnauthenticated
	}
	var tokenID int64
	var lastUsed sql.NullInt64
	u, err := staff.ScanUser(d.R.QueryRowContext(ctx, "SELECT "+staff.UserColumns+`, t.id, t.last_used_at
		FROM api_tokens t JOIN users ON users.id = t.user_id WHERE t.token_hash = $1 AND users.active = $2`, hashSecret(token), true), &tokenID, &lastUsed)
	if errors.Is(err, errs.ErrNotFound) {
		return staff.User{}, ErrUnauthenticated
	}
	if err != nil {
		return staff.User{}, err
	}
	// Record use at most once a minute so API traffic does not become write traffic.
	if now := db.Now(); !lastUsed.Valid || now-lastUsed.Int64 > time.Minute.Milliseconds() {
		d.W.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", now, tokenID)
	}
	return u, nil
}

// SessionTTL is how long an idle session lives.
const SessionTTL = 12 * time.Hour

// CreateSession starts a session and returns its cookie value.
func CreateSession(ctx context.Context, q db.Querier, userID int64) (string, error) {
	tok := newSecret("s_")
	now := db.Now()
	_, err := q.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)",
		hashSecret(tok), userID, now, now+SessionTTL.Milliseconds())
	return tok, err
}

// UserBySession resolves a session cookie to its active user, sliding the
// expiry forward (at most once a minute).
func UserBySession(ctx context.Context, d *db.DB, token string) (staff.User, error) {
	if !strings.HasPrefix(token, "s_") {
		return staff.User{}, ErrUnauthenticated
	}
	h := hashSecret(token)
	var expires, lastSeen int64
	u, err := staff.ScanUser(d.R.QueryRowContext(ctx, "SELECT "+staff.UserColumns+`, s.expires_at, s.last_seen_at
		FROM sessions s JOIN users ON users.id = s.user_id WHERE s.token_hash = $1 AND users.active = $2`, h, true), &expires, &lastSeen)
	if errors.Is(err, errs.ErrNotFound) {
		return staff.User{}, ErrUnauthenticated
	}
	if err != nil {
		return staff.User{}, err
	}
	now := db.Now()
	if now > expires {
		d.W.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", h)
		return staff.User{}, ErrUnauthenticated
	}
	if now-lastSeen > time.Minute.Milliseconds() {
		d.W.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3", now, now+SessionTTL.Milliseconds(), h)
	}
	return u, nil
}

// DeleteSession ends a session (logout).
func DeleteSession(ctx context.Context, q db.Querier, token string) error {
	_, err := q.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", hashSecret(token))
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func DeleteExpiredSessions(ctx context.Context, q db.Querier) (int64, error) {
	res, err := q.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at < $1", db.Now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
