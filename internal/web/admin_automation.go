package web

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// Automation rules at /admin/automation: the rules in the order they run
// (switch on/off, move up/down), and one rule's form. The conditions and
// actions editor is plain rows of native controls (a select for the field
// or type, one for the operator, a text box for the value), so it works by
// keyboard and without script; a row left at "—" is dropped, and two blank
// rows are always offered. "Which tickets would this match?" posts the form
// as typed and shows the dry run under it, keeping what was typed.

// blankRows is how many empty condition and action rows the form offers.
const blankRows = 2

type adminAutomationData struct {
	Rules   []*automation.Rule
	Form    *automation.Rule
	Rotate  bool
	Saved   bool
	Deleted bool
	// Confirm is the rule whose deletion awaits confirmation.
	Confirm    *automation.Rule
	Events     []string
	Fields     []string
	Ops        []string
	Types      []string
	Macros     []macro.Macro
	Users      []staff.User
	Deliveries []automation.Delivery
	// DryRun is set after "Which tickets would this match?".
	DryRun *dryRunView
}

type dryRunView struct {
	Tickets []ticket.Ticket
	Checked int
}

// Conds and Acts are the form's rows: the rule's, then blank ones.
func (d *adminAutomationData) Conds() []automation.Condition {
	return append(append([]automation.Condition{}, d.Form.Conditions...), make([]automation.Condition, blankRows)...)
}

func (d *adminAutomationData) Acts() []automation.Action {
	return append(append([]automation.Action{}, d.Form.Actions...), make([]automation.Action, blankRows)...)
}

func (s *Server) adminAutomation(w http.ResponseWriter, r *http.Request) {
	f := &automation.Rule{Active: true, Position: 100, Event: automation.TicketCreated}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); id > 0 {
		x, err := automation.GetRule(r.Context(), s.db.R, id)
		if errors.Is(err, errs.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f = x
	}
	s.showAdminAutomation(w, r, http.StatusOK, &adminAutomationData{Form: f, Saved: r.URL.Query().Get("saved") == "1",
		Deleted: r.URL.Query().Get("deleted") == "1"}, nil)
}

