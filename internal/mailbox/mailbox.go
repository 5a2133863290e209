// Package mailbox stores the organisation's support addresses: where their
// mail is fetched (IMAP), how replies leave (SMTP relay), which department
// they belong to, and how the fetching is going (health, IMAP checkpoint).
//
// Server credentials are part of the URLs and are encrypted at rest with
// AES-256-GCM (see Key). Passwords never leave this package in a form meant
// for people: Mailbox carries redacted URLs for logs, the API and the UI,
// and the decrypted Endpoints only through IMAP() and SMTP().
package mailbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Mailbox is one support address.
type Mailbox struct {
	ID           int64  `json:"id"`
	Address      string `json:"address"`
	Name         string `json:"name"`
	DepartmentID *int64 `json:"department_id"`
	// IMAPURL and SMTPURL are redacted (password shown as xxxxx); "" when
	// not configured.
	IMAPURL string `json:"imap_url"`
	SMTPURL string `json:"smtp_url"`
	// CredentialsError is set when the stored credentials cannot be
	// decrypted (a different --secret-key); the mailbox then neither
	// fetches nor sends until its URLs are entered again.
	CredentialsError string    `json:"credentials_error,omitempty"`
	Health           Health    `json:"health"`
	CreatedAt        time.Time `json:"created_at"`

	imap, smtp *Endpoint
	checkpoint Checkpoint
}

// IMAP returns the decrypted IMAP endpoint, if one is configured and readable.
func (m Mailbox) IMAP() (Endpoint, bool) {
	if m.imap == nil {
		return Endpoint{}, false
	}
	return *m.imap, true
}

// SMTP returns the decrypted SMTP relay endpoint, if one is configured and readable.
func (m Mailbox) SMTP() (Endpoint, bool) {
	if m.smtp == nil {
		return Endpoint{}, false
	}
	return *m.smtp, true
}

// Checkpoint returns how far IMAP fetching has got.
func (m Mailbox) Checkpoint() Checkpoint { return m.checkpoint }

// Health is how fetching from the mailbox is going, for the admin UI.
type Health struct {
	LastFetchAt *time.Time `json:"last_fetch_at"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at"`
	// OK: no error since the last successful fetch.
	OK bool `json:"ok"`
}

// Checkpoint is the IMAP position: every message with a UID up to LastUID
// in the folder with this UIDVALIDITY has been committed.
type Checkpoint struct {
	UIDValidity uint32
	LastUID     uint32
}

// Input is a new mailbox.
type Input struct {
	Address      string `json:"address"`
	Name         string `json:"name"`
	DepartmentID *int64 `json:"department_id"`
	// IMAPURL (imap:// or imaps://) is optional: without it the mailbox
	// receives mail only through Steward's SMTP listener.
	IMAPURL string `json:"imap_url"`
	// SMTPURL (smtp:// or smtps://) is optional: without it replies go
	// through the default relay (--smtp-relay).
	SMTPURL string `json:"smtp_url"`
}

// Patch changes some of a mailbox's fields. A URL sent back in its redacted
// form (password xxxxx, or none) keeps the stored password when the server
// and user are unchanged; "" removes the URL.
type Patch struct {
	Address         *string
	Name            *string
	DepartmentID    *int64
	ClearDepartment bool
	IMAPURL         *string
	SMTPURL         *string
}

// Store reads and writes mailboxes.
type Store struct {
	DB   *db.DB
	Keys KeySource
}

const columns = `id, address, name, department_id, imap_url, smtp_url, imap_uidvalidity, imap_last_uid,
	last_fetch_at, last_error, last_error_at, created_at`

// Fields limits.
const (
	maxName = 200
	maxURL  = 2000
)

