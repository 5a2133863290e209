package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
)

// Heartbeats from one agent show as chips to another, in their language;
// leaving removes them; bad states are refused.
func TestPresenceChips(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if _, err := staff.CreateUser(ctx, f.db.W, staff.NewUser{Email: "yamada@example.org", Name: "山田 太郎", Role: staff.Agent,
			PasswordHash: testHash(), Language: "ja"}); err != nil {
			t.Fatal(err)
		}
		aiko, yamada := f.login("agent@example.org"), f.login("yamada@example.org")
		path := "/tickets/" + formatID(f.ticket.ID) + "/presence"
		beat := func(c *client, state string) response {
			t.Helper()
			tab := "aiko-tab"
			if c == yamada {
				tab = "yamada-tab"
			}
			return c.post(path, url.Values{"state": {state}, "tab": {tab}}, true, "X-Requested-With", "fetch")
		}
		if res := beat(aiko, "dancing"); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad state: %d", res.status)
		}
		if res := beat(aiko, "viewing"); res.status != http.StatusOK || strings.Contains(res.body, "Aiko Agent") {
			t.Fatalf("own heartbeat: %d, own name shown: %s", res.status, res.body)
		}
		if res := beat(yamada, live.Replying); res.status != http.StatusOK {
			t.Fatalf("yamada: %d", res.status)
		} else {
			mustContain(t, res.body, "Aiko Agentさんが閲覧中")
		}
		mustContain(t, aiko.get(path).body, `presence-replying`, "山田 太郎 is replying")
		mustContain(t, aiko.get("/tickets/"+formatID(f.ticket.ID)).body, `id="presence"`, "山田 太郎 is replying")
		if res := beat(yamada, live.Left); res.status != http.StatusNoContent {
			t.Fatalf("left: %d", res.status)
		}
		mustNotContain(t, aiko.get(path).body, "山田")
		// A heartbeat travels through the broker: a subscriber (another node's
		// table) hears it.
		other := live.NewPresence()
		other.Follow(ctx, f.broker)
		beat(yamada, live.Noting)
		deadline := time.Now().Add(2 * time.Second)
		for len(other.Of(f.ticket.ID)) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if v := other.Of(f.ticket.ID); len(v) != 1 || v[0].State != live.Noting || v[0].Name != "山田 太郎" {
			t.Fatalf("broker subscriber: %+v", v)
		}
		mustContain(t, aiko.get(path).body, "山田 太郎 is writing an internal note")
	})
}

// Agents mark themselves away and back from the header; admins edit an
// agent's languages, away status and working hours.
func TestAwayAndAgentRouting(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		agent := f.login("agent@example.org")
		mustContain(t, agent.get("/inbox").body, `action="/preferences/away"`, "Set me away")
		if res := agent.post("/preferences/away", url.Values{"away": {"1"}, "next": {"/inbox"}}, true); res.status != http.StatusSeeOther {
			t.Fatalf("away: %d", res.status)
		}
		if a, _ := routing.GetAgent(ctx, f.db.R, f.agent.ID); !a.Away {
			t.Fatal("not away")
		}
		mustContain(t, agent.get("/inbox").body, `class="away-badge"`, "I&#39;m back")

		admin := f.login("admin@example.org")
		form := url.Values{"name": {"Aiko Agent"}, "role": {"agent"}, "active": {"1"}, "department_ids": {formatID(f.dept.ID)},
			"languages": {"ja, zh"}, "calendar_id": {"1"}}
		if res := admin.post("/admin/users/"+formatID(f.agent.ID), form, true); res.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.status, res.body)
		}
		a, _ := routing.GetAgent(ctx, f.db.R, f.agent.ID)
		if a.Away || strings.Join(a.Languages, ",") != "ja,zh" || a.CalendarID == nil || *a.CalendarID != 1 {
			t.Fatalf("agent routing: %+v", a)
		}
		page := admin.get("/admin/users/" + formatID(f.agent.ID)).body
		mustContain(t, page, `value="ja, zh"`, `<option value="1" selected>24/7`)
		form.Set("calendar_id", "999")
		if res := admin.post("/admin/users/"+formatID(f.agent.ID), form, true); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown calendar: %d", res.status)
		}
		admin.post("/preferences/language", url.Values{"language": {"zh"}}, true)
		mustContain(t, admin.get("/admin/users").body, "可用状态", "24/7")
	})
}

// Admins edit the holding reply and slip notice per language; a bad
// placeholder comes back at its field with the text kept.
func TestAdminTemplates(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.login("admin@example.org")
		mustContain(t, admin.get("/admin/sla").body, `id="templates"`, "までにご連絡するとお約束しておりましたが", "我们曾承诺在{date}前")
		form := url.Values{"body_en": {""}, "body_ja": {"{salutation}\n\n{date}までのお約束を守れず申し訳ございません。"}, "body_zh": {"{salutation}\n\n{deadline}"}}
		res := admin.post("/admin/sla/templates/slip_notice", form, true)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad placeholder: %d", res.status)
		}
		mustContain(t, res.body, "{deadline}", `class="field-error"`)
		form.Set("body_zh", "{salutation}\n\n很抱歉，未能在{date}前回复您。")
		if res := admin.post("/admin/sla/templates/slip_notice", form, true); res.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.status, res.body)
		}
		if b, _ := sla.GetTemplate(ctx, f.db.R, sla.TemplateSlip, "zh"); b != "{salutation}\n\n很抱歉，未能在{date}前回复您。" {
			t.Fatalf("zh: %q", b)
		}
		if b, _ := sla.GetTemplate(ctx, f.db.R, sla.TemplateSlip, "en"); b != sla.DefaultTemplate(sla.TemplateSlip, "en") {
			t.Fatalf("en stays the default: %q", b)
		}
		if res := admin.post("/admin/sla/templates/nonsense", form, true); res.status != http.StatusNotFound {
			t.Fatalf("unknown template: %d", res.status)
		}
		// Segments in the policy and rule forms.
		res = admin.post("/admin/sla/rules", url.Values{"name": {"大口寄付者"}, "position": {"1"}, "active": {"1"}, "segments": {"major", "monthly"},
			"department_id": {formatID(f.dept.ID)}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("rule with segments: %d %s", res.status, res.body)
		}
		rules, _ := routing.Rules(ctx, f.db.R)
		if len(rules) != 1 || strings.Join(rules[0].Match.Segments, ",") != "major,monthly" {
			t.Fatalf("rule segments: %+v", rules)
		}
		res = admin.post("/admin/sla/policies", url.Values{"name": {"Major donors"}, "position": {"5"}, "active": {"1"}, "calendar_id": {"1"},
			"segments": {"major"}, "first_response_minutes": {"120"}, "warning_percent": {"75"}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("policy with segments: %d %s", res.status, res.body)
		}
		if ps, _ := sla.Policies(ctx, f.db.R); ps[0].Match.Segments[0] != "major" {
			t.Fatalf("policy segments: %+v", ps[0].Match)
		}
		mustContain(t, admin.get("/admin/sla").body, `name="segments" value="major" checked`)
	})
}
