package automation_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Rules on sla.warning and sla.breach run in the transaction of the timer
// that claims the event: once per warning or breach however often the
// timer runs, only for the target the rule names, and a rule whose action
// fails is rolled back and audited without holding up the breach or the
// other rules.
func TestSLAEventRulesFireOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock()
		en := &automation.Engine{DB: d, Now: clk.Now}
		s := &sla.Service{DB: d, Now: clk.Now, OnTimer: en.SLAEvent}
		en.After = []ticket.Hook{s.Hook}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{en.Hook, s.Hook}}

		dept := must(staff.CreateDepartment(ctx, d.W, "Donor care", ""))
		agent := must(staff.CreateUser(ctx, d.W, staff.NewUser{Email: "agent@example.org", Name: "Agent", Role: staff.Agent, DepartmentIDs: []int64{dept.ID}}))
		super := must(staff.CreateUser(ctx, d.W, staff.NewUser{Email: "super@example.org", Name: "Super", Role: staff.Supervisor, DepartmentIDs: []int64{dept.ID}}))
		sixty := 60
		if _, err := sla.CreatePolicy(ctx, d.W, &sla.Policy{Name: "One hour", Position: 1, Active: true, CalendarID: 1,
			FirstResponseMinutes: &sixty, Escalation: sla.Escalation{Warning: []string{"assignee"}, Breach: []sla.Step{{AfterMinutes: 0, Notify: "assignee"}}}}); err != nil {
			t.Fatal(err)
		}
		gone := must(macro.Create(ctx, d.W, macro.Input{Name: "Sorry", Body: "We are late."}))
		// Runs first and fails (its macro is deleted below): rolled back, audited.
		saveRule(t, d, automation.Rule{Name: "Apologise", Position: 1, Event: automation.SLABreach,
			Actions: []automation.Action{{Type: "add_tag", Value: "apologised"}, {Type: "send_canned_reply", Value: formatID(gone.ID)}}})
		breach := saveRule(t, d, automation.Rule{Name: "First reply overdue", Position: 2, Event: automation.SLABreach,
			Conditions: []automation.Condition{{Field: "sla_target", Op: "eq", Value: sla.FirstResponse}},
			Actions: []automation.Action{{Type: "set_priority", Value: "urgent"}, {Type: "add_tag", Value: "sla-breached"},
				{Type: "notify", Value: automation.NotifySupervisor}}})
		saveRule(t, d, automation.Rule{Name: "Resolution overdue", Position: 3, Event: automation.SLABreach,
			Conditions: []automation.Condition{{Field: "sla_target", Op: "eq", Value: sla.Resolution}},
			Actions:    []automation.Action{{Type: "add_tag", Value: "wrong-target"}}})
		saveRule(t, d, automation.Rule{Name: "Nearly late", Position: 4, Event: automation.SLAWarning,
			Conditions: []automation.Condition{{Field: "sla_target", Op: "in", Value: "first_response,next_response"}},
			Actions:    []automation.Action{{Type: "add_note", Value: "返信期限が近づいています / 回复期限将至"}}})
		if err := macro.Delete(ctx, d.W, gone.ID); err != nil {
			t.Fatal(err)
		}

		tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "領収書", Body: "まだ届いていません", DepartmentID: &dept.ID, AssigneeID: &agent.ID},
			Supporter: supporter.NewSupporter{Email: "hanako@example.jp"}})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Priority == "urgent" || countRows(t, d, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'automation.%'") != 0 {
			t.Fatal("SLA rules ran on a ticket event")
		}
		var version int64
		if err := d.R.QueryRow("SELECT version FROM ticket_sla WHERE ticket_id = $1 AND target = $2", tk.ID, sla.FirstResponse).Scan(&version); err != nil {
			t.Fatal(err)
		}
		fire := func(ev string) {
			t.Helper()
			for range 2 { // a duplicate job, a second node
				if _, err := s.Fire(ctx, sla.TimerArgs{TicketID: tk.ID, Target: sla.FirstResponse, Version: version, Event: ev}); err != nil {
					t.Fatal(err)
				}
			}
		}
		audited := func(event string) int {
			return countRows(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'automation.rule' AND object_id = $1 AND detail LIKE $2",
				tk.ID, `%"event":"`+event+`"%`)
		}

		clk.Add(46 * time.Minute) // past the warning (75 %)
		fire(sla.EventWarning)
		if n := countRows(t, d, "SELECT COUNT(*) FROM messages WHERE ticket_id = $1 AND direction = 'note'", tk.ID); n != 1 || audited("sla.warning") != 1 {
			t.Fatalf("warning rule: %d notes, %d audited runs", n, audited("sla.warning"))
		}

		clk.Add(15 * time.Minute) // past due
		fire(sla.EventBreach)
		got := must(ticket.Get(ctx, d.R, tk.ID))
		if got.Priority != "urgent" || !slices.Contains(got.Tags, "sla-breached") {
			t.Fatalf("breach rule: priority %s, tags %v", got.Priority, got.Tags)
		}
		if slices.Contains(got.Tags, "wrong-target") || slices.Contains(got.Tags, "apologised") {
			t.Fatalf("a rule for another target, or a failed rule's change, stuck: %v", got.Tags)
		}
		if n := audited("sla.breach"); n != 1 {
			t.Fatalf("%d audited breach runs, want 1", n)
		}
		if n := countRows(t, d, "SELECT COUNT(*) FROM sla_notifications WHERE target = 'automation' AND kind = $1 AND user_id = $2",
			"rule:"+formatID(breach.ID), super.ID); n != 1 {
			t.Fatalf("%d notifications to the supervisor, want 1", n)
		}
		if n := countRows(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'automation.failed' AND object_id = $1", tk.ID); n != 1 {
			t.Fatalf("%d failures audited, want 1", n)
		}
		// The SLA's own breach happened once, and its clocks followed the rule's change.
		if n := countRows(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'sla.breach' AND object_id = $1", tk.ID); n != 1 {
			t.Fatalf("%d SLA breaches audited, want 1", n)
		}
		if st := must(s.For(ctx, d.R, tk.ID)); st[sla.FirstResponse].State != sla.StateBreached {
			t.Fatalf("first response: %+v", st[sla.FirstResponse])
		}

		// Dry run: an SLA rule matches tickets breached on its target now.
		matches, _, err := automation.DryRun(ctx, d.R, breach, 10)
		if err != nil || len(matches) != 1 || matches[0].ID != tk.ID {
			t.Fatalf("dry run: %v %v", matches, err)
		}
		res := &automation.Rule{Event: automation.SLABreach, Conditions: []automation.Condition{{Field: "sla_target", Op: "eq", Value: sla.Resolution}}}
		if matches, _, _ := automation.DryRun(ctx, d.R, res, 10); len(matches) != 0 {
			t.Fatalf("dry run on resolution: %v", matches)
		}
	})
}

func formatID(id int64) string { return fmt.Sprint(id) }
