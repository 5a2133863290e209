// Package automation runs the organisation's event rules: when a ticket is
// created or updated, or a message arrives, ordered rules whose conditions
// all hold apply their actions (set fields, tags, assignment, an internal
// note) in the same transaction, audited. Rules are loop-safe: actions
// change the ticket through the store, which runs no hooks, so a rule can
// never trigger itself or another rule again; each rule acts at most once
// per event, and later rules see what earlier ones changed.
package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/ticket"
)

// Events a rule can listen to.
const (
	TicketCreated    = "ticket.created"
	TicketUpdated    = "ticket.updated"
	MessageCreated   = "message.created"
	SupporterReplied = "supporter.replied" // a message from the supporter on an existing ticket
)

// Events lists the valid events.
var Events = []string{TicketCreated, TicketUpdated, MessageCreated, SupporterReplied}

// Condition compares a ticket field with a value.
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"` // eq, ne, in, contains, not_contains, empty, not_empty
	Value string `json:"value"`
}

// Action changes the ticket.
type Action struct {
	Type  string `json:"type"` // set_priority, set_status, set_type, set_category, add_tag, remove_tag, assign, set_department, add_note
	Value string `json:"value"`
}

// Fields conditions may name; Ops and ActionTypes what they may do.
var (
	Fields      = []string{"status", "priority", "type", "category", "channel", "language", "tags", "subject", "body", "department_id", "assignee_id", "direction"}
	Ops         = []string{"eq", "ne", "in", "contains", "not_contains", "empty", "not_empty"}
	ActionTypes = []string{"set_priority", "set_status", "set_type", "set_category", "add_tag", "remove_tag", "assign", "set_department", "add_note"}
)

// Rule is one ordered automation rule.
type Rule struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Position   int         `json:"position"`
	Active     bool        `json:"active"`
	Event      string      `json:"event"`
	Conditions []Condition `json:"conditions"`
	Actions    []Action    `json:"actions"`
}

// Facts are what conditions look at: the ticket's fields and, for message
// events, the message.
type Facts map[string]string

// FactsOf builds the facts of a ticket (and the message body and direction).
func FactsOf(t ticket.Ticket, body, direction string) Facts {
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	return Facts{"status": string(t.Status), "priority": t.Priority, "type": t.Type, "category": t.Category, "channel": t.Channel,
		"language": t.Language, "tags": strings.Join(t.Tags, ","), "subject": t.Subject, "body": body,
		"department_id": id(t.DepartmentID), "assignee_id": id(t.AssigneeID), "direction": direction}
}

// Holds reports whether a condition holds.
func (c Condition) Holds(f Facts) bool {
	v := f[c.Field]
	switch c.Op {
	case "eq":
		if c.Field == "tags" {
			return slices.Contains(strings.Split(v, ","), c.Value)
		}
		return v == c.Value
	case "ne":
		if c.Field == "tags" {
			return !slices.Contains(strings.Split(v, ","), c.Value)
		}
		return v != c.Value
	case "in":
		for _, x := range strings.Split(c.Value, ",") {
			if strings.TrimSpace(x) == v {
				return true
			}
		}
		return false
	case "contains":
		return strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
	case "not_contains":
		return !strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
	case "empty":
		return v == ""
	case "not_empty":
		return v != ""
	}
	return false
}

// Matches reports whether the rule applies to an event with these facts.
func (r *Rule) Matches(event string, f Facts) bool {
	if !r.Active || r.Event != event {
		return false
	}
	for _, c := range r.Conditions {
		if !c.Holds(f) {
			return false
		}
	}
	return true
}

