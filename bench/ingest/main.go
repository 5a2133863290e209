// Command ingest measures email ingestion end to end: raw message →
// mailin.Receiver (keep the .eml in the blob store, parse, decode, sanitise)
// → intake.Accept (supporter, threading, store, every hook `steward serve`
// wires — routing, tone, automation, SLA, search index —, acknowledgement
// queued as a River job) → commit, for a realistic mix of 5–20 kB messages
// (Japanese ISO-2022-JP and Shift_JIS, Chinese GB2312 and Big5, English
// HTML mail, replies, auto-replies, attachments).
//
//	go run ./bench/ingest                         # SQLite in a temp dir
//	go run ./bench/ingest --sync full             # SQLite with synchronous=FULL
//	go run ./bench/ingest --db "$STEWARD_TEST_PG" # PostgreSQL (a fresh database is created and dropped)
//
// It first reports parsing alone (one goroutine: messages/s and MB/s per
// core), then ingestion with --c concurrent receivers: overall messages/s,
// the slowest one-second window (sustained rate) and latency percentiles.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steward-desk/steward/internal/app"
	"github.com/steward-desk/steward/internal/channel/email"
	"github.com/steward-desk/steward/internal/channel/email/mailin"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/mailbox"
)

func main() {
	var (
		dsn     = flag.String("db", "", "PostgreSQL admin DSN (a fresh database is created and dropped); empty: SQLite")
		dataDir = flag.String("data", "", "data directory for SQLite and blobs (default: a temp dir, removed)")
		n       = flag.Int("n", 4000, "messages to ingest")
		warm    = flag.Int("warmup", 300, "messages ingested before measuring")
		c       = flag.Int("c", 2*runtime.GOMAXPROCS(0), "concurrent receivers")
		syncM   = flag.String("sync", "normal", "SQLite synchronous mode: normal (Steward's default, WAL) or full")
		seed    = flag.Uint64("seed", 1, "message generator seed")
		prof    = flag.String("cpuprofile", "", "write a CPU profile of the ingestion to this file")
	)
	flag.Parse()
	cpuProfile = *prof
	if err := run(context.Background(), *dsn, *dataDir, *n, *warm, *c, *syncM, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn, dataDir string, n, warm, conc int, syncMode string, seed uint64) error {
	g := newGenerator(seed)
	msgs := make([][]byte, warm+n)
	var total int64
	for i := range msgs {
		msgs[i] = g.message()
		if i >= warm {
			total += int64(len(msgs[i]))
		}
	}
	fmt.Printf("mix: %d messages, %.1f MB, mean %.1f kB; GOMAXPROCS=%d\n", n, float64(total)/1e6, float64(total)/float64(n)/1024, runtime.GOMAXPROCS(0))

	// Parsing alone, one goroutine.
	start := time.Now()
	for _, m := range msgs[warm:] {
		if _, err := email.Parse(m, email.ParseOptions{MaxAttachmentBytes: mailin.DefaultMaxAttachmentBytes}); err != nil {
			return err
		}
	}
	el := time.Since(start)
	fmt.Printf("parse only (1 core):  %7.0f msg/s  %6.1f MB/s\n", float64(n)/el.Seconds(), float64(total)/1e6/el.Seconds())

	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "steward-ingest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	engineDSN := ""
	if dsn != "" {
		fresh, drop, err := freshPostgres(ctx, dsn)
		if err != nil {
			return err
		}
		defer drop()
		engineDSN = fresh
	}
	// The desk is wired by internal/app exactly as `steward serve` wires it:
	// every intake hook (routing, tone, automation, SLA, search) and the
	// acknowledgement follow-up.
	var cfg app.Config
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	cfg.ServeFlags(fs)
	args := []string{"--data", dataDir, "--log-level", "error"}
	if engineDSN != "" {
		args = append(args, "--db", engineDSN)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	d := a.DB
	mode := "PostgreSQL"
	if d.Engine == db.SQLite {
		if syncMode == "full" {
			// W is one connection, so the pragma holds for every write.
			if _, err := d.W.ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
				return err
			}
		}
		mode = "SQLite WAL synchronous=" + strings.ToUpper(syncMode)
	}
	rcv := a.Email.Receiver
	mb, err := a.Email.Mailboxes.Create(ctx, d.W, mailbox.Input{Address: "support@bench.example.org"})
	if err != nil {
		return err
	}
	target := mailin.TargetOf(mb, "bench")

	ingest := func(batch [][]byte) (time.Duration, []time.Duration, []int64, error) {
		var next atomic.Int64
		lat := make([]time.Duration, len(batch))
		done := make([]int64, len(batch)) // completion time, ns since start
		var firstErr error
		var mu sync.Mutex
		var wg sync.WaitGroup
		t0 := time.Now()
		for w := 0; w < conc; w++ {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(batch) {
						return
					}
					s := time.Now()
					if _, err := rcv.Receive(ctx, batch[i], target); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					lat[i] = time.Since(s)
					done[i] = int64(time.Since(t0))
				}
			})
		}
		wg.Wait()
		return time.Since(t0), lat, done, firstErr
	}
	if _, _, _, err := ingest(msgs[:warm]); err != nil {
		return err
	}
	stopProfile, err := startProfile()
	if err != nil {
		return err
	}
	cpu0 := cpuTime()
	el, lat, done, err := ingest(msgs[warm:])
	cpu := cpuTime() - cpu0
	stopProfile()
	if err != nil {
		return err
	}
	slices.Sort(lat)
	slices.Sort(done)
	// The slowest full one-second window: the rate the desk sustains.
	slowest := n
	for s := int64(0); s+int64(time.Second) <= int64(el); s += int64(100 * time.Millisecond) {
		lo, _ := slices.BinarySearch(done, s)
		hi, _ := slices.BinarySearch(done, s+int64(time.Second))
		slowest = min(slowest, hi-lo)
	}
	if el < time.Second {
		slowest = n
	}
	var tickets, messages, jobsQueued int
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&tickets)
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages").Scan(&messages)
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job").Scan(&jobsQueued)
	fmt.Printf("ingest (%s, %d receivers): %7.0f msg/s  %6.1f MB/s  slowest 1 s window %d msg  p50 %v  p99 %v  max %v\n",
		mode, conc, float64(n)/el.Seconds(), float64(total)/1e6/el.Seconds(), slowest,
		lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*99/100].Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	fmt.Printf("cpu: %.2f ms per message in this process (user+sys, both cores; load-independent)\n", float64(cpu.Microseconds())/1000/float64(n))
	fmt.Printf("stored: %d tickets, %d messages, %d acknowledgement jobs queued (warm-up included)\n", tickets, messages, jobsQueued)
	return nil
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var cpuProfile string

func startProfile() (func(), error) {
	if cpuProfile == "" {
		return func() {}, nil
	}
	f, err := os.Create(cpuProfile)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// freshPostgres creates a database for the run and returns its DSN and a
// function that drops it.
func freshPostgres(ctx context.Context, admin string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("steward_ingest_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	scheme, rest, _ := strings.Cut(admin, "://")
	hostPart, query, _ := strings.Cut(rest, "?")
	if i := strings.Index(hostPart, "/"); i >= 0 {
		hostPart = hostPart[:i]
	}
	dsn := scheme + "://" + hostPart + "/" + name
	if query != "" {
		dsn += "?" + query
	}
	return dsn, func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		conn.Close(context.Background())
	}, nil
}
