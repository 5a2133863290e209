package web

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
)

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

// userForm is the create/edit user form as typed, so errors re-show it.
type userForm struct {
	ID            int64
	Name          string
	Email         string
	Role          string
	Language      string
	Active        bool
	DepartmentIDs []int64
	// Routing: languages answered in ("ja, en"), away, working hours (a
	// calendar id; 0 means always on shift).
	Languages  string
	Away       bool
	CalendarID int64
}

type adminUsersData struct {
	Users       []staff.User
	Departments []staff.Department
	DeptNames   map[int64]string
	Roles       []staff.Role
	Form        userForm
	Saved       bool
	// Agents are the users' routing settings; Calendars name working hours.
	Agents    map[int64]routing.Agent
	Calendars []*calendar.Calendar
	CalNames  map[int64]string
}

func (s *Server) loadAdminUsers(r *http.Request) (*adminUsersData, error) {
	d := &adminUsersData{Roles: []staff.Role{staff.Agent, staff.Supervisor, staff.Admin}, DeptNames: map[int64]string{}}
	var err error
	if d.Users, err = staff.ListUsers(r.Context(), s.db.R); err != nil {
		return nil, err
	}
	if d.Departments, err = staff.ListDepartments(r.Context(), s.db.R); err != nil {
		return nil, err
	}
	for _, dep := range d.Departments {
		d.DeptNames[dep.ID] = dep.Name
	}
	if d.Agents, err = routing.Agents(r.Context(), s.db.R); err != nil {
		return nil, err
	}
	if d.Calendars, err = calendar.List(r.Context(), s.db.R); err != nil {
		return nil, err
	}
	d.CalNames = map[int64]string{}
	for _, c := range d.Calendars {
		d.CalNames[c.ID] = c.Name
	}
	return d, nil
}

// agentForm fills the routing part of a user form from saved settings.
func agentForm(f *userForm, a routing.Agent) {
	f.Languages, f.Away = strings.Join(a.Languages, ", "), a.Away
	if a.CalendarID != nil {
		f.CalendarID = *a.CalendarID
	}
}

// agentOf is the routing part of a user form, to save.
func (f userForm) agentOf(userID int64) routing.Agent {
	a := routing.Agent{UserID: userID, Languages: listField(f.Languages), Away: f.Away}
	if f.CalendarID != 0 {
		a.CalendarID = &f.CalendarID
	}
	return a
}

func (s *Server) showAdminUsers(w http.ResponseWriter, r *http.Request, status int, form userForm, fe map[string]string) {
	d, err := s.loadAdminUsers(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Form = form
	d.Saved = r.URL.Query().Get("saved") == "1"
	if form.Role == "" {
		d.Form.Role = string(staff.Agent)
	}
	p := s.newPage(r, "admin.users.title", d)
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_users", p)
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	s.showAdminUsers(w, r, http.StatusOK, userForm{Active: true}, nil)
}

func formIDs(r *http.Request, name string) ([]int64, error) {
	ids := []int64{}
	for _, v := range r.PostForm[name] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, errs.Field(name, "invalid", "not a department")
		}
		ids = append(ids, n)
	}
	return ids, nil
}

func readUserForm(r *http.Request) (userForm, error) {
	f := userForm{
		Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Role: r.PostFormValue("role"), Language: r.PostFormValue("language"), Active: r.PostFormValue("active") == "1",
		Languages: r.PostFormValue("languages"), Away: r.PostFormValue("away") == "1",
	}
	var err error
	f.DepartmentIDs, err = formIDs(r, "department_ids")
	if v := r.PostFormValue("calendar_id"); v != "" && err == nil {
		if f.CalendarID, err = strconv.ParseInt(v, 10, 64); err != nil {
			err = errs.Field("calendar_id", "invalid", "not a calendar")
		}
	}
	return f, err
}

