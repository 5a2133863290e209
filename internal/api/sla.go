package api

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/calendar/icsurl"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// ticketSLAJSON is a list item with its SLA targets.
type ticketSLAJSON struct {
	ticketJSON
	SLA sla.Status `json:"sla"`
}

// ticketDetailSLAJSON is a ticket with its conversation and SLA targets.
type ticketDetailSLAJSON struct {
	ticketDetailJSON
	SLA      sla.Status    `json:"sla"`
	Followup *sla.Followup `json:"followup,omitempty"`
}

// slaService returns the SLA service (one that only reads when the
// application gave none).
func (s *Server) slaService() *sla.Service {
	if s.sla == nil {
		s.sla = &sla.Service{DB: s.db}
	}
	return s.sla
}

func (s *Server) withSLA(r *http.Request, d ticketDetailJSON) (ticketDetailSLAJSON, error) {
	st, err := s.slaService().For(r.Context(), s.db.R, d.ID)
	if err != nil {
		return ticketDetailSLAJSON{}, err
	}
	f, err := sla.GetFollowup(r.Context(), s.db.R, d.ID)
	return ticketDetailSLAJSON{d, st, f}, err
}

type followupBody struct {
	FollowupAt string `json:"followup_at"` // RFC 3339
}

// promiseFollowup puts a ticket under investigation with a promised
// follow-up time: a holding reply goes to the supporter in their language.
func (s *Server) promiseFollowup(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "ticket")
	if err != nil {
		return err
	}
	var b followupBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339, b.FollowupAt)
	if err != nil {
		return invalid("followup_at", "invalid", "followup_at must be an RFC 3339 time, e.g. 2026-12-01T17:00:00+09:00")
	}
	t, err := s.slaService().Promise(r.Context(), actor(me), id, at, s.tickets.Hooks)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("ticket")
	}
	if err != nil {
		return err
	}
	d, err := s.ticketDetail(r, t)
	if err != nil {
		return err
	}
	out, err := s.withSLA(r, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) listWithSLA(r *http.Request, ts []ticket.Ticket) ([]ticketSLAJSON, error) {
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	m, err := s.slaService().ForTickets(r.Context(), s.db.R, ids)
	if err != nil {
		return nil, err
	}
	items := make([]ticketSLAJSON, 0, len(ts))
	for _, t := range ts {
		items = append(items, ticketSLAJSON{ticketView(t), m[t.ID]})
	}
	return items, nil
}

// --- calendars ---

func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	cs, err := calendar.List(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(cs, ""))
	return nil
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "calendar")
	if err != nil {
		return err
	}
	c, err := calendar.Get(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("calendar")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// weekHours is a calendar's working intervals per weekday as sent
// ("09:00-12:00"; "22:00-02:00" runs past midnight); an absent day is closed.
type weekHours struct {
	Sun []string `json:"sun"`
	Mon []string `json:"mon"`
	Tue []string `json:"tue"`
	Wed []string `json:"wed"`
	Thu []string `json:"thu"`
	Fri []string `json:"fri"`
	Sat []string `json:"sat"`
}

func (h weekHours) toMap() map[string][]string {
	m := map[string][]string{}
	for i, v := range [7][]string{h.Sun, h.Mon, h.Tue, h.Wed, h.Thu, h.Fri, h.Sat} {
		if len(v) > 0 {
			m[calendar.DayKeys[i]] = v
		}
	}
	return m
}

// calendarBody creates a calendar or, on PATCH, replaces the fields given
// (hours: the whole week; holidays: the whole list).
type calendarBody struct {
	Name     *string             `json:"name"`
	TimeZone *string             `json:"time_zone"`
	Hours    *weekHours          `json:"hours"`
	Holidays *[]calendar.Holiday `json:"holidays"`
}

func (b calendarBody) apply(in *calendar.Input) {
	if b.Name != nil {
		in.Name = *b.Name
	}
	if b.TimeZone != nil {
		in.TimeZone = *b.TimeZone
	}
	if b.Hours != nil {
		in.Hours = b.Hours.toMap()
	}
	if b.Holidays != nil {
		in.Holidays = *b.Holidays
	}
}

func (s *Server) createCalendar(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b calendarBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	var in calendar.Input
	b.apply(&in)
	var c *calendar.Calendar
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if c, err = calendar.Create(r.Context(), tx, in); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "calendar.create", "calendar", c.ID, map[string]any{"name": c.Name})
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/sla/calendars/%d", basePath(r), c.ID))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// patchCalendar changes any of name, time_zone, hours (whole week) and
// holidays (whole list); the SLA due times on it are recalculated in the
// background.
func (s *Server) patchCalendar(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "calendar")
	if err != nil {
		return err
	}
	var b calendarBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	return s.changeCalendar(w, r, me, id, func(in *calendar.Input) error { b.apply(in); return nil })
}

type icsImportBody struct {
	URL string `json:"url"`
	ICS string `json:"ics"`
}

