package web

import (
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/calendar/icsurl"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// adminSLAData fills the "Service levels" admin page: calendars, SLA
// policies and routing rules, each with its edit form; a form that failed
// validation is shown again with what was typed (Failed names it).
type adminSLAData struct {
	Calendars   []calendarForm
	Policies    []*sla.Policy
	Rules       []*routing.Rule
	Departments []staff.Department
	NewCalendar calendarForm
	NewPolicy   *sla.Policy
	NewRule     *routing.Rule
	Failed      string // "calendar-3", "policy-new", …
	Saved       bool
	Zones       []string
	Channels    []string
	Types       []string
	Priorities  []string
	Segments    []string
	// Templates are the holding-reply and slip-notice texts by name, each
	// in every language (internal/web/admin_templates.go).
	Templates []templateGroup
	// TemplateForm keeps a failed template form's texts, by language.
	TemplateForm map[string]string
}

// calendarForm is a calendar as the form shows it.
type calendarForm struct {
	ID       int64
	Name     string
	TimeZone string
	Hours    string // "mon 09:00-12:00, 13:00-18:00" per line
	Holidays string // "2026-11-23 勤労感謝の日" per line
	Count    int
}

func calendarFormOf(c *calendar.Calendar) calendarForm {
	f := calendarForm{ID: c.ID, Name: c.Name, TimeZone: c.TimeZone, Count: len(c.Holidays)}
	var lines []string
	for _, d := range calendar.DayKeys {
		if iv := c.Hours[d]; len(iv) > 0 {
			lines = append(lines, d+" "+strings.Join(iv, ", "))
		}
	}
	f.Hours = strings.Join(lines, "\n")
	lines = nil
	for _, h := range c.Holidays {
		lines = append(lines, strings.TrimSpace(h.Date+" "+h.Name))
	}
	f.Holidays = strings.Join(lines, "\n")
	return f
}

func (f calendarForm) input() (calendar.Input, error) {
	in := calendar.Input{Name: strings.TrimSpace(f.Name), TimeZone: strings.TrimSpace(f.TimeZone), Hours: map[string][]string{}}
	for _, line := range strings.Split(f.Hours, "\n") {
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\r' })
		if len(fields) == 0 {
			continue
		}
		day := strings.ToLower(fields[0])
		if !slices.Contains(calendar.DayKeys[:], day) || len(fields) < 2 {
			return in, errs.Field("hours", "invalid", "each line is a weekday and intervals, e.g. mon 09:00-12:00, 13:00-17:00")
		}
		in.Hours[day] = append(in.Hours[day], fields[1:]...)
	}
	for _, line := range strings.Split(f.Holidays, "\n") {
		date, name, _ := strings.Cut(strings.TrimSpace(line), " ")
		if date != "" {
			in.Holidays = append(in.Holidays, calendar.Holiday{Date: date, Name: strings.TrimSpace(name)})
		}
	}
	return in, nil
}

func (s *Server) adminSLA(w http.ResponseWriter, r *http.Request) {
	s.showAdminSLA(w, r, http.StatusOK, &adminSLAData{}, nil)
}

func (s *Server) showAdminSLA(w http.ResponseWriter, r *http.Request, status int, d *adminSLAData, fe map[string]string) {
	ctx := r.Context()
	cals, err := calendar.List(ctx, s.db.R)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range cals {
		f := calendarFormOf(c)
		if d.Failed == "calendar-"+strconv.FormatInt(c.ID, 10) && d.NewCalendar.ID == c.ID {
			f = d.NewCalendar
		}
		d.Calendars = append(d.Calendars, f)
	}
	if d.Policies, err = sla.Policies(ctx, s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Rules, err = routing.Rules(ctx, s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Departments, err = staff.ListDepartments(ctx, s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	for i, p := range d.Policies {
		if d.NewPolicy != nil && d.Failed == "policy-"+strconv.FormatInt(p.ID, 10) {
			d.Policies[i] = d.NewPolicy
		}
	}
	for i, rl := range d.Rules {
		if d.NewRule != nil && d.Failed == "rule-"+strconv.FormatInt(rl.ID, 10) {
			d.Rules[i] = d.NewRule
		}
	}
	if d.NewPolicy == nil || d.Failed != "policy-new" {
		d.NewPolicy = &sla.Policy{Active: true, Position: 100, CalendarID: calendar.DefaultID, WarningPercent: 75, PauseStatuses: []string{"pending"}}
	}
	if d.NewRule == nil || d.Failed != "rule-new" {
		d.NewRule = &routing.Rule{Active: true, Position: 100}
	}
	if d.Failed != "calendar-new" {
		d.NewCalendar = calendarForm{TimeZone: "UTC", Hours: "mon 09:00-17:00\ntue 09:00-17:00\nwed 09:00-17:00\nthu 09:00-17:00\nfri 09:00-17:00"}
	}
	d.Saved = r.URL.Query().Get("saved") == "1"
	d.Zones, d.Channels, d.Types, d.Priorities, d.Segments = commonZones, ticket.Channels, ticket.Types, ticket.Priorities, segment.All
	if d.Templates, err = s.templateGroups(r, d); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, "admin.sla.title", d)
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_sla", p)
}

// slaFailed shows the page again with the error next to the failing form's field.
func (s *Server) slaFailed(w http.ResponseWriter, r *http.Request, err error, d *adminSLAData) {
	p := s.newPage(r, "", nil)
	fe, ok := fieldErrors(p, err, nil)
	if !ok {
		s.fail(w, r, err)
		return
	}
	// Field errors are keyed by form so two forms' "name" never clash.
	keyed := map[string]string{}
	for k, v := range fe {
		keyed[d.Failed+"."+k] = v
	}
	s.showAdminSLA(w, r, http.StatusUnprocessableEntity, d, keyed)
}

// SLAErr is the error of a field of one form on the SLA admin page.
func (p *Page) SLAErr(form, field string) string { return p.Errors[form+"."+field] }

func formID(r *http.Request, kind string) (int64, string) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if id == 0 {
		return 0, kind + "-new"
	}
	return id, kind + "-" + strconv.FormatInt(id, 10)
}

func (s *Server) adminCalendarSave(w http.ResponseWriter, r *http.Request) {
	id, failed := formID(r, "calendar")
	f := calendarForm{ID: id, Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone"),
		Hours: r.PostFormValue("hours"), Holidays: r.PostFormValue("holidays")}
	in, err := f.input()
	if err == nil && strings.TrimSpace(r.PostFormValue("ics_url")) != "" {
		var hs []calendar.Holiday
		if hs, err = icsurl.Fetch(r.Context(), strings.TrimSpace(r.PostFormValue("ics_url"))); err == nil {
			in.Holidays = calendar.MergeHolidays(in.Holidays, hs)
		}
	}
	if err == nil {
		err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
			var c *calendar.Calendar
			var err error
			if id == 0 {
				c, err = calendar.Create(r.Context(), tx, in)
			} else {
				c, err = calendar.Update(r.Context(), tx, id, in)
			}
			if err != nil {
				return err
			}
			if err := audit.Record(r.Context(), tx, actor(r), "calendar.save", "calendar", c.ID, map[string]any{"name": c.Name}); err != nil {
				return err
			}
			if id == 0 {
				return nil
			}
			return s.slaReader().ScheduleRecalc(r.Context(), tx, id)
		})
	}
	if err != nil {
		s.slaFailed(w, r, err, &adminSLAData{Failed: failed, NewCalendar: f})
		return
	}
	http.Redirect(w, r, "/admin/sla?saved=1#calendars", http.StatusSeeOther)
}

