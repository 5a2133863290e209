package automation_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// clock is a fake clock tests move by hand.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time      { return c.t }
func (c *clock) Add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{time.Now()} }
func saveRule(t *testing.T, d *db.DB, r automation.Rule) *automation.Rule {
	t.Helper()
	r.Active = true
	out, err := automation.SaveRule(context.Background(), d.W, &r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newTicket(t *testing.T, svc *ticket.Service, email string, st ticket.Status) ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
		NewTicket: ticket.NewTicket{Subject: "寄付の領収書", Body: "領収書を再発行してください。", Channel: "email"},
		Supporter: supporter.NewSupporter{Email: email}})
	if err != nil {
		t.Fatal(err)
	}
	if st != ticket.StatusNew {
		if tk, _, err = svc.Update(ctx, audit.Actor{Name: "test"}, tk.ID, ticket.Patch{Status: &st}); err != nil {
			t.Fatal(err)
		}
	}
	return tk
}

func countRows(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// "Pending for 3 days → remind", "resolved 7 days ago → close": each fires
// once per ticket per episode, across runs and restarts; a new status is a
// new episode.
func TestTimeRulesOncePerEpisode(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock()
		after := 0
		en := &automation.Engine{DB: d, Now: clk.Now, After: []ticket.Hook{func(context.Context, *sql.Tx, live.Event) error { after++; return nil }}}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{en.Hook}}
		remind := saveRule(t, d, automation.Rule{Name: "Pending 3 days", Position: 1, Event: automation.Time,
			Conditions: []automation.Condition{{Field: "hours_since_status_change", Op: "gte", Value: "72"}, {Field: "status", Op: "eq", Value: "pending"}},
			Actions:    []automation.Action{{Type: "add_tag", Value: "reminded"}, {Type: "add_note", Value: "3 日間お返事がありません。"}}})
		saveRule(t, d, automation.Rule{Name: "Close resolved after 7 days", Position: 2, Event: automation.Time,
			Conditions: []automation.Condition{{Field: "status", Op: "eq", Value: "resolved"}, {Field: "hours_since_status_change", Op: "gte", Value: "168"}},
			Actions:    []automation.Action{{Type: "set_status", Value: "closed"}}})
		pending := newTicket(t, svc, "p@example.org", ticket.StatusPending)
		resolved := newTicket(t, svc, "r@example.org", ticket.StatusResolved)
		open := newTicket(t, svc, "o@example.org", ticket.StatusOpen)

		run := func(e *automation.Engine, want int) {
			t.Helper()
			n, err := e.RunTimeRules(ctx)
			if err != nil || n != want {
				t.Fatalf("run at +%s: %d fired, want %d (%v)", clk.t.Sub(time.Now()).Round(time.Hour), n, want, err)
			}
		}
		run(en, 0)
		clk.Add(71 * time.Hour)
		run(en, 0)
		clk.Add(90 * time.Minute) // 72.5 hours
		run(en, 1)
		run(en, 0)
		run(&automation.Engine{DB: d, Now: clk.Now}, 0) // a restart: a new engine, the same records
		got, _ := ticket.Get(ctx, d.R, pending.ID)
		if !slices.Contains(got.Tags, "reminded") || got.MessageCount != 2 || got.Status != ticket.StatusPending {
			t.Fatalf("reminded ticket: %+v", got)
		}
		if after != 1 {
			t.Fatalf("derived hooks ran %d times, want 1", after)
		}
		clk.Add(96 * time.Hour) // 168.5 hours: the resolved ticket closes
		run(en, 1)
		if got, _ := ticket.Get(ctx, d.R, resolved.ID); got.Status != ticket.StatusClosed {
			t.Fatalf("resolved ticket: %s", got.Status)
		}
		if got, _ := ticket.Get(ctx, d.R, open.ID); got.Status != ticket.StatusOpen || len(got.Tags) != 0 {
			t.Fatalf("open ticket touched: %+v", got)
		}
		// The supporter writes (open), staff set it pending again: a new
		// episode, which fires once more when its three days have passed.
		st := ticket.StatusOpen
		svc.Update(ctx, audit.Actor{Name: "test"}, pending.ID, ticket.Patch{Status: &st})
		st = ticket.StatusPending
		svc.Update(ctx, audit.Actor{Name: "test"}, pending.ID, ticket.Patch{Status: &st})
		run(en, 1)
		run(en, 0)
		if n := countRows(t, d, "SELECT COUNT(*) FROM automation_firings WHERE rule_id = $1 AND ticket_id = $2", remind.ID, pending.ID); n != 2 {
			t.Fatalf("%d firings for two episodes", n)
		}
		// Editing the rule restarts its reading; nothing fires twice.
		remind.Name = "Pending three days"
		if _, err := automation.SaveRule(ctx, d.W, remind); err != nil {
			t.Fatal(err)
		}
		run(en, 0)
		if n := countRows(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'automation.rule' AND detail LIKE '%\"event\":\"time\"%'"); n != 3 {
			t.Fatalf("%d audited time firings, want 3", n)
		}
		fs, err := automation.Firings(ctx, d.R, pending.ID)
		if err != nil || len(fs) != 2 || fs[0].Error != "" {
			t.Fatalf("firings: %+v %v", fs, err)
		}
	})
}