// importHolidays adds the all-day events of an iCalendar feed (given inline
// or by URL) to a calendar's holidays.
func (s *Server) importHolidays(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "calendar")
	if err != nil {
		return err
	}
	var b icsImportBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	var hs []calendar.Holiday
	switch {
	case (b.URL == "") == (b.ICS == ""):
		return invalid("url", "required", "give either url or ics")
	case b.URL != "":
		if hs, err = icsurl.Fetch(r.Context(), b.URL); err != nil {
			return err
		}
	default:
		if hs, err = calendar.ParseICS(strings.NewReader(b.ICS)); err != nil {
			return invalid("ics", "invalid", err.Error())
		}
	}
	return s.changeCalendar(w, r, me, id, func(in *calendar.Input) error {
		in.Holidays = calendar.MergeHolidays(in.Holidays, hs)
		return nil
	})
}

func (s *Server) changeCalendar(w http.ResponseWriter, r *http.Request, me staff.User, id int64, change func(*calendar.Input) error) error {
	old, err := calendar.Get(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("calendar")
	}
	if err != nil {
		return err
	}
	in := old.Input()
	if err := change(&in); err != nil {
		return err
	}
	var c *calendar.Calendar
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if c, err = calendar.Update(r.Context(), tx, id, in); err != nil {
			return err
		}
		if err := audit.Record(r.Context(), tx, actor(me), "calendar.update", "calendar", id, map[string]any{"name": c.Name, "holidays": len(c.Holidays)}); err != nil {
			return err
		}
		return s.slaService().ScheduleRecalc(r.Context(), tx, id)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("calendar")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// --- policies ---

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	ps, err := sla.Policies(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ps, ""))
	return nil
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "policy")
	if err != nil {
		return err
	}
	p, err := sla.GetPolicy(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("policy")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// policyBody is a policy as sent; omitted fields keep their value (on
// create: the defaults — active, 75 % warning, pending pauses, default
// escalation, the 24/7 calendar).
type policyBody struct {
	Name                  *string         `json:"name"`
	Position              *int            `json:"position"`
	Active                *bool           `json:"active"`
	CalendarID            *int64          `json:"calendar_id"`
	Match                 *sla.Match      `json:"match"`
	FirstResponseMinutes  Optional[int]   `json:"first_response_minutes"`
	FirstResponseFromOrg  *bool           `json:"first_response_from_org"`
	NextResponseMinutes   Optional[int]   `json:"next_response_minutes"`
	ProgressUpdateMinutes Optional[int]   `json:"progress_update_minutes"`
	ResolutionMinutes     Optional[int]   `json:"resolution_minutes"`
	WarningPercent        *int            `json:"warning_percent"`
	PauseStatuses         *[]string       `json:"pause_statuses"`
	Escalation            *sla.Escalation `json:"escalation"`
}

func (b policyBody) apply(p *sla.Policy) {
	set := func(dst **int, o Optional[int]) {
		switch {
		case o.Null:
			*dst = nil
		case o.Set:
			v := o.Value
			*dst = &v
		}
	}
	if b.Name != nil {
		p.Name = *b.Name
	}
	if b.Position != nil {
		p.Position = *b.Position
	}
	if b.Active != nil {
		p.Active = *b.Active
	}
	if b.CalendarID != nil {
		p.CalendarID = *b.CalendarID
	}
	if b.Match != nil {
		p.Match = *b.Match
	}
	if b.FirstResponseFromOrg != nil {
		p.FirstResponseFromOrg = *b.FirstResponseFromOrg
	}
	if b.WarningPercent != nil {
		p.WarningPercent = *b.WarningPercent
	}
	if b.PauseStatuses != nil {
		p.PauseStatuses = *b.PauseStatuses
	}
	if b.Escalation != nil {
		p.Escalation = *b.Escalation
	}
	set(&p.FirstResponseMinutes, b.FirstResponseMinutes)
	set(&p.NextResponseMinutes, b.NextResponseMinutes)
	set(&p.ProgressUpdateMinutes, b.ProgressUpdateMinutes)
	set(&p.ResolutionMinutes, b.ResolutionMinutes)
}

func (s *Server) createPolicy(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b policyBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	p := &sla.Policy{Active: true, Position: 100, CalendarID: calendar.DefaultID, WarningPercent: 75,
		PauseStatuses: []string{string(ticket.StatusPending)}, Escalation: sla.DefaultEscalation()}
	b.apply(p)
	return s.savePolicy(w, r, me, p, true)
}

func (s *Server) patchPolicy(w http.ResponseWriter, r *http.Request, me staff.User) error {
	x, err := patched[sla.Policy, policyBody](s, w, r, "policy", sla.GetPolicy)
	if err != nil {
		return err
	}
	return s.savePolicy(w, r, me, x, false)
}

// savePolicy stores the policy and re-evaluates unresolved tickets in the
// background (which policy applies to them may have changed).
func (s *Server) savePolicy(w http.ResponseWriter, r *http.Request, me staff.User, p *sla.Policy, create bool) error {
	var out *sla.Policy
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		action := "sla_policy.update"
		if create {
			action = "sla_policy.create"
			out, err = sla.CreatePolicy(r.Context(), tx, p)
		} else {
			out, err = sla.UpdatePolicy(r.Context(), tx, p)
		}
		if err != nil {
			return err
		}
		if err := audit.Record(r.Context(), tx, actor(me), action, "sla_policy", out.ID, map[string]any{"name": out.Name}); err != nil {
			return err
		}
		return s.slaService().ScheduleRecalc(r.Context(), tx, 0)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("policy")
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
		w.Header().Set("Location", fmt.Sprintf("%s/sla/policies/%d", basePath(r), out.ID))
	}
	writeJSON(w, status, out)
	return nil
}
