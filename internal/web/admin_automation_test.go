package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/i18n"
)

func TestAdminAutomationPage(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		c := f.login("admin@example.org")
		page := c.get("/admin/automation")
		if page.status != http.StatusOK {
			t.Fatalf("page: %d", page.status)
		}
		mustContain(t, page.body, "Automation rules", "No rules yet.", `name="cond_field"`, `id="c2-field"`, `for="a1-type"`,
			`href="/admin/automation" aria-current="page"`, "Which tickets would this match?")

		// A time rule from the form; blank rows (field "—") are dropped.
		form := map[string][]string{"name": {"Remind after 3 days"}, "position": {"20"}, "active": {"1"}, "event": {"time"},
			"cond_field": {"status", "", "hours_since_status_change"}, "cond_op": {"eq", "eq", "gte"}, "cond_value": {"pending", "", "72"},
			"act_type": {"add_tag", ""}, "act_value": {"reminded", ""}}
		res := c.post("/admin/automation", form, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		rules, _ := automation.Rules(ctx, f.db.R)
		if len(rules) != 1 || rules[0].Event != "time" || len(rules[0].Conditions) != 2 || len(rules[0].Actions) != 1 {
			t.Fatalf("rules: %+v", rules)
		}
		time3 := rules[0]

		// An error names the row it is about (row 3 is the second kept action).
		bad := map[string][]string{"name": {"Tell the CRM"}, "event": {"ticket.created"}, "active": {"1"}, "position": {"30"},
			"act_type": {"add_tag", "", "webhook"}, "act_value": {"crm", "", "ftp://crm.example.org"}}
		res = c.post("/admin/automation", bad, true)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad webhook: %d", res.status)
		}
		mustContain(t, res.body, `value="ftp://crm.example.org"`, `class="field-error"`)
		if i, j := strings.Index(res.body, `id="a3-value"`), strings.Index(res.body, "This value is not valid."); i < 0 || j < i {
			t.Fatalf("the error is not at row 3")
		}
		bad["act_value"] = []string{"crm", "", "https://crm.example.org/hook"}
		if res := c.post("/admin/automation", bad, true); res.status != http.StatusSeeOther {
			t.Fatalf("webhook rule: %d %s", res.status, res.body)
		}
		rules, _ = automation.Rules(ctx, f.db.R)
		crm := rules[1]
		edit := c.get("/admin/automation?edit=" + formatID(crm.ID))
		mustContain(t, edit.body, crm.WebhookSecret, "Webhook signing secret", `value="https://crm.example.org/hook"`)

		// Dry run: the form as typed, the matching ticket below it, nothing saved.
		res = c.post("/admin/automation/dry-run", map[string][]string{"name": {""}, "event": {"ticket.updated"},
			"cond_field": {"subject", "language"}, "cond_op": {"contains", "eq"}, "cond_value": {"領収書", "ja"}}, true)
		if res.status != http.StatusOK {
			t.Fatalf("dry run: %d %s", res.status, res.body)
		}
		mustContain(t, res.body, "領収書が届きません", "1 matching now", `value="領収書"`)
		if rules, _ := automation.Rules(ctx, f.db.R); len(rules) != 2 {
			t.Fatalf("the dry run saved a rule")
		}
		res = c.post("/admin/automation/dry-run", map[string][]string{"event": {"ticket.updated"},
			"cond_field": {"supporter.giving_total"}, "cond_op": {"gte"}, "cond_value": {"a lot"}}, true)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="c1-value" name="cond_value" value="a lot"`) {
			t.Fatalf("bad dry run: %d", res.status)
		}

		// Order and on/off.
		if res := c.post("/admin/automation/"+formatID(crm.ID)+"/move", map[string][]string{"direction": {"up"}}, true); res.status != http.StatusSeeOther {
			t.Fatalf("move: %d", res.status)
		}
		if res := c.post("/admin/automation/"+formatID(time3.ID)+"/active", map[string][]string{"active": {"0"}}, true); res.status != http.StatusSeeOther {
			t.Fatalf("off: %d", res.status)
		}
		rules, _ = automation.Rules(ctx, f.db.R)
		if rules[0].ID != crm.ID || rules[0].Position != 10 || rules[1].Position != 20 || rules[1].Active {
			t.Fatalf("after move and off: %+v %+v", rules[0], rules[1])
		}
		// Saving keeps the secret unless asked for a new one.
		keep := map[string][]string{"name": {"Tell the CRM"}, "event": {"ticket.created"}, "active": {"1"}, "position": {"10"},
			"act_type": {"webhook"}, "act_value": {"https://crm.example.org/hook"}}
		c.post("/admin/automation/"+formatID(crm.ID), keep, true)
		if x, _ := automation.GetRule(ctx, f.db.R, crm.ID); x.WebhookSecret != crm.WebhookSecret {
			t.Fatal("secret changed")
		}
		keep["rotate_secret"] = []string{"1"}
		c.post("/admin/automation/"+formatID(crm.ID), keep, true)
		if x, _ := automation.GetRule(ctx, f.db.R, crm.ID); x.WebhookSecret == crm.WebhookSecret || x.WebhookSecret == "" {
			t.Fatal("secret not rotated")
		}

		// Agents may not see or change rules.
		agent := f.login("agent@example.org")
		for _, res := range []response{agent.get("/admin/automation"),
			agent.post("/admin/automation/"+formatID(crm.ID)+"/active", map[string][]string{"active": {"0"}}, true),
			agent.post("/admin/automation/dry-run", map[string][]string{"event": {"time"}}, true)} {
			if res.status != http.StatusForbidden {
				t.Fatalf("agent: %d", res.status)
			}
		}
		// An SLA rule from the form; the events are offered.
		slaForm := map[string][]string{"name": {"First reply overdue"}, "position": {"40"}, "active": {"1"}, "event": {"sla.breach"},
			"cond_field": {"sla_target"}, "cond_op": {"eq"}, "cond_value": {"first_response"},
			"act_type": {"set_priority", "notify"}, "act_value": {"urgent", "supervisor"}}
		if res := c.post("/admin/automation", slaForm, true); res.status != http.StatusSeeOther {
			t.Fatalf("SLA rule: %d %s", res.status, res.body)
		}
		mustContain(t, c.get("/admin/automation").body, `<option value="sla.breach"`, "An SLA target is overdue (breach)", `<option value="sla_target"`)
		rules, _ = automation.Rules(ctx, f.db.R)
		slaRule := rules[len(rules)-1]
		if slaRule.Event != automation.SLABreach || slaRule.Conditions[0].Field != "sla_target" {
			t.Fatalf("SLA rule: %+v", slaRule)
		}

		// Deleting asks first, then deletes; agents may not.
		del := "/admin/automation/" + formatID(slaRule.ID) + "/delete"
		if res := agent.post(del, map[string][]string{"confirm": {"1"}}, true); res.status != http.StatusForbidden {
			t.Fatalf("agent delete: %d", res.status)
		}
		res = c.post(del, nil, true)
		mustContain(t, res.body, "Delete this rule?", "“First reply overdue” stops at once", `name="confirm" value="1"`)
		if rules, _ := automation.Rules(ctx, f.db.R); len(rules) != 3 {
			t.Fatalf("deleted without confirmation")
		}
		if res := c.post(del, map[string][]string{"confirm": {"1"}}, true); res.status != http.StatusSeeOther {
			t.Fatalf("delete: %d %s", res.status, res.body)
		}
		if _, err := automation.GetRule(ctx, f.db.R, slaRule.ID); err == nil {
			t.Fatal("rule not deleted")
		}
		mustContain(t, c.get("/admin/automation?deleted=1").body, "Rule deleted.")
		if res := c.post(del, map[string][]string{"confirm": {"1"}}, true); res.status != http.StatusNotFound {
			t.Fatalf("delete again: %d", res.status)
		}

		c.post("/preferences/language", map[string][]string{"language": {"ja"}, "next": {"/admin/automation"}}, true)
		mustContain(t, c.get("/admin/automation").body, "自動化ルール", "一定時間の経過後(時間ルール)", "どのチケットが該当しますか?", "SLA の期限を過ぎたとき(超過)")
		c.post("/preferences/language", map[string][]string{"language": {"zh"}, "next": {"/admin/automation"}}, true)
		mustContain(t, c.get("/admin/automation").body, "自动化规则", "哪些工单会匹配？", "SLA 目标已超时（违约）")
	})
}

// The rule form's labels are built from the automation package's lists:
// each has a message in every language.
func TestAutomationLabelsExist(t *testing.T) {
	var ids []string
	const pre = "admin.automation." // (whole ids here would look like literal ids to TestUIMessagesExist)
	for _, e := range automation.Events {
		ids = append(ids, pre+"ev."+e)
	}
	for _, f := range automation.Fields {
		ids = append(ids, pre+"f."+f)
	}
	for _, o := range automation.Ops {
		ids = append(ids, pre+"op."+o)
	}
	for _, a := range automation.ActionTypes {
		ids = append(ids, pre+"a."+a)
	}
	for _, s := range []string{"pending", "delivered", "failed"} {
		ids = append(ids, pre+"wh."+s)
	}
	for _, lang := range i18n.Languages {
		for _, id := range ids {
			if !i18n.For(lang).Has(id) {
				t.Errorf("%s: no message %q", lang, id)
			}
		}
	}
}
