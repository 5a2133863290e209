package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

func TestTemplatesParse(t *testing.T) {
	if _, err := parseTemplates(); err != nil {
		t.Fatal(err)
	}
}

func TestLoginLogout(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.anon()
		res := c.get("/inbox")
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Fatalf("anonymous inbox: %d %s", res.status, res.header.Get("Location"))
		}
		login := c.get("/login")
		mustContain(t, login.body, `name="email"`, `name="password"`, `autocomplete="current-password"`)

		// A wrong password and an unknown email give the same single message.
		wrong := c.post("/login", url.Values{"email": {"agent@example.org"}, "password": {"nope nope nope"}}, false)
		unknown := c.post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"nope nope nope"}}, false)
		for _, r := range []response{wrong, unknown} {
			if r.status != http.StatusUnauthorized {
				t.Errorf("bad login status %d", r.status)
			}
			mustContain(t, r.body, "That email and password don&#39;t match an account.", `role="alert"`)
		}
		empty := c.post("/login", url.Values{"email": {""}}, false)
		if empty.status != http.StatusUnprocessableEntity {
			t.Errorf("empty login status %d", empty.status)
		}

		res = c.post("/login", url.Values{"email": {"Agent@Example.org"}, "password": {testPassword}, "next": {"/supporters"}}, false)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/supporters" {
			t.Fatalf("login: %d %q", res.status, res.header.Get("Location"))
		}
		cookie := res.header.Get("Set-Cookie")
		mustContain(t, cookie, CookieName+"=s_", "HttpOnly", "SameSite=Lax", "Path=/")
		mustNotContain(t, cookie, "Secure")

		inbox := c.get("/inbox")
		if inbox.status != http.StatusOK {
			t.Fatalf("inbox after login: %d", inbox.status)
		}
		mustContain(t, inbox.body, "Aiko Agent", `<html lang="en">`)

		// Logout needs the CSRF token like every other POST.
		if r := c.post("/logout", nil, false); r.status != http.StatusForbidden {
			t.Errorf("logout without token: %d", r.status)
		}
		c.csrf = csrfFrom(t, inbox.body)
		if r := c.post("/logout", nil, true); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Errorf("logout: %d %s", r.status, r.header.Get("Location"))
		}
		if r := c.get("/inbox"); r.status != http.StatusSeeOther {
			t.Errorf("inbox after logout: %d", r.status)
		}
	})
}

