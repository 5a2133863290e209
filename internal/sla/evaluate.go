package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/ticket"
)

// Service computes due times and works the SLA timers.
type Service struct {
	DB *db.DB
	// Jobs schedules timers; nil (CLI commands, some tests) stores due times
	// without scheduling.
	Jobs *jobs.Queue
	Live live.Broker
	Log  *slog.Logger
	// Mailer queues the notice that tells a supporter a promised follow-up
	// slipped; nil sends none.
	Mailer Mailer
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// OnTimer, when set, runs in the transaction that claims a target's
	// warning or breach — once per target cycle, however many nodes or
	// duplicate jobs run the timer — after the SLA's own notifications,
	// with event "sla.warning" or "sla.breach" (as audited) and the target.
	// The application runs the automation rules for those events here (this
	// package does not know them). An error rolls the claim back and the
	// timer is retried.
	OnTimer func(ctx context.Context, tx *sql.Tx, ticketID int64, event, target string) error

	mu       sync.Mutex
	cals     map[int64]*calendar.Calendar // by id, checked against the policy's calendar version
	buckets  bucketCache
	pols     []*Policy // cached while polStamp holds
	polStamp [4]int64  // the last is the organisation's first-reply promise in minutes
}

// policies returns the ordered policies, re-read only when a policy or a
// calendar changed (one small query per evaluation instead of decoding
// every policy), and the organisation's first-reply promise in minutes.
func (s *Service) policies(ctx context.Context, q db.Querier) ([]*Policy, int, error) {
	var st [4]int64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM sla_policies), (SELECT COALESCE(MAX(updated_at), 0) FROM sla_policies),
		(SELECT COALESCE(SUM(version), 0) FROM business_calendars), (SELECT first_reply_minutes FROM organisation WHERE id = 1)`).
		Scan(&st[0], &st[1], &st[2], &st[3]); err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	if s.pols != nil && s.polStamp == st {
		ps := s.pols
		s.mu.Unlock()
		return ps, int(st[3]), nil
	}
	s.mu.Unlock()
	ps, err := Policies(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	s.pols, s.polStamp = ps, st
	s.mu.Unlock()
	return ps, int(st[3]), nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// calendar returns a compiled calendar, cached until its version changes.
func (s *Service) calendar(ctx context.Context, q db.Querier, id, version int64) (*calendar.Calendar, error) {
	s.mu.Lock()
	c := s.cals[id]
	s.mu.Unlock()
	if c != nil && c.Version == version {
		return c, nil
	}
	c, err := calendar.Get(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("sla: calendar %d: %w", id, err)
	}
	s.mu.Lock()
	if s.cals == nil {
		s.cals = map[int64]*calendar.Calendar{}
	}
	s.cals[id] = c
	s.mu.Unlock()
	return c, nil
}

// Hook is a ticket.Hook: every change to a ticket (created, updated, a
// message) recomputes its targets in the same transaction.
func (s *Service) Hook(ctx context.Context, tx *sql.Tx, e live.Event) error {
	if e.TicketID == 0 {
		return nil
	}
	// A ticket being created has no targets yet: no need to read them.
	return s.evaluate(ctx, tx, e.TicketID, e.Type == "ticket.created")
}

// ticketFacts is what the targets are computed from.
type ticketFacts struct {
	Facts
	status            ticket.Status
	created           int64
	firstResponse     sql.NullInt64
	resolved          sql.NullInt64
	lastOut           sql.NullInt64
	firstUnansweredIn sql.NullInt64
	supporterID       int64
}

func loadFacts(ctx context.Context, q db.Querier, id int64) (ticketFacts, error) {
	var f ticketFacts
	var dept sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT t.status, t.channel, t.type, t.priority, t.language, t.department_id, t.created_at,
		t.first_response_at, t.resolved_at, t.supporter_id,
		(SELECT MAX(m.created_at) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'out'),
		(SELECT MIN(m.created_at) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'in'
			AND m.id > COALESCE((SELECT MAX(o.id) FROM messages o WHERE o.ticket_id = t.id AND o.direction = 'out'), 0))
		FROM tickets t WHERE t.id = $1`, id).
		Scan(&f.status, &f.Channel, &f.Type, &f.Priority, &f.Language, &dept, &f.created, &f.firstResponse, &f.resolved,
			&f.supporterID, &f.lastOut, &f.firstUnansweredIn)
	if dept.Valid {
		f.DepartmentID = &dept.Int64
	}
	return f, err
}

