package sla

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/calendar"
)

// RecalcArgs is the River job that brings stored due times up to date after
// configuration changed: CalendarID > 0 recomputes the running targets on
// that calendar (its hours or holidays changed); 0 re-evaluates every
// unresolved ticket against the policies (a policy changed).
type RecalcArgs struct {
	CalendarID int64 `json:"calendar_id"`
}

// Kind is the River job kind.
func (RecalcArgs) Kind() string { return "sla_recalculate" }

type recalcWorker struct {
	river.WorkerDefaults[RecalcArgs]
	s *Service
}

func (w *recalcWorker) Timeout(*river.Job[RecalcArgs]) time.Duration { return 30 * time.Minute }

func (w *recalcWorker) Work(ctx context.Context, job *river.Job[RecalcArgs]) error {
	if job.Args.CalendarID > 0 {
		_, err := w.s.RecalculateCalendar(ctx, job.Args.CalendarID)
		return err
	}
	_, err := w.s.ReevaluateOpen(ctx)
	return err
}

// ScheduleRecalc enqueues a recalculation in tx (the configuration change's
// transaction).
func (s *Service) ScheduleRecalc(ctx context.Context, tx *sql.Tx, calendarID int64) error {
	if s.Jobs == nil {
		return nil
	}
	return s.Jobs.Enqueue(ctx, tx, RecalcArgs{CalendarID: calendarID}, nil)
}

// recalcPage is how many targets one transaction recomputes.
const recalcPage = 2000

// RecalculateCalendar recomputes the due and warning times of every running
// target on a calendar, page by page, and reschedules the timers of those
// that moved. It returns how many targets it looked at.
func (s *Service) RecalculateCalendar(ctx context.Context, calendarID int64) (int, error) {
	cal, err := calendar.Get(ctx, s.DB.R, calendarID)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	if s.cals == nil {
		s.cals = map[int64]*calendar.Calendar{}
	}
	s.cals[calendarID] = cal
	s.mu.Unlock()
	policies, err := Policies(ctx, s.DB.R)
	if err != nil {
		return 0, err
	}
	warnPct := map[int64]int{}
	for _, p := range policies {
		warnPct[p.ID] = p.WarningPercent
	}
	total := 0
	var after int64
	for {
		n := 0
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, "SELECT "+rowCols+` FROM ticket_sla WHERE calendar_id = $1 AND ticket_id > $2
				AND met_at IS NULL AND paused_since IS NULL ORDER BY ticket_id LIMIT $3`, calendarID, after, recalcPage)
			if err != nil {
				return err
			}
			var page []row
			for rows.Next() {
				r, err := scanRow(rows)
				if err != nil {
					rows.Close()
					return err
				}
				page = append(page, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			n = len(page)
			now := s.now().UnixMilli()
			touched := map[int64]bool{}
			for i := range page {
				r := &page[i]
				after = r.TicketID
				pct, ok := warnPct[r.PolicyID]
				if !ok {
					pct = 75
				}
				next := step(r, desired{anchor: r.AnchorAt}, &Policy{ID: r.PolicyID, WarningPercent: pct}, cal, r.BudgetMS, now)
				if next == *r {
					continue
				}
				if err := s.save(ctx, tx, r, &next); err != nil {
					return err
				}
				touched[r.TicketID] = true
			}
			for id := range touched {
				if _, err := tx.ExecContext(ctx, `UPDATE tickets SET sla_due_at = (SELECT MIN(due_at) FROM ticket_sla
					WHERE ticket_id = $1 AND met_at IS NULL AND paused_since IS NULL) WHERE id = $1`, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("sla: recalculate calendar %d: %w", calendarID, err)
		}
		total += n
		if n < recalcPage {
			return total, nil
		}
	}
}

// ReevaluateOpen runs Evaluate on every ticket not yet resolved, page by
// page (after a policy changed).
func (s *Service) ReevaluateOpen(ctx context.Context) (int, error) {
	total := 0
	var after int64
	for {
		var ids []int64
		rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM tickets WHERE status_group IN ('open', 'pending') AND id > $1
			ORDER BY id LIMIT $2`, after, 500)
		if err != nil {
			return total, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			return total, rows.Err()
		}
		if err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, id := range ids {
				if err := s.Evaluate(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return total, err
		}
		total += len(ids)
		after = ids[len(ids)-1]
	}
}