func csrfFrom(t *testing.T, body string) string {
	t.Helper()
	const marker = `<meta name="csrf-token" content="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatal("no csrf meta tag")
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestSecureCookieAndOpenRedirect(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f.srv.secure = true
		c := f.anon()
		res := c.post("/login", url.Values{"email": {"agent@example.org"}, "password": {testPassword}, "next": {"//evil.example/x"}}, false)
		mustContain(t, res.header.Get("Set-Cookie"), "Secure")
		if loc := res.header.Get("Location"); loc != "/inbox" {
			t.Errorf("open redirect: %q", loc)
		}
	})
}

func TestLoginThrottled(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.anon()
		for i := 0; i < 5; i++ {
			c.post("/login", url.Values{"email": {"agent@example.org"}, "password": {"wrong password"}}, false)
		}
		res := c.post("/login", url.Values{"email": {"agent@example.org"}, "password": {testPassword}}, false)
		if res.status != http.StatusTooManyRequests {
			t.Fatalf("throttled login: %d", res.status)
		}
		mustContain(t, res.body, "Too many failed attempts. Wait 15 minutes, then try again.")
	})
}

func TestUnauthenticatedHTMXGets401(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		res := f.anon().get("/inbox/regions", "HX-Request", "true")
		if res.status != http.StatusUnauthorized || res.header.Get("HX-Redirect") != "/login" {
			t.Fatalf("htmx without session: %d %v", res.status, res.header)
		}
		if res := f.anon().get("/events"); res.status != http.StatusUnauthorized {
			t.Fatalf("events without session: %d", res.status)
		}
	})
}

func TestCSRF(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("agent@example.org")
		path := fmt.Sprintf("/tickets/%d/reply", f.ticket.ID)
		form := func() url.Values { return url.Values{"body": {"Thank you"}, "kind": {"reply"}} }

		if r := c.post(path, form(), false); r.status != http.StatusForbidden {
			t.Errorf("missing token: %d", r.status)
		}
		bad := form()
		bad.Set(CSRFField, "forged")
		if r := c.post(path, bad, false); r.status != http.StatusForbidden {
			t.Errorf("wrong token: %d", r.status)
		}
		// Another session's token is no good either.
		other := f.login("admin@example.org")
		stolen := form()
		stolen.Set(CSRFField, other.csrf)
		if r := c.post(path, stolen, false); r.status != http.StatusForbidden {
			t.Errorf("other session's token: %d", r.status)
		}
		// Cross-origin requests are refused even with the right token.
		if r := c.post(path, form(), true, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
			t.Errorf("cross-site (Sec-Fetch-Site): %d", r.status)
		}
		if r := c.post(path, form(), true, "Origin", "https://evil.example"); r.status != http.StatusForbidden {
			t.Errorf("cross-origin (Origin): %d", r.status)
		}
		msgs, _ := ticket.Messages(context.Background(), f.db.R, f.ticket.ID, true)
		if len(msgs) != 1 {
			t.Fatalf("a refused request stored something: %d messages", len(msgs))
		}
		// An oversized form is refused before anything else.
		huge := form()
		huge.Set("body", strings.Repeat("x", maxFormBytes+10))
		if r := c.post(path, huge, true); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized form: %d", r.status)
		}
		// The header form (htmx) and the field form both work, and with the
		// header the handler still sees every form field.
		if r := c.post(path, form(), false, CSRFHeader, c.csrf, "HX-Request", "true"); r.status != http.StatusSeeOther {
			t.Errorf("header token: %d %s", r.status, r.body)
		}
		up := fmt.Sprintf("/tickets/%d/update", f.ticket.ID)
		if r := c.post(up, url.Values{"priority": {"urgent"}}, false, CSRFHeader, c.csrf); r.status != http.StatusSeeOther {
			t.Errorf("header token update: %d", r.status)
		}
		if tk, _ := ticket.Get(context.Background(), f.db.R, f.ticket.ID); tk.Priority != "urgent" {
			t.Errorf("update with header token lost its fields: priority %q", tk.Priority)
		}
		if r := c.post(path, form(), true); r.status != http.StatusSeeOther {
			t.Errorf("field token: %d", r.status)
		}
		// Every node derives the same token from the session alone.
		if c.csrf != csrfToken(sessionCookie(t, c)) {
			t.Error("token is not HMAC(session token)")
		}
	})
}

func sessionCookie(t *testing.T, c *client) string {
	u, _ := url.Parse(c.f.http.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == CookieName {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// fill replaces {id} and {mid} in a route pattern with real ids.
func (f *fixture) fill(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	msgs, _ := ticket.Messages(context.Background(), f.db.R, f.ticket.ID, true)
	r := strings.NewReplacer("{id}", strconv.FormatInt(f.ticket.ID, 10), "{mid}", strconv.FormatInt(msgs[0].ID, 10), "{$}", "",
		"{name}", "slip_notice")
	if strings.HasPrefix(path, "/admin/users/") {
		r = strings.NewReplacer("{id}", strconv.FormatInt(f.agent.ID, 10))
	}
	if strings.HasPrefix(path, "/admin/departments/") {
		r = strings.NewReplacer("{id}", strconv.FormatInt(f.dept.ID, 10))
	}
	return method, r.Replace(path)
}

func TestRoleEnforcement(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		agent := f.login("agent@example.org")
		admin := f.login("admin@example.org")
		anon := f.anon()
		admins := 0
		for pattern, role := range f.srv.Routes() {
			method, path := f.fill(pattern)
			if strings.HasPrefix(path, "/admin") && role != staff.Admin {
				t.Errorf("%s is an admin page but needs only %q", pattern, role)
			}
			if role == "" {
				continue
			}
			send := func(c *client) response {
				if method == http.MethodPost {
					return c.post(path, url.Values{"name": {"x"}}, true)
				}
				return c.get(path)
			}
			// No session: HTML requests go to the login page.
			if r := send(anon); r.status != http.StatusSeeOther && r.status != http.StatusUnauthorized && r.status != http.StatusForbidden {
				t.Errorf("anonymous %s: %d", pattern, r.status)
			}
			if role != staff.Admin {
				continue
			}
			admins++
			r := send(agent)
			if r.status != http.StatusForbidden {
				t.Errorf("agent %s: %d, want 403", pattern, r.status)
			}
			mustContain(t, r.body, "You don&#39;t have permission to do that.")
			if method == http.MethodGet {
				if r := send(admin); r.status != http.StatusOK && r.status != http.StatusSeeOther {
					t.Errorf("admin %s: %d", pattern, r.status)
				}
			}
		}
		if admins < 10 {
			t.Errorf("only %d admin routes checked", admins)
		}
		// The agent changed nothing on the way.
		u, _ := staff.GetUser(context.Background(), f.db.R, f.agent.ID)
		if u.Name != "Aiko Agent" {
			t.Errorf("agent renamed a user through an admin route: %q", u.Name)
		}
		// The header shows the admin link only to admins.
		mustNotContain(t, agent.get("/inbox").body, `href="/admin/users"`)
		mustContain(t, admin.get("/inbox").body, `href="/admin/users"`)
	})
}

func TestNotFoundAndMethods(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("agent@example.org")
		for _, p := range []string{"/tickets/999999", "/tickets/abc", "/supporters/424242", "/nope", "/attachments/77", "/static/missing.js",
			fmt.Sprintf("/tickets/%d/messages/999/html", f.ticket.ID)} {
			r := c.get(p)
			if r.status != http.StatusNotFound {
				t.Errorf("%s: %d", p, r.status)
			}
		}
		mustContain(t, c.get("/tickets/999999").body, "We couldn&#39;t find that page.", `href="/inbox"`)
		if r := c.post("/tickets/999999/reply", url.Values{"body": {"hi"}}, true); r.status != http.StatusNotFound {
			t.Errorf("reply to missing ticket: %d", r.status)
		}
		// Wrong methods are 405 with Allow.
		req, _ := http.NewRequest(http.MethodDelete, f.http.URL+"/inbox", nil)
		r := c.do(req)
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") == "" {
			t.Errorf("DELETE /inbox: %d allow=%q", r.status, r.header.Get("Allow"))
		}
		if r := c.get("/logout"); r.status != http.StatusMethodNotAllowed {
			t.Errorf("GET /logout: %d", r.status)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("agent@example.org")
		for _, p := range []string{"/login", "/inbox", fmt.Sprintf("/tickets/%d", f.ticket.ID), "/nope"} {
			r := c.get(p)
			if got := r.header.Get("Content-Security-Policy"); got != contentSecurityPolicy {
				t.Errorf("%s CSP = %q", p, got)
			}
			if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("Referrer-Policy") != "same-origin" || r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s headers: %v", p, r.header)
			}
			// No inline script or style anywhere.
			mustNotContain(t, r.body, "<script>", " style=", "<style", " onclick=", " onload=")
		}
		js := c.get(assetURL("app.js"))
		if js.status != http.StatusOK || !strings.Contains(js.header.Get("Cache-Control"), "immutable") {
			t.Errorf("asset: %d %v", js.status, js.header)
		}
	})
}

func TestInboxViewsAndPaging(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		for i := 0; i < 52; i++ {
			f.createTicket(fmt.Sprintf("Question %02d", i), "Body", fmt.Sprintf("p%d@example.org", i), fmt.Sprintf("Person %d", i), "en")
		}
		c := f.login("agent@example.org")
		page := c.get("/inbox?view=open")
		mustContain(t, page.body, `aria-current="page" aria-keyshortcuts="g a"><span class="view-name">All open</span> <span class="count">53</span>`,
			"Question 51", `rel="next"`)
		mustNotContain(t, page.body, "Question 00") // on the second page
		i := strings.Index(page.body, `href="/inbox?cursor=`)
		if i < 0 {
			t.Fatal("no Older link with a cursor")
		}
		href := page.body[i+6 : i+6+strings.IndexByte(page.body[i+6:], '"')]
		older := c.get(strings.ReplaceAll(href, "&amp;", "&"))
		mustContain(t, older.body, "Question 00", "領収書が届きません", "Newest")
		mustNotContain(t, older.body, "Question 51")

		// A mangled cursor falls back to the first page.
		if r := c.get("/inbox?view=open&cursor=%%%"); r.status != http.StatusOK {
			t.Errorf("bad cursor: %d", r.status)
		}
		// The regions fragment has views and list but no layout.
		frag := c.get("/inbox/regions?view=unassigned", "HX-Request", "true")
		mustContain(t, frag.body, `id="views"`, `id="list"`)
		mustNotContain(t, frag.body, "<html")
		// Status and department filters.
		filtered := c.get("/inbox?view=open&status=pending")
		mustContain(t, filtered.body, "Nothing here.")
	})
}

