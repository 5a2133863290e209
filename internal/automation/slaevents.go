package automation

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/ticket"
)

// Rules on SLA events.
//
// The SLA timer that claims a target's warning or breach (sla.Service.Fire,
// a conditional UPDATE that succeeds once per target cycle however many
// nodes or duplicate jobs run it) calls SLAEvent in the same transaction,
// so the rules for sla.warning and sla.breach run exactly once per warning
// or breach, and not at all if the claim rolls back. The sla package does
// not import this one: the application sets sla.Service.OnTimer to
// SLAEvent.
//
// Loop safety is that of every rule: actions change the ticket through the
// store, which runs no hooks, so they trigger no rules; what they changed
// is then re-derived by the After hooks (SLA due times, search), as after
// a time rule. A rule whose actions fail (a deleted macro, say) is rolled
// back to a savepoint and audited as automation.failed: a broken rule must
// not undo or hold up the SLA warning or breach itself.

// SLAEvent runs the active rules for an SLA event ("sla.warning" or
// "sla.breach") on a ticket inside tx, with the target (first_response,
// next_response, progress_update, resolution) as the fact sla_target.
// Other events are ignored. Its signature is sla.Service.OnTimer's.
func (en *Engine) SLAEvent(ctx context.Context, tx *sql.Tx, ticketID int64, event, target string) error {
	if !isSLAEvent(event) {
		return nil
	}
	rules, err := en.load(ctx, tx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(rules, func(r *Rule) bool { return r.Active && r.Event == event }) {
		return nil
	}
	t, err := ticket.Get(ctx, tx, ticketID)
	if err != nil {
		return err
	}
	l := &loader{ctx: ctx, q: tx, now: en.now()}
	tr := trigger{event: event, slaTarget: target}
	acted := false
	for _, r := range rules {
		if !r.Active || r.Event != event {
			continue
		}
		f := FactsOf(t, t.Preview, "")
		f["sla_target"] = target
		l.reset(t)
		ok, err := r.holds(f, l)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		next, err := en.applySafely(ctx, tx, r, t, tr)
		if err != nil {
			return err
		}
		if next != nil {
			t, acted = *next, true
		}
	}
	if !acted {
		return nil
	}
	e := live.Event{Type: "ticket.updated", TicketID: ticketID}
	for _, h := range en.After {
		if err := h(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// applySafely applies rule r inside a savepoint. When an action fails the
// rule's changes are rolled back, the failure audited, and nil returned
// for the ticket (the caller goes on with the ticket as it was); an error
// is returned only when the transaction itself is in trouble.
func (en *Engine) applySafely(ctx context.Context, tx *sql.Tx, r *Rule, t ticket.Ticket, tr trigger) (*ticket.Ticket, error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT automation_rule"); err != nil {
		return nil, fmt.Errorf("automation: savepoint: %w", err)
	}
	next, actErr := en.apply(ctx, tx, r, t, tr)
	if actErr == nil {
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT automation_rule"); err != nil {
			return nil, fmt.Errorf("automation: release savepoint: %w", err)
		}
		return &next, nil
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT automation_rule"); err != nil {
		return nil, fmt.Errorf("automation: rule %d (%s): %w (and rolling back: %v)", r.ID, r.Name, actErr, err)
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT automation_rule"); err != nil {
		return nil, fmt.Errorf("automation: release savepoint: %w", err)
	}
	en.log().Warn("automation: SLA rule action failed", "rule", r.ID, "ticket", t.ID, "event", tr.event, "err", actErr)
	msg := truncate(actErr.Error(), 500)
	return nil, audit.Record(ctx, tx, audit.Actor{Name: "automation"}, "automation.failed", "ticket", t.ID,
		map[string]any{"rule_id": r.ID, "rule": r.Name, "event": tr.event, "sla_target": tr.slaTarget, "error": msg})
}

// holdsForSLA is the dry run of an SLA event rule on ticket t: whether its
// conditions hold for one of the ticket's running targets that is now
// warned (sla.warning) or breached (sla.breach).
func holdsForSLA(ctx context.Context, q db.Querier, r *Rule, t ticket.Ticket, l *loader) (bool, error) {
	col := "warned_at"
	if r.Event == SLABreach {
		col = "breached_at"
	}
	rows, err := q.QueryContext(ctx, "SELECT target FROM ticket_sla WHERE ticket_id = $1 AND met_at IS NULL AND "+col+" IS NOT NULL ORDER BY target", t.ID)
	if err != nil {
		return false, err
	}
	var targets []string
	for rows.Next() {
		var target string
		if err := rows.Scan(&target); err != nil {
			rows.Close()
			return false, err
		}
		targets = append(targets, target)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, target := range targets {
		f := FactsOf(t, t.Preview, "")
		f["sla_target"] = target
		if ok, err := r.holds(f, l); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
