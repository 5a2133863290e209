package web

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// Macros: admins keep canned replies at /admin/macros; agents pick one in
// the composer, see it rendered for this ticket, and apply it (its text
// fills the composer for review; its status, tags and department are set).

type macroForm struct {
	ID                              int64
	Name, Language, Body, SetStatus string
	SetTags                         string
	SetDepartmentID                 string
}

type adminMacrosData struct {
	Macros      []macro.Macro
	Departments []staff.Department
	Variables   []string
	Statuses    []ticket.Status
	Form        macroForm
	Saved       bool
}

func (s *Server) adminMacros(w http.ResponseWriter, r *http.Request) {
	s.showAdminMacros(w, r, http.StatusOK, macroForm{}, nil)
}

func (s *Server) showAdminMacros(w http.ResponseWriter, r *http.Request, status int, f macroForm, fe map[string]string) {
	d := &adminMacrosData{Form: f, Variables: macro.Variables, Statuses: ticket.Statuses, Saved: r.URL.Query().Get("saved") == "1"}
	var err error
	if d.Macros, err = macro.List(r.Context(), s.db.R, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Departments, err = staff.ListDepartments(r.Context(), s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); id > 0 && f.ID == 0 {
		if m, err := macro.Get(r.Context(), s.db.R, id); err == nil {
			d.Form = macroForm{ID: m.ID, Name: m.Name, Language: m.Language, Body: m.Body, SetStatus: m.SetStatus, SetTags: strings.Join(m.SetTags, ", ")}
			if m.SetDepartmentID != nil {
				d.Form.SetDepartmentID = strconv.FormatInt(*m.SetDepartmentID, 10)
			}
		}
	}
	p := s.newPage(r, "admin.macros.title", d)
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_macros", p)
}

func readMacroForm(r *http.Request) (macroForm, macro.Input, error) {
	f := macroForm{Name: r.PostFormValue("name"), Language: r.PostFormValue("language"), Body: r.PostFormValue("body"),
		SetStatus: r.PostFormValue("set_status"), SetTags: r.PostFormValue("set_tags"), SetDepartmentID: r.PostFormValue("set_department_id")}
	f.ID, _ = strconv.ParseInt(r.PathValue("id"), 10, 64)
	in := macro.Input{Name: f.Name, Language: f.Language, Body: f.Body, SetStatus: f.SetStatus, SetTags: splitTags(f.SetTags)}
	if f.SetDepartmentID != "" {
		id, err := strconv.ParseInt(f.SetDepartmentID, 10, 64)
		if err != nil {
			return f, in, errs.Field("set_department_id", "invalid", "not a department")
		}
		in.SetDepartmentID = &id
	}
	return f, in, nil
}

// adminMacroSave creates (POST /admin/macros) or changes (POST /admin/macros/{id}) a macro.
func (s *Server) adminMacroSave(w http.ResponseWriter, r *http.Request) {
	f, in, err := readMacroForm(r)
	if err == nil {
		err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
			var m macro.Macro
			var err error
			action := "macro.create"
			if f.ID > 0 {
				m, err = macro.Update(r.Context(), tx, f.ID, in)
				action = "macro.update"
			} else {
				m, err = macro.Create(r.Context(), tx, in)
			}
			if err != nil {
				return err
			}
			return audit.Record(r.Context(), tx, actor(r), action, "macro", m.ID, map[string]any{"name": m.Name})
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
		s.showAdminMacros(w, r, http.StatusUnprocessableEntity, f, fe)
		return
	}
	http.Redirect(w, r, "/admin/macros?saved=1", http.StatusSeeOther)
}

func (s *Server) adminMacroDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := macro.Delete(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "macro.delete", "macro", id, nil)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/macros?saved=1", http.StatusSeeOther)
}

// macroPreview renders the chosen macro for this ticket (htmx fragment).
func (s *Server) macroPreview(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	mid, err := strconv.ParseInt(r.URL.Query().Get("macro_id"), 10, 64)
	if !ok {
		s.notFound(w, r)
		return
	}
	text := ""
	if err == nil && mid > 0 {
		m, err := macro.Get(r.Context(), s.db.R, mid)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if text, err = macro.Preview(r.Context(), s.db.R, m, id, currentSession(r).User.Name, s.now()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.execute(w, r, http.StatusOK, "inbox", "macro-preview", s.newPage(r, "", text))
}

// macroApply applies a macro and shows the ticket with its text in the composer.
func (s *Server) macroApply(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	mid, err := strconv.ParseInt(r.PostFormValue("macro_id"), 10, 64)
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	m, err := macro.Get(r.Context(), s.db.R, mid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	text, err := macro.Apply(r.Context(), s.tickets, actor(r), m, id, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showTicket(w, r, id, http.StatusOK, func(td *ticketData) { td.Draft = text }, nil)
}