// adminUserCreate adds a member of staff with a role, departments and password.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) {
	f, err := readUserForm(r)
	f.Active = true
	if err == nil {
		var hash string
		if hash, err = hashPassword(r.PostFormValue("password"), true); err == nil {
			err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
				u, err := staff.CreateUser(r.Context(), tx, staff.NewUser{Email: f.Email, Name: f.Name, Role: staff.Role(f.Role),
					PasswordHash: hash, Language: f.Language, DepartmentIDs: f.DepartmentIDs})
				if err != nil {
					return err
				}
				if err := routing.SaveAgent(r.Context(), tx, f.agentOf(u.ID)); err != nil {
					return err
				}
				return audit.Record(r.Context(), tx, actor(r), "user.create", "user", u.ID, map[string]any{"role": u.Role})
			})
		}
	}
	if err != nil {
		s.userFormFailed(w, r, err, func(fe map[string]string) { s.showAdminUsers(w, r, http.StatusUnprocessableEntity, f, fe) })
		return
	}
	http.Redirect(w, r, "/admin/users?saved=1", http.StatusSeeOther)
}

// hashPassword checks and hashes a password; on edit an empty one means "keep".
func hashPassword(pw string, required bool) (string, error) {
	if pw == "" {
		if required {
			return "", errs.Field("password", "required", "a password is required")
		}
		return "", nil
	}
	if len([]rune(pw)) < auth.MinPasswordLength {
		return "", errs.Field("password", "too_short", "too short")
	}
	return auth.HashPassword(pw)
}

// userFormFailed shows validation and conflict errors on the form; other
// errors are failures.
func (s *Server) userFormFailed(w http.ResponseWriter, r *http.Request, err error, show func(map[string]string)) {
	p := s.newPage(r, "", nil)
	if fe, ok := fieldErrors(p, err, nil); ok {
		show(fe)
		return
	}
	if errors.Is(err, errs.ErrConflict) {
		show(map[string]string{"email": p.T("validation.email_taken")})
		return
	}
	s.fail(w, r, err)
}

func (s *Server) showAdminUser(w http.ResponseWriter, r *http.Request, status int, id int64, form *userForm, fe map[string]string) {
	u, err := staff.GetUser(r.Context(), s.db.R, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.loadAdminUsers(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if form == nil {
		form = &userForm{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), Language: u.Language, Active: u.Active, DepartmentIDs: u.DepartmentIDs}
		agentForm(form, d.Agents[u.ID])
	}
	form.ID, form.Email = u.ID, u.Email
	d.Form = *form
	d.Saved = r.URL.Query().Get("saved") == "1"
	p := s.newPage(r, "", d)
	p.Title = u.Name
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_user", p)
}

func (s *Server) adminUserPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showAdminUser(w, r, http.StatusOK, id, nil, nil)
}

// adminUserUpdate changes a user's name, role, language, active flag,
// departments and (when given) password. Admins cannot demote or deactivate
// themselves, so an organisation never locks itself out.
func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := staff.GetUser(r.Context(), s.db.R, id); err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := readUserForm(r)
	me := currentSession(r).User.ID
	if err == nil && id == me && f.Role != string(staff.Admin) {
		err = errs.Field("role", "self", "you cannot remove your own admin role")
	}
	if err == nil && id == me && !f.Active {
		err = errs.Field("active", "self", "you cannot deactivate yourself")
	}
	var hash string
	if err == nil {
		hash, err = hashPassword(r.PostFormValue("password"), false)
	}
	if err == nil {
		role := staff.Role(f.Role)
		patch := staff.UserPatch{Name: &f.Name, Role: &role, Language: &f.Language, Active: &f.Active, DepartmentIDs: &f.DepartmentIDs}
		if hash != "" {
			patch.PasswordHash = &hash
		}
		err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
			u, err := staff.UpdateUser(r.Context(), tx, id, patch)
			if err != nil {
				return err
			}
			a := f.agentOf(u.ID)
			if err := routing.SaveAgent(r.Context(), tx, a); err != nil {
				return err
			}
			return audit.Record(r.Context(), tx, actor(r), "user.update", "user", u.ID,
				map[string]any{"role": u.Role, "active": u.Active, "password_changed": hash != "", "languages": a.Languages,
					"away": a.Away, "calendar_id": a.CalendarID})
		})
	}
	if err != nil {
		s.userFormFailed(w, r, err, func(fe map[string]string) { s.showAdminUser(w, r, http.StatusUnprocessableEntity, id, &f, fe) })
		return
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
}

