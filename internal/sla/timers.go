package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/live"
)

// Timer events.
const (
	EventWarning  = "warning"
	EventBreach   = "breach"
	EventEscalate = "escalate"
)

// TimerArgs is the River job that fires at a target's warning or breach
// moment, or at an escalation step after a breach. Version is the target's
// version when the job was scheduled: a job for an older version is stale
// (the ticket changed since) and does nothing.
type TimerArgs struct {
	TicketID int64  `json:"ticket_id"`
	Target   string `json:"target"`
	Version  int64  `json:"version"`
	Event    string `json:"event"`
	Step     int    `json:"step,omitempty"`
}

// Kind is the River job kind.
func (TimerArgs) Kind() string { return "sla_timer" }

// Register adds the timer worker; call before the River client is built.
func Register(w *river.Workers, s *Service) {
	river.AddWorker(w, &timerWorker{s: s})
	river.AddWorker(w, &recalcWorker{s: s})
	river.AddWorker(w, &followupWorker{s: s})
	river.AddWorker(w, &bucketWorker{s: s})
}

type timerWorker struct {
	river.WorkerDefaults[TimerArgs]
	s *Service
}

func (w *timerWorker) Work(ctx context.Context, job *river.Job[TimerArgs]) error {
	wait, err := w.s.Fire(ctx, job.Args)
	if err != nil {
		return err
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

func (s *Service) enqueue(ctx context.Context, tx *sql.Tx, a TimerArgs, at int64) error {
	if s.Jobs == nil {
		return nil
	}
	return s.Jobs.Enqueue(ctx, tx, a, &river.InsertOpts{ScheduledAt: time.UnixMilli(at), MaxAttempts: 10})
}

// Fire does what a timer job is for, at most once per target version and
// event however many nodes hold a copy of the job: each effect is claimed by
// a conditional UPDATE in the same transaction as its notifications and
// audit entry. It returns how long to wait when the job ran early.
func (s *Service) Fire(ctx context.Context, a TimerArgs) (time.Duration, error) {
	var wait time.Duration
	var fired bool
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := scanRow(tx.QueryRowContext(ctx, "SELECT "+rowCols+" FROM ticket_sla WHERE ticket_id = $1 AND target = $2", a.TicketID, a.Target))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Version != a.Version || r.MetAt.Valid || r.PausedSince.Valid {
			return nil // stale: the ticket changed since this timer was set
		}
		p, err := GetPolicy(ctx, tx, r.PolicyID)
		if errors.Is(err, errs.ErrNotFound) {
			p = &Policy{Escalation: DefaultEscalation()}
		} else if err != nil {
			return err
		}
		now := s.now().UnixMilli()
		claim := func(set, cond string, args ...any) (bool, error) {
			res, err := tx.ExecContext(ctx, "UPDATE ticket_sla SET "+set+" WHERE ticket_id = $1 AND target = $2 AND version = $3 AND "+cond,
				append([]any{a.TicketID, a.Target, a.Version}, args...)...)
			if err != nil {
				return false, err
			}
			n, err := res.RowsAffected()
			return n == 1, err
		}
		switch a.Event {
		case EventWarning:
			if r.WarnedAt.Valid || !r.WarnAt.Valid {
				return nil
			}
			if now < r.WarnAt.Int64 {
				wait = time.Duration(r.WarnAt.Int64-now) * time.Millisecond
				return nil
			}
			if fired, err = claim("warned_at = $4", "warned_at IS NULL", now); err != nil || !fired {
				return err
			}
			if err := s.notify(ctx, tx, r, EventWarning, 0, p.Escalation.Warning); err != nil {
				return err
			}
			return s.onTimer(ctx, tx, r, EventWarning)
		case EventBreach:
			if r.BreachedAt.Valid || !r.DueAt.Valid {
				return nil
			}
			if now < r.DueAt.Int64 {
				wait = time.Duration(r.DueAt.Int64-now) * time.Millisecond
				return nil
			}
			if fired, err = claim("breached_at = $4, escalation_step = 0", "breached_at IS NULL", now); err != nil || !fired {
				return err
			}
			if err := s.notify(ctx, tx, r, EventBreach, 0, nil); err != nil {
				return err
			}
			r.BreachedAt = sql.NullInt64{Int64: now, Valid: true}
			for i, st := range p.Escalation.Breach {
				if st.AfterMinutes == 0 {
					if err := s.escalate(ctx, tx, r, i, st); err != nil {
						return err
					}
					continue
				}
				at := now + int64(st.AfterMinutes)*60_000
				if err := s.enqueue(ctx, tx, TimerArgs{a.TicketID, a.Target, a.Version, EventEscalate, i}, at); err != nil {
					return err
				}
			}
			return s.onTimer(ctx, tx, r, EventBreach)
		case EventEscalate:
			if !r.BreachedAt.Valid || a.Step < 0 || a.Step >= len(p.Escalation.Breach) {
				return nil
			}
			st := p.Escalation.Breach[a.Step]
			if at := r.BreachedAt.Int64 + int64(st.AfterMinutes)*60_000; now < at {
				wait = time.Duration(at-now) * time.Millisecond
				return nil
			}
			fired = true
			return s.escalate(ctx, tx, r, a.Step, st)
		}
		return fmt.Errorf("sla: unknown timer event %q", a.Event)
	})
	if err == nil && fired && s.Live != nil {
		s.Live.Publish(ctx, live.Event{Type: "ticket.updated", TicketID: a.TicketID})
	}
	return wait, err
}