func TestTicketFlows(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		c := f.login("agent@example.org")
		base := fmt.Sprintf("/tickets/%d", f.ticket.ID)

		page := c.get(base + "?view=unassigned")
		mustContain(t, page.body,
			`<h1 id="ticket-title" lang="ja">領収書が届きません</h1>`,
			`lang="ja">先月の寄付の領収書がまだ届いていません。</div>`,
			"Supporter for ", "years", // tenure from supporter_since (2019)
			"Internal note — the supporter won&#39;t see this",
			`role="log"`, `id="ticket-props"`, `href="/supporters/`)

		// Reply.
		r := c.post(base+"/reply", url.Values{"body": {"お問い合わせありがとうございます。"}, "kind": {"reply"}, "list": {"view=unassigned"}}, true)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != base+"?view=unassigned" {
			t.Fatalf("reply: %d %q", r.status, r.header.Get("Location"))
		}
		// Internal note, and pending in the same step.
		r = c.post(base+"/reply", url.Values{"body": {"Checked the receipt run"}, "kind": {"note"}, "status": {"pending"}}, true)
		if r.status != http.StatusSeeOther {
			t.Fatalf("note: %d %s", r.status, r.body)
		}
		msgs, _ := ticket.Messages(ctx, f.db.R, f.ticket.ID, true)
		if len(msgs) != 3 || msgs[1].Direction != ticket.Out || msgs[2].Direction != ticket.Note || *msgs[2].AuthorUserID != f.agent.ID {
			t.Fatalf("messages: %+v", msgs)
		}
		page = c.get(base)
		mustContain(t, page.body, `class="msg msg-note"`, `class="msg msg-out"`, `<span class="note-badge">`, "Checked the receipt run")

		// Empty reply: 422, error next to the field, draft kind kept, nothing stored.
		r = c.post(base+"/reply", url.Values{"body": {"   "}, "kind": {"note"}}, true, "HX-Request", "true")
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty reply: %d", r.status)
		}
		mustContain(t, r.body, `<p class="field-error" id="body-error">This is required.</p>`, `aria-invalid="true"`, `value="note" checked`)
		r = c.post(base+"/reply", url.Values{"body": {"x"}, "status": {"bogus"}}, true)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("bogus status: %d", r.status)
		}
		if msgs, _ := ticket.Messages(ctx, f.db.R, f.ticket.ID, true); len(msgs) != 3 {
			t.Errorf("invalid replies were stored: %d", len(msgs))
		}

		// Assign to me.
		if r := c.post(base+"/update", url.Values{"assignee_id": {"me"}}, true); r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "saved=1") {
			t.Fatalf("assign: %d %q", r.status, r.header.Get("Location"))
		}
		tk, _ := ticket.Get(ctx, f.db.R, f.ticket.ID)
		if tk.AssigneeID == nil || *tk.AssigneeID != f.agent.ID || tk.Status != ticket.StatusPending {
			t.Fatalf("after assign: %+v", tk)
		}
		mustContain(t, c.get("/inbox?view=mine").body, "領収書が届きません")
		mustContain(t, c.get(base+"?saved=1").body, `<p class="saved" role="status">Saved</p>`)

		// All properties at once.
		r = c.post(base+"/update", url.Values{"status": {"resolved"}, "priority": {"high"}, "type": {"complaint"},
			"department_id": {strconv.FormatInt(f.dept.ID, 10)}, "assignee_id": {strconv.FormatInt(f.admin.ID, 10)}, "tags": {"receipt、 Tax,2025"}}, true)
		if r.status != http.StatusSeeOther {
			t.Fatalf("update: %d %s", r.status, r.body)
		}
		tk, _ = ticket.Get(ctx, f.db.R, f.ticket.ID)
		if tk.Status != ticket.StatusResolved || tk.Priority != "high" || tk.Type != "complaint" || tk.DepartmentID == nil ||
			*tk.AssigneeID != f.admin.ID || strings.Join(tk.Tags, ",") != "2025,receipt,tax" {
			t.Fatalf("after update: %+v", tk)
		}
		// Clearing assignee and department.
		c.post(base+"/update", url.Values{"assignee_id": {""}, "department_id": {""}}, true)
		tk, _ = ticket.Get(ctx, f.db.R, f.ticket.ID)
		if tk.AssigneeID != nil || tk.DepartmentID != nil {
			t.Errorf("not cleared: %+v", tk)
		}
		// Invalid values are refused next to their field; nothing changes.
		for field, val := range map[string]string{"status": "bogus", "priority": "meh", "type": "x", "assignee_id": "999999", "department_id": "abc"} {
			r := c.post(base+"/update", url.Values{field: {val}}, true)
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s=%s: %d", field, val, r.status)
			}
			mustContain(t, r.body, `id="`+field+`-error"`)
		}
		after, _ := ticket.Get(ctx, f.db.R, f.ticket.ID)
		if after.Status != tk.Status || after.Priority != tk.Priority {
			t.Error("an invalid update changed the ticket")
		}

		// New messages after an id, for the live script.
		frag := c.get(base+fmt.Sprintf("/messages?after=%d", msgs[1].ID), "X-Requested-With", "fetch")
		mustContain(t, frag.body, "Checked the receipt run")
		mustNotContain(t, frag.body, "お問い合わせありがとうございます", "<html")
	})
}

