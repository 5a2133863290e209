package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
)

func TestRoutingAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rt := &routing.Router{DB: d}
		f.srv.tickets.Hooks = append(f.srv.tickets.Hooks, rt.Hook)
		dept, err := staff.CreateDepartment(t.Context(), d.W, "Finance", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := staff.SetDepartments(t.Context(), d.W, f.agent.ID, []int64{dept.ID}); err != nil {
			t.Fatal(err)
		}
		res := f.do(req{Method: "POST", Path: "/routing/rules", Token: f.adminTok, Body: map[string]any{
			"name": "Receipts", "department_id": dept.ID, "match": map[string]any{"keywords": []string{"receipt"}}}})
		if res.Code != 201 {
			t.Fatalf("create rule: %d %s", res.Code, res.Body)
		}
		var rule routing.Rule
		res.json(t, &rule)
		if res := f.do(req{Method: "PATCH", Path: fmt.Sprintf("/routing/rules/%d", rule.ID), Token: f.adminTok, Body: map[string]any{"position": 5}}); res.Code != 200 {
			t.Fatalf("patch rule: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "GET", Path: "/routing/rules", Token: f.agentTok}); res.Code != 200 {
			t.Fatalf("list rules: %d", res.Code)
		}
		if res := f.do(req{Method: "PUT", Path: fmt.Sprintf("/routing/departments/%d", dept.ID), Token: f.adminTok, Body: map[string]any{"strategy": "least_load", "categories": []string{"receipts"}}}); res.Code != 200 {
			t.Fatalf("department routing: %d %s", res.Code, res.Body)
		}
		accounts, err := staff.CreateDepartment(t.Context(), d.W, "経理", "")
		if err != nil {
			t.Fatal(err)
		}
		if res := f.do(req{Method: "PUT", Path: fmt.Sprintf("/routing/departments/%d", accounts.ID), Token: f.adminTok, Body: map[string]any{"strategy": "round_robin", "categories": []string{"receipts"}}}); res.Code != 422 || !strings.Contains(string(res.Body), "category_taken") {
			t.Fatalf("a category another department owns: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "PUT", Path: fmt.Sprintf("/routing/agents/%d", f.admin.ID), Token: f.agentTok, Body: map[string]any{"languages": []string{"ja"}, "away": true}}); res.Code != 403 {
			t.Fatalf("agent sets another's routing: %d", res.Code)
		}
		if res := f.do(req{Method: "PUT", Path: fmt.Sprintf("/routing/agents/%d", f.agent.ID), Token: f.agentTok, Body: map[string]any{"languages": []string{"ja"}, "away": false}}); res.Code != 200 {
			t.Fatalf("own routing: %d %s", res.Code, res.Body)
		}
		res = f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{"subject": "Receipt please", "body": "x", "supporter": map[string]any{"email": "s@example.org"}}})
		var tk struct {
			ID           int64
			DepartmentID *int64 `json:"department_id"`
			AssigneeID   *int64 `json:"assignee_id"`
		}
		res.json(t, &tk)
		if tk.DepartmentID == nil || *tk.DepartmentID != dept.ID || tk.AssigneeID == nil || *tk.AssigneeID != f.agent.ID {
			t.Fatalf("routed: %s", res.Body)
		}
		other, _ := staff.CreateDepartment(t.Context(), d.W, "Events", "")
		res = f.do(req{Method: "POST", Path: fmt.Sprintf("/tickets/%d/transfer", tk.ID), Token: f.agentTok, Body: map[string]any{"department_id": other.ID, "note": "not ours"}})
		res.json(t, &tk)
		if res.Code != 200 || *tk.DepartmentID != other.ID || tk.AssigneeID != nil {
			t.Fatalf("transfer: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "POST", Path: fmt.Sprintf("/tickets/%d/transfer", tk.ID), Token: f.agentTok, Body: map[string]any{"department_id": dept.ID, "note": " "}}); res.Code != 422 {
			t.Fatalf("transfer without note: %d", res.Code)
		}
	})
}
