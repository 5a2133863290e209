package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// measureIngest writes messages through ticket.Service at --ingest per
// second for --duration, with the index hook (the ticket is re-indexed in
// the message's transaction), then the same without it, and prints the
// rate achieved and the latency of one write. One in five writes opens a
// new ticket (which also indexes its supporter); the others reply to a
// random existing ticket. Bodies are real demo messages.
func measureIngest(ctx context.Context, d *db.DB, c config) error {
	var maxID int64
	if err := d.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM tickets").Scan(&maxID); err != nil {
		return err
	}
	var userID int64
	if err := d.R.QueryRowContext(ctx, "SELECT COALESCE(MIN(id), 0) FROM users").Scan(&userID); err != nil {
		return err
	}
	if maxID == 0 || userID == 0 {
		return fmt.Errorf("ingest needs tickets and a user (generate first)")
	}
	rng := rand.New(rand.NewPCG(uint64(c.seed), 3))
	var bodies []string
	for len(bodies) < 500 {
		var b string
		if err := d.R.QueryRowContext(ctx, "SELECT body_text FROM messages WHERE id >= $1 ORDER BY id LIMIT 1", 1+rng.Int64N(maxID)).Scan(&b); err == nil {
			bodies = append(bodies, b)
		}
	}
	idx := search.New(d)
	// A serving node merges the GIN index's pending list in a periodic job
	// (PostgreSQL): run that job here too, through River as the server does.
	if job := search.PeriodicJob(d); job != nil && c.mergePending {
		w := river.NewWorkers()
		search.Register(w, idx, nil)
		q, err := jobs.New(d, jobs.Config{Workers: w, Work: true, PeriodicJobs: []*river.PeriodicJob{job},
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			return err
		}
		if err := q.Start(ctx); err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			q.Stop(sctx)
		}()
		fmt.Printf("ingest: merging the GIN pending list in a periodic job (search.PeriodicJob: every %s, when %d documents were indexed since the last merge)\n", search.PendingCheck, search.PendingDocs)
	}
	for _, withHook := range []bool{true, false} {
		svc := &ticket.Service{DB: d}
		label := "without index hook"
		if withHook {
			svc.Hooks = []ticket.Hook{idx.Hook}
			label = "with index hook"
		}
		cpu0 := cpuTime()
		st, err := ingest(ctx, svc, c, maxID, userID, bodies)
		if err != nil {
			return err
		}
		cpu := cpuTime() - cpu0
		fmt.Printf("ingest %s: asked %d/s for %s, wrote %d (%.0f/s), %d queued or in flight at the end; write latency p50 %s p95 %s p99 %s; this process's CPU %.2f ms per write\n",
			label, c.ingest, c.duration, st.done, float64(st.done)/c.duration.Seconds(), st.behind,
			ms(st.pct(0.5)), ms(st.pct(0.95)), ms(st.pct(0.99)), float64(cpu.Microseconds())/1000/float64(max(st.done, 1)))
	}
	return nil
}

// cpuTime is the user and system CPU time of this process (on SQLite,
// the database's work too).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type ingestStats struct {
	done, behind int
	lat          []time.Duration
}

func (s *ingestStats) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	return s.lat[min(len(s.lat)-1, int(p*float64(len(s.lat))))]
}

func ingest(ctx context.Context, svc *ticket.Service, c config, maxID, userID int64, bodies []string) (ingestStats, error) {
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	jobs := make(chan int, 100000)
	var mu sync.Mutex
	var st ingestStats
	var firstErr atomic.Value
	var wg sync.WaitGroup
	// 32 writers, like concurrent SMTP deliveries and agents: on SQLite
	// their transactions share commits (internal/db/groupcommit.go).
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(c.seed)))
			actor := audit.Actor{UserID: userID, Name: "bench"}
			for n := range jobs {
				if ctx.Err() != nil {
					continue
				}
				body := bodies[rng.IntN(len(bodies))]
				start := time.Now()
				var err error
				if n%5 == 0 {
					_, err = svc.Create(ctx, audit.Actor{Name: "bench"}, ticket.CreateInput{
						NewTicket: ticket.NewTicket{Subject: "Bench " + string([]rune(body)[:min(len([]rune(body)), 30)]), Body: body, Channel: "email"},
						Supporter: supporter.NewSupporter{Email: fmt.Sprintf("bench%d.%d@example.net", w, n), Name: "Bench Supporter"},
					})
				} else {
					// Ticket ids have gaps (a create cut short at the end of
					// an earlier run used its id): pick another.
					for range 10 {
						_, err = svc.Reply(ctx, actor, ticket.ReplyInput{TicketID: 1 + rng.Int64N(maxID), Body: body})
						if !errors.Is(err, errs.ErrNotFound) {
							break
						}
					}
				}
				lat := time.Since(start)
				if err != nil {
					if ctx.Err() == nil {
						firstErr.CompareAndSwap(nil, err)
					}
					continue
				}
				mu.Lock()
				st.done++
				st.lat = append(st.lat, lat)
				mu.Unlock()
			}
		}(w)
	}
	// Every 10 ms, queue what the rate asks for by now (a ticker per
	// message would drop ticks on a busy machine).
	tick := time.NewTicker(10 * time.Millisecond)
	began, sent := time.Now(), 0
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
			for due := int(time.Since(began).Seconds() * float64(c.ingest)); sent < due; sent++ {
				jobs <- sent
			}
		}
	}
	tick.Stop()
	mu.Lock()
	st.behind = sent - st.done // queued or in flight when time was up
	mu.Unlock()
	close(jobs)
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return st, err
	}
	sort.Slice(st.lat, func(i, j int) bool { return st.lat[i] < st.lat[j] })
	return st, nil
}
