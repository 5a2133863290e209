package sla_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// clock is a controllable clock for the SLA service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func ptr[T any](v T) *T              { return &v }
func minutes(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

type desk struct {
	d       *db.DB
	sla     *sla.Service
	tickets *ticket.Service
	clock   *clock
	agent   staff.User
	super   staff.User
	admin   staff.User
	dept    staff.Department
}

func newDesk(t *testing.T, d *db.DB) *desk {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := &sla.Service{DB: d, Now: c.Now}
	k := &desk{d: d, sla: s, clock: c, tickets: &ticket.Service{DB: d, Hooks: []ticket.Hook{s.Hook}}}
	var err error
	if k.dept, err = staff.CreateDepartment(ctx, d.W, "Donor care", ""); err != nil {
		t.Fatal(err)
	}
	mk := func(email string, role staff.Role, depts ...int64) staff.User {
		u, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: email, Name: email, Role: role, DepartmentIDs: depts})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	k.agent = mk("agent@example.org", staff.Agent, k.dept.ID)
	k.super = mk("super@example.org", staff.Supervisor, k.dept.ID)
	mk("other-super@example.org", staff.Supervisor)
	k.admin = mk("admin@example.org", staff.Admin)
	return k
}

func (k *desk) create(t *testing.T, typ string) ticket.Ticket {
	t.Helper()
	tk, err := k.tickets.Create(context.Background(), audit.Actor{Name: "test"}, ticket.CreateInput{
		NewTicket: ticket.NewTicket{Subject: "領収書", Body: "まだ届いていません", Channel: "email", Type: typ, Language: "ja",
			DepartmentID: &k.dept.ID, AssigneeID: &k.agent.ID},
		Supporter: supporter.NewSupporter{Email: "hanako@example.jp", Name: "佐藤 花子"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (k *desk) status(t *testing.T, id int64) sla.Status {
	t.Helper()
	st, err := k.sla.For(context.Background(), k.d.R, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (k *desk) setStatus(t *testing.T, id int64, s ticket.Status) {
	t.Helper()
	if _, _, err := k.tickets.Update(context.Background(), audit.Actor{Name: "test"}, id, ticket.Patch{Status: &s}); err != nil {
		t.Fatal(err)
	}
}

func (k *desk) reply(t *testing.T, id int64) {
	t.Helper()
	if _, err := k.tickets.Reply(context.Background(), audit.Actor{UserID: k.agent.ID, Name: "agent"}, ticket.ReplyInput{TicketID: id, Body: "確認します"}); err != nil {
		t.Fatal(err)
	}
}

func (k *desk) policy(t *testing.T, p sla.Policy) *sla.Policy {
	t.Helper()
	if p.CalendarID == 0 {
		p.CalendarID = calendar.DefaultID
	}
	p.Active = true
	out, err := sla.CreatePolicy(context.Background(), k.d.W, &p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func near(a, b time.Time) bool { d := a.Sub(b); return d < 2*time.Second && d > -2*time.Second }

func TestDefaultPolicyIsTheOrganisationsPromise(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		tk := k.create(t, "inquiry")
		st := k.status(t, tk.ID)
		fr, ok := st[sla.FirstResponse]
		if !ok || len(st) != 1 || fr.State != sla.StateOK || !near(*fr.DueAt, tk.CreatedAt.Add(24*time.Hour)) {
			t.Fatalf("status %+v", st)
		}
		var due int64
		d.R.QueryRow("SELECT sla_due_at FROM tickets WHERE id = $1", tk.ID).Scan(&due)
		if due != fr.DueAt.UnixMilli() {
			t.Fatalf("tickets.sla_due_at = %d, want %d", due, fr.DueAt.UnixMilli())
		}
		k.clock.Add(19 * time.Hour)
		if s := k.status(t, tk.ID)[sla.FirstResponse].State; s != sla.StateWarning {
			t.Fatalf("at 19h: %s", s)
		}
		k.clock.Add(6 * time.Hour)
		if s := k.status(t, tk.ID)[sla.FirstResponse].State; s != sla.StateBreached {
			t.Fatalf("at 25h: %s", s)
		}
		k.reply(t, tk.ID)
		if s := k.status(t, tk.ID)[sla.FirstResponse]; s.State != sla.StateMet || s.DueAt == nil {
			t.Fatalf("after reply: %+v", s)
		}
		d.R.QueryRow("SELECT COALESCE(sla_due_at, 0) FROM tickets WHERE id = $1", tk.ID).Scan(&due)
		if due != 0 {
			t.Fatal("a met target still orders the inbox")
		}
		// The promise follows the organisation's setting.
		if _, err := d.W.Exec("UPDATE organisation SET first_reply_minutes = 120 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		tk2 := k.create(t, "inquiry")
		if fr := k.status(t, tk2.ID)[sla.FirstResponse]; !near(*fr.DueAt, tk2.CreatedAt.Add(2*time.Hour)) {
			t.Fatalf("2h promise: %+v", fr)
		}
	})
}

func TestPauseAndResume(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		k.policy(t, sla.Policy{Name: "Complaints", Position: 1, Match: sla.Match{Types: []string{"complaint"}},
			FirstResponseMinutes: ptr(60), ResolutionMinutes: ptr(8 * 60), NextResponseMinutes: ptr(120), ProgressUpdateMinutes: ptr(4 * 60),
			PauseStatuses: []string{"pending"}})
		tk := k.create(t, "complaint")
		st := k.status(t, tk.ID)
		if len(st) != 3 || st[sla.Resolution].State != sla.StateOK || st[sla.ProgressUpdate].State != sla.StateOK {
			t.Fatalf("complaint targets: %+v", st)
		}
		k.clock.Add(2 * time.Hour)
		k.setStatus(t, tk.ID, ticket.StatusPending)
		st = k.status(t, tk.ID)
		res := st[sla.Resolution]
		if res.State != sla.StatePaused || res.DueAt != nil || res.RemainingSeconds == nil || *res.RemainingSeconds < 6*3600-5 || *res.RemainingSeconds > 6*3600 {
			t.Fatalf("paused: %+v", res)
		}
		k.clock.Add(3 * time.Hour)
		k.setStatus(t, tk.ID, ticket.StatusOpen)
		res = k.status(t, tk.ID)[sla.Resolution]
		if res.State != sla.StateOK || !near(*res.DueAt, tk.CreatedAt.Add(11*time.Hour)) {
			t.Fatalf("resumed: %+v, want due %s", res, tk.CreatedAt.Add(11*time.Hour))
		}
		// A reply meets the first response and restarts the progress-update cycle.
		k.reply(t, tk.ID)
		st = k.status(t, tk.ID)
		if st[sla.FirstResponse].State != sla.StateMet {
			t.Fatalf("late first response: %+v", st[sla.FirstResponse])
		}
		if _, ok := st[sla.NextResponse]; ok {
			t.Fatal("next response before the supporter wrote again")
		}
		// Resolving meets resolution and stops progress updates.
		k.setStatus(t, tk.ID, ticket.StatusResolved)
		st = k.status(t, tk.ID)
		if st[sla.Resolution].State != sla.StateMet || st[sla.ProgressUpdate].State != sla.StateMet {
			t.Fatalf("resolved: %+v", st)
		}
		// Reopened: resolution runs again without counting the time spent
		// resolved (ticket times are real, the SLA clock is the test's).
		resolved, err := ticket.Get(context.Background(), d.R, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		k.clock.Add(time.Hour)
		k.setStatus(t, tk.ID, ticket.StatusOpen)
		want := tk.CreatedAt.Add(11 * time.Hour).Add(k.clock.Now().Sub(*resolved.ResolvedAt))
		if res := k.status(t, tk.ID)[sla.Resolution]; res.State != sla.StateOK || !near(*res.DueAt, want) {
			t.Fatalf("reopened: %+v, want due %s", res, want)
		}
	})
}

func TestEscalationChain(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		k.policy(t, sla.Policy{Name: "Urgent", Position: 1, FirstResponseMinutes: ptr(60), WarningPercent: 50})
		tk := k.create(t, "inquiry")
		var version int64
		d.R.QueryRow("SELECT version FROM ticket_sla WHERE ticket_id = $1 AND target = 'first_response'", tk.ID).Scan(&version)
		fire := func(ev string, step int) time.Duration {
			t.Helper()
			wait, err := k.sla.Fire(ctx, sla.TimerArgs{TicketID: tk.ID, Target: sla.FirstResponse, Version: version, Event: ev, Step: step})
			if err != nil {
				t.Fatal(err)
			}
			return wait
		}
		notified := func() map[int64][]string {
			rows, err := d.R.Query("SELECT user_id, kind FROM sla_notifications WHERE ticket_id = $1 ORDER BY id", tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[int64][]string{}
			for rows.Next() {
				var u int64
				var kind string
				rows.Scan(&u, &kind)
				out[u] = append(out[u], kind)
			}
			return out
		}
		k.clock.Set(tk.CreatedAt.Add(10 * time.Minute))
		if wait := fire(sla.EventWarning, 0); wait < 19*time.Minute || wait > 21*time.Minute {
			t.Fatalf("early warning should wait ~20m, got %s", wait)
		}
		if len(notified()) != 0 {
			t.Fatal("notified early")
		}
		k.clock.Set(tk.CreatedAt.Add(31 * time.Minute))
		fire(sla.EventWarning, 0)
		fire(sla.EventWarning, 0) // a second copy of the job changes nothing
		if n := notified(); len(n) != 1 || len(n[k.agent.ID]) != 1 || n[k.agent.ID][0] != "warning" {
			t.Fatalf("warning: %v", n)
		}
		if s := k.status(t, tk.ID)[sla.FirstResponse].State; s != sla.StateWarning {
			t.Fatalf("state %s", s)
		}
		k.clock.Set(tk.CreatedAt.Add(61 * time.Minute))
		fire(sla.EventBreach, 0)
		fire(sla.EventBreach, 0)
		if n := notified(); len(n[k.agent.ID]) != 2 || len(n) != 1 {
			t.Fatalf("breach step 0 tells the assignee once: %v", n)
		}
		if wait := fire(sla.EventEscalate, 1); wait < 59*time.Minute {
			t.Fatalf("step 1 is an hour after the breach, wait %s", wait)
		}
		k.clock.Set(tk.CreatedAt.Add(122 * time.Minute))
		fire(sla.EventEscalate, 1)
		fire(sla.EventEscalate, 1)
		if n := notified(); len(n[k.super.ID]) != 1 || len(n) != 2 {
			t.Fatalf("step 1 tells the department's supervisor (not the other one): %v", n)
		}
		k.clock.Set(tk.CreatedAt.Add(302 * time.Minute))
		fire(sla.EventEscalate, 2)
		if n := notified(); len(n[k.admin.ID]) != 1 || len(n) != 3 {
			t.Fatalf("step 2 tells leadership: %v", n)
		}
		entries, _ := audit.ListFor(ctx, d.R, "ticket", tk.ID)
		var actions []string
		for _, e := range entries {
			if e.Actor == "sla" {
				actions = append(actions, e.Action)
			}
		}
		if len(actions) != 5 || actions[0] != "sla.warning" || actions[1] != "sla.breach" || actions[2] != "sla.escalate" || actions[4] != "sla.escalate" {
			t.Fatalf("audit: %v", actions)
		}
		// Once the ticket changes, old timers are stale.
		k.reply(t, tk.ID)
		fire(sla.EventEscalate, 2)
		if n := notified(); len(n[k.admin.ID]) != 1 {
			t.Fatal("stale timer fired")
		}
	})
}

func TestCalendarChangeRecalculates(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		hours := map[string][]string{}
		for _, day := range calendar.DayKeys {
			hours[day] = []string{"00:00-24:00"}
		}
		cal, err := calendar.Create(ctx, d.W, calendar.Input{Name: "Office", TimeZone: "Asia/Tokyo", Hours: hours})
		if err != nil {
			t.Fatal(err)
		}
		k.policy(t, sla.Policy{Name: "On office hours", Position: 1, CalendarID: cal.ID, ResolutionMinutes: ptr(48 * 60)})
		tk := k.create(t, "inquiry")
		if res := k.status(t, tk.ID)[sla.Resolution]; !near(*res.DueAt, tk.CreatedAt.Add(48*time.Hour)) {
			t.Fatalf("before: %+v", res)
		}
		// The next two days become holidays: the deadline moves by two days.
		in := cal.Input()
		loc := cal.Location()
		for i := 0; i < 2; i++ {
			day := k.clock.Now().In(loc).AddDate(0, 0, i+1).Format("2006-01-02")
			in.Holidays = append(in.Holidays, calendar.Holiday{Date: day, Name: "closed"})
		}
		if _, err := calendar.Update(ctx, d.W, cal.ID, in); err != nil {
			t.Fatal(err)
		}
		n, err := k.sla.RecalculateCalendar(ctx, cal.ID)
		if err != nil || n != 1 {
			t.Fatalf("recalculated %d: %v", n, err)
		}
		if res := k.status(t, tk.ID)[sla.Resolution]; !near(*res.DueAt, tk.CreatedAt.Add(96*time.Hour)) {
			t.Fatalf("after: %s, want %s", res.DueAt, tk.CreatedAt.Add(96*time.Hour))
		}
		// The minute bucket holding the new due time fires the breach, once.
		due := k.status(t, tk.ID)[sla.Resolution].DueAt.UnixMilli()
		until := (due + 59_999) / 60_000 * 60_000
		k.clock.Set(time.UnixMilli(until))
		for i := 0; i < 2; i++ {
			if err := k.sla.FireBucket(ctx, sla.BucketArgs{Event: sla.EventBreach, Until: until}); err != nil {
				t.Fatal(err)
			}
		}
		var breaches int
		d.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'sla.breach' AND object_id = $1", tk.ID).Scan(&breaches)
		if breaches != 1 || k.status(t, tk.ID)[sla.Resolution].State != sla.StateBreached {
			t.Fatalf("bucket fired %d breaches", breaches)
		}
	})
}
