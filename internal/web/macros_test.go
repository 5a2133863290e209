package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/ticket"
)

func TestMacros(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		admin := f.login("admin@example.org")
		res := admin.post("/admin/macros", url.Values{"name": {"領収書の再送"}, "language": {"ja"}, "set_status": {"pending"}, "set_tags": {"領収書"},
			"body": {"{{name}}\n{{years_of_support}}に心より感謝申し上げます。受付番号 {{ticket_number}}。{{last_gift}}の領収書を再送いたします。\n{{agent_name}}"}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		if res := admin.post("/admin/macros", url.Values{"name": {"x"}, "body": {""}}, true); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty body: %d", res.status)
		}
		list, _ := macro.List(context.Background(), f.db.R, "")
		if len(list) != 1 {
			t.Fatalf("macros %v", list)
		}
		agent := f.login("agent@example.org")
		page := agent.get(fmt.Sprintf("/tickets/%d", f.ticket.ID))
		mustContain(t, page.body, "領収書の再送", `id="macro-preview"`)
		pv := agent.get(fmt.Sprintf("/tickets/%d/macro-preview?macro_id=%d", f.ticket.ID, list[0].ID), "HX-Request", "true")
		mustContain(t, pv.body, "佐藤 花子 様", "年間にわたるご支援", "日頃のご支援", "Aiko Agent", fmt.Sprintf("受付番号 %d", f.ticket.Number))
		mustNotContain(t, pv.body, "{{")
		res = agent.post(fmt.Sprintf("/tickets/%d/macro", f.ticket.ID), url.Values{"macro_id": {fmt.Sprint(list[0].ID)}}, true)
		if res.status != http.StatusOK {
			t.Fatalf("apply: %d", res.status)
		}
		if !regexp.MustCompile(`(?s)<textarea id="body"[^>]*>佐藤 花子 様`).MatchString(res.body) {
			t.Fatal("composer does not hold the rendered macro")
		}
		tk, _ := ticket.Get(context.Background(), f.db.R, f.ticket.ID)
		if tk.Status != "pending" {
			t.Fatalf("status %s", tk.Status)
		}
		if agent.get("/admin/macros").status != http.StatusForbidden {
			t.Fatal("agents may not edit macros")
		}
	})
}