// Validate checks a rule before it is saved.
func (r *Rule) Validate() error {
	if r.Name = strings.TrimSpace(r.Name); r.Name == "" {
		return errs.Field("name", "required", "a rule needs a name")
	}
	if !slices.Contains(Events, r.Event) {
		return errs.Field("event", "invalid", "event must be one of %s", strings.Join(Events, ", "))
	}
	for i, c := range r.Conditions {
		if !slices.Contains(Fields, c.Field) || !slices.Contains(Ops, c.Op) {
			return errs.Field("conditions", "invalid", "condition %d: field one of %s; op one of %s", i+1, strings.Join(Fields, ", "), strings.Join(Ops, ", "))
		}
	}
	if len(r.Actions) == 0 {
		return errs.Field("actions", "required", "a rule needs at least one action")
	}
	for i, a := range r.Actions {
		if !slices.Contains(ActionTypes, a.Type) {
			return errs.Field("actions", "invalid", "action %d: type one of %s", i+1, strings.Join(ActionTypes, ", "))
		}
		switch a.Type {
		case "set_priority":
			if !slices.Contains(ticket.Priorities, a.Value) {
				return errs.Field("actions", "invalid", "action %d: priority one of %s", i+1, strings.Join(ticket.Priorities, ", "))
			}
		case "set_status":
			if !ticket.Status(a.Value).Valid() {
				return errs.Field("actions", "invalid", "action %d: unknown status %q", i+1, a.Value)
			}
		case "set_type":
			if !slices.Contains(ticket.Types, a.Value) {
				return errs.Field("actions", "invalid", "action %d: type one of %s", i+1, strings.Join(ticket.Types, ", "))
			}
		case "assign", "set_department":
			if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil {
				return errs.Field("actions", "invalid", "action %d: an id is required", i+1)
			}
		case "add_tag", "remove_tag", "add_note":
			if strings.TrimSpace(a.Value) == "" {
				return errs.Field("actions", "invalid", "action %d: a value is required", i+1)
			}
		}
	}
	return nil
}

// patch turns the actions into a ticket patch and notes to add.
func patch(t ticket.Ticket, actions []Action) (ticket.Patch, []string) {
	var p ticket.Patch
	var notes []string
	tags := append([]string{}, t.Tags...)
	tagsChanged := false
	for _, a := range actions {
		v := a.Value
		switch a.Type {
		case "set_priority":
			p.Priority = &v
		case "set_status":
			st := ticket.Status(v)
			p.Status = &st
		case "set_type":
			p.Type = &v
		case "set_category":
			p.Category = &v
		case "add_tag":
			if !slices.Contains(tags, v) {
				tags, tagsChanged = append(tags, v), true
			}
		case "remove_tag":
			if i := slices.Index(tags, v); i >= 0 {
				tags, tagsChanged = slices.Delete(tags, i, i+1), true
			}
		case "assign":
			id, _ := strconv.ParseInt(v, 10, 64)
			p.AssigneeID = &id
		case "set_department":
			id, _ := strconv.ParseInt(v, 10, 64)
			p.DepartmentID = &id
		case "add_note":
			notes = append(notes, v)
		}
	}
	if tagsChanged {
		p.Tags = &tags
	}
	return p, notes
}

// Engine runs the rules (a ticket.Hook) and caches them until they change.
type Engine struct {
	DB *db.DB

	mu    sync.Mutex
	rules []*Rule
	stamp [2]int64
}

func (en *Engine) load(ctx context.Context, q db.Querier) ([]*Rule, error) {
	var st [2]int64
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(updated_at), 0) FROM automation_rules").Scan(&st[0], &st[1]); err != nil {
		return nil, err
	}
	en.mu.Lock()
	if en.rules != nil && en.stamp == st {
		rs := en.rules
		en.mu.Unlock()
		return rs, nil
	}
	en.mu.Unlock()
	rs, err := Rules(ctx, q)
	if err != nil {
		return nil, err
	}
	en.mu.Lock()
	en.rules, en.stamp = rs, st
	en.mu.Unlock()
	return rs, nil
}

// Hook runs the rules for a ticket event inside its transaction.
func (en *Engine) Hook(ctx context.Context, tx *sql.Tx, e live.Event) error {
	if e.TicketID == 0 {
		return nil
	}
	rules, err := en.load(ctx, tx)
	if err != nil || len(rules) == 0 {
		return err
	}
	t, err := ticket.Get(ctx, tx, e.TicketID)
	if err != nil {
		return err
	}
	events := []string{e.Type}
	var body, dir string
	if e.MessageID != 0 {
		if err := tx.QueryRowContext(ctx, "SELECT body_text, direction FROM messages WHERE id = $1", e.MessageID).Scan(&body, &dir); err != nil {
			return err
		}
		if e.Type == MessageCreated && dir == string(ticket.In) {
			events = append(events, SupporterReplied)
		}
	}
	for _, r := range rules {
		f := FactsOf(t, body, dir)
		if !slices.ContainsFunc(events, func(ev string) bool { return r.Matches(ev, f) }) {
			continue
		}
		p, notes := patch(t, r.Actions)
		var changes []ticket.Change
		if t, changes, err = ticket.Update(ctx, tx, t.ID, p); err != nil {
			return fmt.Errorf("automation: rule %d (%s): %w", r.ID, r.Name, err)
		}
		for _, n := range notes {
			if _, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: t.ID, Direction: ticket.Note, BodyText: n}); err != nil {
				return err
			}
		}
		if len(changes) == 0 && len(notes) == 0 {
			continue
		}
		detail := map[string]any{"rule_id": r.ID, "rule": r.Name, "event": e.Type}
		for _, c := range changes {
			detail[c.Field] = c.To
		}
		if err := audit.Record(ctx, tx, audit.Actor{Name: "automation"}, "automation.rule", "ticket", t.ID, detail); err != nil {
			return err
		}
	}
	return nil
}

