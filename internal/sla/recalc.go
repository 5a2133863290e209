package sla

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/db"
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
// target on a calendar, page by page, and schedules timers for the times
// that moved. It returns how many targets it looked at. On PostgreSQL it
// splits the targets into ticket-id ranges worked in parallel.
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
	var lo, hi int64
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COALESCE(MIN(ticket_id), 0), COALESCE(MAX(ticket_id), 0) FROM ticket_sla WHERE calendar_id = $1",
		calendarID).Scan(&lo, &hi); err != nil {
		return 0, err
	}
	parts := 1
	if s.DB.Engine == db.Postgres {
		parts = max(2, min(4, runtime.NumCPU()))
	}
	width := (hi-lo)/int64(parts) + 1
	var mu sync.Mutex
	total := 0
	errc := make(chan error, parts)
	for i := 0; i < parts; i++ {
		from, to := lo-1+int64(i)*width, lo-1+int64(i+1)*width
		go func() {
			n, err := s.recalcRange(ctx, cal, warnPct, from, to)
			mu.Lock()
			total += n
			mu.Unlock()
			errc <- err
		}()
	}
	for i := 0; i < parts; i++ {
		if e := <-errc; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		return total, fmt.Errorf("sla: recalculate calendar %d: %w", calendarID, err)
	}
	return total, nil
}

