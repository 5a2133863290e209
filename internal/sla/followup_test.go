package sla_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/ticket"
)

func TestPendingInvestigation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		tk := k.create(t, "complaint")
		due := k.clock.Now().Add(72 * time.Hour)
		actor := audit.Actor{UserID: k.agent.ID, Name: "agent"}
		if _, err := k.sla.Promise(ctx, actor, tk.ID, k.clock.Now().Add(-time.Hour), k.tickets.Hooks); err == nil {
			t.Fatal("a date in the past was accepted")
		}
		got, err := k.sla.Promise(ctx, actor, tk.ID, due, k.tickets.Hooks)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.StatusPendingInvestigation || got.FirstResponseAt == nil {
			t.Fatalf("after promise: %+v", got)
		}
		msgs, _ := ticket.Messages(ctx, d.R, tk.ID, true)
		last := msgs[len(msgs)-1]
		if last.Direction != ticket.Out || !strings.Contains(last.BodyText, "佐藤 花子 様") || !strings.Contains(last.BodyText, "までに改めてご連絡いたします") {
			t.Fatalf("holding reply: %+v", last)
		}
		if k.status(t, tk.ID)[sla.FirstResponse].State != sla.StateMet {
			t.Fatal("the holding reply is a first response")
		}
		var version int64
		d.R.QueryRow("SELECT version FROM ticket_followups WHERE ticket_id = $1", tk.ID).Scan(&version)
		fire := func(ev string) time.Duration {
			t.Helper()
			w, err := k.sla.FireFollowup(ctx, sla.FollowupArgs{TicketID: tk.ID, Version: version, Event: ev})
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		kinds := func() []string {
			rows, _ := d.R.Query("SELECT kind FROM sla_notifications WHERE ticket_id = $1 ORDER BY id", tk.ID)
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				rows.Scan(&s)
				out = append(out, s)
			}
			return out
		}
		k.clock.Add(48 * time.Hour)
		fire(sla.EventFollowupRemind)
		fire(sla.EventFollowupRemind)
		if w := fire(sla.EventFollowupSlip); w < 23*time.Hour {
			t.Fatalf("slip fired early (wait %s)", w)
		}
		if n := kinds(); len(n) != 1 || n[0] != sla.EventFollowupRemind {
			t.Fatalf("reminder: %v", n)
		}
		k.clock.Add(25 * time.Hour)
		fire(sla.EventFollowupSlip)
		fire(sla.EventFollowupSlip)
		if n := kinds(); len(n) != 3 || n[1] != sla.EventFollowupSlip || n[2] != sla.EventFollowupSlip {
			t.Fatalf("slip tells the agent and the supervisor once: %v", n)
		}
		f, _ := sla.GetFollowup(ctx, d.R, tk.ID)
		if f == nil || f.Slipped == nil || f.Reminded == nil {
			t.Fatalf("follow-up: %+v", f)
		}
		// A new promise on a resolved ticket's reopen, then resolved in time: no slip.
		if _, err := k.sla.Promise(ctx, actor, tk.ID, k.clock.Now().Add(time.Hour), k.tickets.Hooks); err != nil {
			t.Fatal(err)
		}
		d.R.QueryRow("SELECT version FROM ticket_followups WHERE ticket_id = $1", tk.ID).Scan(&version)
		k.setStatus(t, tk.ID, ticket.StatusResolved)
		k.clock.Add(2 * time.Hour)
		fire(sla.EventFollowupSlip)
		if n := kinds(); len(n) != 3 {
			t.Fatalf("a resolved ticket cannot slip: %v", n)
		}
	})
}