// DryRun returns the unresolved tickets (up to limit) whose current fields
// satisfy a rule's conditions — "which tickets would this match".
func DryRun(ctx context.Context, q db.Querier, r *Rule, limit int) ([]ticket.Ticket, int, error) {
	var out []ticket.Ticket
	seen := 0
	cursor := ""
	for len(out) < limit {
		page, next, err := ticket.List(ctx, q, ticket.Filter{View: ticket.ViewAll, Cursor: cursor, Limit: 200})
		if err != nil {
			return nil, 0, err
		}
		for _, t := range page {
			if t.Status.Group() == "done" {
				continue
			}
			seen++
			holds := true
			f := FactsOf(t, t.Preview, "")
			for _, c := range r.Conditions {
				holds = holds && c.Holds(f)
			}
			if holds && len(out) < limit {
				out = append(out, t)
			}
		}
		if next == "" || seen >= 10_000 {
			break
		}
		cursor = next
	}
	return out, seen, nil
}

const ruleCols = "id, name, position, active, event, conditions, actions"

func scanRule(row interface{ Scan(...any) error }) (*Rule, error) {
	r := &Rule{}
	var active int
	var conds, acts string
	err := row.Scan(&r.ID, &r.Name, &r.Position, &active, &r.Event, &conds, &acts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.Active = active != 0
	if err := json.Unmarshal([]byte(conds), &r.Conditions); err != nil {
		return nil, fmt.Errorf("automation: rule %d conditions: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(acts), &r.Actions); err != nil {
		return nil, fmt.Errorf("automation: rule %d actions: %w", r.ID, err)
	}
	if r.Conditions == nil {
		r.Conditions = []Condition{}
	}
	if r.Actions == nil {
		r.Actions = []Action{}
	}
	return r, nil
}

// Rules lists the rules in the order they run.
func Rules(ctx context.Context, q db.Querier) ([]*Rule, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+ruleCols+" FROM automation_rules ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("automation: rules: %w", err)
	}
	defer rows.Close()
	out := []*Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetRule reads one rule.
func GetRule(ctx context.Context, q db.Querier, id int64) (*Rule, error) {
	return scanRule(q.QueryRowContext(ctx, "SELECT "+ruleCols+" FROM automation_rules WHERE id = $1", id))
}

// SaveRule validates and creates (ID 0) or updates a rule.
func SaveRule(ctx context.Context, q db.Querier, r *Rule) (*Rule, error) {
	if r.Conditions == nil {
		r.Conditions = []Condition{}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	conds, _ := json.Marshal(r.Conditions)
	acts, _ := json.Marshal(r.Actions)
	active := 0
	if r.Active {
		active = 1
	}
	now := db.Now()
	if r.ID == 0 {
		err := q.QueryRowContext(ctx, `INSERT INTO automation_rules (name, position, active, event, conditions, actions, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, r.Name, r.Position, active, r.Event, string(conds), string(acts), now).Scan(&r.ID)
		if err != nil {
			return nil, fmt.Errorf("automation: create rule: %w", err)
		}
		return GetRule(ctx, q, r.ID)
	}
	res, err := q.ExecContext(ctx, `UPDATE automation_rules SET name = $1, position = $2, active = $3, event = $4, conditions = $5,
		actions = $6, updated_at = $7 WHERE id = $8`, r.Name, r.Position, active, r.Event, string(conds), string(acts), now, r.ID)
	if err != nil {
		return nil, fmt.Errorf("automation: update rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.ErrNotFound
	}
	return GetRule(ctx, q, r.ID)
}
