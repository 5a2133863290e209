package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/staff"
)

// The header box's instant results: hits with highlighted snippets, a
// ticket number to jump to, a bad filter explained, and a link to all.
func TestSearchInstant(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f.indexed()
		c := f.login("agent@example.org")
		r := c.get("/search/instant?q=" + url.QueryEscape("領収"))
		if r.status != http.StatusOK {
			t.Fatalf("instant: %d", r.status)
		}
		mustContain(t, r.body, `role="option"`, fmt.Sprintf(`href="/tickets/%d"`, f.ticket.ID), "<mark>領収</mark>",
			`href="/search?q=%E9%A0%98%E5%8F%8E"`, "All results")
		mustNotContain(t, r.body, "<html")
		r = c.get(fmt.Sprintf("/search/instant?q=%%23%d", f.ticket.Number))
		mustContain(t, r.body, `id="qo-jump"`, fmt.Sprintf(`href="/tickets/%d"`, f.ticket.ID))
		r = c.get("/search/instant?q=" + url.QueryEscape("status:sleeping"))
		mustContain(t, r.body, "status:sleeping", "instant-error")
		r = c.get("/search/instant?q=")
		mustNotContain(t, r.body, `role="option"`)
		if r := f.anon().get("/search/instant?q=x"); r.status == http.StatusOK {
			t.Errorf("instant search without a session: %d", r.status)
		}
	})
}

var savedLocation = regexp.MustCompile(`^/inbox\?search=([0-9]+)$`)

// Saved searches in the UI: saved from the results page, shown in every
// agent's views with a count when shared, opened as an inbox list; another
// agent's private search is a 404; only its owner (or an admin, for shared
// ones) renames and deletes; agents cannot share.
func TestSavedSearchViews(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f.indexed()
		ctx := context.Background()
		for i := range 2 {
			f.createTicket(fmt.Sprintf("領収書の再発行 %d", i), "領収書をもう一度送ってください。", "sato@example.jp", "佐藤 花子", "ja")
		}
		other, err := staff.CreateUser(ctx, f.db.W, staff.NewUser{Email: "ken@example.org", Name: "Ken", Role: staff.Agent, PasswordHash: testHash()})
		if err != nil {
			t.Fatal(err)
		}
		_ = other
		c := f.login("agent@example.org")

		// The results page offers to save; saving opens the inbox view.
		mustContain(t, c.get("/search?q="+url.QueryEscape("領収書")).body, `action="/saved-searches"`, "Save this search")
		r := c.post("/saved-searches", url.Values{"q": {"領収書 is:open"}, "name": {"領収書（未対応）"}, "shared_field": {"1"}}, true)
		m := savedLocation.FindStringSubmatch(r.header.Get("Location"))
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("save: %d %q", r.status, r.header.Get("Location"))
		}
		view := r.header.Get("Location")
		r = c.get(view)
		if r.status != http.StatusOK {
			t.Fatalf("saved view: %d", r.status)
		}
		mustContain(t, r.body, "Saved searches", "領収書（未対応）", `<span class="count">3</span>`, "領収書の再発行 1", "Rename or delete",
			fmt.Sprintf(`href="/tickets/%d?search=%s"`, f.ticket.ID, m[1]))
		// The views list carries it on every inbox page, counted.
		mustContain(t, c.get("/inbox?view=mine").body, `href="/inbox?search=`+m[1]+`"`)

		// Agents cannot share; a bad query is not saved.
		r = c.post("/saved-searches", url.Values{"q": {"x"}, "name": {"x"}, "shared": {"1"}, "shared_field": {"1"}}, true)
		if r.status != http.StatusForbidden {
			t.Errorf("agent shares: %d", r.status)
		}
		r = c.post("/saved-searches", url.Values{"q": {"status:sleeping"}, "name": {"x"}}, true)
		if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "save_error=query") {
			t.Errorf("bad query: %d %q", r.status, r.header.Get("Location"))
		}

		// Another agent: the private search does not exist for him.
		k := f.login("ken@example.org")
		if r := k.get(view); r.status != http.StatusNotFound {
			t.Errorf("ken opens aiko's private view: %d", r.status)
		}
		mustNotContain(t, k.get("/inbox").body, "領収書（未対応）")
		if r := k.post("/saved-searches/"+m[1], url.Values{"name": {"mine"}}, true); r.status != http.StatusNotFound {
			t.Errorf("ken renames it: %d", r.status)
		}
		if r := k.post("/saved-searches/"+m[1]+"/delete", nil, true); r.status != http.StatusNotFound {
			t.Errorf("ken deletes it: %d", r.status)
		}

		// An admin shares one: everyone sees it, only admins and the owner change it.
		a := f.login("admin@example.org")
		r = a.post("/saved-searches", url.Values{"q": {"佐藤"}, "name": {"佐藤さん"}, "shared": {"1"}, "shared_field": {"1"}}, true)
		ms := savedLocation.FindStringSubmatch(r.header.Get("Location"))
		if ms == nil {
			t.Fatalf("admin save: %d %q", r.status, r.header.Get("Location"))
		}
		r = k.get("/inbox?search=" + ms[1])
		mustContain(t, r.body, "佐藤さん", "(shared)", "Shared by")
		mustNotContain(t, r.body, "Rename or delete")
		if r := k.post("/saved-searches/"+ms[1], url.Values{"name": {"x"}}, true); r.status != http.StatusForbidden {
			t.Errorf("ken renames a shared search: %d", r.status)
		}

		// The owner renames and deletes.
		if r := c.post("/saved-searches/"+m[1], url.Values{"name": {"領収書"}}, true); r.status != http.StatusSeeOther {
			t.Fatalf("rename: %d", r.status)
		}
		mustContain(t, c.get(view).body, `<h2 id="list-h" class="region-head">領収書</h2>`)
		if r := c.post("/saved-searches/"+m[1]+"/delete", nil, true); r.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.status)
		}
		if r := c.get(view); r.status != http.StatusNotFound {
			t.Errorf("deleted view: %d", r.status)
		}
	})
}
