package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
)

func TestAdminDepartmentRouting(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.login("admin@example.org")
		agent := f.login("agent@example.org")
		events, err := staff.CreateDepartment(ctx, f.db.W, "Events", "")
		if err != nil {
			t.Fatal(err)
		}
		path := "/admin/departments/" + strconv.FormatInt(f.dept.ID, 10) + "/routing"
		get := func(id int64) routing.Department {
			t.Helper()
			all, err := routing.Departments(ctx, f.db.R)
			if err != nil {
				t.Fatal(err)
			}
			return all[id]
		}

		// A department never configured shows round-robin and no categories.
		page := admin.get("/admin/departments").body
		mustContain(t, page, `action="`+path+`"`, `<option value="round_robin" selected>`, "Lowest open load")

		// Save: strategy and categories, comma-separated and one per line, blanks and repeats dropped.
		r := admin.post(path, url.Values{"strategy": {"least_load"}, "categories": {"receipts, 領収書\n\ngift aid\r\nreceipts"}}, true)
		if r.status != http.StatusSeeOther {
			t.Fatalf("save routing: %d %s", r.status, r.body)
		}
		got := get(f.dept.ID)
		if got.Strategy != routing.LeastLoad || !slices.Equal(got.Categories, []string{"gift aid", "receipts", "領収書"}) {
			t.Fatalf("saved: %+v", got)
		}
		page = admin.get("/admin/departments").body
		mustContain(t, page, `<option value="least_load" selected>`, "gift aid\nreceipts\n領収書</textarea>")

		// Owning fewer categories releases the others; manual is a choice.
		if r := admin.post(path, url.Values{"strategy": {"manual"}, "categories": {"receipts"}}, true); r.status != http.StatusSeeOther {
			t.Fatalf("save again: %d %s", r.status, r.body)
		}
		if got := get(f.dept.ID); got.Strategy != routing.Manual || !slices.Equal(got.Categories, []string{"receipts"}) {
			t.Fatalf("saved again: %+v", got)
		}

		// A category another department owns: a field error naming it, and nothing changes.
		other := "/admin/departments/" + strconv.FormatInt(events.ID, 10) + "/routing"
		r = admin.post(other, url.Values{"strategy": {"least_load"}, "categories": {"volunteering\nreceipts"}}, true)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("taken category: %d", r.status)
		}
		mustContain(t, r.body, `id="categories-error">“receipts” already belongs to Donor care. Remove it there first.`,
			`aria-invalid="true"`, "volunteering\nreceipts</textarea>")
		if got := get(events.ID); got.Strategy != routing.RoundRobin || len(got.Categories) != 0 {
			t.Errorf("events changed after a conflict: %+v", got)
		}
		if got := get(f.dept.ID); got.Strategy != routing.Manual || !slices.Equal(got.Categories, []string{"receipts"}) {
			t.Errorf("owner changed after a conflict: %+v", got)
		}
		// In Japanese too.
		ja := f.login("admin@example.org")
		r = ja.post(other, url.Values{"strategy": {"least_load"}, "categories": {"receipts"}}, true, "Accept-Language", "ja")
		mustContain(t, r.body, "「receipts」はすでにDonor careの担当です。")

		// A strategy that is not offered.
		r = admin.post(other, url.Values{"strategy": {"fastest"}, "categories": {""}}, true)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("bad strategy: %d", r.status)
		}
		mustContain(t, r.body, `id="strategy-error">This value is not valid.`)
		if r := admin.post("/admin/departments/999999/routing", url.Values{"strategy": {"manual"}}, true); r.status != http.StatusNotFound {
			t.Errorf("missing department: %d", r.status)
		}

		// Agents may not.
		r = agent.post(path, url.Values{"strategy": {"round_robin"}, "categories": {""}}, true)
		if r.status != http.StatusForbidden {
			t.Errorf("agent: %d, want 403", r.status)
		}
		if got := get(f.dept.ID); got.Strategy != routing.Manual || !slices.Equal(got.Categories, []string{"receipts"}) {
			t.Errorf("agent changed routing: %+v", got)
		}
	})
}
