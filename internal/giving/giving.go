// Package giving holds supporters' donations and the facts derived from
// them: first and last gift, lifetime totals per currency, gift count and
// recurring status.
//
// Amounts are integers in the currency's ISO 4217 minor unit (see
// currency.go). Every donation carries a source and a source key, unique
// together, so that imports and payment webhooks can deliver the same gift
// any number of times and it is stored once.
package giving

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/supporter"
)

// Sources of donations.
const (
	SourceManual = "manual"
	SourceImport = "import"
	SourceStripe = "stripe"
)

// RecurringWindow is how recent a recurring gift must be for the supporter
// to count as an active recurring (e.g. monthly) donor: two monthly cycles.
const RecurringWindow = 62 * 24 * time.Hour

// Donation is one gift.
type Donation struct {
	ID            int64     `json:"id"`
	SupporterID   int64     `json:"supporter_id"`
	AmountMinor   int64     `json:"amount_minor"`
	Currency      string    `json:"currency"`
	DonatedAt     time.Time `json:"donated_at"`
	Campaign      string    `json:"campaign"`
	Recurring     bool      `json:"recurring"`
	PaymentMethod string    `json:"payment_method"`
	Source        string    `json:"source"`
	SourceKey     string    `json:"source_key"`
}

// Amount is the donation as people read it ("¥10,000").
func (d Donation) Amount() string { return Format(d.AmountMinor, d.Currency) }

// NewDonation is the input to Add.
type NewDonation struct {
	SupporterID   int64
	AmountMinor   int64
	Currency      string
	DonatedAt     time.Time
	Campaign      string
	Recurring     bool
	PaymentMethod string
	// Source and SourceKey identify the gift where it came from; an empty
	// key on a manual gift gets a random one.
	Source    string
	SourceKey string
}

// Validate checks and normalises a new donation.
func (n *NewDonation) Validate() error {
	n.Currency = strings.ToUpper(strings.TrimSpace(n.Currency))
	n.Campaign = strings.TrimSpace(n.Campaign)
	n.PaymentMethod = strings.TrimSpace(n.PaymentMethod)
	if n.Source == "" {
		n.Source = SourceManual
	}
	switch {
	case n.SupporterID <= 0:
		return errs.Field("supporter_id", "required", "a supporter is required")
	case !ValidCurrency(n.Currency):
		return errs.Field("currency", "invalid", "currency must be an ISO 4217 code such as JPY")
	case n.AmountMinor == 0:
		return errs.Field("amount", "invalid", "amount must not be zero")
	case n.DonatedAt.IsZero():
		return errs.Field("donated_at", "required", "a date is required")
	case utf8.RuneCountInString(n.Campaign) > 200 || !utf8.ValidString(n.Campaign) || strings.ContainsRune(n.Campaign, 0):
		return errs.Field("campaign", "invalid", "at most 200 characters of text")
	case utf8.RuneCountInString(n.PaymentMethod) > 100 || !utf8.ValidString(n.PaymentMethod) || strings.ContainsRune(n.PaymentMethod, 0):
		return errs.Field("payment_method", "invalid", "at most 100 characters of text")
	}
	if n.SourceKey == "" {
		if n.Source != SourceManual {
			return errs.Field("source_key", "required", "a source key is required")
		}
		b := make([]byte, 12)
		rand.Read(b)
		n.SourceKey = hex.EncodeToString(b)
	}
	return nil
}

