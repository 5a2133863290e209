// Command search measures Steward's full-text search on a large database:
// rebuilding the index, the index's size against the text it indexes, query
// latency, and indexing while messages arrive.
//
//	go run ./bench/search --data /tmp/s1m --generate 1000000 --reindex --size --queries 2000
//	go run ./bench/search --db postgres://… --generate 1000000 --reindex --size --queries 2000
//	go run ./bench/search --data /tmp/s1m --ingest 500 --duration 60s
//
// It opens (and migrates) the database and, when it has no tickets, fills
// it through internal/demo's bulk path (which bypasses the index hooks, so
// --reindex is then needed). Each step prints its figures; see
// docs/search.md for results and how to read them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/demo"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/search"
)

type config struct {
	dsn, dataDir string
	generate     int
	seed         int64
	longThreads  bool
	reindex      bool
	size         bool
	queries      int
	warmup       int
	explain      bool
	queryFile    string
	ingest       int
	duration     time.Duration
	cpuProfile   string
	slow         time.Duration
	mergePending bool
}

func main() {
	var c config
	flag.StringVar(&c.dsn, "db", "", "database DSN (postgres://… or a SQLite file); empty: SQLite in --data")
	flag.StringVar(&c.dataDir, "data", "", "data directory (SQLite steward.db lives here)")
	flag.IntVar(&c.generate, "generate", 0, "generate this many demo tickets first when the database has none")
	flag.Int64Var(&c.seed, "seed", 1, "demo data and query sampling seed")
	flag.BoolVar(&c.longThreads, "long-threads", true, "generate about 5 messages a ticket (false: the demo's usual 2.9)")
	flag.BoolVar(&c.reindex, "reindex", false, "rebuild the search index and time it")
	flag.BoolVar(&c.size, "size", false, "measure the index against the text it indexes")
	flag.IntVar(&c.queries, "queries", 0, "run this many queries of each kind and print latency percentiles")
	flag.IntVar(&c.warmup, "warmup", 200, "queries to run before measuring")
	flag.BoolVar(&c.explain, "explain", false, "print the plan of a few queries")
	flag.StringVar(&c.queryFile, "query-file", "", "read/write the sampled query set here (so both engines run the same queries)")
	flag.IntVar(&c.ingest, "ingest", 0, "add this many messages per second through ticket.Service with the index hook")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "how long --ingest runs")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run")
	flag.DurationVar(&c.slow, "slow", 0, "print every query slower than this")
	flag.BoolVar(&c.mergePending, "merge-pending", true, "during --ingest, run the periodic job that merges the GIN pending list, as a serving node does (PostgreSQL)")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "search bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	d, err := db.Open(ctx, db.Options{DSN: c.dsn, DataDir: c.dataDir})
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
	fmt.Printf("engine: %s; load average %s (the machine is shared: compare runs at similar load)\n", d.Engine, loadAvg())
	if c.generate > 0 {
		var n int
		if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM tickets LIMIT 1) t").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			start := time.Now()
			res, err := demo.Seed(ctx, d, demo.Options{Tickets: c.generate, Bulk: true, Seed: c.seed, LongThreads: c.longThreads, Progress: os.Stderr})
			if err != nil {
				return err
			}
			fmt.Printf("generated %d tickets, %d messages, %d supporters in %s\n", res.Tickets, res.Messages, res.Supporters, time.Since(start).Round(time.Second))
		}
	}
	if c.reindex {
		st, err := search.Reindex(ctx, d, func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "reindex: "+format+"\n", args...)
		})
		if err != nil {
			return err
		}
		fmt.Printf("reindex: %d tickets (%d messages), %d supporters, %.0f MB text in %s: %.0f tickets/s, %.0f messages/s\n",
			st.Tickets, st.Messages, st.Supporters, float64(st.TextBytes)/1e6, st.Elapsed.Round(time.Second),
			float64(st.Tickets)/st.Elapsed.Seconds(), float64(st.Messages)/st.Elapsed.Seconds())
	}
	if c.size {
		if err := measureSize(ctx, d); err != nil {
			return err
		}
	}
	if c.queries > 0 || c.explain {
		if err := measureQueries(ctx, d, c); err != nil {
			return err
		}
	}
	if c.ingest > 0 {
		if err := measureIngest(ctx, d, c); err != nil {
			return err
		}
	}
	fmt.Printf("load average at the end: %s\n", loadAvg())
	return nil
}

// loadAvg reads the 1, 5 and 15 minute load averages (Linux).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
