package automation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/ticket"
)

// Time rules.
//
// A time rule counts from one moment of a ticket — its anchor, the first
// condition "hours_since_… gte N" — and fires when the ticket's moment is N
// hours behind, if its other conditions hold then. Every minute the leader
// node's periodic job reads, for each active time rule, only the tickets
// whose moment passed the threshold since the rule's last run: a range of
// the moment's index from the rule's cursor (moment, ticket id) up to
// now − N. A new or changed rule starts Lookback back.
//
// Each firing is recorded in automation_firings under the unique key
// (rule, ticket, moment) in the transaction of its actions, so a ticket is
// acted on at most once per episode however often the range is read again
// (a restart, a second node, an edited rule); a new status, message or
// ticket is a new moment and so a new episode.

// Lookback is how far back a new or changed time rule looks at first.
const Lookback = 30 * 24 * time.Hour

// anchorColumns are the ticket columns (each indexed with id) time rules count from.
var anchorColumns = map[string]string{
	"hours_since_created":           "created_at",
	"hours_since_status_change":     "status_changed_at",
	"hours_since_supporter_message": "last_supporter_message_at",
	"hours_since_agent_reply":       "last_agent_reply_at",
}

// timeBatch is how many tickets one query reads.
const timeBatch = 200

// TimeArgs is the periodic job that runs the time rules.
type TimeArgs struct{}

// Kind is the River job kind.
func (TimeArgs) Kind() string { return "automation_time_rules" }

type timeWorker struct {
	river.WorkerDefaults[TimeArgs]
	en *Engine
}

func (w *timeWorker) Work(ctx context.Context, _ *river.Job[TimeArgs]) error {
	_, err := w.en.RunTimeRules(ctx)
	return err
}

// PeriodicJob runs the time rules every minute. River inserts periodic jobs
// on the elected leader only, and the job is unique per minute, so one node
// runs it; the firing records make even an overlap harmless.
func PeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return TimeArgs{}, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
	}, &river.PeriodicJobOpts{ID: "automation_time_rules", RunOnStart: true})
}

// RunTimeRules fires every active time rule for the tickets whose moment
// passed its threshold since its last run, and returns how many firings it made.
func (en *Engine) RunTimeRules(ctx context.Context) (int, error) {
	rules, err := en.load(ctx, en.DB.R)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, r := range rules {
		if !r.Active || r.Event != Time {
			continue
		}
		n, err := en.runTimeRule(ctx, r)
		total += n
		if err != nil {
			return total, fmt.Errorf("automation: time rule %d (%s): %w", r.ID, r.Name, err)
		}
	}
	return total, nil
}

// timeRuleQuery reads the next batch of tickets whose moment in col passed
// the cutoff ($1) after the cursor ($2, $3), in the order of col's index
// (which may be partial: "col <= $1" implies col IS NOT NULL).
func timeRuleQuery(col, where string) string {
	return fmt.Sprintf(`SELECT t.id, t.%[1]s FROM tickets t WHERE t.%[1]s <= $1 AND (t.%[1]s, t.id) > ($2, $3)%[2]s
		ORDER BY t.%[1]s, t.id LIMIT %[3]d`, col, where, timeBatch)
}

// errRuleChanged stops a run whose rule was edited meanwhile.
var errRuleChanged = errors.New("automation: rule changed")

