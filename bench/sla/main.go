// Command sla measures the SLA arithmetic and its storage:
//
//  1. due times for --n tickets on a split-shift calendar with holidays
//     (pure calendar arithmetic, as a recalculation does per target);
//
//  2. the recalculation after a calendar change in the database: --n
//     running targets re-read, recomputed, written back with new timer jobs;
//
//  3. a new ticket against --policies ordered policies: choosing the policy
//     and computing its targets in memory, and the whole ticket hook
//     (sla.Service.Evaluate in a transaction), p50/p99 over --samples;
//
//  4. a new ticket against 50 automation rules, in memory and as the hook.
//
//     go run ./bench/sla                       # SQLite in a temporary directory
//     go run ./bench/sla --db postgres://…     # an empty PostgreSQL database
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

func main() {
	dsn := flag.String("db", "", "database DSN (postgres://…); empty: SQLite in a temporary directory")
	n := flag.Int("n", 100_000, "tickets for the recalculation")
	npol := flag.Int("policies", 50, "ordered SLA policies for the new-ticket measurement")
	samples := flag.Int("samples", 2000, "new tickets to time")
	flag.Parse()
	if err := run(*dsn, *n, *npol, *samples); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sla:", err)
		os.Exit(1)
	}
}

var hours = map[string][]string{
	"mon": {"09:00-12:00", "13:00-18:00"}, "tue": {"09:00-12:00", "13:00-18:00"}, "wed": {"09:00-12:00", "13:00-18:00"},
	"thu": {"09:00-12:00", "13:00-18:00"}, "fri": {"09:00-12:00", "13:00-18:00"},
}

