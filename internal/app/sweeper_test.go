package app

import (
	"context"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// A serving node on PostgreSQL schedules and runs the merge of the search
// index's GIN pending list; on SQLite there is no such job.
func TestSearchPendingJob(t *testing.T) {
	for _, engine := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			cfg := Config{DataDir: t.TempDir(), LogLevel: "warn", ShutdownTimeout: 5 * time.Second}
			if engine == db.Postgres {
				cfg.DSN = dbtest.NewPostgresDatabase(t)
			}
			ctx := context.Background()
			a, err := Open(ctx, cfg, Options{Work: true})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			jobs, sqliteJobs := len(periodicJobs(a.DB)), len(periodicJobs(dbtest.OpenSQLite(t)))
			if engine == db.Postgres && jobs != sqliteJobs+1 || engine == db.SQLite && jobs != sqliteJobs {
				t.Fatalf("%d periodic jobs on %s, %d on SQLite", jobs, engine, sqliteJobs)
			}
			if _, err := a.Tickets.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: "領収書の再発行", Body: "領収書をもう一度送ってください。"},
				Supporter: supporter.NewSupporter{Email: "hanako@example.jp", Name: "佐藤 花子"},
			}); err != nil {
				t.Fatal(err)
			}
			if err := a.Jobs.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer func() {
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				a.Jobs.Stop(sctx)
			}()
			count := func() int {
				var n int
				if err := a.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job WHERE kind = 'search_merge_pending' AND state = 'completed'").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if engine == db.SQLite {
				time.Sleep(4 * time.Second) // the PostgreSQL node's first merge comes in ~3 s
				if n := count(); n != 0 {
					t.Fatalf("%d merge jobs ran on SQLite", n)
				}
				return
			}
			deadline := time.Now().Add(30 * time.Second)
			for count() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("no search_merge_pending job completed in 30 s")
				}
				time.Sleep(100 * time.Millisecond)
			}
			if n, err := a.Search.MergePending(ctx); err != nil || n > 0 {
				t.Errorf("after the job a merge emptied %d pages (%v), want nothing left", n, err)
			}
		})
	}
}
