package api

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
)

func (s *Server) listAutomationRules(w http.ResponseWriter, r *http.Request, me staff.User) error {
	rs, err := automation.Rules(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	if !me.Role.AtLeast(staff.Admin) {
		for _, x := range rs {
			x.WebhookSecret = "" // signing secrets are for admins
		}
	}
	writeJSON(w, http.StatusOK, newPage(rs, ""))
	return nil
}

// automationBody is a rule as sent; omitted fields keep their value (on
// create: active, position 100).
type automationBody struct {
	Name       *string                 `json:"name"`
	Position   *int                    `json:"position"`
	Active     *bool                   `json:"active"`
	Event      *string                 `json:"event"`
	Conditions *[]automation.Condition `json:"conditions"`
	Actions    *[]automation.Action    `json:"actions"`
	// WebhookSecret sets a secret of the caller's own; omitted keeps it.
	WebhookSecret *string `json:"webhook_secret"`
}

func (b automationBody) apply(x *automation.Rule) {
	if b.Name != nil {
		x.Name = *b.Name
	}
	if b.Position != nil {
		x.Position = *b.Position
	}
	if b.Active != nil {
		x.Active = *b.Active
	}
	if b.Event != nil {
		x.Event = *b.Event
	}
	if b.Conditions != nil {
		x.Conditions = *b.Conditions
	}
	if b.Actions != nil {
		x.Actions = *b.Actions
	}
	if b.WebhookSecret != nil {
		x.WebhookSecret = *b.WebhookSecret
	}
}

func (s *Server) createAutomationRule(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b automationBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	x := &automation.Rule{Active: true, Position: 100}
	b.apply(x)
	return s.saveAutomationRule(w, r, me, x)
}

func (s *Server) patchAutomationRule(w http.ResponseWriter, r *http.Request, me staff.User) error {
	x, err := patched[automation.Rule, automationBody](s, w, r, "rule", automation.GetRule)
	if err != nil {
		return err
	}
	return s.saveAutomationRule(w, r, me, x)
}

func (s *Server) saveAutomationRule(w http.ResponseWriter, r *http.Request, me staff.User, x *automation.Rule) error {
	create := x.ID == 0
	var out *automation.Rule
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if out, err = automation.SaveRule(r.Context(), tx, x); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "automation_rule.save", "automation_rule", out.ID, map[string]any{"name": out.Name})
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
		w.Header().Set("Location", fmt.Sprintf("%s/automation/rules/%d", basePath(r), out.ID))
	}
	writeJSON(w, status, out)
	return nil
}

// deleteAutomationRule removes a rule; its firing records and webhook calls
// go with it, the tickets' audit log keeps what it did.
func (s *Server) deleteAutomationRule(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "rule")
	if err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		x, err := automation.GetRule(r.Context(), tx, id)
		if err != nil {
			return err
		}
		if err := automation.DeleteRule(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "automation_rule.delete", "automation_rule", id,
			map[string]any{"name": x.Name, "event": x.Event})
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("rule")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type dryRunBody struct {
	Conditions []automation.Condition `json:"conditions"`
	Event      string                 `json:"event"`
}

type dryRunJSON struct {
	Checked int          `json:"checked"`
	Items   []ticketJSON `json:"items"`
}

// automationDryRun lists up to 50 unresolved tickets the conditions match now.
func (s *Server) automationDryRun(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	var b dryRunBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.Event != "" && !slices.Contains(automation.Events, b.Event) {
		return invalid("event", "invalid", "event must be one of "+strings.Join(automation.Events, ", "))
	}
	event := b.Event
	if event == "" || event == automation.Time { // a time rule's anchor is not required here
		event = automation.TicketCreated
	}
	for i, c := range b.Conditions {
		x := automation.Rule{Name: "dry run", Event: event, Conditions: []automation.Condition{c}, Actions: []automation.Action{{Type: "add_tag", Value: "x"}}}
		if err := x.Validate(); err != nil {
			return invalid("conditions", "invalid", fmt.Sprintf("condition %d: %v", i+1, err))
		}
	}
	ts, checked, err := automation.DryRun(r.Context(), s.db.R, &automation.Rule{Event: b.Event, Conditions: b.Conditions}, 50)
	if err != nil {
		return err
	}
	out := dryRunJSON{Checked: checked, Items: []ticketJSON{}}
	for _, t := range ts {
		out.Items = append(out.Items, ticketView(t))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAutomationWebhooks shows a rule's 50 latest webhook calls and how they went.
func (s *Server) listAutomationWebhooks(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "rule")
	if err != nil {
		return err
	}
	if _, err := automation.GetRule(r.Context(), s.db.R, id); errors.Is(err, errs.ErrNotFound) {
		return notFound("rule")
	} else if err != nil {
		return err
	}
	ds, err := automation.Deliveries(r.Context(), s.db.R, id, 50)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ds, ""))
	return nil
}