// Supporter conditions are read only for rules that name them, and see the
// supporter's language, tags, segments, tenure and giving.
func TestSupporterConditions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		en := &automation.Engine{DB: d}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{en.Hook}}
		rule := func(name, tag string, cs ...automation.Condition) {
			saveRule(t, d, automation.Rule{Name: name, Event: automation.TicketCreated, Conditions: cs,
				Actions: []automation.Action{{Type: "add_tag", Value: tag}}})
		}
		rule("Major donors", "major", automation.Condition{Field: "supporter.segments", Op: "eq", Value: "major"})
		rule("Japanese speakers", "ja", automation.Condition{Field: "supporter.language", Op: "eq", Value: "ja"})
		rule("Ten-year supporters", "loyal", automation.Condition{Field: "supporter.since_days", Op: "gte", Value: "3650"})
		rule("Gave 50,000 yen", "generous", automation.Condition{Field: "supporter.giving_currency", Op: "eq", Value: "JPY"},
			automation.Condition{Field: "supporter.giving_total", Op: "gte", Value: "50000"})
		rule("Volunteers", "volunteer", automation.Condition{Field: "supporter.tags", Op: "eq", Value: "ボランティア"})

		s, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "山田 花子", Email: "hanako@example.jp", Language: "ja",
			SupporterSince: time.Now().AddDate(-12, 0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		for _, amount := range []int64{80_000, 40_000} {
			if _, _, err := giving.Add(ctx, d.W, giving.NewDonation{SupporterID: s.ID, AmountMinor: amount, Currency: "JPY",
				DonatedAt: time.Now().AddDate(0, -2, 0), Source: "manual"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := supporter.AddTag(ctx, d.W, s.ID, "ボランティア"); err != nil {
			t.Fatal(err)
		}
		tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{NewTicket: ticket.NewTicket{
			Subject: "ご相談", Body: "よろしくお願いします。", SupporterID: s.ID}})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(tk.Tags)
		if want := []string{"generous", "ja", "loyal", "major", "volunteer"}; !slices.Equal(tk.Tags, want) {
			t.Fatalf("tags %v, want %v", tk.Tags, want)
		}
		other := newTicket(t, svc, "new@example.org", ticket.StatusNew)
		if len(other.Tags) != 0 {
			t.Fatalf("a new supporter matched: %v", other.Tags)
		}
		// Dry run with supporter conditions.
		ts, _, err := automation.DryRun(ctx, d.R, &automation.Rule{Event: automation.TicketCreated,
			Conditions: []automation.Condition{{Field: "supporter.segments", Op: "eq", Value: "major"}}}, 10)
		if err != nil || len(ts) != 1 || ts[0].ID != tk.ID {
			t.Fatalf("dry run: %v %v", ts, err)
		}
	})
}