func TestXSSEscaped(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		const subject = `<script>alert("s")</script>`
		const name = `"><img src=x onerror=alert(1)>`
		const body = `</div><script>alert("b")</script><iframe src=javascript:alert(1)>`
		tk := f.createTicket(subject, body, "evil@example.org", name, "en")
		c := f.login("agent@example.org")
		pages := []string{"/inbox?view=open", fmt.Sprintf("/tickets/%d", tk.ID), fmt.Sprintf("/supporters/%d", tk.SupporterID),
			"/supporters?q=" + url.QueryEscape(name), "/inbox/regions?view=open", fmt.Sprintf("/tickets/%d/messages", tk.ID)}
		for _, p := range pages {
			r := c.get(p)
			if r.status != http.StatusOK {
				t.Errorf("%s: %d", p, r.status)
			}
			mustNotContain(t, r.body, "<script>alert", "<img src=x", "onerror=alert(1)>", "<iframe src=javascript")
		}
		mustContain(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID)).body, "&lt;script&gt;alert(&#34;s&#34;)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;")

		// A hostile reply and a hostile department name are escaped too.
		c.post(fmt.Sprintf("/tickets/%d/reply", tk.ID), url.Values{"body": {`<img src=x onerror=alert(2)>`}}, true)
		mustContain(t, c.get(fmt.Sprintf("/tickets/%d", tk.ID)).body, "&lt;img src=x onerror=alert(2)&gt;")
		admin := f.login("admin@example.org")
		admin.post("/admin/departments", url.Values{"name": {`<b onmouseover=alert(3)>D</b>`}}, true)
		mustContain(t, admin.get("/admin/departments").body, "&lt;b onmouseover=alert(3)&gt;D&lt;/b&gt;")
	})
}

