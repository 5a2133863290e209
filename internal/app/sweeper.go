package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/search"
)

// sweepArgs is the periodic clean-up of expired sessions and old login failures.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "sweep_sessions" }

type sessionSweeper struct {
	river.WorkerDefaults[sweepArgs]
	db *db.DB
}

func (w *sessionSweeper) Work(ctx context.Context, _ *river.Job[sweepArgs]) error {
	if _, err := auth.DeleteExpiredSessions(ctx, w.db.W); err != nil {
		return err
	}
	_, err := w.db.W.ExecContext(ctx, "DELETE FROM login_failures WHERE at < $1", db.Now()-(24*time.Hour).Milliseconds())
	return err
}

// periodicJobs run on a schedule; River elects one leader across nodes, so
// each runs once per period however many nodes serve. Some exist on one
// engine only (the GIN pending list's merge, PostgreSQL).
func periodicJobs(d *db.DB) []*river.PeriodicJob {
	jobs := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
			return sweepArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		automation.PeriodicJob(),
	}
	if j := search.PeriodicJob(d); j != nil {
		jobs = append(jobs, j)
	}
	return jobs
}
