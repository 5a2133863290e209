package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/search"
)

// indexed makes the fixture's ticket service keep the search index current,
// as the application's does, and indexes what the fixture already holds.
func (f *fixture) indexed() {
	f.t.Helper()
	idx := search.New(f.db)
	f.tickets.Hooks = append(f.tickets.Hooks, idx.Hook)
	ctx := context.Background()
	if err := idx.IndexTicket(ctx, f.db.W, f.ticket.ID); err != nil {
		f.t.Fatal(err)
	}
	if err := idx.IndexSupporter(ctx, f.db.W, f.ticket.SupporterID); err != nil {
		f.t.Fatal(err)
	}
}

var moreLink = regexp.MustCompile(`<a class="older" href="([^"]+)" rel="next">`)

func TestSearchPage(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f.indexed()
		zh := f.createTicket("关于捐款收据", "您好，我上个月的捐款收据还没有收到。", "wang@example.cn", "王芳", "zh")
		xss := f.createTicket(`<script>alert("x")</script> 領収書の件`, `<img src=x onerror=alert(1)> 領収書をください`, "evil@example.com", `<b>Mallory</b>`, "ja")
		c := f.login("agent@example.org")

		// A two-character Japanese word finds the tickets, with highlighted snippets.
		r := c.get("/search?q=" + url.QueryEscape("領収"))
		if r.status != http.StatusOK {
			t.Fatalf("search: %d", r.status)
		}
		mustContain(t, r.body, "領収書が届きません", fmt.Sprintf(`href="/tickets/%d"`, f.ticket.ID), "<mark>領収</mark>", "Recent first")
		mustNotContain(t, r.body, "关于捐款收据")

		// XSS in a subject, a body and a name stays escaped; only <mark> is markup.
		mustContain(t, r.body, fmt.Sprintf(`href="/tickets/%d"`, xss.ID), "&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;")
		mustNotContain(t, r.body, `<script>alert`, `<img src=x`)
		r = c.get("/search?q=" + url.QueryEscape("Mallory"))
		mustContain(t, r.body, "&lt;b&gt;")
		mustNotContain(t, r.body, "<b>Mallory", "<b><mark>")

		// Traditional characters find simplified text; a supporter by e-mail.
		r = c.get("/search?q=" + url.QueryEscape("收據"))
		mustContain(t, r.body, fmt.Sprintf(`href="/tickets/%d"`, zh.ID))
		r = c.get("/search?q=" + url.QueryEscape("sato@example.jp"))
		mustContain(t, r.body, fmt.Sprintf(`href="/supporters/%d"`, f.ticket.SupporterID), "佐藤 花子")

		// Filters show as chips; recent first.
		r = c.get("/search?sort=recent&q=" + url.QueryEscape("領収書 status:new"))
		mustContain(t, r.body, `<span class="chip-label">status:new</span>`, `<strong aria-current="true">Recent first</strong>`, `href="/search?q=%E9%A0%98%E5%8F%8E%E6%9B%B8&amp;sort=recent"`)

		// Paging with More.
		for i := range 3 {
			f.createTicket(fmt.Sprintf("領収書の再発行 %d", i), "領収書をもう一度送ってください。", "sato@example.jp", "佐藤 花子", "ja")
		}
		defer func(n int) { searchPageSize = n }(searchPageSize)
		searchPageSize = 2
		seen := 0
		next := "/search?type=ticket&q=" + url.QueryEscape("領収書")
		for pages := 0; next != ""; pages++ {
			if pages > 10 {
				t.Fatal("More never ends")
			}
			r = c.get(next)
			seen += strings.Count(r.body, `class="search-hit"`)
			next = ""
			if m := moreLink.FindStringSubmatch(r.body); m != nil {
				next = html.UnescapeString(m[1])
			}
		}
		if seen != 5 {
			t.Errorf("paged through %d tickets, want 5", seen)
		}

		// A bad filter says so; no match shows the empty state.
		r = c.get("/search?q=" + url.QueryEscape("status:bogus"))
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("bad filter: %d", r.status)
		}
		mustContain(t, r.body, "This search cannot run")
		r = c.get("/search?q=zzzzqqq")
		mustContain(t, r.body, "Nothing matches")
		r = c.get("/search?q=")
		mustContain(t, r.body, "Type a word")

		// A number jumps to the ticket, with or without #.
		for _, q := range []string{fmt.Sprintf("#%d", f.ticket.Number), fmt.Sprint(f.ticket.Number)} {
			r = c.get("/search?q=" + url.QueryEscape(q))
			if r.status != http.StatusSeeOther || r.header.Get("Location") != fmt.Sprintf("/tickets/%d", f.ticket.ID) {
				t.Errorf("%s: %d %q", q, r.status, r.header.Get("Location"))
			}
		}
	})
}
