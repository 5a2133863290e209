package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/staff"
)

const (
	jaSubject = "寄付金の領収書について"
	jaBody    = "先月の寄付の領収書がまだ届いていません。\n確定申告に必要なので、再発行をお願いできますか。"
	zhSubject = "关于捐款收据"
	zhBody    = "您好，我上个月的捐款收据还没有收到，请问可以重新发送吗？谢谢！"
)

func TestTicketLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)

		// Create: a Japanese donor writes in.
		res := f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
			"subject": jaSubject, "body": jaBody, "channel": "email", "priority": "high", "tags": []string{"Receipt", "tax"},
			"supporter": map[string]any{"name": "佐藤 花子", "email": "Hanako.Sato@example.jp", "language": "ja"},
		}}).want(t, http.StatusCreated)
		var ja ticketOut
		res.json(t, &ja)
		if ja.Subject != jaSubject || ja.Status != "new" || ja.Priority != "high" || ja.Channel != "email" || ja.Type != "inquiry" {
			t.Fatalf("created %+v", ja)
		}
		if !slices.Equal(ja.Tags, []string{"receipt", "tax"}) {
			t.Errorf("tags %v", ja.Tags)
		}
		if ja.Supporter.Name != "佐藤 花子" || ja.Supporter.Email != "hanako.sato@example.jp" || ja.Supporter.ID == 0 {
			t.Errorf("supporter %+v", ja.Supporter)
		}
		if len(ja.Messages) != 1 || ja.Messages[0].BodyText != jaBody || ja.Messages[0].Direction != "in" || ja.Messages[0].AuthorName != "佐藤 花子" {
			t.Fatalf("messages %+v", ja.Messages)
		}
		if want := fmt.Sprintf("/api/v1/tickets/%d", ja.ID); res.Header.Get("Location") != want {
			t.Errorf("Location %q, want %q", res.Header.Get("Location"), want)
		}
		if !strings.HasSuffix(ja.CreatedAt, "Z") {
			t.Errorf("created_at %q is not UTC", ja.CreatedAt)
		}

		// A Chinese donor; defaults fill in channel, type, priority.
		var zh ticketOut
		f.do(req{Method: "POST", Path: "/tickets", Token: f.adminTok, Body: map[string]any{
			"subject": zhSubject, "body": zhBody,
			"supporter": map[string]any{"name": "王芳", "phone": "+86 138 0013 8000", "language": "zh"},
		}}).want(t, http.StatusCreated).json(t, &zh)
		if zh.Channel != "api" || zh.Priority != "normal" || zh.Type != "inquiry" || zh.Number != ja.Number+1 {
			t.Errorf("zh ticket %+v", zh)
		}

		// The same supporter writing again is recognised by email, whatever its case.
		var again ticketOut
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
			"subject": "再度のお問い合わせ", "body": "よろしくお願いします。",
			"supporter": map[string]any{"email": "HANAKO.SATO@example.jp"},
		}}).want(t, http.StatusCreated).json(t, &again)
		if again.Supporter.ID != ja.Supporter.ID {
			t.Errorf("second ticket from the same email went to supporter %d, want %d", again.Supporter.ID, ja.Supporter.ID)
		}

		// Get.
		var got ticketOut
		f.do(req{Method: "GET", Path: fmt.Sprintf("/tickets/%d", zh.ID), Token: f.agentTok}).want(t, 200).json(t, &got)
		if got.Subject != zhSubject || got.Messages[0].BodyText != zhBody || got.Supporter.Name != "王芳" {
			t.Errorf("get %+v", got)
		}

		// Reply in Japanese and mark pending in one step.
		reply := "佐藤様\n\nいつもご支援いただきありがとうございます。領収書を本日再発行いたしました。"
		var m messageOut
		res = f.do(req{Method: "POST", Path: fmt.Sprintf("/tickets/%d/messages", ja.ID), Token: f.agentTok,
			Body: map[string]any{"body": reply, "status": "pending"}}).want(t, http.StatusCreated)
		res.json(t, &m)
		if m.Direction != "out" || m.BodyText != reply || m.AuthorName != "山田 愛子" {
			t.Errorf("reply %+v", m)
		}
		// An internal note in Chinese.
		note := "已与财务部确认，收据将于周五寄出。"
		f.do(req{Method: "POST", Path: fmt.Sprintf("/tickets/%d/messages", ja.ID), Token: f.adminTok,
			Body: map[string]any{"body": note, "internal": true}}).want(t, http.StatusCreated).json(t, &m)
		if m.Direction != "note" || m.AuthorName != "Admin Ada" {
			t.Errorf("note %+v", m)
		}
		f.do(req{Method: "GET", Path: fmt.Sprintf("/tickets/%d", ja.ID), Token: f.agentTok}).want(t, 200).json(t, &got)
		if got.Status != "pending" || got.FirstResponseAt == nil {
			t.Errorf("after reply: status %s, first_response_at %v", got.Status, got.FirstResponseAt)
		}
		var dirs []string
		for _, m := range got.Messages {
			dirs = append(dirs, m.Direction)
		}
		if !slices.Equal(dirs, []string{"in", "out", "note"}) || got.Messages[2].BodyText != note {
			t.Errorf("conversation %v", dirs)
		}

		// Patch: status, assignee, tags, department; then clear with null.
		var dept struct{ ID int64 }
		f.do(req{Method: "POST", Path: "/departments", Token: f.adminTok, Body: map[string]any{"name": "财务部", "description": "收据与退款"}}).
			want(t, http.StatusCreated).json(t, &dept)
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/tickets/%d", ja.ID), Token: f.agentTok, Body: map[string]any{
			"status": "open", "assignee_id": f.agent.ID, "department_id": dept.ID, "tags": []string{"receipt", "領収書"}, "subject": "寄付金の領収書の再発行",
		}}).want(t, 200).json(t, &got)
		if got.Status != "open" || got.AssigneeID == nil || *got.AssigneeID != f.agent.ID || got.DepartmentID == nil || *got.DepartmentID != dept.ID ||
			!slices.Equal(got.Tags, []string{"receipt", "領収書"}) || got.Subject != "寄付金の領収書の再発行" {
			t.Fatalf("patched %+v", got)
		}
		// assignee=me and assignee=none.
		var list ticketPageOut
		f.do(req{Method: "GET", Path: "/tickets?assignee=me", Token: f.agentTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != ja.ID || list.NextCursor != nil {
			t.Errorf("assignee=me: %+v", list)
		}
		f.do(req{Method: "GET", Path: "/tickets?assignee=none", Token: f.agentTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 2 {
			t.Errorf("assignee=none: %d items", len(list.Items))
		}
		f.do(req{Method: "GET", Path: fmt.Sprintf("/tickets?department=%d&status=open", dept.ID), Token: f.agentTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 1 {
			t.Errorf("department filter: %d items", len(list.Items))
		}
		// An absent field stays; null clears.
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/tickets/%d", ja.ID), Token: f.agentTok, Body: `{"priority":"urgent"}`}).want(t, 200).json(t, &got)
		if got.AssigneeID == nil || got.DepartmentID == nil || got.Priority != "urgent" {
			t.Errorf("absent fields changed: %+v", got)
		}
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/tickets/%d", ja.ID), Token: f.agentTok, Body: `{"assignee_id":null,"department_id":null,"tags":null}`}).
			want(t, 200).json(t, &got)
		if got.AssigneeID != nil || got.DepartmentID != nil || len(got.Tags) != 0 || got.Tags == nil {
			t.Errorf("null did not clear: %+v", got)
		}
		// Each change is in the audit log.
		var audited int
		d.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE object_type = 'ticket' AND object_id = $1", ja.ID).Scan(&audited)
		if audited != 6 { // create, reply, note, three patches
			t.Errorf("%d audit entries for the ticket, want 6", audited)
		}
	})
}

func TestTicketPagination(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const n = 11
		want := map[int64]bool{}
		for i := range n {
			subject, body := jaSubject, jaBody
			if i%2 == 1 {
				subject, body = zhSubject, zhBody
			}
			var tk ticketOut
			f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
				"subject": fmt.Sprintf("%s %d", subject, i), "body": body,
				"supporter": map[string]any{"email": fmt.Sprintf("donor%d@example.org", i%3)},
			}}).want(t, http.StatusCreated).json(t, &tk)
			want[tk.ID] = true
		}
		seen := map[int64]bool{}
		var prev *ticketOut
		cursor, pages := "", 0
		for {
			path := "/tickets?limit=4"
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			var page ticketPageOut
			f.do(req{Method: "GET", Path: path, Token: f.agentTok}).want(t, 200).json(t, &page)
			pages++
			for _, it := range page.Items {
				if seen[it.ID] {
					t.Fatalf("ticket %d on two pages", it.ID)
				}
				seen[it.ID] = true
				if prev != nil && (it.UpdatedAt > prev.UpdatedAt || (it.UpdatedAt == prev.UpdatedAt && it.ID > prev.ID)) {
					t.Errorf("order: %d (%s) after %d (%s)", it.ID, it.UpdatedAt, prev.ID, prev.UpdatedAt)
				}
				prev = &it
			}
			if page.NextCursor == nil {
				break
			}
			if len(page.Items) != 4 {
				t.Errorf("a middle page has %d items", len(page.Items))
			}
			cursor = *page.NextCursor
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
		}
		if pages != 3 || len(seen) != n {
			t.Errorf("%d pages, %d tickets; want 3 and %d", pages, len(seen), n)
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("ticket %d never listed", id)
			}
		}
	})
}

func TestAgentMayNotAdminister(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		before := counts(t, d)
		for _, r := range []req{
			{Method: "POST", Path: "/users", Body: map[string]any{"email": "x@example.org", "name": "X"}},
			{Method: "PATCH", Path: fmt.Sprintf("/users/%d", f.agent.ID), Body: map[string]any{"role": "admin"}},
			{Method: "POST", Path: "/departments", Body: map[string]any{"name": "広報"}},
			{Method: "PATCH", Path: "/settings", Body: map[string]any{"name": "Hijacked"}},
		} {
			r.Token = f.agentTok
			e := f.do(r).want(t, http.StatusForbidden).err(t)
			if e.Error.Code != "forbidden" || !strings.Contains(e.Error.Message, "admin") {
				t.Errorf("%s %s: %+v", r.Method, r.Path, e)
			}
		}
		if diff := sameCounts(before, counts(t, d)); diff != "" {
			t.Errorf("refused requests stored something: %s", diff)
		}
		// A supervisor is below admin too.
		_, supTok := f.user("sup@example.org", "Supervisor", staff.Supervisor)
		f.do(req{Method: "POST", Path: "/departments", Token: supTok, Body: map[string]any{"name": "広報"}}).want(t, http.StatusForbidden)
	})
}
