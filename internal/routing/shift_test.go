package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Off-shift agents are skipped like away ones; when nobody is on shift the
// ticket waits unassigned.
func TestPickSkipsOffShift(t *testing.T) {
	cands := []routing.Candidate{{UserID: 1, OffShift: true}, {UserID: 2}, {UserID: 3, OffShift: true, Languages: []string{"ja"}}}
	for i := 0; i < 3; i++ {
		if id := routing.Pick(routing.RoundRobin, cands, "ja", int64(i)); id != 2 {
			t.Fatalf("round robin from %d: %d, want the one agent on shift", i, id)
		}
		if id := routing.Pick(routing.LeastLoad, cands, "", int64(i)); id != 2 {
			t.Fatalf("least load: %d", id)
		}
	}
	if id := routing.Pick(routing.RoundRobin, []routing.Candidate{{UserID: 1, OffShift: true}, {UserID: 2, Away: true}}, "", 0); id != 0 {
		t.Fatalf("nobody on shift: %d", id)
	}
}

// Working hours with a fixed clock, across daylight-saving changes: a New
// York early shift, a London night shift past midnight and a Tokyo evening
// shift (no DST), which never overlap. Each ticket goes to whoever is
// working at that instant, and to nobody (the department queue) when no one is.
func TestShiftsAcrossDST(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dept, _ := staff.CreateDepartment(ctx, d.W, "Supporter care", "")
		cal := func(name, tz string, hours map[string][]string) int64 {
			c, err := calendar.Create(ctx, d.W, calendar.Input{Name: name, TimeZone: tz, Hours: hours})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		every := func(iv ...string) map[string][]string {
			h := map[string][]string{}
			for _, k := range calendar.DayKeys {
				h[k] = iv
			}
			return h
		}
		ny := cal("New York days", "America/New_York", every("01:00-05:00"))
		london := cal("London nights", "Europe/London", every("22:00-02:00"))
		tokyo := cal("東京 夜勤", "Asia/Tokyo", every("19:00-21:00"))
		agent := func(email string, calID int64) int64 {
			u, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: email, Name: email, Role: staff.Agent, DepartmentIDs: []int64{dept.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if err := routing.SaveAgent(ctx, d.W, routing.Agent{UserID: u.ID, CalendarID: &calID}); err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		nyID, londonID, tokyoID := agent("ny@example.org", ny), agent("london@example.org", london), agent("tokyo@example.org", tokyo)
		if err := routing.SaveAgent(ctx, d.W, routing.Agent{UserID: nyID, CalendarID: new(int64(999))}); err == nil {
			t.Fatal("unknown calendar accepted")
		} else if inv, ok := errs.AsInvalid(err); !ok || inv.Field != "calendar_id" {
			t.Fatalf("unknown calendar: %v", err)
		}
		if err := routing.SetCategoryOwner(ctx, d.W, "gifts", dept.ID); err != nil {
			t.Fatal(err)
		}
		var now time.Time
		rt := &routing.Router{DB: d, Now: func() time.Time { return now }}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{rt.Hook}}
		at := func(tz, local string) time.Time {
			loc, _ := time.LoadLocation(tz)
			v, err := time.ParseInLocation("2006-01-02 15:04", local, loc)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		for _, c := range []struct {
			name string
			at   time.Time
			want int64 // 0: unassigned
		}{
			// 2026-03-08: New York springs forward at 02:00 → 03:00; that
			// night's 01:00–05:00 shift lasts three hours and still covers 04:30.
			{"NY spring-forward night, 04:30 EDT", at("America/New_York", "2026-03-08 04:30"), nyID},
			{"NY 05:30 EDT: shift over", at("America/New_York", "2026-03-08 05:30"), 0},
			{"NY 00:30 EST: before the shift", at("America/New_York", "2026-03-08 00:30"), 0},
			// 2026-03-29: London springs forward at 01:00 GMT → 02:00 BST; the
			// night shift from 22:00 GMT ends at 02:00 BST (three hours).
			{"London spring-forward night, 00:30 GMT", time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), londonID},
			{"London 02:30 BST: shift over", at("Europe/London", "2026-03-29 02:30"), 0},
			// 2026-10-25: London falls back at 02:00 BST → 01:00 GMT; 01:30
			// happens twice and both are inside the shift (five hours that night).
			{"London fall-back night, first 01:30 (BST)", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), londonID},
			{"London fall-back night, second 01:30 (GMT)", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), londonID},
			{"London 02:30 GMT: shift over", time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), 0},
			// 2026-11-01: New York falls back; the shift runs 01:00 EDT to 05:00 EST.
			{"NY fall-back, first 01:30 (EDT)", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), nyID},
			{"NY fall-back, 04:30 EST", at("America/New_York", "2026-11-01 04:30"), nyID},
			{"Tokyo 19:30 JST", at("Asia/Tokyo", "2026-03-09 19:30"), tokyoID},
			{"Tokyo 21:30 JST: nobody", at("Asia/Tokyo", "2026-03-09 21:30"), 0},
		} {
			now = c.at
			tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: c.name, Body: "寄付について", Category: "gifts", Language: "ja"},
				Supporter: supporter.NewSupporter{Email: "s@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			tk, _ = ticket.Get(ctx, d.R, tk.ID)
			if tk.DepartmentID == nil || *tk.DepartmentID != dept.ID {
				t.Fatalf("%s: not in the department queue: %+v", c.name, tk)
			}
			got := int64(0)
			if tk.AssigneeID != nil {
				got = *tk.AssigneeID
			}
			if got != c.want {
				t.Errorf("%s (%s UTC): assigned to %d, want %d (ny %d, london %d, tokyo %d)", c.name, c.at.UTC().Format(time.DateTime), got, c.want, nyID, londonID, tokyoID)
			}
		}
		// Away wins over working hours; clearing the hours means always on shift.
		if err := routing.SetAway(ctx, d.W, tokyoID, true); err != nil {
			t.Fatal(err)
		}
		a, _ := routing.GetAgent(ctx, d.R, tokyoID)
		if !a.Away || a.CalendarID == nil || *a.CalendarID != tokyo {
			t.Fatalf("SetAway kept the working hours: %+v", a)
		}
		if err := routing.SaveAgent(ctx, d.W, routing.Agent{UserID: nyID}); err != nil {
			t.Fatal(err)
		}
		now = at("Asia/Tokyo", "2026-03-09 19:30")
		tk, _ := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "x", Body: "y", Category: "gifts"}, Supporter: supporter.NewSupporter{Email: "s@example.org"}})
		if tk, _ = ticket.Get(ctx, d.R, tk.ID); tk.AssigneeID == nil || *tk.AssigneeID != nyID {
			t.Fatalf("Tokyo agent away, NY agent without hours: %+v", tk.AssigneeID)
		}
	})
}

