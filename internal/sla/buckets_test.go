package sla_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/sla"
)

// Far-off timers share one job per minute bucket; firing the bucket fires
// every target in it exactly once, and near moments keep their own timer.
func TestTimerBuckets(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		w := river.NewWorkers()
		sla.Register(w, k.sla)
		q, err := jobs.New(d, jobs.Config{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		k.sla.Jobs = q
		// Pin the clock to the start of a minute so that every ticket's
		// warning and due time fall in one bucket each.
		k.clock.Set(time.Now().Truncate(time.Minute).Add(time.Second))
		const n = 30
		for i := 0; i < n; i++ {
			k.create(t, "inquiry") // the default policy: first response in 24 h
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var c int
			if err := d.R.QueryRow(q, args...).Scan(&c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		if got := count("SELECT COUNT(*) FROM sla_buckets"); got != 2 {
			t.Fatalf("%d bucket rows for %d tickets, want 2 (one warning, one breach minute)", got, n)
		}
		if got := count("SELECT COUNT(*) FROM river_job WHERE kind = 'sla_bucket'"); got != 2 {
			t.Fatalf("%d bucket jobs, want 2", got)
		}
		if got := count("SELECT COUNT(*) FROM river_job WHERE kind = 'sla_timer'"); got != 0 {
			t.Fatalf("%d per-target timer jobs for far-off moments, want 0", got)
		}
		var until int64
		if err := d.R.QueryRow("SELECT until_at FROM sla_buckets WHERE event = 'breach'").Scan(&until); err != nil {
			t.Fatal(err)
		}
		k.clock.Set(time.UnixMilli(until).Add(time.Second))
		for range 2 { // a second run (another node's copy, a retry) fires nothing more
			if err := k.sla.FireBucket(ctx, sla.BucketArgs{Event: sla.EventBreach, Until: until}); err != nil {
				t.Fatal(err)
			}
		}
		if got := count("SELECT COUNT(*) FROM audit_log WHERE action = 'sla.breach'"); got != n {
			t.Fatalf("%d breaches after the bucket fired, want %d", got, n)
		}
		if got := count("SELECT COUNT(*) FROM sla_buckets WHERE until_at < $1", until-int64(time.Hour/time.Millisecond)); got != 0 {
			t.Fatalf("%d old bucket rows kept", got)
		}
		// A ticket whose moment is near gets its own timer.
		if _, err := d.W.Exec("DELETE FROM river_job"); err != nil {
			t.Fatal(err)
		}
		k.policy(t, sla.Policy{Name: "Fast", Position: 1, FirstResponseMinutes: ptr(1)})
		k.create(t, "inquiry")
		if got := count("SELECT COUNT(*) FROM river_job WHERE kind = 'sla_timer'"); got != 2 {
			t.Fatalf("%d per-target timers for a one-minute target, want 2", got)
		}
	})
}

// A bucket learnt inside a transaction that rolled back is not trusted: the
// next timer in that minute writes the row and the job again.
func TestTimerBucketsAfterRollback(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		w := river.NewWorkers()
		sla.Register(w, k.sla)
		q, err := jobs.New(d, jobs.Config{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		k.sla.Jobs = q
		k.clock.Set(time.Now().Truncate(time.Minute).Add(time.Second))
		a, b := k.create(t, "inquiry"), k.create(t, "inquiry")
		if _, err := d.W.Exec("DELETE FROM sla_buckets"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec("DELETE FROM river_job"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec("UPDATE ticket_sla SET version = version + 1"); err != nil {
			t.Fatal(err)
		}
		// Two evaluations in one transaction that then fails: the second
		// finds the first's bucket rows and would remember them.
		boom := errors.New("boom")
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			for _, id := range []int64{a.ID, b.ID} {
				if _, err := tx.Exec("DELETE FROM ticket_sla WHERE ticket_id = $1", id); err != nil {
					return err
				}
				if err := k.sla.Evaluate(ctx, tx, id); err != nil {
					return err
				}
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		k.create(t, "inquiry")
		var rows, jobs int
		d.R.QueryRow("SELECT COUNT(*) FROM sla_buckets").Scan(&rows)
		d.R.QueryRow("SELECT COUNT(*) FROM river_job WHERE kind = 'sla_bucket'").Scan(&jobs)
		if rows != 2 || jobs != 2 {
			t.Fatalf("%d bucket rows and %d bucket jobs after a rolled-back transaction, want 2 and 2", rows, jobs)
		}
	})
}