// row is a ticket_sla row.
type row struct {
	TicketID    int64
	Target      string
	PolicyID    int64
	CalendarID  int64
	BudgetMS    int64
	AnchorAt    int64
	PausedMS    int64
	PausedSince sql.NullInt64
	DueAt       sql.NullInt64
	WarnAt      sql.NullInt64
	MetAt       sql.NullInt64
	WarnedAt    sql.NullInt64
	BreachedAt  sql.NullInt64
	Step        int
	Version     int64
}

const rowCols = `ticket_id, target, COALESCE(policy_id, 0), calendar_id, budget_ms, anchor_at, paused_ms, paused_since, due_at,
	warn_at, met_at, warned_at, breached_at, escalation_step, version`

func scanRow(sc interface{ Scan(...any) error }) (row, error) {
	var r row
	err := sc.Scan(&r.TicketID, &r.Target, &r.PolicyID, &r.CalendarID, &r.BudgetMS, &r.AnchorAt, &r.PausedMS, &r.PausedSince,
		&r.DueAt, &r.WarnAt, &r.MetAt, &r.WarnedAt, &r.BreachedAt, &r.Step, &r.Version)
	return r, err
}

func loadRows(ctx context.Context, q db.Querier, ticketID int64) (map[string]*row, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+rowCols+" FROM ticket_sla WHERE ticket_id = $1", ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*row{}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out[r.Target] = &r
	}
	return out, rows.Err()
}

// desired is what the facts say a target should be.
type desired struct {
	anchor int64
	met    int64 // 0: not met
	paused bool
}

// want computes each applicable target's cycle from the facts.
func want(p *Policy, f ticketFacts, orgMinutes int) map[string]desired {
	out := map[string]desired{}
	done := f.status.Group() == "done"
	paused := p.Pauses(f.status)
	if _, ok := p.Budget(FirstResponse, orgMinutes); ok {
		d := desired{anchor: f.created, paused: paused}
		if f.firstResponse.Valid {
			d.met = f.firstResponse.Int64
		}
		out[FirstResponse] = d
	}
	if _, ok := p.Budget(NextResponse, orgMinutes); ok && f.firstResponse.Valid && f.firstUnansweredIn.Valid && !done {
		out[NextResponse] = desired{anchor: f.firstUnansweredIn.Int64, paused: paused}
	}
	if _, ok := p.Budget(ProgressUpdate, orgMinutes); ok {
		anchor := f.created
		if f.lastOut.Valid && f.lastOut.Int64 > anchor {
			anchor = f.lastOut.Int64
		}
		d := desired{anchor: anchor, paused: paused}
		if done {
			d.met = f.resolved.Int64
		}
		out[ProgressUpdate] = d
	}
	if _, ok := p.Budget(Resolution, orgMinutes); ok {
		d := desired{anchor: f.created, paused: paused}
		if done {
			d.met = f.resolved.Int64
		}
		out[Resolution] = d
	}
	return out
}

// Evaluate recomputes a ticket's targets in tx and schedules timers for
// whatever changed. It is idempotent: with no change in facts, policy or
// calendar it writes nothing.
func (s *Service) Evaluate(ctx context.Context, tx *sql.Tx, ticketID int64) error {
	return s.evaluate(ctx, tx, ticketID, false)
}