// recalcRange recomputes the running targets of tickets after < id <= to.
func (s *Service) recalcRange(ctx context.Context, cal *calendar.Calendar, warnPct map[int64]int, after, to int64) (int, error) {
	total := 0
	buckets := map[bucketKey]bool{}
	for {
		n := 0
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, "SELECT "+rowCols+` FROM ticket_sla WHERE calendar_id = $1 AND ticket_id > $2
				AND ticket_id <= $3 AND met_at IS NULL AND paused_since IS NULL ORDER BY ticket_id LIMIT $4`, cal.ID, after, to, recalcPage)
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
			var changed []row
			var timers []river.InsertManyParams
			bucket := func(ev string, at int64) {
				m := (at + bucketMS - 1) / bucketMS * bucketMS // the end of the bucket holding at
				if k := (bucketKey{ev, m}); !buckets[k] {
					buckets[k] = true
					timers = append(timers, river.InsertManyParams{Args: BucketArgs{Event: ev, Until: m},
						InsertOpts: &river.InsertOpts{ScheduledAt: time.UnixMilli(m), MaxAttempts: 10}})
				}
			}
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
				changed = append(changed, next)
				for _, t := range timersFor(r, &next) {
					bucket(t.args.Event, t.at)
				}
			}
			if err := s.updateDue(ctx, tx, changed); err != nil {
				return err
			}
			if s.Jobs != nil {
				return s.Jobs.EnqueueMany(ctx, tx, timers)
			}
			return nil
		})
		if err != nil {
			return total, err
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

// bucketMS is the width of the timer buckets a recalculation schedules:
// one job per minute of warnings or breaches instead of one per target, so
// that moving 100,000 deadlines inserts thousands of jobs, not 200,000.
// Targets in a bucket fire at its end, at most a minute late.
const bucketMS = 60_000

type bucketKey struct {
	event string
	until int64
}

// BucketArgs is the River job that fires every warning (or breach) whose
// time falls in the minute ending at Until.
type BucketArgs struct {
	Event string `json:"event"`
	Until int64  `json:"until"` // Unix ms
}

// Kind is the River job kind.
func (BucketArgs) Kind() string { return "sla_bucket" }

type bucketWorker struct {
	river.WorkerDefaults[BucketArgs]
	s *Service
}

func (w *bucketWorker) Work(ctx context.Context, job *river.Job[BucketArgs]) error {
	return w.s.FireBucket(ctx, job.Args)
}

// FireBucket fires each running target whose warning or due time falls in
// the bucket, one transaction each (Fire claims each event once, so a
// per-target job for the same moment is harmless).
func (s *Service) FireBucket(ctx context.Context, a BucketArgs) error {
	col, done := "due_at", "breached_at"
	if a.Event == EventWarning {
		col, done = "warn_at", "warned_at"
	} else if a.Event != EventBreach {
		return fmt.Errorf("sla: unknown bucket event %q", a.Event)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT ticket_id, target, version FROM ticket_sla WHERE `+col+` > $1 AND `+col+` <= $2
		AND `+done+` IS NULL AND met_at IS NULL AND paused_since IS NULL`, a.Until-bucketMS, a.Until)
	if err != nil {
		return err
	}
	var due []TimerArgs
	for rows.Next() {
		t := TimerArgs{Event: a.Event}
		if err := rows.Scan(&t.TicketID, &t.Target, &t.Version); err != nil {
			rows.Close()
			return err
		}
		due = append(due, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range due {
		if _, err := s.Fire(ctx, t); err != nil {
			return err
		}
	}
	return s.pruneBuckets(ctx)
}

// updateDue writes the recomputed times of many targets and the tickets'
// earliest due times. PostgreSQL takes one UPDATE … FROM (VALUES …) per
// chunk (one round trip); SQLite, in process, one prepared UPDATE per row
// (its planner would scan the VALUES list for every row).
func (s *Service) updateDue(ctx context.Context, tx *sql.Tx, rows []row) error {
	if s.DB.Engine == db.SQLite {
		return updateDueEach(ctx, tx, rows)
	}
	const chunk = 500
	for off := 0; off < len(rows); off += chunk {
		part := rows[off:min(off+chunk, len(rows))]
		vals := make([]string, len(part))
		args := make([]any, 0, len(part)*8)
		ids := make([]string, 0, len(part))
		seen := map[int64]bool{}
		for i, r := range part {
			k := len(args)
			vals[i] = fmt.Sprintf("(CAST($%d AS BIGINT), CAST($%d AS TEXT), CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS BIGINT))",
				k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8)
			args = append(args, r.TicketID, r.Target, r.DueAt, r.WarnAt, r.WarnedAt, r.BreachedAt, int64(r.Step), r.Version)
			if !seen[r.TicketID] {
				seen[r.TicketID] = true
				ids = append(ids, fmt.Sprint(r.TicketID))
			}
		}
		args = append(args, db.Now())
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE ticket_sla SET due_at = v.column3, warn_at = v.column4, warned_at = v.column5,
			breached_at = v.column6, escalation_step = v.column7, version = v.column8, updated_at = $%d
			FROM (VALUES %s) AS v WHERE ticket_sla.ticket_id = v.column1 AND ticket_sla.target = v.column2`, len(args), strings.Join(vals, ", ")), args...)
		if err != nil {
			return fmt.Errorf("sla: update due times: %w", err)
		}
		// ids are integers formatted here, never input.
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET sla_due_at = (SELECT MIN(s.due_at) FROM ticket_sla s
			WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL) WHERE id IN (`+strings.Join(ids, ", ")+`)`); err != nil {
			return err
		}
	}
	return nil
}

func updateDueEach(ctx context.Context, tx *sql.Tx, rows []row) error {
	st, err := tx.PrepareContext(ctx, `UPDATE ticket_sla SET due_at = $3, warn_at = $4, warned_at = $5, breached_at = $6,
		escalation_step = $7, version = $8, updated_at = $9 WHERE ticket_id = $1 AND target = $2`)
	if err != nil {
		return err
	}
	defer st.Close()
	tk, err := tx.PrepareContext(ctx, `UPDATE tickets SET sla_due_at = (SELECT MIN(due_at) FROM ticket_sla
		WHERE ticket_id = $1 AND met_at IS NULL AND paused_since IS NULL) WHERE id = $1`)
	if err != nil {
		return err
	}
	defer tk.Close()
	now := db.Now()
	for i, r := range rows {
		if _, err := st.ExecContext(ctx, r.TicketID, r.Target, r.DueAt, r.WarnAt, r.WarnedAt, r.BreachedAt, r.Step, r.Version, now); err != nil {
			return fmt.Errorf("sla: update due times: %w", err)
		}
		if i+1 == len(rows) || rows[i+1].TicketID != r.TicketID {
			if _, err := tk.ExecContext(ctx, r.TicketID); err != nil {
				return err
			}
		}
	}
	return nil
}