func minutesField(v string) (*int, error) {
	if v = strings.TrimSpace(v); v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, errs.Field("minutes", "invalid", "a number of minutes")
	}
	return &n, nil
}

// orEmpty is a form's list of checked values, never nil.
func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func listField(v string) []string {
	out := []string{}
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (s *Server) adminPolicySave(w http.ResponseWriter, r *http.Request) {
	id, failed := formID(r, "policy")
	f := r.PostForm
	p := &sla.Policy{ID: id, Name: f.Get("name"), Active: f.Get("active") == "1", FirstResponseFromOrg: f.Get("first_response_from_org") == "1",
		PauseStatuses: f["pause_statuses"], Escalation: sla.DefaultEscalation()}
	if p.PauseStatuses == nil {
		p.PauseStatuses = []string{}
	}
	if id != 0 {
		if old, err := sla.GetPolicy(r.Context(), s.db.R, id); err == nil {
			p.Escalation = old.Escalation
		}
	}
	var err error
	p.Position, _ = strconv.Atoi(f.Get("position"))
	p.CalendarID, _ = strconv.ParseInt(f.Get("calendar_id"), 10, 64)
	p.WarningPercent, _ = strconv.Atoi(f.Get("warning_percent"))
	p.Match = sla.Match{Channels: f["channels"], Types: f["types"], Priorities: f["priorities"], Languages: listField(f.Get("languages")),
		Segments: orEmpty(f["segments"]), DepartmentIDs: []int64{}}
	for _, v := range f["department_ids"] {
		if n, e := strconv.ParseInt(v, 10, 64); e == nil {
			p.Match.DepartmentIDs = append(p.Match.DepartmentIDs, n)
		}
	}
	for _, t := range []struct {
		dst   **int
		field string
	}{{&p.FirstResponseMinutes, "first_response_minutes"}, {&p.NextResponseMinutes, "next_response_minutes"},
		{&p.ProgressUpdateMinutes, "progress_update_minutes"}, {&p.ResolutionMinutes, "resolution_minutes"}} {
		if *t.dst, err = minutesField(f.Get(t.field)); err != nil {
			err = errs.Field(t.field, "invalid", "a number of minutes")
			break
		}
	}
	if err == nil {
		err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
			var out *sla.Policy
			var err error
			if id == 0 {
				out, err = sla.CreatePolicy(r.Context(), tx, p)
			} else {
				out, err = sla.UpdatePolicy(r.Context(), tx, p)
			}
			if err != nil {
				return err
			}
			if err := audit.Record(r.Context(), tx, actor(r), "sla_policy.save", "sla_policy", out.ID, map[string]any{"name": out.Name}); err != nil {
				return err
			}
			return s.slaReader().ScheduleRecalc(r.Context(), tx, 0)
		})
	}
	if err != nil {
		s.slaFailed(w, r, err, &adminSLAData{Failed: failed, NewPolicy: p})
		return
	}
	http.Redirect(w, r, "/admin/sla?saved=1#policies", http.StatusSeeOther)
}