func TestHTMLBodyAndAttachments(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		var msgID int64
		err := f.db.Tx(ctx, func(tx *sqlTx) error {
			m, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: f.ticket.ID, Direction: ticket.In, BodyText: "see html",
				BodyHTML: `<p style="color:red">Hello <script>alert(1)</script><img src="https://tracker.example/p.gif"></p>`})
			msgID = m.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sum, size, err := f.blobs.Put(strings.NewReader("<svg onload=alert(1)></svg>"), 0)
		if err != nil {
			t.Fatal(err)
		}
		svg, err := ticket.AddAttachment(ctx, f.db.W, ticket.Attachment{MessageID: msgID, Filename: "図.svg", ContentType: "image/svg+xml", Size: size, SHA256: sum})
		if err != nil {
			t.Fatal(err)
		}
		pngSum, pngSize, _ := f.blobs.Put(strings.NewReader("\x89PNG\r\n\x1a\nfake"), 0)
		png, _ := ticket.AddAttachment(ctx, f.db.W, ticket.Attachment{MessageID: msgID, Filename: "photo.png", ContentType: "image/png", Size: pngSize, SHA256: pngSum})

		c := f.login("agent@example.org")
		page := c.get(fmt.Sprintf("/tickets/%d", f.ticket.ID))
		mustContain(t, page.body, fmt.Sprintf(`<iframe class="msg-html" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" src="/tickets/%d/messages/%d/html"`, f.ticket.ID, msgID),
			fmt.Sprintf(`href="/attachments/%d">図.svg</a>`, svg.ID))

		body := c.get(fmt.Sprintf("/tickets/%d/messages/%d/html", f.ticket.ID, msgID))
		mustContain(t, body.header.Get("Content-Security-Policy"), "default-src 'none'", "sandbox", "frame-ancestors 'self'")
		if body.header.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("frame options %q", body.header.Get("X-Frame-Options"))
		}
		mustContain(t, body.body, `style="color: red"`, "data-blocked-src")
		mustNotContain(t, body.body, "<script>alert", ` src="https://tracker`)

		a := c.get(fmt.Sprintf("/attachments/%d", svg.ID))
		if a.header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(a.header.Get("Content-Disposition"), "attachment;") ||
			a.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("svg attachment headers: %v", a.header)
		}
		mustContain(t, a.header.Get("Content-Disposition"), "filename*=utf-8''%E5%9B%B3.svg")
		p := c.get(fmt.Sprintf("/attachments/%d", png.ID))
		if p.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(p.header.Get("Content-Disposition"), "inline") {
			t.Errorf("png attachment headers: %v", p.header)
		}
	})
}

