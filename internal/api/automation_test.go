package api

import (
	"fmt"
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
