package sla_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Two Steward nodes (two River clients) on one PostgreSQL database: every
// breach fires exactly once, even with a duplicate copy of each timer job —
// and so does the automation rule on sla.breach that each node runs in the
// claiming transaction.
func TestTwoNodesBreachOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two job clients")
	}
	dsn := dbtest.NewPostgresDatabase(t)
	ctx := context.Background()
	type node struct {
		d   *db.DB
		sla *sla.Service
		q   *jobs.Queue
	}
	var nodes []node
	for i := 0; i < 2; i++ {
		d, err := db.Open(ctx, db.Options{DSN: dsn, DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		en := &automation.Engine{DB: d}
		s := &sla.Service{DB: d, OnTimer: en.SLAEvent}
		en.After = []ticket.Hook{s.Hook}
		w := river.NewWorkers()
		sla.Register(w, s)
		q, err := jobs.New(d, jobs.Config{Workers: w, Work: true})
		if err != nil {
			t.Fatal(err)
		}
		s.Jobs = q
		nodes = append(nodes, node{d, s, q})
	}
	a := nodes[0]
	if _, err := staff.CreateUser(ctx, a.d.W, staff.NewUser{Email: "lead@example.org", Name: "Lead", Role: staff.Admin}); err != nil {
		t.Fatal(err)
	}
	p := &sla.Policy{Name: "Fast", Position: 1, Active: true, CalendarID: 1, FirstResponseMinutes: ptr(1),
		Escalation: sla.Escalation{Warning: []string{"leadership"}, Breach: []sla.Step{{AfterMinutes: 0, Notify: "leadership"}}}}
	if _, err := sla.CreatePolicy(ctx, a.d.W, p); err != nil {
		t.Fatal(err)
	}
	if _, err := automation.SaveRule(ctx, a.d.W, &automation.Rule{Name: "Overdue", Active: true, Event: automation.SLABreach,
		Conditions: []automation.Condition{{Field: "sla_target", Op: "eq", Value: sla.FirstResponse}},
		Actions:    []automation.Action{{Type: "set_priority", Value: "urgent"}, {Type: "add_note", Value: "初回返信の期限を過ぎました"}}}); err != nil {
		t.Fatal(err)
	}
	svc := &ticket.Service{DB: a.d, Hooks: []ticket.Hook{a.sla.Hook}}
	const n = 40
	var ids []int64
	for i := 0; i < n; i++ {
		tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "help", Body: "please"},
			Supporter: supporter.NewSupporter{Email: "s@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	// Age the tickets so the one-minute target falls due in two seconds,
	// recompute (new versions, new timers), and add a duplicate of each timer.
	if _, err := a.d.W.Exec("UPDATE tickets SET created_at = created_at - 58000"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.sla.ReevaluateOpen(ctx); err != nil {
		t.Fatal(err)
	}
	err := a.d.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			var version int64
			if err := tx.QueryRowContext(ctx, "SELECT version FROM ticket_sla WHERE ticket_id = $1", id).Scan(&version); err != nil {
				return err
			}
			for _, ev := range []string{sla.EventWarning, sla.EventBreach} {
				if err := a.q.Enqueue(ctx, tx, sla.TimerArgs{TicketID: id, Target: sla.FirstResponse, Version: version, Event: ev}, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range nodes {
		if err := nd.q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		q := nd.q
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			q.Stop(sctx)
		})
	}
	count := func(action string) int {
		var c int
		if err := a.d.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = $1", action).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	deadline := time.Now().Add(30 * time.Second)
	for count("sla.breach") < n && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // let any duplicate finish
	var perTicket int
	a.d.R.QueryRow(`SELECT COUNT(*) FROM (SELECT object_id FROM audit_log WHERE action = 'sla.breach'
		GROUP BY object_id HAVING COUNT(*) = 1) x`).Scan(&perTicket)
	if b, w := count("sla.breach"), count("sla.warning"); b != n || w != n || perTicket != n {
		t.Fatalf("%d breaches and %d warnings for %d tickets (%d with exactly one)", b, w, n, perTicket)
	}
	var notes int
	a.d.R.QueryRow("SELECT COUNT(*) FROM sla_notifications WHERE kind = 'escalate'").Scan(&notes)
	if notes != n {
		t.Fatalf("%d escalation notifications, want %d", notes, n)
	}
	var rules, urgent, ruleNotes int
	a.d.R.QueryRow(`SELECT COUNT(*) FROM (SELECT object_id FROM audit_log WHERE action = 'automation.rule'
		GROUP BY object_id HAVING COUNT(*) = 1) x`).Scan(&rules)
	a.d.R.QueryRow("SELECT COUNT(*) FROM tickets WHERE priority = 'urgent'").Scan(&urgent)
	a.d.R.QueryRow("SELECT COUNT(*) FROM messages WHERE direction = 'note'").Scan(&ruleNotes)
	if rules != n || urgent != n || ruleNotes != n {
		t.Fatalf("the sla.breach rule: %d tickets with one run, %d urgent, %d notes; want %d", rules, urgent, ruleNotes, n)
	}
}
