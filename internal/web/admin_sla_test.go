package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/sla"
)

func TestAdminSLAPage(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		c := f.login("admin@example.org")
		page := c.get("/admin/sla")
		if page.status != http.StatusOK {
			t.Fatalf("page: %d", page.status)
		}
		mustContain(t, page.body, "Business calendars", "24/7", "Organisation promise", "Routing rules")

		// A calendar with a split shift, a past-midnight shift and a holiday.
		res := c.post("/admin/sla/calendars", map[string][]string{"name": {"Tokyo office"}, "time_zone": {"Asia/Tokyo"},
			"hours": {"mon 09:00-12:00, 13:00-18:00\nfri 22:00-02:00"}, "holidays": {"2026-11-23 勤労感謝の日"}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create calendar: %d %s", res.status, res.body)
		}
		cals, _ := calendar.List(ctx, f.db.R)
		var tokyo *calendar.Calendar
		for _, x := range cals {
			if x.Name == "Tokyo office" {
				tokyo = x
			}
		}
		if tokyo == nil || tokyo.Hours["fri"][0] != "22:00-26:00" || len(tokyo.Holidays) != 1 {
			t.Fatalf("calendar: %+v", tokyo)
		}
		// A bad time zone comes back with the error at the field and the text kept.
		res = c.post("/admin/sla/calendars", map[string][]string{"name": {"Mars"}, "time_zone": {"Mars/Base"}, "hours": {"mon 09:00-17:00"}}, true)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad zone: %d", res.status)
		}
		mustContain(t, res.body, `value="Mars/Base"`, `class="field-error"`)

		// A complaint policy on the new calendar.
		res = c.post("/admin/sla/policies", map[string][]string{"name": {"Complaints"}, "position": {"10"}, "active": {"1"},
			"calendar_id": {formatID(tokyo.ID)}, "types": {"complaint"}, "first_response_minutes": {"240"}, "progress_update_minutes": {"960"},
			"warning_percent": {"80"}, "pause_statuses": {"pending"}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create policy: %d %s", res.status, res.body)
		}
		ps, _ := sla.Policies(ctx, f.db.R)
		if len(ps) != 2 || ps[0].Name != "Complaints" || *ps[0].ProgressUpdateMinutes != 960 || ps[0].Match.Types[0] != "complaint" {
			t.Fatalf("policies: %+v", ps[0])
		}
		res = c.post("/admin/sla/policies/"+formatID(ps[0].ID), map[string][]string{"name": {"Complaints"}, "position": {"10"},
			"calendar_id": {formatID(tokyo.ID)}, "first_response_minutes": {"abc"}, "warning_percent": {"80"}}, true)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad minutes: %d", res.status)
		}

		// A routing rule.
		res = c.post("/admin/sla/rules", map[string][]string{"name": {"Receipts"}, "position": {"1"}, "active": {"1"},
			"keywords": {"receipt, 領収書"}, "department_id": {formatID(f.dept.ID)}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create rule: %d %s", res.status, res.body)
		}
		rules, _ := routing.Rules(ctx, f.db.R)
		if len(rules) != 1 || len(rules[0].Match.Keywords) != 2 {
			t.Fatalf("rules: %+v", rules)
		}
		// Agents may not see the page.
		if res := f.login("agent@example.org").get("/admin/sla"); res.status != http.StatusForbidden && res.status != http.StatusNotFound {
			t.Fatalf("agent: %d", res.status)
		}
		c.post("/preferences/language", map[string][]string{"language": {"ja"}, "next": {"/admin/sla"}}, true)
		mustContain(t, c.get("/admin/sla").body, "営業カレンダー", "振り分けルール", "休日 1 日")
	})
}

func formatID(id int64) string { return fmt.Sprint(id) }