func (s *Server) adminRuleSave(w http.ResponseWriter, r *http.Request) {
	id, failed := formID(r, "rule")
	f := r.PostForm
	rl := &routing.Rule{ID: id, Name: f.Get("name"), Active: f.Get("active") == "1", SetCategory: f.Get("set_category"), SetPriority: f.Get("set_priority"),
		Match: routing.Match{Channels: f["channels"], Keywords: listField(f.Get("keywords")), Categories: listField(f.Get("categories")),
			Languages: listField(f.Get("languages")), MailboxIDs: []int64{}, Segments: orEmpty(f["segments"])}}
	if rl.Match.Channels == nil {
		rl.Match.Channels = []string{}
	}
	rl.Position, _ = strconv.Atoi(f.Get("position"))
	rl.DepartmentID, _ = strconv.ParseInt(f.Get("department_id"), 10, 64)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var out *routing.Rule
		var err error
		if id == 0 {
			out, err = routing.CreateRule(r.Context(), tx, rl)
		} else {
			out, err = routing.UpdateRule(r.Context(), tx, rl)
		}
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "routing_rule.save", "routing_rule", out.ID, map[string]any{"name": out.Name})
	})
	if errors.Is(err, errs.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.slaFailed(w, r, err, &adminSLAData{Failed: failed, NewRule: rl})
		return
	}
	http.Redirect(w, r, "/admin/sla?saved=1#routing", http.StatusSeeOther)
}

// Minutes shows an optional number of minutes in a form field.
func (p *Page) Minutes(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

// Joined shows a list in a comma-separated form field.
func (p *Page) Joined(v []string) string { return strings.Join(v, ", ") }

// PauseChoices are the statuses a policy may pause on.
func (p *Page) PauseChoices() []ticket.Status {
	return []ticket.Status{ticket.StatusPending, ticket.StatusPendingInvestigation}
}