type adminDepartmentsData struct {
	Departments []staff.Department
	// Name and Description keep a failed create; FailedID a failed rename.
	Name, Description string
	FailedID          int64
	FailedName        string
	Saved             bool
	// Routing is each department's strategy and owned categories as the
	// form shows them (a failed routing form keeps what was typed:
	// RoutingFailedID names it); Strategies are the choices.
	Routing         map[int64]departmentRoutingForm
	RoutingFailedID int64
	Strategies      []string
}

// departmentRoutingForm is a department's routing as the form shows it.
type departmentRoutingForm struct {
	Strategy   string
	Categories string // one per line
}

func (s *Server) showAdminDepartments(w http.ResponseWriter, r *http.Request, status int, d adminDepartmentsData, fe map[string]string) {
	var err error
	if d.Departments, err = staff.ListDepartments(r.Context(), s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	routes, err := routing.Departments(r.Context(), s.db.R)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	failed, hasFailed := d.Routing[d.RoutingFailedID]
	d.Routing = map[int64]departmentRoutingForm{}
	for id, rt := range routes {
		d.Routing[id] = departmentRoutingForm{Strategy: rt.Strategy, Categories: strings.Join(rt.Categories, "\n")}
	}
	if hasFailed {
		d.Routing[d.RoutingFailedID] = failed
	}
	d.Strategies = routing.Strategies
	d.Saved = r.URL.Query().Get("saved") == "1"
	p := s.newPage(r, "admin.departments.title", d)
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_departments", p)
}

func (s *Server) adminDepartments(w http.ResponseWriter, r *http.Request) {
	s.showAdminDepartments(w, r, http.StatusOK, adminDepartmentsData{}, nil)
}

func (s *Server) adminDepartmentCreate(w http.ResponseWriter, r *http.Request) {
	name, desc := r.PostFormValue("name"), r.PostFormValue("description")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		d, err := staff.CreateDepartment(r.Context(), tx, name, desc)
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "department.create", "department", d.ID, map[string]any{"name": d.Name})
	})
	if err != nil {
		s.departmentFailed(w, r, err, "name", adminDepartmentsData{Name: name, Description: desc})
		return
	}
	http.Redirect(w, r, "/admin/departments?saved=1", http.StatusSeeOther)
}

func (s *Server) adminDepartmentUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	name, desc := r.PostFormValue("name"), r.PostFormValue("description")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := staff.UpdateDepartment(r.Context(), tx, id, name, desc); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "department.update", "department", id, map[string]any{"name": strings.TrimSpace(name)})
	})
	if err != nil {
		s.departmentFailed(w, r, err, "rename", adminDepartmentsData{FailedID: id, FailedName: name})
		return
	}
	http.Redirect(w, r, "/admin/departments?saved=1", http.StatusSeeOther)
}

