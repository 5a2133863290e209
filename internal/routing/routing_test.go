package routing_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Fairness over 10,000 tickets: round-robin gives every available agent
// the same share; least load keeps open loads within one of each other
// while tickets are resolved at random; away agents and agents who do not
// speak the ticket's language get none.
func TestFairness(t *testing.T) {
	agents := []routing.Candidate{{UserID: 3}, {UserID: 5}, {UserID: 8}, {UserID: 9}, {UserID: 12},
		{UserID: 20, Away: true}, {UserID: 21, Languages: []string{"zh"}}}
	t.Run("round robin", func(t *testing.T) {
		got := map[int64]int{}
		var last int64
		for i := 0; i < 10_000; i++ {
			last = routing.Pick(routing.RoundRobin, agents, "ja", last)
			got[last]++
		}
		for _, id := range []int64{3, 5, 8, 9, 12} {
			if got[id] != 2000 {
				t.Fatalf("agent %d got %d of 10000: %v", id, got[id], got)
			}
		}
		if got[20] != 0 || got[21] != 0 {
			t.Fatalf("away or non-speaking agents got tickets: %v", got)
		}
	})
	t.Run("least load", func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 9))
		cands := append([]routing.Candidate{}, agents...)
		total := map[int64]int{}
		var last int64
		for i := 0; i < 10_000; i++ {
			last = routing.Pick(routing.LeastLoad, cands, "", last)
			for j := range cands {
				if cands[j].UserID == last {
					cands[j].Load++
				}
			}
			total[last]++
			// Some agent resolves a ticket now and then.
			if j := r.IntN(len(cands)); r.IntN(3) == 0 && cands[j].Load > 0 {
				cands[j].Load--
			}
			lo, hi := 1<<30, 0
			for _, c := range cands {
				if c.Away {
					continue
				}
				lo, hi = min(lo, c.Load), max(hi, c.Load)
			}
			if hi-lo > 2 {
				t.Fatalf("step %d: loads drift apart: %v", i, cands)
			}
		}
		if total[20] != 0 {
			t.Fatal("away agent got tickets")
		}
		for _, id := range []int64{3, 5, 8, 9, 12, 21} {
			if total[id] < 1300 {
				t.Fatalf("agent %d got only %d: %v", id, total[id], total)
			}
		}
	})
	t.Run("language", func(t *testing.T) {
		if id := routing.Pick(routing.RoundRobin, agents, "zh", 0); id != 3 {
			// Agents with no languages set speak anything; 3 is first.
			t.Fatalf("zh: %d", id)
		}
		only := []routing.Candidate{{UserID: 1, Languages: []string{"en"}}, {UserID: 2, Languages: []string{"ja"}}}
		for i := 0; i < 5; i++ {
			if id := routing.Pick(routing.RoundRobin, only, "ja", int64(i%2+1)); id != 2 {
				t.Fatalf("ja speaker preferred, got %d", id)
			}
		}
		if id := routing.Pick(routing.RoundRobin, only, "zh", 2); id != 1 {
			t.Fatalf("nobody speaks zh: fall back to anyone, got %d", id)
		}
		if id := routing.Pick(routing.RoundRobin, []routing.Candidate{{UserID: 1, Away: true}}, "", 0); id != 0 {
			t.Fatal("everyone away: nobody")
		}
	})
}

