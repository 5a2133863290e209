package search_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/search"
)

// MergePending moves the GIN pending list into the index on PostgreSQL and
// does nothing on SQLite; searches find the same tickets before and after,
// and a merge already running makes a second one skip.
func TestMergePending(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		desk := setUpDesk(t, d) // its tickets' terms wait in the pending list
		queries := []string{"領収書", "收据 lang:zh", "receipt donation", "ボランティア", "from:佐藤", "寄付 -status:resolved"}
		before := map[string][]string{}
		for _, q := range queries {
			before[q] = find(t, desk, q, search.Options{})
			slices.Sort(before[q])
		}
		n, err := desk.idx.MergePending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Engine == db.Postgres && n <= 0 || d.Engine != db.Postgres && n != 0 {
			t.Fatalf("%s: first merge emptied %d pending pages", d.Engine, n)
		}
		if n, err := desk.idx.MergePending(ctx); err != nil || n != 0 {
			t.Fatalf("second merge: %d pages, %v (want 0: nothing pending)", n, err)
		}
		for _, q := range queries {
			got := find(t, desk, q, search.Options{})
			slices.Sort(got)
			if len(got) == 0 || !slices.Equal(got, before[q]) {
				t.Errorf("%q after the merge: %v, before: %v", q, got, before[q])
			}
		}
		if d.Engine != db.Postgres {
			return
		}
		// The index keeps PostgreSQL's own pending-list limit (writers under
		// steady load merge at 4 MB), and search_vector is PL/pgSQL
		// (migration 0017).
		var opts sql.NullString
		var lang string
		if err := d.R.QueryRowContext(ctx, `SELECT array_to_string(c.reloptions, ','), l.lanname
			FROM pg_class c, pg_proc p JOIN pg_language l ON l.oid = p.prolang
			WHERE c.relname = 'search_docs_terms' AND p.proname = 'search_vector'`).Scan(&opts, &lang); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(opts.String, "gin_pending_list_limit") || lang != "plpgsql" {
			t.Errorf("search_docs_terms options %q, search_vector in %s", opts.String, lang)
		}
		// Another merge running (its advisory lock held): skip.
		conn, err := d.W.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7429017)"); err != nil {
			t.Fatal(err)
		}
		if n, err := desk.idx.MergePending(ctx); err != nil || n != -1 {
			t.Errorf("merge beside a running one: %d, %v (want -1)", n, err)
		}
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock(7429017)"); err != nil {
			t.Fatal(err)
		}
	})
}

// The periodic job exists on PostgreSQL only and, run by River, empties the
// pending list; on SQLite the worker is registered (a stray job completes
// and does nothing) but nothing schedules it.
func TestPendingJob(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		desk := setUpDesk(t, d)
		job := search.PeriodicJob(d)
		if (job != nil) != (d.Engine == db.Postgres) {
			t.Fatalf("%s: periodic job %v", d.Engine, job)
		}
		w := river.NewWorkers()
		search.Register(w, desk.idx, nil)
		var periodic []*river.PeriodicJob
		if job != nil {
			periodic = append(periodic, job) // runs on start
		}
		q, err := jobs.New(d, jobs.Config{Workers: w, Work: true, PeriodicJobs: periodic})
		if err != nil {
			t.Fatal(err)
		}
		if job == nil {
			if err := d.Tx(ctx, func(tx *sql.Tx) error { return q.Enqueue(ctx, tx, search.PendingArgs{}, nil) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		stopped := false
		stop := func() {
			if !stopped {
				stopped = true
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				q.Stop(sctx)
			}
		}
		defer stop()
		deadline := time.Now().Add(30 * time.Second)
		var done int
		for done == 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job WHERE kind = 'search_merge_pending' AND state = 'completed'").Scan(&done); err != nil {
				t.Fatal(err)
			}
		}
		if done == 0 {
			t.Fatal("no search_merge_pending job completed in 30 s")
		}
		stop()
		// The job merged what setUpDesk indexed: nothing is left.
		if n, err := desk.idx.MergePending(ctx); err != nil || n != 0 {
			t.Errorf("after the job: a merge emptied %d pages (%v), want 0", n, err)
		}
		if got := find(t, desk, "領収書", search.Options{}); len(got) == 0 {
			t.Error("領収書 not found after the job")
		}
	})
}