// onTimer hands a claimed warning or breach to the OnTimer hook.
func (s *Service) onTimer(ctx context.Context, tx *sql.Tx, r row, event string) error {
	if s.OnTimer == nil {
		return nil
	}
	if err := s.OnTimer(ctx, tx, r.TicketID, "sla."+event, r.Target); err != nil {
		return fmt.Errorf("sla: %s of ticket %d (%s): %w", event, r.TicketID, r.Target, err)
	}
	return nil
}

// escalate performs breach step i once (claimed by escalation_step).
func (s *Service) escalate(ctx context.Context, tx *sql.Tx, r row, i int, st Step) error {
	res, err := tx.ExecContext(ctx, `UPDATE ticket_sla SET escalation_step = $4 WHERE ticket_id = $1 AND target = $2 AND version = $3
		AND breached_at IS NOT NULL AND met_at IS NULL AND paused_since IS NULL AND escalation_step <= $5`,
		r.TicketID, r.Target, r.Version, i+1, i)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil
	}
	return s.notify(ctx, tx, r, EventEscalate, i+1, []string{st.Notify})
}

// notify records a notification for each person the roles resolve to, and
// one audit entry on the ticket saying what happened and who was told.
func (s *Service) notify(ctx context.Context, tx *sql.Tx, r row, event string, step int, roles []string) error {
	var users []int64
	for _, role := range roles {
		ids, err := Recipients(ctx, tx, r.TicketID, role)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !slices.Contains(users, id) {
				users = append(users, id)
			}
		}
	}
	now := db.Now()
	for _, u := range users {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_notifications (user_id, ticket_id, target, kind, step, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, u, r.TicketID, r.Target, event, step, now); err != nil {
			return err
		}
	}
	detail := map[string]any{"target": r.Target, "version": r.Version}
	if r.DueAt.Valid {
		detail["due_at"] = db.Time(r.DueAt.Int64).Format(time.RFC3339)
	}
	if step > 0 {
		detail["step"] = step
	}
	if len(roles) > 0 {
		detail["notify"] = roles
		detail["user_ids"] = users
	}
	return audit.Record(ctx, tx, audit.Actor{Name: "sla"}, "sla."+event, "ticket", r.TicketID, detail)
}

// Recipients resolves a role for a ticket, as it is in q: its assignee
// (else the department's supervisors), the department's supervisors (else
// every supervisor, else the admins), or leadership (the admins). Automation
// rules notify the same people.
func Recipients(ctx context.Context, q db.Querier, ticketID int64, role string) ([]int64, error) {
	var assignee, dept sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT t.assignee_id, t.department_id FROM tickets t WHERE t.id = $1`, ticketID).Scan(&assignee, &dept); err != nil {
		return nil, err
	}
	ids := func(query string, args ...any) ([]int64, error) { return db.QueryInts(ctx, q, query, args...) }
	switch role {
	case NotifyAssignee:
		if assignee.Valid {
			out, err := ids("SELECT id FROM users WHERE id = $1 AND active = $2", assignee.Int64, true)
			if err != nil || len(out) > 0 {
				return out, err
			}
		}
		return Recipients(ctx, q, ticketID, NotifySupervisor)
	case NotifySupervisor:
		if dept.Valid {
			out, err := ids(`SELECT u.id FROM users u JOIN user_departments ud ON ud.user_id = u.id
				WHERE ud.department_id = $1 AND u.role = 'supervisor' AND u.active = $2 ORDER BY u.id`, dept.Int64, true)
			if err != nil || len(out) > 0 {
				return out, err
			}
		}
		out, err := ids("SELECT id FROM users WHERE role = 'supervisor' AND active = $1 ORDER BY id", true)
		if err != nil || len(out) > 0 {
			return out, err
		}
		return Recipients(ctx, q, ticketID, NotifyLeadership)
	case NotifyLeadership:
		return ids("SELECT id FROM users WHERE role = 'admin' AND active = $1 ORDER BY id", true)
	}
	return nil, nil
}
