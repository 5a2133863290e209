// Package automation runs the organisation's rules. Event rules run when a
// ticket is created or updated, a message arrives, or an SLA target reaches
// its warning or breach moment (slaevents.go); time rules run when a
// moment of a ticket lies far enough behind ("pending for 3 days",
// "resolved 7 days ago"). Ordered rules whose conditions all hold apply
// their actions — set fields, tags, assignment, an internal note, a canned
// reply to the supporter, a notification to staff, a webhook call — audited.
//
// Rules are loop-safe: actions change the ticket through the store, which
// runs no hooks, so a rule can never trigger itself or another rule again;
// each rule acts at most once per event, later rules see what earlier ones
// changed, and a time rule fires at most once per ticket per episode (see
// timerules.go). docs/automation.md describes it for administrators.
package automation

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/ticket"
)

// Events a rule can listen to.
const (
	TicketCreated    = "ticket.created"
	TicketUpdated    = "ticket.updated"
	MessageCreated   = "message.created"
	SupporterReplied = "supporter.replied" // a message from the supporter on an existing ticket
	// SLAWarning and SLABreach: an SLA target of the ticket reached its
	// warning or due moment (sla_target says which). Run by the SLA timer
	// that claims the event, once per target cycle.
	SLAWarning = "sla.warning"
	SLABreach  = "sla.breach"
	// Time is a time rule: evaluated every minute for the tickets whose
	// moment (see TimeFields) passed the rule's threshold since its last run.
	Time = "time"
)

// Events lists the valid events.
var Events = []string{TicketCreated, TicketUpdated, MessageCreated, SupporterReplied, SLAWarning, SLABreach, Time}

// isSLAEvent reports whether rules for event see the fact sla_target.
func isSLAEvent(event string) bool { return event == SLAWarning || event == SLABreach }

// Action is one thing a rule does.
type Action struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// ActionTypes are what actions may do. Value is: the new priority, status,
// type or category; the tag; the user or department id; the note's text;
// for send_canned_reply the macro's id (the same-named macro in the
// supporter's language is used when there is one); for notify "assignee",
// "supervisor" or a user id; for webhook the http(s) URL.
var ActionTypes = []string{"set_priority", "set_status", "set_type", "set_category", "add_tag", "remove_tag", "assign",
	"set_department", "add_note", "send_canned_reply", "notify", "webhook"}

// Rule is one ordered automation rule.
type Rule struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Position   int         `json:"position"`
	Active     bool        `json:"active"`
	Event      string      `json:"event"`
	Conditions []Condition `json:"conditions"`
	Actions    []Action    `json:"actions"`
	// WebhookSecret signs the rule's webhook calls; generated when a rule
	// with a webhook action is saved without one.
	WebhookSecret string `json:"webhook_secret,omitempty"`

	version int64 // updated_at, to notice a rule changed under a running time rule
	needs   needs // the fact groups its conditions name
}

// Matches reports whether the rule applies to an event with these facts
// (ticket facts only: rules naming time or supporter facts need the
// Engine, which loads them).
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

// holds evaluates the conditions in order, loading time and supporter facts
// only when a condition that names them is reached.
func (r *Rule) holds(f Facts, l *loader) (bool, error) {
	for _, c := range r.Conditions {
		if n := needOf(c.Field); n != 0 && l != nil {
			if err := l.ensure(f, n); err != nil {
				return false, err
			}
		}
		if !c.Holds(f) {
			return false, nil
		}
	}
	return true, nil
}

// Engine runs the rules (Hook for events, RunTimeRules for time) and caches
// them until they change.
type Engine struct {
	DB *db.DB
	// Jobs queues webhook calls (nil: calls are recorded, not sent).
	Jobs *jobs.Queue
	// Live hears of what time rules changed.
	Live live.Broker
	// Deliver sends a canned reply: the outbox's reply hook, run for the
	// new message in the same transaction (nil: the reply is only stored).
	Deliver ticket.Hook
	// After are the hooks that derive data from a ticket (SLA, search), run
	// after a time rule changed one. Never the automation hook itself.
	After []ticket.Hook
	// Now is the clock (tests fix it); HTTP calls webhooks.
	Now  func() time.Time
	HTTP *http.Client
	Log  *slog.Logger

	mu    sync.Mutex
	rules []*Rule
	stamp [3]int64
}

func (en *Engine) now() time.Time {
	if en.Now != nil {
		return en.Now()
	}
	return time.Now()
}

func (en *Engine) log() *slog.Logger {
	if en.Log != nil {
		return en.Log
	}
	return slog.Default()
}

