// Package api_test holds Go benchmarks of API requests served in process
// (the whole handler stack: routing, token auth, JSON, the ticket service and
// its hooks, SQLite), without a network or a load generator in the way.
//
//	go test -run '^$' -bench CreateTicket -benchtime 3000x ./bench/api/
//	go test -run '^$' -bench CreateTicket -benchtime 3000x -cpuprofile /tmp/create.prof ./bench/api/
//
// ns/op is the server's cost of one POST /api/v1/tickets; on N idle cores
// the ceiling is about N × 1e9 / (ns/op × cores-used-per-request).
package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/steward-desk/steward/internal/app"
	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/demo"
	"github.com/steward-desk/steward/internal/staff"
)

func openApp(b *testing.B) (*app.App, string) {
	b.Helper()
	var cfg app.Config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	cfg.ServeFlags(fs)
	if err := fs.Parse([]string{"--data", b.TempDir(), "--log-level", "error"}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	var tok string
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		u, err := staff.CreateUser(ctx, tx, staff.NewUser{Email: "bench@example.org", Name: "Bench", Role: staff.Admin})
		if err != nil {
			return err
		}
		tok, err = auth.CreateAPIToken(ctx, tx, u.ID, "bench")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return a, tok
}

func bodies(n int) [][]byte {
	gen := demo.NewRequests(1, 20000)
	out := make([][]byte, n)
	for i := range out {
		in := gen.Next()
		out[i], _ = json.Marshal(map[string]any{
			"subject": in.Subject, "body": in.Body, "channel": in.Channel,
			"supporter": map[string]any{"email": in.Email, "name": in.Name, "language": in.Language},
		})
	}
	return out
}

// BenchmarkCreateTicket posts tickets through the app's handler from
// GOMAXPROCS goroutines at once.
func BenchmarkCreateTicket(b *testing.B) { createTickets(b, 1) }

// BenchmarkCreateTicket16 does the same from 8×GOMAXPROCS goroutines (16 on
// two cores, like bench/loadtickets.sh's 16 clients), so that concurrent
// transactions queue for SQLite's one writer and share commits.
func BenchmarkCreateTicket16(b *testing.B) { createTickets(b, 8) }

func createTickets(b *testing.B, parallelism int) {
	a, tok := openApp(b)
	h := a.Handler()
	bs := bodies(5000)
	var next atomic.Int64
	b.SetParallelism(parallelism)
	cpu0 := cpuTime()
	w0 := writeCalls()
	s0 := a.DB.GroupCommitStats()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bs[int(next.Add(1))%len(bs)]
			req := httptest.NewRequest(http.MethodPost, "/api/v1/tickets", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	// CPU time per ticket is what a busy shared machine does not distort:
	// on N idle cores the ceiling is N / cpu-ms × 1000 tickets/s.
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(b.N), "cpu-ms/ticket")
	b.ReportMetric(float64(writeCalls()-w0)/float64(b.N), "writes/ticket")
	if s1 := a.DB.GroupCommitStats(); s1.Commits > s0.Commits {
		b.ReportMetric(float64(s1.Transactions-s0.Transactions)/float64(s1.Commits-s0.Commits), "tx/commit")
		// The one writer's time per ticket bounds the rate on any number
		// of cores: 1000 / writer-ms tickets/s.
		b.ReportMetric(float64(s1.Busy-s0.Busy)/1e6/float64(b.N), "writer-ms/ticket")
	}
}

// cpuTime is the process's user + system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// writeCalls is the process's write system calls so far (/proc/self/io's
// syscw): SQLite writes each WAL frame with two, so per ticket it shows how
// many pages a ticket dirties.
func writeCalls() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
