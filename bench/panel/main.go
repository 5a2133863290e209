// Command panel measures the supporter panel of a ticket — profile, giving
// summary, segments and the last 10 interactions (panel.Load, what the
// ticket page and GET /supporters/{id} read) — on a large database.
//
//	go run ./bench/panel --data /tmp/steward-panel            # SQLite, 1,000,000 tickets, 200,000 supporters
//	go run ./bench/panel --db postgres://… --n 20000
//
// When the database has no tickets it generates them with internal/demo's
// bulk path, then gives supporters donations (60% give; one to twelve gifts
// each, some recurring) with one INSERT … SELECT per round. It then loads
// the panel for --n random tickets, one after another, and prints
// p50/p95/p99/max.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/demo"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/panel"
	"github.com/steward-desk/steward/internal/ticket"
)

func main() {
	var (
		dsn        = flag.String("db", "", "database DSN; empty: SQLite in --data")
		dataDir    = flag.String("data", "/tmp/steward-panel", "data directory for SQLite")
		tickets    = flag.Int("tickets", 1_000_000, "tickets to generate when the database is empty")
		supporters = flag.Int("supporters", 200_000, "supporters to generate")
		n          = flag.Int("n", 10_000, "panels to load")
	)
	flag.Parse()
	if err := run(*dsn, *dataDir, *tickets, *supporters, *n); err != nil {
		fmt.Fprintln(os.Stderr, "bench/panel:", err)
		os.Exit(1)
	}
}

func run(dsn, dataDir string, nt, ns, n int) error {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DSN: dsn, DataDir: dataDir})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return err
	}
	var count int
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&count)
	if count == 0 {
		start := time.Now()
		if _, err := demo.Seed(ctx, d, demo.Options{Tickets: nt, Supporters: ns, Seed: 1, Bulk: true, Progress: os.Stdout}); err != nil {
			return err
		}
		fmt.Printf("generated in %s\n", time.Since(start).Round(time.Second))
	}
	var gifts int
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM donations").Scan(&gifts)
	if gifts == 0 {
		start := time.Now()
		now := time.Now().UnixMilli()
		day := int64(24 * time.Hour / time.Millisecond)
		// Round r gives a gift to supporters whose id mod 12 >= r (so 1–12
		// gifts each), for 60% of supporters; every third giver is monthly.
		for r := 0; r < 12; r++ {
			_, err := d.W.ExecContext(ctx, `INSERT INTO donations (supporter_id, amount_minor, currency, donated_at, campaign, recurring, payment_method, source, source_key, created_at)
				SELECT id, 1000 * (1 + id % 30), CASE WHEN id % 7 = 0 THEN 'CNY' ELSE 'JPY' END, $1 - (id % 1500 + $2 * 30) * $3,
					'年末募金', CASE WHEN id % 3 = 0 THEN 1 ELSE 0 END, 'card', 'bench', CAST(id AS TEXT) || '-' || CAST($2 AS TEXT), $1
				FROM supporters WHERE id % 5 < 3 AND id % 12 >= $2`, now, r, day)
			if err != nil {
				return err
			}
		}
		d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM donations").Scan(&gifts)
		if d.Engine == db.SQLite {
			d.W.ExecContext(ctx, "ANALYZE")
		} else {
			d.W.ExecContext(ctx, "ANALYZE donations")
		}
		fmt.Printf("%d donations in %s\n", gifts, time.Since(start).Round(time.Millisecond))
	}
	var maxID int64
	d.R.QueryRowContext(ctx, "SELECT MAX(id) FROM tickets").Scan(&maxID)
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&count)
	var sups int
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM supporters").Scan(&sups)
	fmt.Printf("engine %s: %d tickets, %d supporters, %d donations\n", d.Engine, count, sups, gifts)
	r := rand.New(rand.NewPCG(7, 7))
	var lat []time.Duration
	interactions := 0
	cpu0, wall0 := cpuTime(), time.Now()
	for i := 0; i < n; i++ {
		id := 1 + r.Int64N(maxID)
		start := time.Now()
		t, err := ticket.Get(ctx, d.R, id)
		if err != nil {
			continue
		}
		p, err := panel.Load(ctx, d.R, t.SupporterID, 10, time.Now())
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(start))
		interactions += len(p.Interactions)
	}
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(time.Microsecond) }
	fmt.Printf("supporter panel (ticket + profile + giving + segments + last 10 interactions), %d loads, %.1f interactions each:\n", len(lat), float64(interactions)/float64(len(lat)))
	fmt.Printf("  p50 %s  p95 %s  p99 %s  max %s\n", q(.5), q(.95), q(.99), lat[len(lat)-1].Round(time.Microsecond))
	b, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("  mean wall %s, mean process CPU %s per load (load average %s)\n", (wall / time.Duration(len(lat))).Round(time.Microsecond),
		(cpu / time.Duration(len(lat))).Round(time.Microsecond), strings.Fields(string(b) + " ?")[0])
	return nil
}

// cpuTime is the process's user+system CPU time: on a shared machine the
// gap between it and the wall clock is time spent waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