// evaluate is Evaluate; fresh says the ticket has no targets stored yet.
func (s *Service) evaluate(ctx context.Context, tx *sql.Tx, ticketID int64, fresh bool) error {
	f, err := loadFacts(ctx, tx, ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sla: facts of ticket %d: %w", ticketID, err)
	}
	policies, orgMinutes, err := s.policies(ctx, tx)
	if err != nil {
		return err
	}
	var p *Policy
	for _, c := range policies {
		if c.Active && len(c.Match.Segments) > 0 && f.Segments == nil {
			// A giving summary per evaluation only when a policy asks for segments.
			if f.Segments, err = segment.Of(ctx, tx, f.supporterID); err != nil {
				return fmt.Errorf("sla: segments of ticket %d: %w", ticketID, err)
			}
			if f.Segments == nil {
				f.Segments = []string{}
			}
		}
		if c.Matches(f.Facts) {
			p = c
			break
		}
	}
	var have map[string]*row
	if !fresh {
		if have, err = loadRows(ctx, tx, ticketID); err != nil {
			return err
		}
	}
	var wants map[string]desired
	var cal *calendar.Calendar
	if p != nil {
		wants = want(p, f, orgMinutes)
		if cal, err = s.calendar(ctx, tx, p.CalendarID, p.calendarVersion); err != nil {
			return err
		}
	}
	now := s.now().UnixMilli()
	changed := false
	for _, target := range Targets {
		r, d := have[target], wants[target]
		_, applies := wants[target]
		if !applies {
			if r != nil && !r.MetAt.Valid {
				if _, err := tx.ExecContext(ctx, "DELETE FROM ticket_sla WHERE ticket_id = $1 AND target = $2", ticketID, target); err != nil {
					return err
				}
				changed = true
			}
			continue
		}
		minutes, _ := p.Budget(target, orgMinutes)
		next := step(r, d, p, cal, int64(minutes)*60_000, now)
		next.TicketID, next.Target = ticketID, target
		if r != nil && *r == next {
			continue
		}
		if err := s.save(ctx, tx, r, &next); err != nil {
			return err
		}
		changed = true
	}
	if !changed {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE tickets SET sla_due_at = (SELECT MIN(due_at) FROM ticket_sla
		WHERE ticket_id = $1 AND met_at IS NULL AND paused_since IS NULL) WHERE id = $1`, ticketID)
	return err
}

// step moves a target from its stored row r (nil: new) to what the facts
// want, on policy p's calendar. Pure: the caller saves the result.
func step(r *row, d desired, p *Policy, cal *calendar.Calendar, budget, now int64) row {
	var n row
	if r != nil {
		n = *r
	}
	fresh := r == nil || r.AnchorAt != d.anchor
	if fresh {
		// A new cycle (new ticket, a new unanswered message, a new update).
		n = row{AnchorAt: d.anchor, Version: n.Version}
		if d.paused && d.met == 0 {
			n.PausedSince = sql.NullInt64{Int64: now, Valid: true}
		}
	}
	n.PolicyID, n.CalendarID, n.BudgetMS = p.ID, cal.ID, budget
	ms := func(v int64) time.Time { return time.UnixMilli(v) }
	switch {
	case d.met != 0:
		if !n.MetAt.Valid {
			n.MetAt = sql.NullInt64{Int64: d.met, Valid: true}
			if n.PausedSince.Valid { // met while paused: the pause ends there
				n.PausedMS += cal.Between(ms(n.PausedSince.Int64), ms(d.met)).Milliseconds()
				n.PausedSince = sql.NullInt64{}
			}
		}
	case n.MetAt.Valid:
		// Un-met (a resolved ticket reopened): the time it spent done does not count.
		n.PausedMS += cal.Between(ms(n.MetAt.Int64), ms(now)).Milliseconds()
		n.MetAt = sql.NullInt64{}
		if d.paused {
			n.PausedSince = sql.NullInt64{Int64: now, Valid: true}
		}
	case d.paused && !n.PausedSince.Valid:
		n.PausedSince = sql.NullInt64{Int64: now, Valid: true}
	case !d.paused && n.PausedSince.Valid:
		n.PausedMS += cal.Between(ms(n.PausedSince.Int64), ms(now)).Milliseconds()
		n.PausedSince = sql.NullInt64{}
	}
	if n.PausedSince.Valid {
		// A paused clock has no due time; a met one keeps the due time it
		// had, for reports.
		n.DueAt, n.WarnAt = sql.NullInt64{}, sql.NullInt64{}
	} else if !n.MetAt.Valid || !n.DueAt.Valid {
		due := cal.DueAt(ms(n.AnchorAt), time.Duration(n.BudgetMS+n.PausedMS)*time.Millisecond)
		warn := cal.DueAt(ms(n.AnchorAt), time.Duration(n.BudgetMS*int64(p.WarningPercent)/100+n.PausedMS)*time.Millisecond)
		n.DueAt = sql.NullInt64{Int64: due.UnixMilli(), Valid: !due.IsZero()}
		n.WarnAt = sql.NullInt64{Int64: warn.UnixMilli(), Valid: !warn.IsZero()}
		// A deadline moved into the future takes back a warning or breach.
		if n.BreachedAt.Valid && n.DueAt.Valid && n.DueAt.Int64 > now {
			n.BreachedAt, n.Step = sql.NullInt64{}, 0
		}
		if n.WarnedAt.Valid && n.WarnAt.Valid && n.WarnAt.Int64 > now {
			n.WarnedAt = sql.NullInt64{}
		}
	}
	// The version changes with the cycle and with stopping or starting the
	// clock; a due time that merely moves keeps it (see timersFor).
	if r == nil || fresh || n.MetAt != r.MetAt || n.PausedSince != r.PausedSince {
		n.Version++
	}
	return n
}

// timer is a timer job to schedule.
type timer struct {
	args TimerArgs
	at   int64
}

// timersFor returns the timers a saved row needs: one for each time that is
// new or moved (a new version makes older jobs stale; within a version an
// older job that runs early finds the time ahead and snoozes, and whichever
// job reaches the moment first claims the event).
func timersFor(old, n *row) []timer {
	if n.MetAt.Valid || n.PausedSince.Valid {
		return nil
	}
	bumped := old == nil || old.Version != n.Version
	need := func(was, now, done sql.NullInt64) bool {
		if !now.Valid || done.Valid {
			return false
		}
		return bumped || was != now
	}
	var out []timer
	var oldWarn, oldDue, oldWarned, oldBreached sql.NullInt64
	if old != nil {
		oldWarn, oldDue, oldWarned, oldBreached = old.WarnAt, old.DueAt, old.WarnedAt, old.BreachedAt
	}
	if need(oldWarn, n.WarnAt, n.WarnedAt) || (oldWarned.Valid && !n.WarnedAt.Valid && n.WarnAt.Valid) {
		out = append(out, timer{TimerArgs{n.TicketID, n.Target, n.Version, EventWarning, 0}, n.WarnAt.Int64})
	}
	if need(oldDue, n.DueAt, n.BreachedAt) || (oldBreached.Valid && !n.BreachedAt.Valid && n.DueAt.Valid) {
		out = append(out, timer{TimerArgs{n.TicketID, n.Target, n.Version, EventBreach, 0}, n.DueAt.Int64})
	}
	return out
}

// save writes the row and, for a running clock whose times changed, its timers.
func (s *Service) save(ctx context.Context, tx *sql.Tx, old, n *row) error {
	now := db.Now()
	var err error
	if old == nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_sla (ticket_id, target, policy_id, calendar_id, budget_ms, anchor_at, paused_ms,
			paused_since, due_at, warn_at, met_at, warned_at, breached_at, escalation_step, version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			n.TicketID, n.Target, n.PolicyID, n.CalendarID, n.BudgetMS, n.AnchorAt, n.PausedMS, n.PausedSince, n.DueAt, n.WarnAt,
			n.MetAt, n.WarnedAt, n.BreachedAt, n.Step, n.Version, now)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE ticket_sla SET policy_id = $3, calendar_id = $4, budget_ms = $5, anchor_at = $6,
			paused_ms = $7, paused_since = $8, due_at = $9, warn_at = $10, met_at = $11, warned_at = $12, breached_at = $13,
			escalation_step = $14, version = $15, updated_at = $16 WHERE ticket_id = $1 AND target = $2`,
			n.TicketID, n.Target, n.PolicyID, n.CalendarID, n.BudgetMS, n.AnchorAt, n.PausedMS, n.PausedSince, n.DueAt, n.WarnAt,
			n.MetAt, n.WarnedAt, n.BreachedAt, n.Step, n.Version, now)
	}
	if err != nil {
		return fmt.Errorf("sla: save %s of ticket %d: %w", n.Target, n.TicketID, err)
	}
	for _, t := range timersFor(old, n) {
		if err := s.schedule(ctx, tx, t); err != nil {
			return err
		}
	}
	return nil
}