// Routing rules can match the supporter's segments.
func TestRuleMatchesSegments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		major, _ := staff.CreateDepartment(ctx, d.W, "Major gifts", "")
		if _, err := routing.CreateRule(ctx, d.W, &routing.Rule{Name: "x", Active: true, DepartmentID: major.ID, Match: routing.Match{Segments: []string{"gold"}}}); err == nil {
			t.Fatal("unknown segment accepted")
		} else if inv, ok := errs.AsInvalid(err); !ok || inv.Field != "match.segments" {
			t.Fatalf("unknown segment: %v", err)
		}
		if _, err := routing.CreateRule(ctx, d.W, &routing.Rule{Name: "大口", Position: 1, Active: true, DepartmentID: major.ID,
			Match: routing.Match{Segments: []string{segment.Major, segment.Monthly}}}); err != nil {
			t.Fatal(err)
		}
		rt := &routing.Router{DB: d}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{rt.Hook}}
		big, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "王 芳", Email: "wang@example.cn"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := giving.Add(ctx, d.W, giving.NewDonation{SupporterID: big.ID, AmountMinor: 10_000_00, Currency: "CNY", DonatedAt: time.Now().AddDate(0, -1, 0)}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			email string
			want  bool
		}{{"wang@example.cn", true}, {"new@example.cn", false}} {
			tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: "收据", Body: "请寄收据", Language: "zh"}, Supporter: supporter.NewSupporter{Email: c.email}})
			if err != nil {
				t.Fatal(err)
			}
			tk, _ = ticket.Get(ctx, d.R, tk.ID)
			if got := tk.DepartmentID != nil && *tk.DepartmentID == major.ID; got != c.want {
				t.Fatalf("%s: routed to major gifts %v, want %v", c.email, got, c.want)
			}
		}
	})
}
