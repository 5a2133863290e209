package api

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/staff"
)

// Mailboxes (admin): the support addresses, their redacted server URLs and
// their fetching health; and the quarantine of mail that could not be taken in.

type mailboxHealthJSON struct {
	LastFetchAt *time.Time `json:"last_fetch_at"`
	LastError   string     `json:"last_error"`
	LastErrorAt *time.Time `json:"last_error_at"`
	OK          bool       `json:"ok"`
}

type mailboxJSON struct {
	ID           int64  `json:"id"`
	Address      string `json:"address"`
	Name         string `json:"name"`
	DepartmentID *int64 `json:"department_id"`
	// IMAPURL and SMTPURL are redacted by package mailbox (password xxxxx).
	IMAPURL          string            `json:"imap_url"`
	SMTPURL          string            `json:"smtp_url"`
	CredentialsError string            `json:"credentials_error"`
	Health           mailboxHealthJSON `json:"health"`
	CreatedAt        time.Time         `json:"created_at"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func mailboxView(m mailbox.Mailbox) mailboxJSON {
	return mailboxJSON{ID: m.ID, Address: m.Address, Name: m.Name, DepartmentID: m.DepartmentID,
		IMAPURL: m.IMAPURL, SMTPURL: m.SMTPURL, CredentialsError: m.CredentialsError,
		Health: mailboxHealthJSON{LastFetchAt: utcPtr(m.Health.LastFetchAt), LastError: m.Health.LastError,
			LastErrorAt: utcPtr(m.Health.LastErrorAt), OK: m.Health.OK},
		CreatedAt: m.CreatedAt.UTC()}
}

// mailboxError turns a duplicate address into a 409 (it is a clash with
// another mailbox, not a malformed value) and a missing mailbox into a 404.
func mailboxError(err error) error {
	if v, ok := errs.AsInvalid(err); ok && v.Field == "address" && v.Code == "taken" {
		return &apiError{Status: http.StatusConflict, Code: "conflict", Field: "address", Reason: "taken", Message: v.Message}
	}
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("mailbox")
	}
	return err
}

// mailboxesChanged tells the IMAP poller to re-read the mailbox list.
func (s *Server) mailboxesChanged() {
	if s.onMbox != nil {
		s.onMbox()
	}
}

func (s *Server) listMailboxes(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	list, err := s.mboxes.List(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	items := make([]mailboxJSON, 0, len(list))
	for _, m := range list {
		items = append(items, mailboxView(m))
	}
	writeJSON(w, http.StatusOK, newPage(items, ""))
	return nil
}

type newMailboxBody struct {
	Address      string `json:"address"`
	Name         string `json:"name"`
	IMAPURL      string `json:"imap_url"`
	SMTPURL      string `json:"smtp_url"`
	DepartmentID *int64 `json:"department_id"`
}

func (s *Server) createMailbox(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b newMailboxBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	var m mailbox.Mailbox
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		m, err = s.mboxes.Create(r.Context(), tx, mailbox.Input{Address: b.Address, Name: b.Name,
			IMAPURL: b.IMAPURL, SMTPURL: b.SMTPURL, DepartmentID: b.DepartmentID})
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "mailbox.create", "mailbox", m.ID, map[string]any{"address": m.Address})
	})
	if err != nil {
		return mailboxError(err)
	}
	s.mailboxesChanged()
	w.Header().Set("Location", fmt.Sprintf("%s/mailboxes/%d", basePath(r), m.ID))
	writeJSON(w, http.StatusCreated, mailboxView(m))
	return nil
}

type mailboxPatchBody struct {
	Address      Optional[string] `json:"address"`
	Name         Optional[string] `json:"name"`
	IMAPURL      Optional[string] `json:"imap_url"`
	SMTPURL      Optional[string] `json:"smtp_url"`
	DepartmentID Optional[int64]  `json:"department_id"`
}

// patchMailbox changes a mailbox. A URL sent back redacted keeps the stored
// password; null or "" removes a URL; department_id null clears it.
func (s *Server) patchMailbox(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "mailbox")
	if err != nil {
		return err
	}
	var b mailboxPatchBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if err := cmp.Or(b.Address.notNull("address"), b.Name.notNull("name")); err != nil {
		return err
	}
	p := mailbox.Patch{Address: b.Address.Ptr(), Name: b.Name.Ptr(), DepartmentID: b.DepartmentID.Ptr(), ClearDepartment: b.DepartmentID.Null}
	empty := ""
	if b.IMAPURL.Set {
		p.IMAPURL = cmp.Or(b.IMAPURL.Ptr(), &empty)
	}
	if b.SMTPURL.Set {
		p.SMTPURL = cmp.Or(b.SMTPURL.Ptr(), &empty)
	}
	var m mailbox.Mailbox
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if m, err = s.mboxes.Update(r.Context(), tx, id, p); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "mailbox.update", "mailbox", m.ID, map[string]any{"address": m.Address})
	})
	if err != nil {
		return mailboxError(err)
	}
	s.mailboxesChanged()
	writeJSON(w, http.StatusOK, mailboxView(m))
	return nil
}

func (s *Server) deleteMailbox(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "mailbox")
	if err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := s.mboxes.Delete(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "mailbox.delete", "mailbox", id, nil)
	})
	if err != nil {
		return mailboxError(err)
	}
	s.mailboxesChanged()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type quarantinedJSON struct {
	ID         int64      `json:"id"`
	MailboxID  *int64     `json:"mailbox_id"`
	Source     string     `json:"source"`
	Size       int64      `json:"size"`
	Reason     string     `json:"reason"`
	ReceivedAt time.Time  `json:"received_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

func quarantinedView(q mailbox.Quarantined) quarantinedJSON {
	return quarantinedJSON{ID: q.ID, MailboxID: q.MailboxID, Source: q.Source, Size: q.Size, Reason: q.Reason,
		ReceivedAt: q.ReceivedAt.UTC(), ResolvedAt: utcPtr(q.ResolvedAt)}
}

// listQuarantine lists quarantined mail, newest first: unresolved only,
// unless ?all=true.
func (s *Server) listQuarantine(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	q, err := query(r, "all")
	if err != nil {
		return err
	}
	all := false
	switch q["all"] {
	case "", "false":
	case "true":
		all = true
	default:
		return invalid("all", "invalid", "all must be true or false")
	}
	list, err := mailbox.ListQuarantine(r.Context(), s.db.R, all)
	if err != nil {
		return err
	}
	items := make([]quarantinedJSON, 0, len(list))
	for _, m := range list {
		items = append(items, quarantinedView(m))
	}
	writeJSON(w, http.StatusOK, newPage(items, ""))
	return nil
}

// getQuarantineRaw downloads the message exactly as received.
func (s *Server) getQuarantineRaw(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "quarantined message")
	if err != nil {
		return err
	}
	q, err := mailbox.GetQuarantined(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("quarantined message")
	}
	if err != nil {
		return err
	}
	if s.blobs == nil {
		return errors.New("api: no blob store configured")
	}
	f, err := s.blobs.Open(q.RawSHA256)
	if err != nil {
		return fmt.Errorf("api: quarantine %d: blob %s: %w", q.ID, q.RawSHA256, err)
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="quarantine-%d.eml"`, q.ID))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}

func (s *Server) resolveQuarantine(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "quarantined message")
	if err != nil {
		return err
	}
	var q mailbox.Quarantined
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if q, err = mailbox.ResolveQuarantined(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "quarantine.resolve", "quarantine", id, nil)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("quarantined message")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, quarantinedView(q))
	return nil
}
