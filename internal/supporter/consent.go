package supporter

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Consent is a supporter's answer about one channel.
type Consent struct {
	Channel   string    `json:"channel"`
	Granted   bool      `json:"granted"`
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SetConsent records consent (granted) or its withdrawal for a channel.
func SetConsent(ctx context.Context, q db.Querier, id int64, channel string, granted bool, source string) error {
	if !slices.Contains(Channels, channel) {
		return errs.Field("channel", "invalid", "one of email, phone, sms, post, social, chat")
	}
	g := 0
	if granted {
		g = 1
	}
	_, err := q.ExecContext(ctx, `INSERT INTO supporter_consent (supporter_id, channel, granted, source, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (supporter_id, channel) DO UPDATE SET granted = excluded.granted, source = excluded.source, updated_at = excluded.updated_at`,
		id, channel, g, source, db.Now())
	if err != nil && (errors.Is(err, sql.ErrNoRows) || isFK(err)) {
		return errs.ErrNotFound
	}
	return err
}

func isFK(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503"))
}

// SetDoNotContact sets or clears the do-not-contact flag.
func SetDoNotContact(ctx context.Context, q db.Querier, id int64, on bool) error {
	v := 0
	if on {
		v = 1
	}
	r, err := q.ExecContext(ctx, "UPDATE supporters SET do_not_contact = $1, updated_at = $2 WHERE id = $3", v, db.Now(), id)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// Consents lists a supporter's recorded answers, by channel.
func Consents(ctx context.Context, q db.Querier, id int64) ([]Consent, error) {
	rows, err := q.QueryContext(ctx, "SELECT channel, granted, source, updated_at FROM supporter_consent WHERE supporter_id = $1 ORDER BY channel", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Consent{}
	for rows.Next() {
		var c Consent
		var g int
		var at int64
		if err := rows.Scan(&c.Channel, &g, &c.Source, &at); err != nil {
			return nil, err
		}
		c.Granted, c.UpdatedAt = g != 0, db.Time(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// MayContact reports whether Steward may send the supporter anything on a
// channel: not when they asked not to be contacted, withdrew consent for
// that channel, or were erased. Every outbound feature asks this.
func MayContact(ctx context.Context, q db.Querier, id int64, channel string) (bool, error) {
	var dnc int
	var erased sql.NullInt64
	var granted sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT s.do_not_contact, s.erased_at, c.granted FROM supporters s
		LEFT JOIN supporter_consent c ON c.supporter_id = s.id AND c.channel = $2 WHERE s.id = $1`, id, channel).Scan(&dnc, &erased, &granted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, errs.ErrNotFound
	}
	if err != nil {
		return false, err
	}
	return dnc == 0 && !erased.Valid && (!granted.Valid || granted.Int64 != 0), nil
}

// MayContactAbout is MayContact for the supporter of a ticket.
func MayContactAbout(ctx context.Context, q db.Querier, ticketID int64, channel string) (bool, error) {
	var id int64
	if err := q.QueryRowContext(ctx, "SELECT supporter_id FROM tickets WHERE id = $1", ticketID).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, errs.ErrNotFound
		}
		return false, err
	}
	return MayContact(ctx, q, id, channel)
}
