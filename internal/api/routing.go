package api

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
)

func (s *Server) routingService() *routing.Router {
	if s.routing == nil {
		s.routing = &routing.Router{DB: s.db}
	}
	return s.routing
}

func (s *Server) listRoutingRules(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	rs, err := routing.Rules(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(rs, ""))
	return nil
}

// ruleBody is a routing rule as sent; omitted fields keep their value (on
// create: active, position 100).
type ruleBody struct {
	Name         *string        `json:"name"`
	Position     *int           `json:"position"`
	Active       *bool          `json:"active"`
	Match        *routing.Match `json:"match"`
	DepartmentID *int64         `json:"department_id"`
	SetCategory  *string        `json:"set_category"`
	SetPriority  *string        `json:"set_priority"`
}

func (b ruleBody) apply(rl *routing.Rule) {
	if b.Name != nil {
		rl.Name = *b.Name
	}
	if b.Position != nil {
		rl.Position = *b.Position
	}
	if b.Active != nil {
		rl.Active = *b.Active
	}
	if b.Match != nil {
		rl.Match = *b.Match
	}
	if b.DepartmentID != nil {
		rl.DepartmentID = *b.DepartmentID
	}
	if b.SetCategory != nil {
		rl.SetCategory = *b.SetCategory
	}
	if b.SetPriority != nil {
		rl.SetPriority = *b.SetPriority
	}
}

func (s *Server) createRoutingRule(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b ruleBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	rl := &routing.Rule{Active: true, Position: 100}
	b.apply(rl)
	return s.saveRoutingRule(w, r, me, rl, true)
}

func (s *Server) patchRoutingRule(w http.ResponseWriter, r *http.Request, me staff.User) error {
	x, err := patched[routing.Rule, ruleBody](s, w, r, "rule", routing.GetRule)
	if err != nil {
		return err
	}
	return s.saveRoutingRule(w, r, me, x, false)
}

func (s *Server) saveRoutingRule(w http.ResponseWriter, r *http.Request, me staff.User, rl *routing.Rule, create bool) error {
	var out *routing.Rule
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		action := "routing_rule.update"
		if create {
			action = "routing_rule.create"
			out, err = routing.CreateRule(r.Context(), tx, rl)
		} else {
			out, err = routing.UpdateRule(r.Context(), tx, rl)
		}
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), action, "routing_rule", out.ID, map[string]any{"name": out.Name})
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("rule")
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
		w.Header().Set("Location", fmt.Sprintf("%s/routing/rules/%d", basePath(r), out.ID))
	}
	writeJSON(w, status, out)
	return nil
}

type transferBody struct {
	DepartmentID int64  `json:"department_id"`
	Note         string `json:"note"`
}

// transferTicket moves a ticket to another department with a note.
func (s *Server) transferTicket(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "ticket")
	if err != nil {
		return err
	}
	var b transferBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	t, err := s.routingService().Transfer(r.Context(), actor(me), id, b.DepartmentID, b.Note, s.tickets.Hooks)
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

type agentRoutingBody struct {
	Languages []string `json:"languages"`
	Away      bool     `json:"away"`
	// CalendarID is the agent's working hours; omitted keeps them, null
	// clears them (always on shift). Only supervisors and admins change it.
	CalendarID Optional[int64] `json:"calendar_id"`
}

type agentRoutingJSON struct {
	Languages  []string `json:"languages"`
	Away       bool     `json:"away"`
	CalendarID *int64   `json:"calendar_id"`
}

// putAgentRouting sets the languages an agent speaks, whether they are
// away and their working hours (an agent may set their own languages and
// away status; supervisors anyone's, and working hours).
func (s *Server) putAgentRouting(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if id != me.ID && !me.Role.AtLeast(staff.Supervisor) {
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "only supervisors may change another agent's routing"}
	}
	var b agentRoutingBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if _, err := staff.GetUser(r.Context(), s.db.R, id); errors.Is(err, errs.ErrNotFound) {
		return notFound("user")
	} else if err != nil {
		return err
	}
	if b.CalendarID.Set && !me.Role.AtLeast(staff.Supervisor) {
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "only supervisors may change working hours"}
	}
	if b.Languages == nil {
		b.Languages = []string{}
	}
	var a routing.Agent
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if a, err = routing.GetAgent(r.Context(), tx, id); err != nil {
			return err
		}
		a.Languages, a.Away = b.Languages, b.Away
		if b.CalendarID.Set {
			a.CalendarID = b.CalendarID.Ptr()
		}
		if err := routing.SaveAgent(r.Context(), tx, a); err != nil {
			return err
		}
		if a, err = routing.GetAgent(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "user.routing", "user", id, map[string]any{"languages": a.Languages, "away": a.Away,
			"calendar_id": a.CalendarID})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, agentRoutingJSON{Languages: a.Languages, Away: a.Away, CalendarID: a.CalendarID})
	return nil
}

type departmentRoutingBody struct {
	Strategy   string   `json:"strategy"`
	Categories []string `json:"categories"`
}

// putDepartmentRouting sets a department's assignment strategy and the
// categories it owns.
func (s *Server) putDepartmentRouting(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "department")
	if err != nil {
		return err
	}
	var b departmentRoutingBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.Categories == nil {
		b.Categories = []string{}
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		// A category another department owns is refused (422 on
		// categories), as on the admin page: release it there first.
		if err := routing.SetDepartment(r.Context(), tx, id, b.Strategy, b.Categories); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "department.routing", "department", id, map[string]any{"strategy": b.Strategy, "categories": b.Categories})
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("department")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}