func run(dsn string, n, npol, samples int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bench-sla-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, db.Options{DSN: dsn, DataDir: dir})
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
	q, err := jobs.New(d, jobs.Config{})
	if err != nil {
		return err
	}
	fmt.Printf("engine %s, %s, %d CPUs\n", d.Engine, runtime.Version(), runtime.NumCPU())

	// 1. Pure arithmetic.
	holidays := []calendar.Holiday{{Date: "2026-11-23"}, {Date: "2026-12-29"}, {Date: "2026-12-30"}, {Date: "2026-12-31"}, {Date: "2027-01-01"}}
	cal, err := calendar.New("Tokyo office", "Asia/Tokyo", hours, holidays)
	if err != nil {
		return err
	}
	// Tickets arrive over the last two days, so their targets still run.
	base := time.Now().Add(-48 * time.Hour)
	step := 48 * time.Hour / time.Duration(n)
	start := time.Now()
	for i := 0; i < n; i++ {
		cal.DueAt(base.Add(time.Duration(i)*step), 24*time.Hour)
	}
	fmt.Printf("1. due times, %d tickets (24 business hours, split shifts, holidays): %s\n", n, time.Since(start).Round(time.Millisecond))

	// 2. Recalculation in the database after a calendar change.
	stored, err := calendar.Create(ctx, d.W, calendar.Input{Name: "Tokyo office", TimeZone: "Asia/Tokyo", Hours: hours, Holidays: holidays})
	if err != nil {
		return err
	}
	fr := 24 * 60
	pol, err := sla.CreatePolicy(ctx, d.W, &sla.Policy{Name: "Office hours", Position: 1, Active: true, CalendarID: stored.ID,
		FirstResponseMinutes: &fr, PauseStatuses: []string{"pending"}})
	if err != nil {
		return err
	}
	sup, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Email: "bench@example.org", Name: "Bench"})
	if err != nil {
		return err
	}
	start = time.Now()
	if err := seed(ctx, d, n, sup.ID, pol.ID, stored.ID, cal, base, step); err != nil {
		return err
	}
	fmt.Printf("   seeded %d tickets with a running first-response target in %s\n", n, time.Since(start).Round(time.Millisecond))
	// The office now opens at 08:30 and works Saturday mornings: every
	// running due time moves earlier, so every target needs new timer jobs
	// (the worst case; a later due time keeps its jobs, which snooze).
	in := stored.Input()
	for day := range in.Hours {
		in.Hours[day] = []string{"08:30-12:00", "13:00-18:00"}
	}
	in.Hours["sat"] = []string{"09:00-12:00"}
	if _, err := calendar.Update(ctx, d.W, stored.ID, in); err != nil {
		return err
	}
	svc := &sla.Service{DB: d, Jobs: q}
	start = time.Now()
	done, err := svc.RecalculateCalendar(ctx, stored.ID)
	if err != nil {
		return err
	}
	el := time.Since(start)
	var jobsN int
	d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job WHERE kind IN ('sla_timer', 'sla_bucket')").Scan(&jobsN)
	fmt.Printf("2. recalculation after a calendar change: %d targets in %s (%.0f/s), %d timer jobs scheduled\n",
		done, el.Round(time.Millisecond), float64(done)/el.Seconds(), jobsN)

	// 3. A new ticket against npol ordered policies.
	if _, err := d.W.ExecContext(ctx, "UPDATE sla_policies SET active = 0, updated_at = $1 WHERE id = $2", time.Now().UnixMilli(), pol.ID); err != nil {
		return err
	}
	var policies []*sla.Policy
	for i := 0; i < npol-1; i++ {
		m := 60 + i
		p := &sla.Policy{Name: fmt.Sprintf("rule %d", i), Position: i, Active: true, CalendarID: stored.ID, FirstResponseMinutes: &m,
			ResolutionMinutes: &m, NextResponseMinutes: &m, ProgressUpdateMinutes: &m}
		switch i % 4 { // none of them matches the bench tickets
		case 0:
			p.Match.Channels = []string{"phone"}
		case 1:
			p.Match.Types, p.Match.Priorities = []string{"complaint"}, []string{"urgent"}
		case 2:
			p.Match.Languages = []string{"zh"}
		case 3:
			p.Match.Priorities = []string{"low", "high"}
		}
		if _, err := sla.CreatePolicy(ctx, d.W, p); err != nil {
			return err
		}
	}
	if policies, err = sla.Policies(ctx, d.R); err != nil {
		return err
	}
	facts := sla.Facts{Channel: "email", Type: "inquiry", Priority: "normal", Language: "ja"}
	var mem []time.Duration
	for i := 0; i < samples; i++ {
		t0 := time.Now()
		var chosen *sla.Policy
		for _, p := range policies {
			if p.Matches(facts) {
				chosen = p
				break
			}
		}
		if chosen == nil {
			return fmt.Errorf("no policy matched")
		}
		created := base.Add(time.Duration(i) * time.Minute)
		for _, target := range sla.Targets {
			if m, ok := chosen.Budget(target, 1440); ok {
				cal.DueAt(created, time.Duration(m)*time.Minute)
			}
		}
		mem = append(mem, time.Since(t0))
	}
	fmt.Printf("3a. choose among %d policies + compute targets (in memory): p50 %s, p99 %s\n", len(policies), pct(mem, 50), pct(mem, 99))

	var hook, withCommit []time.Duration
	for i := 0; i < samples; i++ {
		var id int64
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			t, _, err := ticket.Create(ctx, d, tx, ticket.NewTicket{Subject: "bench", Body: "bench", Channel: "email", Language: "ja", SupporterID: sup.ID})
			id = t.ID
			return err
		})
		if err != nil {
			return err
		}
		t0 := time.Now()
		var inside time.Duration
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			t1 := time.Now()
			err := svc.Evaluate(ctx, tx, id)
			inside = time.Since(t1)
			return err
		}); err != nil {
			return err
		}
		hook = append(hook, inside)
		withCommit = append(withCommit, time.Since(t0))
	}
	fmt.Printf("3b. SLA hook on a new ticket inside its transaction (%d policies; reads facts, policies, rows; writes targets and timer jobs): p50 %s, p99 %s\n",
		len(policies), pct(hook, 50), pct(hook, 99))
	fmt.Printf("3c. the same in a transaction of its own, commit included: p50 %s, p99 %s\n", pct(withCommit, 50), pct(withCommit, 99))

	// 4. 50 automation rules on a new ticket.
	fields := []string{"priority", "channel", "language", "body", "subject", "tags", "type"}
	for i := 0; i < 50; i++ {
		f := fields[i%len(fields)]
		op, v := "eq", fmt.Sprint("value", i)
		if f == "body" || f == "subject" {
			op, v = "contains", fmt.Sprint("語", i)
		}
		if _, err := automation.SaveRule(ctx, d.W, &automation.Rule{Name: fmt.Sprint("rule ", i), Position: i, Active: true, Event: automation.TicketCreated,
			Conditions: []automation.Condition{{Field: "status", Op: "in", Value: "new,open"}, {Field: f, Op: op, Value: v}},
			Actions:    []automation.Action{{Type: "add_tag", Value: "x"}}}); err != nil {
			return err
		}
	}
	rules, err := automation.Rules(ctx, d.R)
	if err != nil {
		return err
	}
	tk := ticket.Ticket{Status: "new", Priority: "normal", Type: "inquiry", Channel: "email", Language: "ja", Subject: "領収書について", Tags: []string{}}
	var rm []time.Duration
	for i := 0; i < samples*5; i++ {
		t0 := time.Now()
		f := automation.FactsOf(tk, "昨年の寄付の領収書がまだ届いていません。再発行をお願いします。", "in")
		for _, r := range rules {
			r.Matches(automation.TicketCreated, f)
		}
		rm = append(rm, time.Since(t0))
	}
	fmt.Printf("4a. %d automation rules on a new ticket (in memory): p50 %s, p99 %s\n", len(rules), pct(rm, 50), pct(rm, 99))
	en := &automation.Engine{DB: d}
	var eh []time.Duration
	for i := 0; i < samples; i++ {
		var id, mid int64
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			t, m, err := ticket.Create(ctx, d, tx, ticket.NewTicket{Subject: "領収書について", Body: "まだ届いていません", Channel: "email", Language: "ja", SupporterID: sup.ID})
			id, mid = t.ID, m.ID
			return err
		})
		if err != nil {
			return err
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			t0 := time.Now()
			err := en.Hook(ctx, tx, live.Event{Type: "ticket.created", TicketID: id, MessageID: mid})
			eh = append(eh, time.Since(t0))
			return err
		}); err != nil {
			return err
		}
	}
	fmt.Printf("4b. automation hook with %d rules inside the ticket's transaction (reads ticket and message): p50 %s, p99 %s\n", len(rules), pct(eh, 50), pct(eh, 99))
	return nil
}