// NormaliseAddress is the stored form of an address (trimmed, lower-case).
func NormaliseAddress(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validAddress(s string) error {
	if s == "" {
		return errs.Field("address", "required", "the address is required")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return errs.Field("address", "invalid", "%q is not an email address", s)
	}
	return nil
}

func validName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", errs.Field("name", "invalid", "the name contains control characters")
	}
	if len([]rune(s)) > maxName {
		return "", errs.Field("name", "too_long", "the name is longer than %d characters", maxName)
	}
	return s, nil
}

// Create adds a mailbox.
func (s *Store) Create(ctx context.Context, q db.Querier, in Input) (Mailbox, error) {
	addr := NormaliseAddress(in.Address)
	if err := validAddress(addr); err != nil {
		return Mailbox{}, err
	}
	name, err := validName(in.Name)
	if err != nil {
		return Mailbox{}, err
	}
	if err := checkDepartment(ctx, q, in.DepartmentID); err != nil {
		return Mailbox{}, err
	}
	imapEnc, _, err := s.sealURL(in.IMAPURL, "imap_url", nil)
	if err != nil {
		return Mailbox{}, err
	}
	smtpEnc, _, err := s.sealURL(in.SMTPURL, "smtp_url", nil)
	if err != nil {
		return Mailbox{}, err
	}
	if taken, err := addressTaken(ctx, q, addr, 0); err != nil || taken {
		if err == nil {
			err = errs.Field("address", "taken", "there is already a mailbox for %s", addr)
		}
		return Mailbox{}, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO mailboxes (address, name, department_id, imap_url, smtp_url, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, addr, name, in.DepartmentID, imapEnc, smtpEnc, db.Now()).Scan(&id)
	if db.IsUniqueViolation(err) {
		return Mailbox{}, errs.Field("address", "taken", "there is already a mailbox for %s", addr)
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("mailbox: create: %w", err)
	}
	return s.Get(ctx, q, id)
}

// Update changes a mailbox.
func (s *Store) Update(ctx context.Context, q db.Querier, id int64, p Patch) (Mailbox, error) {
	cur, err := s.Get(ctx, q, id)
	if err != nil {
		return Mailbox{}, err
	}
	sets := []string{}
	args := []any{}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if p.Address != nil {
		addr := NormaliseAddress(*p.Address)
		if err := validAddress(addr); err != nil {
			return Mailbox{}, err
		}
		if taken, err := addressTaken(ctx, q, addr, id); err != nil || taken {
			if err == nil {
				err = errs.Field("address", "taken", "there is already a mailbox for %s", addr)
			}
			return Mailbox{}, err
		}
		set("address", addr)
	}
	if p.Name != nil {
		name, err := validName(*p.Name)
		if err != nil {
			return Mailbox{}, err
		}
		set("name", name)
	}
	if p.ClearDepartment {
		set("department_id", nil)
	} else if p.DepartmentID != nil {
		if err := checkDepartment(ctx, q, p.DepartmentID); err != nil {
			return Mailbox{}, err
		}
		set("department_id", *p.DepartmentID)
	}
	if p.IMAPURL != nil {
		enc, next, err := s.sealURL(*p.IMAPURL, "imap_url", cur.imap)
		if err != nil {
			return Mailbox{}, err
		}
		set("imap_url", enc)
		// Another server, account or folder: its UIDs mean nothing here.
		if cur.imap == nil || next == nil || next.Host != cur.imap.Host || next.Port != cur.imap.Port || next.Folder != cur.imap.Folder || next.Username != cur.imap.Username {
			set("imap_uidvalidity", 0)
			set("imap_last_uid", 0)
		}
	}
	if p.SMTPURL != nil {
		enc, _, err := s.sealURL(*p.SMTPURL, "smtp_url", cur.smtp)
		if err != nil {
			return Mailbox{}, err
		}
		set("smtp_url", enc)
	}
	if len(sets) == 0 {
		return cur, nil
	}
	args = append(args, id)
	_, err = q.ExecContext(ctx, "UPDATE mailboxes SET "+strings.Join(sets, ", ")+fmt.Sprintf(" WHERE id = $%d", len(args)), args...)
	if db.IsUniqueViolation(err) {
		return Mailbox{}, errs.Field("address", "taken", "there is already a mailbox with that address")
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("mailbox: update: %w", err)
	}
	return s.Get(ctx, q, id)
}

// Delete removes a mailbox. Its tickets stay; their replies then leave
// through the default relay.
func (s *Store) Delete(ctx context.Context, q db.Querier, id int64) error {
	r, err := q.ExecContext(ctx, "DELETE FROM mailboxes WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("mailbox: delete: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.ErrNotFound
	}
	if _, err := q.ExecContext(ctx, "UPDATE tickets SET mailbox_id = NULL WHERE mailbox_id = $1", id); err != nil {
		return fmt.Errorf("mailbox: delete: %w", err)
	}
	return nil
}

// Get returns one mailbox (errs.ErrNotFound if there is none).
func (s *Store) Get(ctx context.Context, q db.Querier, id int64) (Mailbox, error) {
	m, err := s.scan(q.QueryRowContext(ctx, "SELECT "+columns+" FROM mailboxes WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.ErrNotFound
	}
	return m, err
}

// ByAddress returns the mailbox for an address, compared case-insensitively
// (errs.ErrNotFound if there is none).
func (s *Store) ByAddress(ctx context.Context, q db.Querier, address string) (Mailbox, error) {
	m, err := s.scan(q.QueryRowContext(ctx, "SELECT "+columns+" FROM mailboxes WHERE address = $1", NormaliseAddress(address)))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.ErrNotFound
	}
	return m, err
}

// List returns every mailbox with its health, by address.
func (s *Store) List(ctx context.Context, q db.Querier) ([]Mailbox, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+columns+" FROM mailboxes ORDER BY address")
	if err != nil {
		return nil, fmt.Errorf("mailbox: list: %w", err)
	}
	defer rows.Close()
	var out []Mailbox
	for rows.Next() {
		m, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Default is the mailbox that speaks for the organisation when a ticket has
// none (created in the UI or API): the oldest one. ok is false when there
// are no mailboxes.
func (s *Store) Default(ctx context.Context, q db.Querier) (Mailbox, bool, error) {
	m, err := s.scan(q.QueryRowContext(ctx, "SELECT "+columns+" FROM mailboxes ORDER BY id LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	return m, err == nil, err
}

// SetCheckpoint records the IMAP position after a committed message.
func (s *Store) SetCheckpoint(ctx context.Context, q db.Querier, id int64, c Checkpoint) error {
	_, err := q.ExecContext(ctx, "UPDATE mailboxes SET imap_uidvalidity = $1, imap_last_uid = $2 WHERE id = $3", int64(c.UIDValidity), int64(c.LastUID), id)
	return err
}

// RecordFetch records a successful fetch (err nil) or a failure.
func (s *Store) RecordFetch(ctx context.Context, q db.Querier, id int64, fetchErr error) error {
	var err error
	if fetchErr == nil {
		_, err = q.ExecContext(ctx, "UPDATE mailboxes SET last_fetch_at = $1 WHERE id = $2", db.Now(), id)
	} else {
		msg := fetchErr.Error()
		if r := []rune(msg); len(r) > 1000 {
			msg = string(r[:1000])
		}
		_, err = q.ExecContext(ctx, "UPDATE mailboxes SET last_error = $1, last_error_at = $2 WHERE id = $3", msg, db.Now(), id)
	}
	return err
}

func (s *Store) key() (*Key, error) {
	if s.Keys == nil {
		return nil, errors.New("mailbox: no secret key source")
	}
	return s.Keys.Key()
}

// sealURL validates and encrypts a URL ("" stays ""); keep is the current
// endpoint, whose password a redacted URL keeps.
func (s *Store) sealURL(raw, field string, keep *Endpoint) (string, *Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil, nil
	}
	if len(raw) > maxURL {
		return "", nil, errs.Field(field, "too_long", "the URL is longer than %d characters", maxURL)
	}
	if keep != nil {
		if e, ok := keepPassword(raw, field, *keep); ok {
			raw = e.String()
		}
	}
	var e Endpoint
	var err error
	if field == "imap_url" {
		e, err = ParseIMAP(field, raw)
	} else {
		e, err = ParseSMTP(field, raw)
	}
	if err != nil {
		return "", nil, err
	}
	k, err := s.key()
	if err != nil {
		return "", nil, err
	}
	return k.Seal(field, e.String()), &e, nil
}

// keepPassword fills in the stored password when raw names the same
// server and user with a redacted or missing password.
func keepPassword(raw, field string, cur Endpoint) (Endpoint, bool) {
	parse := ParseSMTP
	if field == "imap_url" {
		parse = ParseIMAP
	}
	// Parse with a placeholder password so a missing one validates.
	e, err := parse(field, withPassword(raw, "-"))
	if err != nil || e.Host != cur.Host || e.Port != cur.Port || e.Username != cur.Username || e.Scheme != cur.Scheme {
		return e, false
	}
	if p := passwordOf(raw); p == "" || p == redactedPassword {
		e.Password = cur.Password
		return e, true
	}
	return e, false
}

func (s *Store) scan(row interface{ Scan(...any) error }) (Mailbox, error) {
	var m Mailbox
	var dept, fetched, errAt sql.NullInt64
	var imapEnc, smtpEnc string
	var uidv, last, created int64
	if err := row.Scan(&m.ID, &m.Address, &m.Name, &dept, &imapEnc, &smtpEnc, &uidv, &last, &fetched, &m.Health.LastError, &errAt, &created); err != nil {
		return m, err
	}
	if dept.Valid {
		m.DepartmentID = &dept.Int64
	}
	m.CreatedAt = db.Time(created)
	m.checkpoint = Checkpoint{UIDValidity: uint32(uidv), LastUID: uint32(last)}
	if fetched.Valid {
		t := db.Time(fetched.Int64)
		m.Health.LastFetchAt = &t
	}
	if errAt.Valid {
		t := db.Time(errAt.Int64)
		m.Health.LastErrorAt = &t
	}
	m.Health.OK = m.Health.LastErrorAt == nil || (m.Health.LastFetchAt != nil && !m.Health.LastFetchAt.Before(*m.Health.LastErrorAt))
	if imapEnc == "" && smtpEnc == "" {
		return m, nil
	}
	k, err := s.key()
	if err != nil {
		m.CredentialsError = err.Error()
		return m, nil
	}
	for _, f := range []struct {
		field, enc string
		parse      func(string, string) (Endpoint, error)
		dst        **Endpoint
		shown      *string
	}{
		{"imap_url", imapEnc, ParseIMAP, &m.imap, &m.IMAPURL},
		{"smtp_url", smtpEnc, ParseSMTP, &m.smtp, &m.SMTPURL},
	} {
		if f.enc == "" {
			continue
		}
		plain, err := k.Open(f.field, f.enc)
		if err != nil {
			m.CredentialsError = err.Error()
			*f.shown = "(unreadable)"
			continue
		}
		e, err := f.parse(f.field, plain)
		if err != nil {
			m.CredentialsError = err.Error()
			*f.shown = "(invalid)"
			continue
		}
		*f.dst = &e
		*f.shown = e.Redacted()
	}
	return m, nil
}

func addressTaken(ctx context.Context, q db.Querier, addr string, except int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM mailboxes WHERE address = $1 AND id <> $2", addr, except).Scan(&n)
	return n > 0, err
}

func checkDepartment(ctx context.Context, q db.Querier, id *int64) error {
	if id == nil {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM departments WHERE id = $1", *id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("department_id", "unknown", "there is no department %d", *id)
	}
	return nil
}
