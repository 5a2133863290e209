// Package supporter holds the people the organisation serves — donors,
// volunteers, the public — and the identities (emails, phones, social
// handles) by which every channel recognises them.
package supporter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Supporter is one person across all channels.
type Supporter struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	Language       string     `json:"language,omitempty"`
	SupporterSince *time.Time `json:"supporter_since"`
	Notes          string     `json:"notes,omitempty"`
	Identities     []Identity `json:"identities"`
	CreatedAt      time.Time  `json:"created_at"`
	Profile
}

// Identity is one way of reaching a supporter.
type Identity struct {
	Kind  string `json:"kind"` // email, phone, handle
	Value string `json:"value"`
}

// NewSupporter is the input to Create.
type NewSupporter struct {
	Name  string
	Email string
	Phone string
	// Handle is a social or chat handle ("@hanako@mastodon.social"),
	// matched exactly after trimming.
	Handle         string
	Language       string
	SupporterSince time.Time
	Notes          string
	// Profile fields (names, address, channel, membership); optional.
	Profile ProfileInput
}

// NormaliseEmail lowercases and trims an address.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalisePhone keeps a leading + and the digits, full-width ones too ("+81 3-1234-5678" → "+81312345678").
func NormalisePhone(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if (r == '+' || r == '＋') && i == 0 { // full-width as typed with a Japanese or Chinese IME
			b.WriteByte('+')
		} else if r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r >= '０' && r <= '９' {
			b.WriteRune('0' + (r - '０'))
		}
	}
	return b.String()
}

// ValidEmail reports whether s is a bare email address.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

func (n *NewSupporter) validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" && (n.Profile.FamilyName != nil || n.Profile.GivenName != nil) {
		n.Name = DisplayName(derefOr(n.Profile.FamilyName, ""), derefOr(n.Profile.GivenName, ""), n.Language)
	}
	n.Email = NormaliseEmail(n.Email)
	if len([]rune(n.Name)) > 200 {
		return errs.Field("supporter.name", "too_long", "at most 200 characters")
	}
	for _, r := range n.Name {
		if unicode.IsControl(r) {
			return errs.Field("supporter.name", "invalid", "control characters are not allowed")
		}
	}
	if strings.ContainsRune(n.Notes, 0) || !utf8.ValidString(n.Notes) {
		return errs.Field("supporter.notes", "invalid", "NUL characters or invalid UTF-8")
	}
	if n.Email != "" && !ValidEmail(n.Email) {
		return errs.Field("supporter.email", "invalid", "not an email address")
	}
	if n.Phone != "" {
		p := NormalisePhone(n.Phone)
		if len(strings.TrimPrefix(p, "+")) < 5 || len(p) > 16 {
			return errs.Field("supporter.phone", "invalid", "not a phone number")
		}
		n.Phone = p
	}
	n.Handle = strings.TrimSpace(n.Handle)
	if len(n.Handle) > 200 {
		return errs.Field("supporter.handle", "too_long", "at most 200 characters")
	}
	if n.Email == "" && n.Phone == "" && n.Name == "" && n.Handle == "" {
		return errs.Field("supporter", "required", "a name, email or phone is required")
	}
	if n.Language != "" && n.Language != "en" && n.Language != "ja" && n.Language != "zh" {
		return errs.Field("supporter.language", "invalid", "language must be en, ja or zh")
	}
	return nil
}

// Create adds a supporter with their identities. An email or phone already
// known is errs.ErrConflict (use Resolve to find-or-create).
func Create(ctx context.Context, q db.Querier, n NewSupporter) (Supporter, error) {
	if err := n.validate(); err != nil {
		return Supporter{}, err
	}
	return create(ctx, q, n, false)
}

// errClaimed says another transaction owns an identity Resolve was creating.
var errClaimed = errors.New("supporter: identity claimed by a concurrent transaction")