func TestLanguages(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("agent@example.org")
		// Browser preference first.
		zh := c.get("/inbox", "Accept-Language", "zh-CN,zh;q=0.9")
		mustContain(t, zh.body, `<html lang="zh-Hans">`, "收件箱", "我的")
		// Saved preference wins over the browser.
		r := c.post("/preferences/language", url.Values{"language": {"ja"}, "next": {"/supporters"}}, true)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/supporters" {
			t.Fatalf("set language: %d %q", r.status, r.header.Get("Location"))
		}
		ja := c.get(fmt.Sprintf("/tickets/%d", f.ticket.ID), "Accept-Language", "zh-CN")
		mustContain(t, ja.body, `<html lang="ja">`, "受信箱", "内部メモ — 支援者には表示されません", "ご支援 ")
		if r := c.post("/preferences/language", url.Values{"language": {"fr"}}, true); r.status != http.StatusUnprocessableEntity {
			t.Errorf("unsupported language: %d", r.status)
		}
		c.post("/preferences/language", url.Values{"language": {"zh"}}, true)
		mustContain(t, c.get(fmt.Sprintf("/tickets/%d", f.ticket.ID)).body, "内部备注 — 支持者看不到", "支持 ")
		// Back to automatic: the organisation default applies without a browser preference.
		c.post("/preferences/language", url.Values{"language": {""}}, true)
		mustContain(t, c.get("/inbox").body, `<html lang="en">`)
	})
}

func TestSupporterPages(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("agent@example.org")
		list := c.get("/supporters?q=" + url.QueryEscape("佐藤"))
		mustContain(t, list.body, "佐藤 花子", "sato@example.jp")
		none := c.get("/supporters?q=zzzz")
		mustContain(t, none.body, "No supporters found")
		p := c.get(fmt.Sprintf("/supporters/%d", f.ticket.SupporterID))
		mustContain(t, p.body, "佐藤 花子", "sato@example.jp", "領収書が届きません", "1 Apr 2019", "Supporter for ")
		// Search by ticket number jumps to the ticket.
		r := c.get(fmt.Sprintf("/search?q=%%23%d", f.ticket.Number))
		if r.header.Get("Location") != fmt.Sprintf("/tickets/%d", f.ticket.ID) {
			t.Errorf("number search: %q", r.header.Get("Location"))
		}
		// Anything else shows the results page (internal/web/search_test.go).
		r = c.get("/search?q=sato")
		if r.status != http.StatusOK {
			t.Errorf("text search: %d", r.status)
		}
	})
}