func TestRouteAndTransfer(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		finance, _ := staff.CreateDepartment(ctx, d.W, "Finance", "")
		events, _ := staff.CreateDepartment(ctx, d.W, "Events", "")
		mk := func(email string, dept int64) staff.User {
			u, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: email, Name: email, Role: staff.Agent, DepartmentIDs: []int64{dept}})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		a1, a2, a3 := mk("a1@example.org", finance.ID), mk("a2@example.org", finance.ID), mk("a3@example.org", finance.ID)
		ev := mk("ev@example.org", events.ID)
		if err := routing.SetAgent(ctx, d.W, a3.ID, nil, true); err != nil {
			t.Fatal(err)
		}
		if _, err := routing.CreateRule(ctx, d.W, &routing.Rule{Name: "Receipts", Position: 1, Active: true, DepartmentID: finance.ID,
			Match: routing.Match{Keywords: []string{"領収書", "receipt", "收据"}}, SetCategory: "receipts"}); err != nil {
			t.Fatal(err)
		}
		if err := routing.SetCategoryOwner(ctx, d.W, "volunteering", events.ID); err != nil {
			t.Fatal(err)
		}
		rt := &routing.Router{DB: d}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{rt.Hook}}
		create := func(subject, body, category string) ticket.Ticket {
			tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: subject, Body: body, Category: category, Language: "ja"},
				Supporter: supporter.NewSupporter{Email: "s@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			tk, _ = ticket.Get(ctx, d.R, tk.ID)
			return tk
		}
		var got []int64
		for i := 0; i < 4; i++ {
			tk := create("寄付について", "領収書を再発行してください", "")
			if tk.DepartmentID == nil || *tk.DepartmentID != finance.ID || tk.Category != "receipts" || tk.AssigneeID == nil {
				t.Fatalf("receipt ticket: %+v", tk)
			}
			got = append(got, *tk.AssigneeID)
		}
		if got[0] != a1.ID || got[1] != a2.ID || got[2] != a1.ID || got[3] != a2.ID {
			t.Fatalf("round robin skipping the away agent: %v (a1 %d, a2 %d)", got, a1.ID, a2.ID)
		}
		vol := create("ボランティア", "参加したいです", "volunteering")
		if vol.DepartmentID == nil || *vol.DepartmentID != events.ID || vol.AssigneeID == nil || *vol.AssigneeID != ev.ID {
			t.Fatalf("category owner: %+v", vol)
		}
		other := create("こんにちは", "質問です", "")
		if other.DepartmentID != nil || other.AssigneeID != nil {
			t.Fatalf("unmatched ticket routed: %+v", other)
		}
		// Transfer with a note.
		if _, err := rt.Transfer(ctx, audit.Actor{Name: "agent"}, vol.ID, finance.ID, "", nil); err == nil {
			t.Fatal("transfer without a note")
		}
		moved, err := rt.Transfer(ctx, audit.Actor{Name: "agent"}, vol.ID, finance.ID, "寄付の件でした", nil)
		if err != nil {
			t.Fatal(err)
		}
		if *moved.DepartmentID != finance.ID || moved.AssigneeID == nil || *moved.AssigneeID != a1.ID {
			t.Fatalf("transferred: %+v", moved)
		}
		msgs, _ := ticket.Messages(ctx, d.R, vol.ID, true)
		if last := msgs[len(msgs)-1]; last.Direction != ticket.Note || last.BodyText != "→ Finance: 寄付の件でした" {
			t.Fatalf("note: %+v", last)
		}
	})
}

func TestSetDepartment(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		finance, _ := staff.CreateDepartment(ctx, d.W, "Finance", "")
		events, _ := staff.CreateDepartment(ctx, d.W, "Events", "")
		if err := routing.SetDepartment(ctx, d.W, finance.ID, routing.LeastLoad, []string{" receipts ", "gift aid", "", "receipts"}); err != nil {
			t.Fatal(err)
		}
		all, err := routing.Departments(ctx, d.R)
		if err != nil {
			t.Fatal(err)
		}
		if f := all[finance.ID]; f.Strategy != routing.LeastLoad || !slices.Equal(f.Categories, []string{"gift aid", "receipts"}) {
			t.Fatalf("finance: %+v", f)
		}
		if e := all[events.ID]; e.Strategy != routing.RoundRobin || len(e.Categories) != 0 {
			t.Fatalf("events (never set): %+v", e)
		}
		err = routing.SetDepartment(ctx, d.W, events.ID, routing.Manual, []string{"volunteering", "receipts"})
		var taken *routing.CategoryTaken
		if !errors.As(err, &taken) || taken.Category != "receipts" || taken.OwnerID != finance.ID || taken.OwnerName != "Finance" {
			t.Fatalf("taken category: %v", err)
		}
		if inv, ok := errs.AsInvalid(err); !ok || inv.Field != "categories" || inv.Code != "category_taken" {
			t.Fatalf("taken category is not a field error: %v", err)
		}
		all, _ = routing.Departments(ctx, d.R)
		if e := all[events.ID]; e.Strategy != routing.RoundRobin || len(e.Categories) != 0 {
			t.Fatalf("events changed by a refused save: %+v", e)
		}
		// Releasing a category lets another department take it.
		if err := routing.SetDepartment(ctx, d.W, finance.ID, routing.LeastLoad, []string{"gift aid"}); err != nil {
			t.Fatal(err)
		}
		if err := routing.SetDepartment(ctx, d.W, events.ID, routing.Manual, []string{"volunteering", "receipts"}); err != nil {
			t.Fatal(err)
		}
		if err := routing.SetDepartment(ctx, d.W, 999999, routing.Manual, nil); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("missing department: %v", err)
		}
		if err := routing.SetDepartment(ctx, d.W, events.ID, "fastest", nil); err == nil {
			t.Fatal("unknown strategy accepted")
		}
	})
}