func (s *Server) showAdminAutomation(w http.ResponseWriter, r *http.Request, status int, d *adminAutomationData, fe map[string]string) {
	ctx := r.Context()
	var err error
	if d.Rules, err = automation.Rules(ctx, s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Macros, err = macro.List(ctx, s.db.R, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Users, err = staff.ListUsers(ctx, s.db.R); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Form.ID != 0 {
		if d.Deliveries, err = automation.Deliveries(ctx, s.db.R, d.Form.ID, 10); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	d.Events, d.Fields, d.Ops, d.Types = automation.Events, automation.Fields, automation.Ops, automation.ActionTypes
	p := s.newPage(r, "admin.automation.title", d)
	p.Section, p.Errors = "admin", fe
	s.renderPage(w, r, status, "admin_automation", p)
}

// readRuleForm reads the form; rows is, for each kept condition and action,
// its row number on the form (1-based), to put an error next to its row.
func readRuleForm(r *http.Request) (x *automation.Rule, condRows, actRows []int) {
	f := r.PostForm
	x = &automation.Rule{Name: f.Get("name"), Event: f.Get("event"), Active: f.Get("active") == "1",
		Conditions: []automation.Condition{}, Actions: []automation.Action{}}
	x.ID, _ = strconv.ParseInt(r.PathValue("id"), 10, 64)
	x.Position, _ = strconv.Atoi(strings.TrimSpace(f.Get("position")))
	fields, ops, vals := f["cond_field"], f["cond_op"], f["cond_value"]
	for i, field := range fields {
		if field == "" {
			continue
		}
		c := automation.Condition{Field: field}
		if i < len(ops) {
			c.Op = ops[i]
		}
		if i < len(vals) {
			c.Value = strings.TrimSpace(vals[i])
		}
		x.Conditions = append(x.Conditions, c)
		condRows = append(condRows, i+1)
	}
	types, avals := f["act_type"], f["act_value"]
	for i, typ := range types {
		if typ == "" {
			continue
		}
		a := automation.Action{Type: typ}
		if i < len(avals) {
			a.Value = strings.TrimSpace(avals[i])
		}
		x.Actions = append(x.Actions, a)
		actRows = append(actRows, i+1)
	}
	return x, condRows, actRows
}

// ruleFieldErrors puts the error next to the form row it is about:
// "conditions.2" is the second kept condition, which may be row 3.
func (s *Server) ruleFieldErrors(r *http.Request, err error, condRows, actRows []int) (map[string]string, bool) {
	fe, ok := fieldErrors(s.newPage(r, "", nil), err, nil)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for k, v := range fe {
		if list, n, found := strings.Cut(k, "."); found {
			i, _ := strconv.Atoi(n)
			rows := map[string][]int{"conditions": condRows, "actions": actRows}[list]
			if i >= 1 && i <= len(rows) {
				k = fmt.Sprintf("%s.%d", list, rows[i-1])
			}
		}
		out[k] = v
	}
	return out, true
}

// adminAutomationSave creates (POST /admin/automation) or changes
// (POST /admin/automation/{id}) a rule.
func (s *Server) adminAutomationSave(w http.ResponseWriter, r *http.Request) {
	x, condRows, actRows := readRuleForm(r)
	rotate := r.PostFormValue("rotate_secret") == "1"
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if x.ID != 0 {
			old, err := automation.GetRule(r.Context(), tx, x.ID)
			if err != nil {
				return err
			}
			if !rotate {
				x.WebhookSecret = old.WebhookSecret
			}
		}
		out, err := automation.SaveRule(r.Context(), tx, x)
		if err != nil {
			return err
		}
		x.ID = out.ID
		return audit.Record(r.Context(), tx, actor(r), "automation_rule.save", "automation_rule", out.ID, map[string]any{"name": out.Name})
	})
	if errors.Is(err, errs.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		fe, ok := s.ruleFieldErrors(r, err, condRows, actRows)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showAdminAutomation(w, r, http.StatusUnprocessableEntity, &adminAutomationData{Form: x, Rotate: rotate}, fe)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/automation?edit=%d&saved=1", x.ID), http.StatusSeeOther)
}

// adminAutomationDryRun shows which tickets the form's conditions match
// now, with the form as typed (nothing is saved).
func (s *Server) adminAutomationDryRun(w http.ResponseWriter, r *http.Request) {
	x, condRows, actRows := readRuleForm(r)
	x.ID, _ = strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	d := &adminAutomationData{Form: x, Rotate: r.PostFormValue("rotate_secret") == "1"}
	// Check the conditions only: a dry run needs no name or actions yet.
	check := *x
	check.Name, check.Actions = "dry run", []automation.Action{{Type: "add_tag", Value: "x"}}
	if err := check.Validate(); err != nil {
		fe, ok := s.ruleFieldErrors(r, err, condRows, actRows)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showAdminAutomation(w, r, http.StatusUnprocessableEntity, d, fe)
		return
	}
	ts, checked, err := automation.DryRun(r.Context(), s.db.R, x, 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if x.ID != 0 { // keep the saved secret shown
		if old, err := automation.GetRule(r.Context(), s.db.R, x.ID); err == nil {
			x.WebhookSecret = old.WebhookSecret
		}
	}
	d.DryRun = &dryRunView{Tickets: ts, Checked: checked}
	s.showAdminAutomation(w, r, http.StatusOK, d, nil)
}

// adminAutomationActive switches a rule on or off.
func (s *Server) adminAutomationActive(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	on := r.PostFormValue("active") == "1"
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := automation.SetActive(r.Context(), tx, id, on); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "automation_rule.active", "automation_rule", id, map[string]any{"active": on})
	})
	s.afterRuleChange(w, r, err)
}

// adminAutomationMove moves a rule up or down the order.
func (s *Server) adminAutomationMove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	by := 1
	if r.PostFormValue("direction") == "up" {
		by = -1
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := automation.Move(r.Context(), tx, id, by); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "automation_rule.move", "automation_rule", id, map[string]any{"by": by})
	})
	s.afterRuleChange(w, r, err)
}

// adminAutomationDelete deletes a rule: the first post (the table's button)
// shows what deleting means and asks again; the second, with confirm=1,
// deletes it. Its firing records and webhook calls go with it; the tickets'
// audit log keeps what it did.
func (s *Server) adminAutomationDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if r.PostFormValue("confirm") != "1" {
		x, err := automation.GetRule(r.Context(), s.db.R, id)
		if errors.Is(err, errs.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := &adminAutomationData{Form: &automation.Rule{Active: true, Position: 100, Event: automation.TicketCreated}, Confirm: x}
		s.showAdminAutomation(w, r, http.StatusOK, d, nil)
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		x, err := automation.GetRule(r.Context(), tx, id)
		if err != nil {
			return err
		}
		if err := automation.DeleteRule(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "automation_rule.delete", "automation_rule", id,
			map[string]any{"name": x.Name, "event": x.Event})
	})
	switch {
	case errors.Is(err, errs.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/admin/automation?deleted=1#rules", http.StatusSeeOther)
	}
}

func (s *Server) afterRuleChange(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errs.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/admin/automation?saved=1#rules", http.StatusSeeOther)
	}
}

// RuleErr is the error of a field of the rule form ("conditions.3", "name").
func (p *Page) RuleErr(field string, row int) string {
	if row > 0 {
		field = fmt.Sprintf("%s.%d", field, row)
	}
	return p.Errors[field]
}

// Row numbers a form row from its index (1-based).
func (p *Page) Row(i int) int { return i + 1 }