func TestAdminPages(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		c := f.login("admin@example.org")
		dept := strconv.FormatInt(f.dept.ID, 10)

		// Creating users: each bad field is reported next to itself and nothing is stored.
		bad := []struct{ field, value, want string }{
			{"email", "not-an-email", "This value is not valid."},
			{"email", "agent@example.org", "Someone already uses this email."},
			{"name", "", "This is required."},
			{"role", "overlord", "This value is not valid."},
			{"password", "short", "This is too short"},
			{"department_ids", "x", "This value is not valid."},
		}
		for _, b := range bad {
			form := url.Values{"email": {"new@example.org"}, "name": {"New Person"}, "role": {"agent"}, "password": {"a long enough password"}}
			form.Set(b.field, b.value)
			r := c.post("/admin/users", form, true)
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s=%q: %d", b.field, b.value, r.status)
			}
			mustContain(t, r.body, `id="`+b.field+`-error">`+b.want)
		}
		if n, _ := staff.CountUsers(ctx, f.db.R); n != 2 {
			t.Fatalf("invalid creates stored users: %d", n)
		}
		r := c.post("/admin/users", url.Values{"email": {"new@example.org"}, "name": {"新人 太郎"}, "role": {"supervisor"},
			"password": {testPassword}, "department_ids": {dept}, "language": {"ja"}}, true)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create user: %d %s", r.status, r.body)
		}
		nu, err := staff.GetUserByEmail(ctx, f.db.R, "new@example.org")
		if err != nil || nu.Role != staff.Supervisor || len(nu.DepartmentIDs) != 1 || nu.Language != "ja" {
			t.Fatalf("created: %+v %v", nu, err)
		}
		mustContain(t, c.get("/admin/users").body, "新人 太郎", "Donor care")
		f.login("new@example.org") // the password works

		// Editing: role, active, departments, password.
		path := fmt.Sprintf("/admin/users/%d", nu.ID)
		mustContain(t, c.get(path).body, `value="supervisor" selected`)
		r = c.post(path, url.Values{"name": {"新人 太郎"}, "role": {"agent"}, "language": {""}}, true)
		if r.status != http.StatusSeeOther {
			t.Fatalf("edit user: %d %s", r.status, r.body)
		}
		nu, _ = staff.GetUser(ctx, f.db.R, nu.ID)
		if nu.Role != staff.Agent || nu.Active || len(nu.DepartmentIDs) != 0 {
			t.Errorf("after edit: %+v", nu)
		}
		// Admins cannot lock themselves out.
		self := fmt.Sprintf("/admin/users/%d", f.admin.ID)
		r = c.post(self, url.Values{"name": {"Ada Admin"}, "role": {"agent"}, "active": {"1"}}, true)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("self demote: %d", r.status)
		}
		mustContain(t, r.body, `id="role-error"`)
		if r := c.get("/admin/users/999999"); r.status != http.StatusNotFound {
			t.Errorf("missing user: %d", r.status)
		}

		// Departments: create, duplicate, rename.
		if r := c.post("/admin/departments", url.Values{"name": {"Events"}}, true); r.status != http.StatusSeeOther {
			t.Errorf("create department: %d", r.status)
		}
		r = c.post("/admin/departments", url.Values{"name": {"Events"}}, true)
		mustContain(t, r.body, `id="name-error">A department with this name exists.`)
		r = c.post("/admin/departments", url.Values{"name": {"  "}}, true)
		mustContain(t, r.body, `id="name-error">This is required.`)
		if r := c.post("/admin/departments/"+dept, url.Values{"name": {"Supporter care"}}, true); r.status != http.StatusSeeOther {
			t.Errorf("rename: %d", r.status)
		}
		r = c.post("/admin/departments/"+dept, url.Values{"name": {"Events"}}, true)
		mustContain(t, r.body, `id="rename-error">A department with this name exists.`)
		if r := c.post("/admin/departments/999999", url.Values{"name": {"Nope"}}, true); r.status != http.StatusNotFound {
			t.Errorf("rename missing: %d", r.status)
		}
		mustContain(t, c.get("/admin/departments").body, "Supporter care", "Events")

		// Settings.
		good := url.Values{"name": {"Kokoro Foundation"}, "time_zone": {"Asia/Tokyo"}, "languages": {"ja", "en"},
			"default_language": {"ja"}, "first_reply_minutes": {"720"}, "service_scope": {"Donations and events."}}
		for field, v := range map[string]string{"name": "", "time_zone": "Mars/Olympus", "first_reply_minutes": "soon", "default_language": "zh"} {
			form := url.Values{}
			for k, vs := range good {
				form[k] = vs
			}
			form.Set(field, v)
			r := c.post("/admin/settings", form, true)
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("settings %s=%q: %d", field, v, r.status)
			}
			mustContain(t, r.body, `id="`+field+`-error"`)
		}
		if r := c.post("/admin/settings", good, true); r.status != http.StatusSeeOther {
			t.Fatalf("settings: %d %s", r.status, r.body)
		}
		page := c.get("/admin/settings")
		mustContain(t, page.body, `value="Kokoro Foundation"`, `value="Asia/Tokyo"`, `value="720"`, "Donations and events.")
		// Times now show in Tokyo time on hover.
		mustContain(t, c.get("/inbox?view=open").body, "JST (Asia/Tokyo)")
	})
}

