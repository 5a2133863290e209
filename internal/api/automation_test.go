package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
)

func TestAutomationAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		en := &automation.Engine{DB: d}
		f.srv.tickets.Hooks = append(f.srv.tickets.Hooks, en.Hook)
		res := f.do(req{Method: "POST", Path: "/automation/rules", Token: f.adminTok, Body: map[string]any{
			"name": "Complaints first", "event": "ticket.created",
			"conditions": []map[string]string{{"field": "subject", "op": "contains", "value": "complaint"}},
			"actions":    []map[string]string{{"type": "set_priority", "value": "urgent"}}}})
		if res.Code != 201 {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		var rule automation.Rule
		res.json(t, &rule)
		if res := f.do(req{Method: "PATCH", Path: fmt.Sprintf("/automation/rules/%d", rule.ID), Token: f.adminTok, Body: map[string]any{"position": 3}}); res.Code != 200 {
			t.Fatalf("patch: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "POST", Path: "/automation/rules", Token: f.adminTok, Body: map[string]any{"name": "x", "event": "ticket.created", "actions": []map[string]string{{"type": "explode", "value": "x"}}}}); res.Code != 422 {
			t.Fatalf("bad action: %d", res.Code)
		}
		res = f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{"subject": "A complaint", "body": "x", "supporter": map[string]any{"email": "s@example.org"}}})
		var tk struct{ Priority string }
		res.json(t, &tk)
		if tk.Priority != "urgent" {
			t.Fatalf("rule did not run: %s", res.Body)
		}
		res = f.do(req{Method: "POST", Path: "/automation/dry-run", Token: f.adminTok, Body: map[string]any{"conditions": []map[string]string{{"field": "priority", "op": "eq", "value": "urgent"}}}})
		var dr struct {
			Checked int
			Items   []map[string]any
		}
		res.json(t, &dr)
		if res.Code != 200 || len(dr.Items) != 1 {
			t.Fatalf("dry run: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "POST", Path: "/automation/dry-run", Token: f.agentTok, Body: map[string]any{"conditions": []map[string]string{}}}); res.Code != 403 {
			t.Fatalf("agent dry run: %d", res.Code)
		}
	})
}

// Time rules, the new actions, webhook calls and who sees the signing secret.
func TestAutomationTimeRulesAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.do(req{Method: "POST", Path: "/automation/rules", Token: f.adminTok, Body: map[string]any{
			"name": "Remind after 3 days", "event": "time",
			"conditions": []map[string]string{{"field": "status", "op": "eq", "value": "pending"}, {"field": "hours_since_status_change", "op": "gte", "value": "72"},
				{"field": "supporter.language", "op": "in", "value": "ja,zh"}},
			"actions": []map[string]string{{"type": "notify", "value": "assignee"}, {"type": "webhook", "value": "https://crm.example.org/steward"}}}})
		if res.Code != 201 {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		var rule automation.Rule
		res.json(t, &rule)
		if rule.Event != "time" || len(rule.WebhookSecret) < 16 {
			t.Fatalf("rule: %+v", rule)
		}
		// A time rule without its hours, a file: URL and a short secret are refused, each naming its field.
		for body, field := range map[string]map[string]any{
			"conditions": {"name": "x", "event": "time", "actions": []map[string]string{{"type": "add_tag", "value": "x"}}},
			"actions.1":  {"name": "x", "event": "ticket.created", "actions": []map[string]string{{"type": "webhook", "value": "file:///etc/passwd"}}},
			"webhook_secret": {"name": "x", "event": "ticket.created", "webhook_secret": "short",
				"actions": []map[string]string{{"type": "webhook", "value": "https://crm.example.org/"}}},
			"actions.2": {"name": "x", "event": "ticket.created", "actions": []map[string]string{{"type": "add_tag", "value": "x"}, {"type": "send_canned_reply", "value": "999"}}},
		} {
			res := f.do(req{Method: "POST", Path: "/automation/rules", Token: f.adminTok, Body: field})
			var e struct{ Error struct{ Field string } }
			res.json(t, &e)
			if res.Code != 422 || e.Error.Field != body {
				t.Errorf("%s: %d %s", body, res.Code, res.Body)
			}
		}
		// Keep the secret on a change; set one of our own.
		res = f.do(req{Method: "PATCH", Path: fmt.Sprintf("/automation/rules/%d", rule.ID), Token: f.adminTok, Body: map[string]any{"active": false}})
		var changed automation.Rule
		res.json(t, &changed)
		if res.Code != 200 || changed.WebhookSecret != rule.WebhookSecret || changed.Active {
			t.Fatalf("patch: %d %s", res.Code, res.Body)
		}
		res = f.do(req{Method: "PATCH", Path: fmt.Sprintf("/automation/rules/%d", rule.ID), Token: f.adminTok, Body: map[string]any{"webhook_secret": "our-own-secret-0123456789"}})
		res.json(t, &changed)
		if changed.WebhookSecret != "our-own-secret-0123456789" {
			t.Fatalf("own secret: %s", res.Body)
		}
		// Agents may list rules, without secrets; webhook calls are for admins.
		res = f.do(req{Method: "GET", Path: "/automation/rules", Token: f.agentTok})
		if res.Code != 200 || strings.Contains(string(res.Body), "our-own-secret") {
			t.Fatalf("agent list: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "GET", Path: fmt.Sprintf("/automation/rules/%d/webhooks", rule.ID), Token: f.agentTok}); res.Code != 403 {
			t.Fatalf("agent webhooks: %d", res.Code)
		}
		res = f.do(req{Method: "GET", Path: fmt.Sprintf("/automation/rules/%d/webhooks", rule.ID), Token: f.adminTok})
		if res.Code != 200 || !strings.Contains(string(res.Body), `"items":[]`) {
			t.Fatalf("webhooks: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "GET", Path: "/automation/rules/999999/webhooks", Token: f.adminTok}); res.Code != 404 {
			t.Fatalf("unknown rule: %d", res.Code)
		}
		// A time dry run looks at resolved tickets too.
		res = f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{"subject": "ありがとう", "body": "x", "supporter": map[string]any{"email": "s@example.org"}}})
		var tk struct{ ID int64 }
		res.json(t, &tk)
		if res := f.do(req{Method: "PATCH", Path: fmt.Sprintf("/tickets/%d", tk.ID), Token: f.agentTok, Body: map[string]any{"status": "resolved"}}); res.Code != 200 {
			t.Fatalf("resolve: %d %s", res.Code, res.Body)
		}
		cond := []map[string]string{{"field": "status", "op": "eq", "value": "resolved"}, {"field": "hours_since_status_change", "op": "lte", "value": "1"}}
		for event, want := range map[string]int{"time": 1, "ticket.updated": 0} {
			res = f.do(req{Method: "POST", Path: "/automation/dry-run", Token: f.adminTok, Body: map[string]any{"event": event, "conditions": cond}})
			var dr struct{ Items []map[string]any }
			res.json(t, &dr)
			if res.Code != 200 || len(dr.Items) != want {
				t.Fatalf("dry run %s: %d %s", event, res.Code, res.Body)
			}
		}
	})
}