func (en *Engine) load(ctx context.Context, q db.Querier) ([]*Rule, error) {
	// A rule added, changed or deleted changes one of these.
	var st [3]int64
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(updated_at), 0), COALESCE(MAX(id), 0) FROM automation_rules").Scan(&st[0], &st[1], &st[2]); err != nil {
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

// Hook runs the event rules for a ticket event inside its transaction.
func (en *Engine) Hook(ctx context.Context, tx *sql.Tx, e live.Event) error {
	if e.TicketID == 0 {
		return nil
	}
	rules, err := en.load(ctx, tx)
	if err != nil || len(rules) == 0 {
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
	if !slices.ContainsFunc(rules, func(r *Rule) bool { return r.Active && slices.Contains(events, r.Event) }) {
		return nil
	}
	t, err := ticket.Get(ctx, tx, e.TicketID)
	if err != nil {
		return err
	}
	l := &loader{ctx: ctx, q: tx, now: en.now()}
	for _, r := range rules {
		if !r.Active || !slices.Contains(events, r.Event) {
			continue
		}
		f := FactsOf(t, body, dir)
		l.reset(t)
		ok, err := r.holds(f, l)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if t, err = en.apply(ctx, tx, r, t, trigger{event: e.Type}); err != nil {
			return fmt.Errorf("automation: rule %d (%s): %w", r.ID, r.Name, err)
		}
	}
	return nil
}

// trigger is what made a rule run: the event, and for SLA events the target.
type trigger struct {
	event     string
	slaTarget string
}

// apply does a rule's actions on ticket t in tx and audits what they did.
func (en *Engine) apply(ctx context.Context, tx *sql.Tx, r *Rule, t ticket.Ticket, tr trigger) (ticket.Ticket, error) {
	p, notes := patch(t, r.Actions)
	var changes []ticket.Change
	var err error
	if t, changes, err = ticket.Update(ctx, tx, t.ID, p); err != nil {
		return t, err
	}
	for _, n := range notes {
		if _, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: t.ID, Direction: ticket.Note, BodyText: n}); err != nil {
			return t, err
		}
	}
	detail := map[string]any{}
	replied, err := en.effects(ctx, tx, r, t, tr, detail)
	if err != nil {
		return t, err
	}
	if len(changes) == 0 && len(notes) == 0 && len(detail) == 0 {
		return t, nil
	}
	detail["rule_id"], detail["rule"], detail["event"] = r.ID, r.Name, tr.event
	if tr.slaTarget != "" {
		detail["sla_target"] = tr.slaTarget
	}
	for _, c := range changes {
		detail[c.Field] = c.To
	}
	if len(notes) > 0 {
		detail["notes"] = len(notes)
	}
	if err := audit.Record(ctx, tx, audit.Actor{Name: "automation"}, "automation.rule", "ticket", t.ID, detail); err != nil {
		return t, err
	}
	if replied { // a reply moves the ticket too (status, first response)
		return ticket.Get(ctx, tx, t.ID)
	}
	return t, nil
}

// DryRun returns the tickets (up to limit) whose current facts satisfy a
// rule's conditions — "which tickets would this match" — and how many were
// checked. Event rules look at unresolved tickets; time rules at all, as a
// time rule may act on resolved ones. An SLA event rule matches a ticket
// with a running target now in warning (sla.warning) or breached
// (sla.breach) for which the conditions hold. Time and supporter facts are loaded
// per ticket when the conditions name them, so fewer tickets are checked.
func DryRun(ctx context.Context, q db.Querier, r *Rule, limit int) ([]ticket.Ticket, int, error) {
	var out []ticket.Ticket
	seen, most := 0, 10_000
	var n needs
	for _, c := range r.Conditions {
		n |= needOf(c.Field)
	}
	slaEvent := isSLAEvent(r.Event)
	if n != 0 || slaEvent {
		most = 2_000
	}
	l := &loader{ctx: ctx, q: q, now: time.Now()}
	cursor := ""
	for len(out) < limit {
		page, next, err := ticket.List(ctx, q, ticket.Filter{View: ticket.ViewAll, Cursor: cursor, Limit: 200})
		if err != nil {
			return nil, 0, err
		}
		for _, t := range page {
			if t.Status.Group() == "done" && r.Event != Time {
				continue
			}
			seen++
			l.reset(t)
			var ok bool
			var err error
			if slaEvent {
				ok, err = holdsForSLA(ctx, q, r, t, l)
			} else {
				ok, err = r.holds(FactsOf(t, t.Preview, ""), l)
			}
			if err != nil {
				return nil, 0, err
			}
			if ok && len(out) < limit {
				out = append(out, t)
			}
		}
		if next == "" || seen >= most {
			break
		}
		cursor = next
	}
	return out, seen, nil
}