// create inserts the supporter and its identities. With claim (Resolve), an
// identity that someone else holds is not an error that aborts the
// transaction (INSERT … ON CONFLICT DO NOTHING): the new row is removed again
// and errClaimed returned, so the caller can read the other's supporter.
func create(ctx context.Context, q db.Querier, n NewSupporter, claim bool) (Supporter, error) {
	id, err := createID(ctx, q, n, claim)
	if err != nil {
		return Supporter{}, err
	}
	return Get(ctx, q, id)
}

// createID is create without reading the supporter back.
func createID(ctx context.Context, q db.Querier, n NewSupporter, claim bool) (int64, error) {
	now := db.Now()
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO supporters (name, email, language, supporter_since, since_manual, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $6) RETURNING id`,
		n.Name, n.Email, n.Language, db.Millis(n.SupporterSince), n.Notes, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("supporter: create: %w", err)
	}
	for _, idn := range []Identity{{"email", n.Email}, {"phone", n.Phone}, {"handle", n.Handle}} {
		if idn.Value == "" {
			continue
		}
		if !claim {
			if err := AddIdentity(ctx, q, id, idn); err != nil {
				return 0, err
			}
			continue
		}
		ok, err := claimIdentity(ctx, q, id, idn)
		if err != nil {
			return 0, err
		}
		if !ok {
			// The identities inserted so far go with it (ON DELETE CASCADE).
			if _, err := q.ExecContext(ctx, "DELETE FROM supporters WHERE id = $1", id); err != nil {
				return 0, fmt.Errorf("supporter: discard duplicate: %w", err)
			}
			return 0, errClaimed
		}
	}
	if !n.Profile.empty() {
		if err := setProfile(ctx, q, id, n.Profile); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// claimIdentity attaches an identity unless someone holds it, and reports
// whether it did. On PostgreSQL an insert that meets another transaction's
// uncommitted row for the same identity waits for it: if that one commits,
// this does nothing (and the other's row is visible to the next statement
// under READ COMMITTED); if it rolls back, this one inserts.
func claimIdentity(ctx context.Context, q db.Querier, supporterID int64, idn Identity) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO supporter_identities (supporter_id, kind, value, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, value) DO NOTHING`, supporterID, idn.Kind, idn.Value, db.Now())
	if err != nil {
		return false, fmt.Errorf("supporter: identity: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AddIdentity attaches an identity; one already owned by someone is errs.ErrConflict.
func AddIdentity(ctx context.Context, q db.Querier, supporterID int64, idn Identity) error {
	_, err := q.ExecContext(ctx, "INSERT INTO supporter_identities (supporter_id, kind, value, created_at) VALUES ($1, $2, $3, $4)",
		supporterID, idn.Kind, idn.Value, db.Now())
	if db.IsUniqueViolation(err) {
		return fmt.Errorf("%w: %s %s belongs to another supporter", errs.ErrConflict, idn.Kind, idn.Value)
	}
	return err
}

// FindByIdentity returns the supporter who owns an identity.
func FindByIdentity(ctx context.Context, q db.Querier, kind, value string) (Supporter, error) {
	switch kind {
	case "email":
		value = NormaliseEmail(value)
	case "phone":
		value = NormalisePhone(value)
	}
	var id int64
	err := q.QueryRowContext(ctx, "SELECT supporter_id FROM supporter_identities WHERE kind = $1 AND value = $2", kind, value).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Supporter{}, errs.ErrNotFound
	}
	if err != nil {
		return Supporter{}, err
	}
	return Get(ctx, q, id)
}

// Resolve finds the supporter by email (then phone, then handle), or creates one. A known
// supporter without a name gets the name given.
//
// It is safe when several transactions resolve the same new person at once
// (two first messages from one address, on PostgreSQL): the identity is
// claimed with INSERT … ON CONFLICT DO NOTHING, which never aborts the
// transaction, and whoever loses discards its new row and returns the
// winner's supporter. A known supporter costs what it did: one lookup.
func Resolve(ctx context.Context, q db.Querier, n NewSupporter) (Supporter, error) {
	if err := n.validate(); err != nil {
		return Supporter{}, err
	}
	s, err := find(ctx, q, n)
	if !errors.Is(err, errs.ErrNotFound) {
		return s, err
	}
	s, err = create(ctx, q, n, true)
	if errors.Is(err, errClaimed) {
		return find(ctx, q, n)
	}
	return s, err
}

// ResolveID is Resolve for callers that need only the supporter's id (a
// new ticket): the same lookup, claim and naming, without reading the
// supporter back — one statement for a known supporter.
func ResolveID(ctx context.Context, q db.Querier, n NewSupporter) (int64, error) {
	if err := n.validate(); err != nil {
		return 0, err
	}
	id, err := findID(ctx, q, n)
	if !errors.Is(err, errs.ErrNotFound) {
		return id, err
	}
	id, err = createID(ctx, q, n, true)
	if errors.Is(err, errClaimed) {
		return findID(ctx, q, n)
	}
	return id, err
}

// find looks the supporter up by each identity given, in order.
func find(ctx context.Context, q db.Querier, n NewSupporter) (Supporter, error) {
	id, err := findID(ctx, q, n)
	if err != nil {
		return Supporter{}, err
	}
	return Get(ctx, q, id)
}

// findID is find for the id alone; a known supporter without a name gets
// the name given.
func findID(ctx context.Context, q db.Querier, n NewSupporter) (int64, error) {
	for _, idn := range []Identity{{"email", NormaliseEmail(n.Email)}, {"phone", NormalisePhone(n.Phone)}, {"handle", n.Handle}} {
		if idn.Value == "" {
			continue
		}
		var id int64
		var name string
		err := q.QueryRowContext(ctx, `SELECT s.id, s.name FROM supporter_identities i JOIN supporters s ON s.id = i.supporter_id
			WHERE i.kind = $1 AND i.value = $2`, idn.Kind, idn.Value).Scan(&id, &name)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if name == "" && n.Name != "" {
			if _, err := q.ExecContext(ctx, "UPDATE supporters SET name = $1, updated_at = $2 WHERE id = $3", n.Name, db.Now(), id); err != nil {
				return 0, err
			}
		}
		return id, nil
	}
	return 0, errs.ErrNotFound
}

const cols = "id, name, email, language, supporter_since, notes, created_at, " + profileCols

func scan(row interface{ Scan(...any) error }) (Supporter, error) {
	var s Supporter
	var since sql.NullInt64
	var created int64
	dst := append([]any{&s.ID, &s.Name, &s.Email, &s.Language, &since, &s.Notes, &created}, s.Profile.scanDest()...)
	err := row.Scan(dst...)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.ErrNotFound
	}
	s.Profile.finishScan()
	if since.Valid {
		t := db.Time(since.Int64)
		s.SupporterSince = &t
	}
	s.CreatedAt = db.Time(created)
	return s, err
}