// Rules on SLA events through the API, and deleting a rule (admins only,
// audited; its webhook calls go with it).
func TestAutomationSLARulesAndDelete(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		body := map[string]any{"name": "First reply overdue", "event": "sla.breach",
			"conditions": []map[string]string{{"field": "sla_target", "op": "eq", "value": "first_response"}},
			"actions":    []map[string]string{{"type": "set_priority", "value": "urgent"}, {"type": "webhook", "value": "https://crm.example.org/hook"}}}
		res := f.do(req{Method: "POST", Path: "/automation/rules", Token: f.adminTok, Body: body})
		if res.Code != 201 {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		var rule automation.Rule
		res.json(t, &rule)
		if rule.Event != automation.SLABreach {
			t.Fatalf("event %q", rule.Event)
		}
		for name, b := range map[string]map[string]any{
			"unknown target":           {"event": "sla.warning", "conditions": []map[string]string{{"field": "sla_target", "op": "eq", "value": "first_reply"}}},
			"target on a ticket event": {"event": "ticket.updated", "conditions": []map[string]string{{"field": "sla_target", "op": "eq", "value": "resolution"}}},
		} {
			b["name"], b["actions"] = "x", []map[string]string{{"type": "add_tag", "value": "x"}}
			if res := f.do(req{Method: "POST", Path: "/automation/rules", Token: f.adminTok, Body: b}); res.Code != 422 || !strings.Contains(string(res.Body), "conditions.1") {
				t.Errorf("%s: %d %s", name, res.Code, res.Body)
			}
		}
		res = f.do(req{Method: "POST", Path: "/automation/dry-run", Token: f.adminTok, Body: map[string]any{"event": "sla.breach",
			"conditions": []map[string]string{{"field": "sla_target", "op": "in", "value": "first_response,resolution"}}}})
		if res.Code != 200 {
			t.Fatalf("dry run: %d %s", res.Code, res.Body)
		}
		// A webhook call of the rule, recorded; deleting the rule removes it.
		if _, err := d.W.Exec(`INSERT INTO automation_webhooks (rule_id, url, payload, created_at) VALUES ($1, 'https://crm.example.org/hook', '{}', 1)`, rule.ID); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/automation/rules/%d", rule.ID)
		if res := f.do(req{Method: "DELETE", Path: path, Token: f.agentTok}); res.Code != 403 {
			t.Fatalf("agent delete: %d", res.Code)
		}
		if res := f.do(req{Method: "DELETE", Path: path, Token: f.adminTok}); res.Code != 204 {
			t.Fatalf("delete: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "DELETE", Path: path, Token: f.adminTok}); res.Code != 404 {
			t.Fatalf("delete again: %d", res.Code)
		}
		if res := f.do(req{Method: "DELETE", Path: "/automation/rules/nope", Token: f.adminTok}); res.Code != 404 {
			t.Fatalf("delete nonsense: %d", res.Code)
		}
		var rules, calls, audited int
		d.R.QueryRow("SELECT COUNT(*) FROM automation_rules").Scan(&rules)
		d.R.QueryRow("SELECT COUNT(*) FROM automation_webhooks").Scan(&calls)
		d.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'automation_rule.delete' AND object_id = $1", rule.ID).Scan(&audited)
		if rules != 0 || calls != 0 || audited != 1 {
			t.Fatalf("after delete: %d rules, %d webhook calls, %d audit entries", rules, calls, audited)
		}
	})
}