// adminDepartmentRouting sets a department's assignment strategy and the
// categories it owns (comma-separated or one per line). A category another
// department owns is a field error naming that department; nothing is
// changed then.
func (s *Server) adminDepartmentRouting(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	form := departmentRoutingForm{Strategy: r.PostFormValue("strategy"), Categories: r.PostFormValue("categories")}
	cats := listField(form.Categories)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := routing.SetDepartment(r.Context(), tx, id, form.Strategy, cats); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "department.routing", "department", id, map[string]any{"strategy": form.Strategy, "categories": cats})
	})
	if err == nil {
		http.Redirect(w, r, "/admin/departments?saved=1", http.StatusSeeOther)
		return
	}
	if errors.Is(err, errs.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	d := adminDepartmentsData{RoutingFailedID: id, Routing: map[int64]departmentRoutingForm{id: form}}
	p := s.newPage(r, "", nil)
	var taken *routing.CategoryTaken
	if errors.As(err, &taken) {
		s.showAdminDepartments(w, r, http.StatusUnprocessableEntity, d,
			map[string]string{"categories": p.T("validation.category_taken", "Category", taken.Category, "Department", taken.OwnerName)})
		return
	}
	if fe, ok := fieldErrors(p, err, nil); ok {
		s.showAdminDepartments(w, r, http.StatusUnprocessableEntity, d, fe)
		return
	}
	s.fail(w, r, err)
}

// departmentFailed re-shows the departments page with the error on field
// (the create form's "name", or "rename" for a row).
func (s *Server) departmentFailed(w http.ResponseWriter, r *http.Request, err error, field string, d adminDepartmentsData) {
	p := s.newPage(r, "", nil)
	switch {
	case errors.Is(err, errs.ErrConflict):
		s.showAdminDepartments(w, r, http.StatusUnprocessableEntity, d, map[string]string{field: p.T("validation.department_taken")})
	case func() bool { _, ok := errs.AsInvalid(err); return ok }():
		fe, _ := fieldErrors(p, err, map[string]string{"name": field})
		s.showAdminDepartments(w, r, http.StatusUnprocessableEntity, d, fe)
	default:
		s.fail(w, r, err)
	}
}

type adminSettingsData struct {
	S         org.Settings
	Languages []string
	Zones     []string
	Saved     bool
}

// commonZones are offered in the time zone list; any IANA name is accepted.
var commonZones = []string{"UTC", "Asia/Tokyo", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Seoul",
	"Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago", "America/Los_Angeles", "Australia/Sydney"}

func (s *Server) showAdminSettings(w http.ResponseWriter, r *http.Request, status int, set *org.Settings, fe map[string]string) {
	if set == nil {
		cur, err := org.Get(r.Context(), s.db.R)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		set = &cur
	}
	d := adminSettingsData{S: *set, Languages: org.Languages, Zones: commonZones, Saved: r.URL.Query().Get("saved") == "1"}
	p := s.newPage(r, "admin.settings.title", d)
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_settings", p)
}

func (s *Server) adminSettings(w http.ResponseWriter, r *http.Request) {
	s.showAdminSettings(w, r, http.StatusOK, nil, nil)
}

func (s *Server) adminSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	set := org.Settings{
		Name: strings.TrimSpace(r.PostFormValue("name")), TimeZone: strings.TrimSpace(r.PostFormValue("time_zone")),
		Languages: r.PostForm["languages"], DefaultLanguage: r.PostFormValue("default_language"),
		ServiceScope: strings.TrimSpace(r.PostFormValue("service_scope")),
	}
	var err error
	set.FirstReplyMinutes, err = strconv.Atoi(strings.TrimSpace(r.PostFormValue("first_reply_minutes")))
	if err != nil {
		err = errs.Field("first_reply_minutes", "invalid", "a whole number of minutes")
	}
	if err == nil && !contains(set.Languages, set.DefaultLanguage) {
		err = errs.Field("default_language", "not_offered", "the default language must be one of the languages")
	}
	if err == nil {
		err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
			if err := org.Update(r.Context(), tx, set); err != nil {
				return err
			}
			return audit.Record(r.Context(), tx, actor(r), "org.update", "organisation", 1, nil)
		})
	}
	if err != nil {
		p := s.newPage(r, "", nil)
		if fe, ok := fieldErrors(p, err, nil); ok {
			s.showAdminSettings(w, r, http.StatusUnprocessableEntity, &set, fe)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?saved=1", http.StatusSeeOther)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
