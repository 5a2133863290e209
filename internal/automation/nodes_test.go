package automation_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/ticket"
)

// Two Steward nodes (two River clients, each with the periodic job) on one
// PostgreSQL database, and several copies of the time-rule job running at
// once: every ticket is reminded exactly once.
func TestTwoNodesFireTimeRulesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two job clients")
	}
	dsn := dbtest.NewPostgresDatabase(t)
	ctx := context.Background()
	clk := newClock()
	clk.Add(73 * time.Hour)
	type node struct {
		d  *db.DB
		en *automation.Engine
		q  *jobs.Queue
	}
	var nodes []node
	for i := 0; i < 2; i++ {
		d, err := db.Open(ctx, db.Options{DSN: dsn, DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		en := &automation.Engine{DB: d, Now: clk.Now}
		w := river.NewWorkers()
		automation.Register(w, en)
		q, err := jobs.New(d, jobs.Config{Workers: w, Work: true, PeriodicJobs: []*river.PeriodicJob{automation.PeriodicJob()}})
		if err != nil {
			t.Fatal(err)
		}
		en.Jobs = q
		nodes = append(nodes, node{d, en, q})
	}
	a := nodes[0]
	svc := &ticket.Service{DB: a.d, Hooks: []ticket.Hook{a.en.Hook}}
	const n = 30
	for i := 0; i < n; i++ {
		newTicket(t, svc, "s@example.org", ticket.StatusPending)
	}
	saveRule(t, a.d, automation.Rule{Name: "Pending 3 days", Event: automation.Time,
		Conditions: []automation.Condition{{Field: "status", Op: "eq", Value: "pending"}, {Field: "hours_since_status_change", Op: "gte", Value: "72"}},
		Actions:    []automation.Action{{Type: "add_note", Value: "3 日経ちました"}, {Type: "add_tag", Value: "reminded"}}})
	// Copies of the job, as a leader change or a slow run could leave behind.
	if err := a.d.Tx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 6; i++ {
			if err := a.q.Enqueue(ctx, tx, automation.TimeArgs{}, nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
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
	deadline := time.Now().Add(30 * time.Second)
	for countRows(t, a.d, "SELECT COUNT(*) FROM automation_firings") < n && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	// Let every copy finish.
	for time.Now().Before(deadline) && countRows(t, a.d, "SELECT COUNT(*) FROM river_job WHERE kind = 'automation_time_rules' AND state IN ('available', 'running')") > 0 {
		time.Sleep(200 * time.Millisecond)
	}
	if f, notes := countRows(t, a.d, "SELECT COUNT(*) FROM automation_firings"), countRows(t, a.d, "SELECT COUNT(*) FROM messages WHERE direction = 'note'"); f != n || notes != n {
		t.Fatalf("%d firings and %d notes for %d tickets", f, notes, n)
	}
	if per := countRows(t, a.d, `SELECT COUNT(*) FROM (SELECT object_id FROM audit_log WHERE action = 'automation.rule'
		GROUP BY object_id HAVING COUNT(*) = 1) x`); per != n {
		t.Fatalf("%d tickets audited exactly once, want %d", per, n)
	}
}
