// Package jobs runs Steward's background work on River, on the same database
// as the data: riversqlite on SQLite, riverpgxv5 on PostgreSQL. Jobs are
// enqueued inside the caller's transaction, so a job exists if and only if the
// fact that caused it was committed.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/steward-desk/steward/internal/db"
)

// Migrate brings River's own tables up to date.
func Migrate(ctx context.Context, d *db.DB) error {
	var err error
	if d.Engine == db.Postgres {
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(d.Pool), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(d.W), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("jobs: migrate river: %w", err)
	}
	return nil
}

// Config tunes the queue.
type Config struct {
	Workers *river.Workers
	// MaxWorkers per queue; default 10.
	MaxWorkers int
	Logger     *slog.Logger
	// Work false makes an insert-only queue (CLI commands).
	Work bool
	// PeriodicJobs run on a schedule on the elected leader node.
	PeriodicJobs []*river.PeriodicJob
}

// Queue enqueues and (when started) works jobs.
type Queue struct {
	engine db.Engine
	// On SQLite one client does both; on PostgreSQL `work` runs jobs over pgx
	// while `insert` enqueues inside database/sql transactions.
	sqlite *river.Client[*sql.Tx]
	work   *river.Client[pgx.Tx]
	insert *river.Client[*sql.Tx]
	// working says whether the client was given workers (else insert-only).
	working bool
}

// New builds a queue for d.
func New(d *db.DB, cfg Config) (*Queue, error) {
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	rc := &river.Config{Logger: cfg.Logger, JobTimeout: 2 * time.Minute}
	if cfg.Work && cfg.Workers != nil {
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}}
		rc.PeriodicJobs = cfg.PeriodicJobs
	}
	q := &Queue{engine: d.Engine, working: rc.Workers != nil}
	var err error
	if d.Engine == db.Postgres {
		if rc.Workers != nil {
			if q.work, err = river.NewClient(riverpgxv5.New(d.Pool), rc); err != nil {
				return nil, err
			}
		}
		ic := &river.Config{Logger: cfg.Logger}
		if q.insert, err = river.NewClient(riverdatabasesql.New(d.W), ic); err != nil {
			return nil, err
		}
		return q, nil
	}
	// SQLite has no LISTEN/NOTIFY: poll often, it is a cheap indexed query.
	rc.FetchPollInterval = 200 * time.Millisecond
	rc.FetchCooldown = 50 * time.Millisecond
	if q.sqlite, err = river.NewClient(riversqlite.New(d.W), rc); err != nil {
		return nil, err
	}
	return q, nil
}

// Enqueue inserts a job inside tx.
func (q *Queue) Enqueue(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	var err error
	if q.sqlite != nil {
		_, err = q.sqlite.InsertTx(ctx, tx, args, opts)
	} else {
		_, err = q.insert.InsertTx(ctx, tx, args, opts)
	}
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// EnqueueMany inserts several jobs inside tx in one batch.
func (q *Queue) EnqueueMany(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	var err error
	if q.sqlite != nil {
		_, err = q.sqlite.InsertManyTx(ctx, tx, params)
	} else {
		_, err = q.insert.InsertManyTx(ctx, tx, params)
	}
	if err != nil {
		return fmt.Errorf("jobs: enqueue %d jobs: %w", len(params), err)
	}
	return nil
}

// Start begins working jobs (when the queue has workers).
func (q *Queue) Start(ctx context.Context) error {
	if q.work != nil {
		return q.work.Start(ctx)
	}
	if q.sqlite != nil && q.working {
		return q.sqlite.Start(ctx)
	}
	return nil
}

// Stop waits for running jobs to finish (or ctx to end).
func (q *Queue) Stop(ctx context.Context) error {
	if q.work != nil {
		return q.work.Stop(ctx)
	}
	if q.sqlite != nil && q.working {
		return q.sqlite.Stop(ctx)
	}
	return nil
}
