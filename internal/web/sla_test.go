package web

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/tone"
)

func TestSLABadgesAndDueSoonest(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		svc := &sla.Service{DB: f.db}
		f.tickets.Hooks = append(f.tickets.Hooks, svc.Hook)
		late := f.createTicket("Overdue one", "Body", "late@example.org", "Late Person", "en")
		fresh := f.createTicket("Fresh one", "Body", "fresh@example.org", "Fresh Person", "en")
		// Age the first ticket by 24h15m and recompute: it is 15 minutes overdue.
		if _, err := f.db.W.Exec("UPDATE tickets SET created_at = created_at - $1 WHERE id = $2", (24*time.Hour + 15*time.Minute).Milliseconds(), late.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{late.ID, fresh.ID} {
			if err := f.db.Tx(ctx, func(tx *sql.Tx) error { return svc.Evaluate(ctx, tx, id) }); err != nil {
				t.Fatal(err)
			}
		}
		c := f.login("agent@example.org")
		page := c.get("/inbox?view=open&sort=due")
		mustContain(t, page.body, `class="sla sla-breached"`, "Overdue 15m", `class="sla sla-ok"`, "23h left", `<option value="due" selected>`)
		if i, j := strings.Index(page.body, "Overdue one"), strings.Index(page.body, "Fresh one"); i < 0 || j < 0 || i > j {
			t.Fatalf("due soonest puts the overdue ticket first (%d, %d)", i, j)
		}
		c.post("/preferences/language", map[string][]string{"language": {"ja"}, "next": {"/inbox"}}, true)
		page = c.get(fmt.Sprintf("/tickets/%d?view=open", late.ID))
		mustContain(t, page.body, "対応期限（SLA）", "初回返信", "15分超過", "残り23時間")
		c.post("/preferences/language", map[string][]string{"language": {"zh"}, "next": {"/inbox"}}, true)
		page = c.get(fmt.Sprintf("/tickets/%d?view=open", late.ID))
		mustContain(t, page.body, "已超时15分钟", "剩余23小时")

		// Pending investigation with a promised date: holding reply in the
		// supporter's language, status changed, the date shown.
		c.post("/preferences/language", map[string][]string{"language": {"en"}, "next": {"/inbox"}}, true)
		day := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
		res := c.post(fmt.Sprintf("/tickets/%d/followup", f.ticket.ID), map[string][]string{"followup_date": {day}}, true)
		if res.status != 303 {
			t.Fatalf("followup: %d %s", res.status, res.body)
		}
		page = c.get(fmt.Sprintf("/tickets/%d", f.ticket.ID))
		mustContain(t, page.body, "までに改めてご連絡いたします", "Follow-up promised by", "status-pending-investigation")
		res = c.post(fmt.Sprintf("/tickets/%d/followup", f.ticket.ID), map[string][]string{"followup_date": {"2001-01-01"}}, true)
		if res.status != 422 || !strings.Contains(res.body, `id="followup_at-error"`) {
			t.Fatalf("past date: %d", res.status)
		}
	})
}

func TestToneReminder(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f.tickets.Hooks = append(f.tickets.Hooks, tone.Hook)
		angry := f.createTicket("Receipt", "This is unacceptable, I am still waiting!!", "angry@example.org", "Angry Person", "en")
		c := f.login("agent@example.org")
		mustContain(t, c.get(fmt.Sprintf("/tickets/%d", angry.ID)).body, `id="tone-reminder"`, "sounds frustrated")
		mustNotContain(t, c.get(fmt.Sprintf("/tickets/%d", f.ticket.ID)).body, `id="tone-reminder"`)
	})
}