// Add stores a donation and refreshes the supporter's supporter_since. A
// donation whose (source, source key) is already stored is not added again:
// Add returns the stored one and created=false.
func Add(ctx context.Context, q db.Querier, n NewDonation) (d Donation, created bool, err error) {
	if err := n.Validate(); err != nil {
		return Donation{}, false, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO donations (supporter_id, amount_minor, currency, donated_at, campaign, recurring,
			payment_method, source, source_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source, source_key) DO NOTHING RETURNING id`,
		n.SupporterID, n.AmountMinor, n.Currency, n.DonatedAt.UnixMilli(), n.Campaign, boolInt(n.Recurring),
		n.PaymentMethod, n.Source, n.SourceKey, db.Now()).Scan(&id)
	if err == sql.ErrNoRows {
		d, err := BySource(ctx, q, n.Source, n.SourceKey)
		return d, false, err
	}
	if err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503") {
			return Donation{}, false, errs.Field("supporter_id", "unknown", "no such supporter")
		}
		return Donation{}, false, fmt.Errorf("giving: add: %w", err)
	}
	if err := supporter.RefreshSince(ctx, q, n.SupporterID); err != nil {
		return Donation{}, false, err
	}
	d, err = get(ctx, q, "id = $1", id)
	return d, true, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const donationCols = "id, supporter_id, amount_minor, currency, donated_at, campaign, recurring, payment_method, source, source_key"

func scan(row interface{ Scan(...any) error }) (Donation, error) {
	var d Donation
	var at int64
	var rec int
	err := row.Scan(&d.ID, &d.SupporterID, &d.AmountMinor, &d.Currency, &at, &d.Campaign, &rec, &d.PaymentMethod, &d.Source, &d.SourceKey)
	if err == sql.ErrNoRows {
		return d, errs.ErrNotFound
	}
	d.DonatedAt, d.Recurring = db.Time(at), rec != 0
	return d, err
}

func get(ctx context.Context, q db.Querier, where string, args ...any) (Donation, error) {
	return scan(q.QueryRowContext(ctx, "SELECT "+donationCols+" FROM donations WHERE "+where, args...))
}

// Get reads one donation.
func Get(ctx context.Context, q db.Querier, id int64) (Donation, error) {
	return get(ctx, q, "id = $1", id)
}

// BySource finds a donation by its source and key.
func BySource(ctx context.Context, q db.Querier, source, key string) (Donation, error) {
	return get(ctx, q, "source = $1 AND source_key = $2", source, key)
}

// ForSupporter lists a supporter's donations, newest first.
func ForSupporter(ctx context.Context, q db.Querier, supporterID int64, limit int) ([]Donation, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := q.QueryContext(ctx, "SELECT "+donationCols+" FROM donations WHERE supporter_id = $1 ORDER BY donated_at DESC, id DESC LIMIT $2", supporterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Donation{}
	for rows.Next() {
		d, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Total is what a supporter gave in one currency.
type Total struct {
	Currency    string `json:"currency"`
	AmountMinor int64  `json:"amount_minor"`
	Count       int    `json:"count"`
}

// Summary is the giving facts of one supporter.
type Summary struct {
	GiftCount   int
	FirstGiftAt time.Time // zero when there is no gift
	LastGiftAt  time.Time
	LastGift    *Donation
	// Totals per currency, the main currency (most gifts, then largest
	// sum) first; lifetime totals are never added across currencies.
	Totals []Total
	// Recurring: a recurring gift within RecurringWindow.
	Recurring bool
}

// Main is the total in the supporter's main currency (zero Total if none).
func (s Summary) Main() Total {
	if len(s.Totals) == 0 {
		return Total{}
	}
	return s.Totals[0]
}

// Summarize derives a supporter's giving facts as of now.
func Summarize(ctx context.Context, q db.Querier, supporterID int64, now time.Time) (Summary, error) {
	var s Summary
	rows, err := q.QueryContext(ctx, `SELECT currency, SUM(amount_minor), COUNT(*), MIN(donated_at), MAX(donated_at),
			MAX(CASE WHEN recurring = 1 THEN donated_at END)
		FROM donations WHERE supporter_id = $1 GROUP BY currency`, supporterID)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	var first, last, lastRecurring int64
	for rows.Next() {
		var t Total
		var lo, hi int64
		var rec sql.NullInt64
		if err := rows.Scan(&t.Currency, &t.AmountMinor, &t.Count, &lo, &hi, &rec); err != nil {
			return s, err
		}
		s.Totals = append(s.Totals, t)
		s.GiftCount += t.Count
		if first == 0 || lo < first {
			first = lo
		}
		last = max(last, hi)
		if rec.Valid {
			lastRecurring = max(lastRecurring, rec.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	rows.Close()
	if s.GiftCount == 0 {
		return s, nil
	}
	sortTotals(s.Totals)
	s.FirstGiftAt, s.LastGiftAt = db.Time(first), db.Time(last)
	s.Recurring = lastRecurring > 0 && now.Sub(db.Time(lastRecurring)) <= RecurringWindow
	d, err := get(ctx, q, "supporter_id = $1 ORDER BY donated_at DESC, id DESC LIMIT 1", supporterID)
	if err != nil {
		return s, err
	}
	s.LastGift = &d
	return s, nil
}

func sortTotals(ts []Total) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && (ts[j].Count > ts[j-1].Count || ts[j].Count == ts[j-1].Count && ts[j].AmountMinor > ts[j-1].AmountMinor); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
