package web

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/staff"
)

// Mailboxes: admins keep the support addresses at /admin/mailboxes (with
// how fetching is going) and look after quarantined mail at
// /admin/quarantine. Passwords are only ever shown redacted; package
// mailbox keeps the stored one when a redacted URL comes back.

type mailboxForm struct {
	ID                              int64
	Address, Name, IMAPURL, SMTPURL string
	DepartmentID, CredentialsError  string
}

// mailboxRow is one mailbox as the list shows it.
type mailboxRow struct {
	mailbox.Mailbox
	Department  string
	Fetches     bool // has an IMAP URL
	LastFetch   time.Time
	LastErrorAt time.Time
	HasFetched  bool
	HasError    bool
}

type adminMailboxesData struct {
	Mailboxes   []mailboxRow
	Departments []staff.Department
	Form        mailboxForm
	Saved       bool
}

func (s *Server) adminMailboxes(w http.ResponseWriter, r *http.Request) {
	s.showAdminMailboxes(w, r, http.StatusOK, mailboxForm{}, nil)
}

func (s *Server) showAdminMailboxes(w http.ResponseWriter, r *http.Request, status int, f mailboxForm, fe map[string]string) {
	d := &adminMailboxesData{Form: f, Saved: r.URL.Query().Get("saved") == "1"}
	var err error
	if d.Departments, err = staff.ListDepartments(r.Context(), s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, dep := range d.Departments {
		names[dep.ID] = dep.Name
	}
	list, err := s.mboxes.List(r.Context(), s.db.R)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range list {
		row := mailboxRow{Mailbox: m, Fetches: m.IMAPURL != ""}
		if m.DepartmentID != nil {
			row.Department = names[*m.DepartmentID]
		}
		if t := m.Health.LastFetchAt; t != nil {
			row.LastFetch, row.HasFetched = *t, true
		}
		if t := m.Health.LastErrorAt; t != nil {
			row.LastErrorAt, row.HasError = *t, true
		}
		d.Mailboxes = append(d.Mailboxes, row)
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); id > 0 && f.ID == 0 {
		if m, err := s.mboxes.Get(r.Context(), s.db.R, id); err == nil {
			d.Form = mailboxForm{ID: m.ID, Address: m.Address, Name: m.Name, IMAPURL: m.IMAPURL, SMTPURL: m.SMTPURL, CredentialsError: m.CredentialsError}
			if m.DepartmentID != nil {
				d.Form.DepartmentID = strconv.FormatInt(*m.DepartmentID, 10)
			}
		}
	}
	p := s.newPage(r, "admin.mailboxes.title", d)
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_mailboxes", p)
}

func readMailboxForm(r *http.Request) (mailboxForm, *int64, error) {
	f := mailboxForm{Address: strings.TrimSpace(r.PostFormValue("address")), Name: r.PostFormValue("name"),
		IMAPURL: strings.TrimSpace(r.PostFormValue("imap_url")), SMTPURL: strings.TrimSpace(r.PostFormValue("smtp_url")),
		DepartmentID: r.PostFormValue("department_id")}
	f.ID, _ = strconv.ParseInt(r.PathValue("id"), 10, 64)
	if f.DepartmentID == "" {
		return f, nil, nil
	}
	id, err := strconv.ParseInt(f.DepartmentID, 10, 64)
	if err != nil {
		return f, nil, errs.Field("department_id", "invalid", "not a department")
	}
	return f, &id, nil
}

// adminMailboxSave adds (POST /admin/mailboxes) or changes
// (POST /admin/mailboxes/{id}) a mailbox.
func (s *Server) adminMailboxSave(w http.ResponseWriter, r *http.Request) {
	f, dept, err := readMailboxForm(r)
	if err == nil {
		err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
			var m mailbox.Mailbox
			var err error
			action := "mailbox.create"
			if f.ID > 0 {
				action = "mailbox.update"
				m, err = s.mboxes.Update(r.Context(), tx, f.ID, mailbox.Patch{Address: &f.Address, Name: &f.Name,
					IMAPURL: &f.IMAPURL, SMTPURL: &f.SMTPURL, DepartmentID: dept, ClearDepartment: dept == nil})
			} else {
				m, err = s.mboxes.Create(r.Context(), tx, mailbox.Input{Address: f.Address, Name: f.Name,
					IMAPURL: f.IMAPURL, SMTPURL: f.SMTPURL, DepartmentID: dept})
			}
			if err != nil {
				return err
			}
			return audit.Record(r.Context(), tx, actor(r), action, "mailbox", m.ID, map[string]any{"address": m.Address})
		})
	}
	if errors.Is(err, errs.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		p := s.newPage(r, "", nil)
		fe, ok := fieldErrors(p, err, nil)
		if !ok {
			s.fail(w, r, err)
			return
		}
		if v, _ := errs.AsInvalid(err); v.Code == "taken" {
			fe[v.Field] = p.T("admin.mailboxes.address_taken")
		}
		// Never send a typed password back into the page: it has to be
		// typed again (on a change, leaving it out keeps the stored one).
		f.IMAPURL, f.SMTPURL = stripPassword(f.IMAPURL), stripPassword(f.SMTPURL)
		s.showAdminMailboxes(w, r, http.StatusUnprocessableEntity, f, fe)
		return
	}
	s.mailboxesChanged()
	http.Redirect(w, r, "/admin/mailboxes?saved=1", http.StatusSeeOther)
}