func TestEventsStream(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("agent@example.org")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+"/events", nil)
		res, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// A heartbeat comment arrives (the fixture uses 200 ms).
		waitFor(t, lines, ": ping")
		// Past the server's WriteTimeout (3 s): the stream keeps its own deadline.
		time.Sleep(3500 * time.Millisecond)
		waitFor(t, lines, ": ping")
		tk, err := f.tickets.Create(context.Background(), audit.System, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "新しい問い合わせ", Body: "本文"}, Supporter: supportersNew("new@example.jp")})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, lines, fmt.Sprintf(`data: {"type":"ticket.created","ticket_id":%d`, tk.ID))
		// Logging out ends the stream at the next heartbeat.
		c.post("/logout", nil, true)
		for range lines {
		}
	})
}

func waitFor(t *testing.T, lines <-chan string, prefix string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stream ended before %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return
			}
		case <-deadline:
			t.Fatalf("no %q within 5s", prefix)
		}
	}
}

func TestStaleReplyAsksFirst(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		c := f.login("agent@example.org")
		base := fmt.Sprintf("/tickets/%d", f.ticket.ID)
		msgs, _ := ticket.Messages(ctx, f.db.R, f.ticket.ID, true)
		seen := strconv.FormatInt(msgs[0].ID, 10)

		// The agent's own earlier messages never count as news.
		if r := c.post(base+"/reply", url.Values{"body": {"first"}, "seen": {seen}}, true); r.status != http.StatusSeeOther {
			t.Fatalf("own reply: %d", r.status)
		}
		// The supporter writes again while the agent drafts on the old page.
		if err := f.db.Tx(ctx, func(tx *sqlTx) error {
			_, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: f.ticket.ID, Direction: ticket.In, BodyText: "Never mind, it arrived!"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r := c.post(base+"/reply", url.Values{"body": {"We will resend it."}, "seen": {seen}}, true, "HX-Request", "true")
		if r.status != http.StatusConflict {
			t.Fatalf("stale reply: %d", r.status)
		}
		mustContain(t, r.body, `id="stale-warning"`, "New messages arrived while you were writing.", "We will resend it.</textarea>",
			`name="confirm" value="1"`, "Send anyway", "Never mind, it arrived!")
		if got, _ := ticket.Messages(ctx, f.db.R, f.ticket.ID, true); len(got) != 3 {
			t.Fatalf("a stale reply was sent: %d messages", len(got))
		}
		// Sending anyway goes through.
		if r := c.post(base+"/reply", url.Values{"body": {"We will resend it."}, "seen": {seen}, "confirm": {"1"}}, true); r.status != http.StatusSeeOther {
			t.Fatalf("confirmed reply: %d", r.status)
		}
	})
}