// seed inserts n tickets and their running first-response targets.
func seed(ctx context.Context, d *db.DB, n int, supporterID, policyID, calendarID int64, cal *calendar.Calendar, base time.Time, step time.Duration) error {
	const batch = 500
	budget := int64(24 * time.Hour / time.Millisecond)
	for off := 0; off < n; off += batch {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var tv, sv []string
			var ta, sa []any
			for i := off; i < min(off+batch, n); i++ {
				created := base.Add(time.Duration(i) * step)
				c := created.UnixMilli()
				k := len(ta)
				tv = append(tv, fmt.Sprintf("($%d, $%d, 'bench', 'open', 'open', 'normal', 'inquiry', '', 'email', $%d, 'ja', '', 1, $%d, $%d)", k+1, k+2, k+3, k+4, k+4))
				ta = append(ta, i+1, i+1, supporterID, c)
				due := cal.DueAt(created, 24*time.Hour).UnixMilli()
				warn := cal.DueAt(created, 18*time.Hour).UnixMilli()
				k = len(sa)
				sv = append(sv, fmt.Sprintf("($%d, 'first_response', $%d, $%d, $%d, $%d, 0, $%d, $%d, 1, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8))
				sa = append(sa, i+1, policyID, calendarID, budget, c, due, warn, c)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, number, subject, status, status_group, priority, type, category, channel,
				supporter_id, language, preview, message_count, created_at, updated_at) VALUES `+strings.Join(tv, ", "), ta...); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO ticket_sla (ticket_id, target, policy_id, calendar_id, budget_ms, anchor_at, paused_ms,
				due_at, warn_at, version, updated_at) VALUES `+strings.Join(sv, ", "), sa...)
			return err
		})
		if err != nil {
			return err
		}
	}
	if d.Engine == db.Postgres {
		if _, err := d.W.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))"); err != nil {
			return err
		}
		// Ticket numbers come from their own sequence.
		d.W.ExecContext(ctx, "SELECT setval('ticket_number_seq', (SELECT MAX(number) FROM tickets))")
	}
	return nil
}

func pct(xs []time.Duration, p int) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(time.Microsecond)
}