// stripPassword removes the password from a URL as typed.
func stripPassword(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if slash := strings.Index(rest, "/"); slash >= 0 && slash < at {
		at = strings.LastIndex(rest[:slash], "@")
	}
	if at < 0 {
		return raw
	}
	user, _, hasPw := strings.Cut(rest[:at], ":")
	if !hasPw {
		return raw
	}
	return scheme + "://" + user + rest[at:]
}

func (s *Server) adminMailboxDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := s.mboxes.Delete(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "mailbox.delete", "mailbox", id, nil)
	})
	if errors.Is(err, errs.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.mailboxesChanged()
	http.Redirect(w, r, "/admin/mailboxes?saved=1", http.StatusSeeOther)
}

// mailboxesChanged tells the IMAP poller to re-read the mailbox list.
func (s *Server) mailboxesChanged() {
	if s.onMbox != nil {
		s.onMbox()
	}
}

// quarantineRow is one quarantined message as the list shows it.
type quarantineRow struct {
	mailbox.Quarantined
	Mailbox    string
	Resolved   time.Time
	IsResolved bool
}

type adminQuarantineData struct {
	Items []quarantineRow
	All   bool
	Saved bool
	Gone  bool
}

func (s *Server) adminQuarantine(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &adminQuarantineData{All: q.Get("all") == "1", Saved: q.Get("saved") == "1", Gone: q.Get("gone") == "1"}
	list, err := mailbox.ListQuarantine(r.Context(), s.db.R, d.All)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	boxes, err := s.mboxes.List(r.Context(), s.db.R)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	addr := map[int64]string{}
	for _, m := range boxes {
		addr[m.ID] = m.Address
	}
	for _, m := range list {
		row := quarantineRow{Quarantined: m}
		if m.MailboxID != nil {
			row.Mailbox = addr[*m.MailboxID]
		}
		if m.ResolvedAt != nil {
			row.Resolved, row.IsResolved = *m.ResolvedAt, true
		}
		d.Items = append(d.Items, row)
	}
	p := s.newPage(r, "admin.quarantine.title", d)
	p.Section = "admin"
	s.renderPage(w, r, http.StatusOK, "admin_quarantine", p)
}

// adminQuarantineRaw downloads a quarantined message as received. One that
// is not there (any more) sends the admin back to the list.
func (s *Server) adminQuarantineRaw(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	q, err := mailbox.GetQuarantined(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		http.Redirect(w, r, "/admin/quarantine?gone=1", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.blobs == nil {
		s.fail(w, r, errors.New("web: no blob store configured"))
		return
	}
	f, err := s.blobs.Open(q.RawSHA256)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: quarantine %d: blob %s: %w", q.ID, q.RawSHA256, err))
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="quarantine-%d.eml"`, q.ID))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (s *Server) adminQuarantineResolve(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := mailbox.ResolveQuarantined(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "quarantine.resolve", "quarantine", id, nil)
	})
	if errors.Is(err, errs.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/quarantine?saved=1", http.StatusSeeOther)
}