func (en *Engine) runTimeRule(ctx context.Context, r *Rule) (int, error) {
	field, hours, ok := r.anchor()
	if !ok {
		return 0, nil
	}
	col := anchorColumns[field]
	now := en.now()
	cutoff := now.Add(-time.Duration(hours) * time.Hour).UnixMilli()
	var at, id sql.NullInt64
	if err := en.DB.R.QueryRowContext(ctx, "SELECT time_cursor_at, time_cursor_id FROM automation_rules WHERE id = $1", r.ID).Scan(&at, &id); err != nil {
		return 0, err
	}
	if !at.Valid {
		at.Int64, id.Int64 = cutoff-Lookback.Milliseconds(), 0
	}
	// Conditions on the status narrow the read further.
	where, args := "", []any{cutoff, at.Int64, id.Int64}
	if sts := statusFilter(r); len(sts) > 0 {
		var ph []string
		for _, s := range sts {
			args = append(args, s)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		where = " AND t.status IN (" + strings.Join(ph, ", ") + ")"
	}
	query := timeRuleQuery(col, where)
	fired := 0
	for {
		type cand struct{ id, at int64 }
		var cands []cand
		rows, err := en.DB.R.QueryContext(ctx, query, args...)
		if err != nil {
			return fired, err
		}
		for rows.Next() {
			var c cand
			if err := rows.Scan(&c.id, &c.at); err != nil {
				rows.Close()
				return fired, err
			}
			cands = append(cands, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fired, err
		}
		for _, c := range cands {
			ok, err := en.fireTime(ctx, r, c.id, c.at, now)
			if errors.Is(err, errRuleChanged) {
				return fired, nil
			}
			if err != nil {
				return fired, err
			}
			if ok {
				fired++
			}
			args[1], args[2] = c.at, c.id
		}
		if len(cands) < timeBatch {
			return fired, nil
		}
	}
}

// statusFilter is the statuses a rule's "status eq/in" conditions allow (nil: any).
func statusFilter(r *Rule) []string {
	for _, c := range r.Conditions {
		if c.Field != "status" {
			continue
		}
		switch c.Op {
		case "eq":
			return []string{c.Value}
		case "in":
			var out []string
			for _, s := range strings.Split(c.Value, ",") {
				out = append(out, strings.TrimSpace(s))
			}
			return out
		}
	}
	return nil
}

// fireTime evaluates rule r for one ticket whose moment is episode and, if
// its conditions hold and it has not fired for this episode, acts — in one
// transaction with the firing record and the rule's cursor. An action that
// fails (a deleted macro, say) is recorded on the firing and the rule moves on.
func (en *Engine) fireTime(ctx context.Context, r *Rule, ticketID, episode int64, now time.Time) (bool, error) {
	var t ticket.Ticket
	fired := false
	err := en.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := advance(ctx, tx, r, episode, ticketID); err != nil {
			return err
		}
		var err error
		if t, err = ticket.Get(ctx, tx, ticketID); err != nil {
			return err
		}
		l := &loader{ctx: ctx, q: tx, now: now}
		l.reset(t)
		if ok, err := r.holds(FactsOf(t, t.Preview, ""), l); err != nil || !ok {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO automation_firings (rule_id, ticket_id, episode_at, fired_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (rule_id, ticket_id, episode_at) DO NOTHING`, r.ID, ticketID, episode, now.UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // fired for this episode before
		}
		if t, err = en.apply(ctx, tx, r, t, trigger{event: Time}); err != nil {
			return fmt.Errorf("%w: %w", errAction, err)
		}
		fired = true
		e := live.Event{Type: "ticket.updated", TicketID: ticketID}
		for _, h := range en.After {
			if err := h(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errAction) {
		en.log().Warn("automation: time rule action failed", "rule", r.ID, "ticket", ticketID, "err", err)
		return false, en.DB.Tx(ctx, func(tx *sql.Tx) error {
			if err := advance(ctx, tx, r, episode, ticketID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO automation_firings (rule_id, ticket_id, episode_at, fired_at, error) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (rule_id, ticket_id, episode_at) DO NOTHING`, r.ID, ticketID, episode, now.UnixMilli(), truncate(err.Error(), 500))
			if err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Actor{Name: "automation"}, "automation.failed", "ticket", ticketID,
				map[string]any{"rule_id": r.ID, "rule": r.Name, "error": truncate(err.Error(), 500)})
		})
	}
	if err == nil && fired && en.Live != nil {
		en.Live.Publish(ctx, live.Event{Type: "ticket.updated", TicketID: ticketID})
	}
	return fired, err
}

var errAction = errors.New("action failed")

// advance moves the rule's cursor past a ticket, unless the rule was
// edited since it was read (then the run stops: the edit restarted it).
func advance(ctx context.Context, tx *sql.Tx, r *Rule, at, id int64) error {
	res, err := tx.ExecContext(ctx, "UPDATE automation_rules SET time_cursor_at = $1, time_cursor_id = $2 WHERE id = $3 AND updated_at = $4",
		at, id, r.ID, r.version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRuleChanged
	}
	return nil
}

// Firing is one time rule's firing on a ticket.
type Firing struct {
	RuleID    int64     `json:"rule_id"`
	TicketID  int64     `json:"ticket_id"`
	EpisodeAt time.Time `json:"episode_at"`
	FiredAt   time.Time `json:"fired_at"`
	Error     string    `json:"error,omitempty"`
}

// Firings lists the time-rule firings on a ticket, oldest first.
func Firings(ctx context.Context, q db.Querier, ticketID int64) ([]Firing, error) {
	rows, err := q.QueryContext(ctx, `SELECT rule_id, ticket_id, episode_at, fired_at, error FROM automation_firings
		WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Firing
	for rows.Next() {
		var f Firing
		var ep, at int64
		if err := rows.Scan(&f.RuleID, &f.TicketID, &ep, &at, &f.Error); err != nil {
			return nil, err
		}
		f.EpisodeAt, f.FiredAt = db.Time(ep), db.Time(at)
		out = append(out, f)
	}
	return out, rows.Err()
}