// Get reads one supporter with identities.
func Get(ctx context.Context, q db.Querier, id int64) (Supporter, error) {
	s, err := scan(q.QueryRowContext(ctx, "SELECT "+cols+" FROM supporters WHERE id = $1", id))
	if err != nil {
		return s, err
	}
	rows, err := q.QueryContext(ctx, "SELECT kind, value FROM supporter_identities WHERE supporter_id = $1 ORDER BY id", id)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	s.Identities = []Identity{}
	for rows.Next() {
		var idn Identity
		if err := rows.Scan(&idn.Kind, &idn.Value); err != nil {
			return s, err
		}
		s.Identities = append(s.Identities, idn)
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	rows.Close()
	return s, loadExtras(ctx, q, &s)
}

// ListOptions filters and pages the supporter list.
type ListOptions struct {
	// Query matches name (any script), email or phone, as a substring.
	Query string
	// AfterID is the keyset cursor: only supporters with a smaller id.
	AfterID int64
	Limit   int
}

// List returns supporters, newest first, and the cursor for the next page (0 at the end).
func List(ctx context.Context, d *db.DB, o ListOptions) ([]Supporter, int64, error) {
	if o.Limit <= 0 || o.Limit > 200 {
		o.Limit = 50
	}
	where, args := []string{"s.merged_into IS NULL"}, []any{}
	if o.AfterID > 0 {
		args = append(args, o.AfterID)
		where = append(where, fmt.Sprintf("s.id < $%d", len(args)))
	}
	if q := strings.TrimSpace(o.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		args = append(args, like)
		n := len(args)
		phone := NormalisePhone(q)
		cond := fmt.Sprintf("(LOWER(s.name) LIKE $%d ESCAPE '\\' OR s.email LIKE $%d ESCAPE '\\'", n, n)
		cond += fmt.Sprintf(" OR EXISTS (SELECT 1 FROM supporter_identities i WHERE i.supporter_id = s.id AND i.value LIKE $%d ESCAPE '\\')", n)
		if len(strings.TrimPrefix(phone, "+")) >= 4 {
			args = append(args, "%"+strings.TrimPrefix(phone, "+")+"%")
			cond += fmt.Sprintf(" OR EXISTS (SELECT 1 FROM supporter_identities i WHERE i.supporter_id = s.id AND i.kind = 'phone' AND i.value LIKE $%d)", len(args))
		}
		where = append(where, cond+")")
	}
	args = append(args, o.Limit+1)
	rows, err := d.R.QueryContext(ctx, "SELECT "+prefixed("s.", cols)+" FROM supporters s WHERE "+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY s.id DESC LIMIT $%d", len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Supporter
	for rows.Next() {
		s, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	var next int64
	if len(out) > o.Limit {
		out = out[:o.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, rows.Err()
}

func prefixed(p, list string) string {
	parts := strings.Split(list, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Patch changes some fields of a supporter; nil fields stay.
type Patch struct {
	Name           *string
	Language       *string
	SupporterSince *time.Time
	Notes          *string
	// Profile, when set, replaces every profile field (names, honorific,
	// channel, address, organisation, household, membership, tags).
	Profile *ProfileInput
}

// Update applies a patch.
func Update(ctx context.Context, q db.Querier, id int64, p Patch) (Supporter, error) {
	s, err := Get(ctx, q, id)
	if err != nil {
		return s, err
	}
	n := NewSupporter{Name: s.Name, Language: s.Language, Email: s.Email, Notes: s.Notes}
	if p.Name != nil {
		n.Name = *p.Name
	}
	if p.Language != nil {
		n.Language = *p.Language
	}
	if p.Notes != nil {
		n.Notes = *p.Notes
	}
	if n.Name == "" && n.Email == "" {
		n.Name = "?"
	}
	if err := n.validate(); err != nil {
		return s, err
	}
	since := s.SinceManual
	if p.SupporterSince != nil {
		since = p.SupporterSince
	}
	var sinceVal any
	if since != nil {
		sinceVal = since.UnixMilli()
	}
	_, err = q.ExecContext(ctx, "UPDATE supporters SET name = $1, language = $2, notes = $3, since_manual = $4, updated_at = $5 WHERE id = $6",
		strings.TrimSpace(derefOr(p.Name, s.Name)), n.Language, n.Notes, sinceVal, db.Now(), id)
	if err != nil {
		return s, err
	}
	if p.Profile != nil {
		if err := setProfile(ctx, q, id, *p.Profile); err != nil {
			return s, err
		}
	}
	if err := RefreshSince(ctx, q, id); err != nil {
		return s, err
	}
	return Get(ctx, q, id)
}

func derefOr(p *string, def string) string {
	if p != nil {
		return *p
	}
	return def
}

// Tenure describes how long someone has supported the organisation, in whole
// years and months, as of now.
func Tenure(since, now time.Time) (years, months int) {
	if since.IsZero() || now.Before(since) {
		return 0, 0
	}
	total := (now.Year()-since.Year())*12 + int(now.Month()) - int(since.Month())
	if now.Day() < since.Day() {
		total--
	}
	return total / 12, total % 12
}
