package mailbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Quarantined is a message mailin kept raw because it could not be taken
// in (unparseable, too large, or intake kept failing on it).
type Quarantined struct {
	ID        int64
	MailboxID *int64
	Source    string
	// RawSHA256 names the raw .eml in the blob store.
	RawSHA256  string
	Size       int64
	Reason     string
	ReceivedAt time.Time
	ResolvedAt *time.Time
}

const quarantineColumns = "id, mailbox_id, source, raw_sha256, size, reason, received_at, resolved_at"

func scanQuarantined(row interface{ Scan(...any) error }) (Quarantined, error) {
	var q Quarantined
	var mb, resolved sql.NullInt64
	var received int64
	if err := row.Scan(&q.ID, &mb, &q.Source, &q.RawSHA256, &q.Size, &q.Reason, &received, &resolved); err != nil {
		return q, err
	}
	if mb.Valid {
		q.MailboxID = &mb.Int64
	}
	q.ReceivedAt = db.Time(received)
	if resolved.Valid {
		t := db.Time(resolved.Int64)
		q.ResolvedAt = &t
	}
	return q, nil
}

// ListQuarantine returns quarantined messages, newest first: the open ones
// only unless all is set.
func ListQuarantine(ctx context.Context, q db.Querier, all bool) ([]Quarantined, error) {
	where := " WHERE resolved_at IS NULL"
	if all {
		where = ""
	}
	rows, err := q.QueryContext(ctx, "SELECT "+quarantineColumns+" FROM quarantine"+where+" ORDER BY received_at DESC, id DESC LIMIT 1000")
	if err != nil {
		return nil, fmt.Errorf("mailbox: list quarantine: %w", err)
	}
	defer rows.Close()
	out := []Quarantined{}
	for rows.Next() {
		m, err := scanQuarantined(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetQuarantined returns one quarantined message (errs.ErrNotFound if none).
func GetQuarantined(ctx context.Context, q db.Querier, id int64) (Quarantined, error) {
	m, err := scanQuarantined(q.QueryRowContext(ctx, "SELECT "+quarantineColumns+" FROM quarantine WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.ErrNotFound
	}
	return m, err
}

// ResolveQuarantined marks a quarantined message as dealt with; resolving
// it again keeps the first time.
func ResolveQuarantined(ctx context.Context, q db.Querier, id int64) (Quarantined, error) {
	if _, err := q.ExecContext(ctx, "UPDATE quarantine SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL", db.Now(), id); err != nil {
		return Quarantined{}, fmt.Errorf("mailbox: resolve quarantine: %w", err)
	}
	return GetQuarantined(ctx, q, id)
}
