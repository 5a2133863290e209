// Package app wires Steward together: config → database → capabilities →
// servers, and stops them in order.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/ticket"
	"github.com/steward-desk/steward/internal/tone"
)

// App is an opened Steward: its database, stores and services.
type App struct {
	Cfg     Config
	Log     *slog.Logger
	DB      *db.DB
	Blobs   *blob.Store
	Live    live.Broker
	Jobs    *jobs.Queue
	Workers *river.Workers
	Tickets *ticket.Service
	// DerivedHooks are the ticket hooks that derive data without acting
	// (SLA due times, search index).
	DerivedHooks []ticket.Hook
	Email        *Email
	SLA          *sla.Service
	Routing      *routing.Router
	// Search is the full-text index, kept in step by a ticket hook.
	Search *search.Index
	// Automation runs the event rules (a ticket hook) and the time rules (a
	// periodic job).
	Automation *automation.Engine

	stop context.CancelFunc
}

// Options say what kind of process this is.
type Options struct {
	// Work starts background job workers and live listeners (serve, demo);
	// CLI commands only enqueue.
	Work bool
}

// Open connects, migrates and builds the services.
func Open(ctx context.Context, cfg Config, o Options) (*App, error) {
	log, err := cfg.Logger()
	if err != nil {
		return nil, err
	}
	if _, err := parseProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, db.Options{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: d}
	metricsDB.Store(d)
	if err := a.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if a.Blobs, err = blob.New(filepath.Join(cfg.DataDir, "blobs")); err != nil {
		d.Close()
		return nil, err
	}
	lctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	if d.Engine == db.Postgres {
		// CLI commands publish too, so serving nodes hear of their writes.
		a.Live = live.NewPostgres(lctx, d.Pool, log)
	} else {
		a.Live = live.NewLocal()
	}
	a.Workers = river.NewWorkers()
	registerWorkers(a)
	if a.Email, err = newEmail(ctx, a); err != nil {
		a.Close()
		return nil, err
	}
	if a.Jobs, err = jobs.New(d, jobs.Config{Workers: a.Workers, Work: o.Work, Logger: quiet(log), PeriodicJobs: periodicJobs(d)}); err != nil {
		a.Close()
		return nil, err
	}
	a.Tickets = &ticket.Service{DB: d, Live: a.Live}
	a.SLA.Jobs = a.Jobs
	a.Automation.Jobs = a.Jobs
	a.Routing = &routing.Router{DB: d, Live: a.Live}
	// Routing first (the SLA policy may depend on the department); before
	// wire, because intake copies the hooks.
	a.Tickets.Hooks = append(a.Tickets.Hooks, a.Routing.Hook, tone.Hook, a.Automation.Hook, a.SLA.Hook)
	a.Tickets.Warm = []ticket.Warmer{tone.Warm, a.Search.Warm}
	// Hooks that only derive data from a ticket (no routing, no mail): what
	// generated or imported history runs (steward demo).
	a.DerivedHooks = []ticket.Hook{a.SLA.Hook, a.Search.Hook}
	a.Email.wire(a)
	// Canned replies are mailed by the outbox in the rule's transaction; what
	// a time rule changed is re-derived (SLA, search) without running rules.
	a.Automation.Deliver = a.Email.Outbox.ReplyHook
	a.Automation.After = a.DerivedHooks
	// Rules on sla.warning and sla.breach run in the transaction of the
	// timer that claims them (sla does not import automation).
	a.SLA.OnTimer = a.Automation.SLAEvent
	// The search index last, after the outbox's reply hook too: it indexes
	// what the other hooks decided, and on SQLite a statement after the
	// FTS5 write in the same transaction costs an extra index segment.
	a.Tickets.Hooks = append(a.Tickets.Hooks, a.Search.Hook)
	a.Email.Intake.Hooks = append(a.Email.Intake.Hooks, a.Search.Hook)
	return a, nil
}

// registerWorkers adds every job kind's worker. Capabilities that run work
// in the background register here.
func registerWorkers(a *App) {
	river.AddWorker(a.Workers, &sessionSweeper{db: a.DB})
	a.SLA = &sla.Service{DB: a.DB, Live: a.Live, Log: a.Log}
	sla.Register(a.Workers, a.SLA)
	a.Automation = &automation.Engine{DB: a.DB, Live: a.Live, Log: a.Log}
	automation.Register(a.Workers, a.Automation)
	a.Search = search.New(a.DB)
	search.Register(a.Workers, a.Search, a.Log)
}

// Migrate applies Steward's and River's migrations.
func (a *App) Migrate(ctx context.Context) error {
	applied, err := a.DB.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		a.Log.Info("database migrated", "engine", a.DB.Engine, "applied", applied)
	}
	if err := jobs.Migrate(ctx, a.DB); err != nil {
		return fmt.Errorf("river: %w", err)
	}
	return nil
}

// Close releases everything.
func (a *App) Close() error {
	if a.stop != nil {
		a.stop()
	}
	return a.DB.Close()
}

// quiet passes on only warnings and errors: River reports routine
// progress at info level every few seconds.
func quiet(log *slog.Logger) *slog.Logger {
	return slog.New(warnOnly{log.Handler()})
}

type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}
func (h warnOnly) WithAttrs(a []slog.Attr) slog.Handler { return warnOnly{h.Handler.WithAttrs(a)} }
func (h warnOnly) WithGroup(n string) slog.Handler      { return warnOnly{h.Handler.WithGroup(n)} }
