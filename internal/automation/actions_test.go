package automation_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/automation"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/outbox"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// A supporter's message gets a canned reply in their language, mailed
// through the outbox in the same transaction (held for do-not-contact);
// the reply, a message itself, triggers no rule: exactly one per message.
func TestCannedReplyInSupportersLanguage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q, err := jobs.New(d, jobs.Config{})
		if err != nil {
			t.Fatal(err)
		}
		o := &outbox.Outbox{DB: d, Jobs: q, TokenSecret: []byte("0123456789abcdef0123456789abcdef"), Domain: "example.org"}
		en := &automation.Engine{DB: d, Jobs: q, Deliver: o.ReplyHook}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{en.Hook}}
		var en1 macro.Macro
		for _, m := range []macro.Input{
			{Name: "Received", Language: "en", Body: "{{greeting}}\n\nThank you, we have your message."},
			{Name: "Received", Language: "ja", Body: "{{name}}\n\nお問い合わせありがとうございます。担当者より改めてご連絡いたします。"},
			{Name: "Received", Language: "zh", Body: "{{name}}，您好！\n\n感谢您的来信，我们会尽快回复您。"},
		} {
			got, err := macro.Create(ctx, d.W, m)
			if err != nil {
				t.Fatal(err)
			}
			if m.Language == "en" {
				en1 = got
			}
		}
		saveRule(t, d, automation.Rule{Name: "Confirm", Event: automation.MessageCreated,
			Conditions: []automation.Condition{{Field: "direction", Op: "eq", Value: "in"}},
			Actions:    []automation.Action{{Type: "send_canned_reply", Value: strconv.FormatInt(en1.ID, 10)}}})
		reply := func(name, email, lang string) (ticket.Ticket, string, string, string) {
			t.Helper()
			tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: "質問", Body: "こんにちは", Channel: "email"},
				Supporter: supporter.NewSupporter{Name: name, Email: email, Language: lang}})
			if err != nil {
				t.Fatal(err)
			}
			// The ticket.created event has no message.created: the supporter writes again.
			if err := d.Tx(ctx, func(tx *sql.Tx) error {
				m, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: tk.ID, Direction: ticket.In, BodyText: "追伸です", AuthorSupporterID: &tk.SupporterID})
				if err != nil {
					return err
				}
				return en.Hook(ctx, tx, liveEvent(automation.MessageCreated, tk.ID, m.ID))
			}); err != nil {
				t.Fatal(err)
			}
			var body, status, language string
			if err := d.R.QueryRow("SELECT body_text, status, language FROM outbox WHERE ticket_id = $1", tk.ID).Scan(&body, &status, &language); err != nil {
				t.Fatal(err)
			}
			return tk, body, status, language
		}
		tk, body, status, lang := reply("山田 花子", "hanako@example.jp", "ja")
		if !strings.Contains(body, "お問い合わせありがとうございます") || !strings.Contains(body, "山田") || status != "queued" || lang != "ja" {
			t.Fatalf("ja: %s %s %q", status, lang, body)
		}
		if n := countRows(t, d, "SELECT COUNT(*) FROM messages WHERE ticket_id = $1 AND direction = 'out'", tk.ID); n != 1 {
			t.Fatalf("%d replies: the reply must not trigger the rule again", n)
		}
		_, body, _, lang = reply("王 芳", "wangfang@example.cn", "zh")
		if !strings.Contains(body, "感谢您的来信") || lang != "zh" {
			t.Fatalf("zh: %s %q", lang, body)
		}
		// Do not contact: the reply is on the ticket, the mail is held.
		s, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "佐藤 一郎", Email: "dnc@example.jp", Language: "ja"})
		if err != nil {
			t.Fatal(err)
		}
		if err := supporter.SetDoNotContact(ctx, d.W, s.ID, true); err != nil {
			t.Fatal(err)
		}
		_, _, status, _ = reply("佐藤 一郎", "dnc@example.jp", "ja")
		if status != "suppressed" {
			t.Fatalf("do-not-contact: %s", status)
		}
	})
}

// notify tells the assignee (or the department's supervisors) in the app.
func TestNotify(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dept, _ := staff.CreateDepartment(ctx, d.W, "会員サービス", "")
		sup, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "lead@example.org", Name: "Lead", Role: staff.Supervisor, DepartmentIDs: []int64{dept.ID}})
		if err != nil {
			t.Fatal(err)
		}
		agent, _ := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "aiko@example.org", Name: "Aiko", Role: staff.Agent})
		en := &automation.Engine{DB: d}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{en.Hook}}
		saveRule(t, d, automation.Rule{Name: "Urgent", Event: automation.TicketUpdated,
			Conditions: []automation.Condition{{Field: "priority", Op: "eq", Value: "urgent"}},
			Actions:    []automation.Action{{Type: "notify", Value: "assignee"}, {Type: "notify", Value: strconv.FormatInt(agent.ID, 10)}}})
		tk := newTicket(t, svc, "s@example.org", ticket.StatusNew)
		urgent := "urgent"
		if _, _, err := svc.Update(ctx, audit.Actor{Name: "test"}, tk.ID, ticket.Patch{Priority: &urgent, DepartmentID: &dept.ID}); err != nil {
			t.Fatal(err)
		}
		// Nobody assigned: the department's supervisor hears, and the named agent.
		for _, u := range []int64{sup.ID, agent.ID} {
			if n := countRows(t, d, "SELECT COUNT(*) FROM sla_notifications WHERE user_id = $1 AND ticket_id = $2 AND target = 'automation'", u, tk.ID); n != 1 {
				t.Fatalf("user %d: %d notifications", u, n)
			}
		}
	})
}

// A webhook call is signed, retried after a 500 and recorded.
func TestWebhookSignedAndRetried(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var calls atomic.Int32
		var got struct {
			sig  string
			body []byte
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				http.Error(w, "database is down", http.StatusInternalServerError)
				return
			}
			got.sig, got.body = r.Header.Get("X-Steward-Signature"), must(io.ReadAll(r.Body))
		}))
		defer srv.Close()
		clk := newClock()
		en := &automation.Engine{DB: d, Now: clk.Now}
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{en.Hook}}
		rule := saveRule(t, d, automation.Rule{Name: "Tell the CRM", Event: automation.TicketCreated,
			Actions: []automation.Action{{Type: "webhook", Value: srv.URL + "/hook"}}})
		if !strings.HasPrefix(rule.WebhookSecret, "whsec_") {
			t.Fatalf("secret %q", rule.WebhookSecret)
		}
		tk := newTicket(t, svc, "s@example.org", ticket.StatusNew)
		ds, _ := automation.Deliveries(ctx, d.R, rule.ID, 10)
		if len(ds) != 1 || ds[0].Status != "pending" {
			t.Fatalf("deliveries: %+v", ds)
		}
		if err := en.DeliverWebhook(ctx, ds[0].ID, false); err == nil || !strings.Contains(err.Error(), "500") {
			t.Fatalf("first attempt: %v", err)
		}
		ds, _ = automation.Deliveries(ctx, d.R, rule.ID, 10)
		if ds[0].Status != "pending" || ds[0].Attempts != 1 || *ds[0].ResponseStatus != 500 || !strings.Contains(ds[0].LastError, "database is down") {
			t.Fatalf("after a 500: %+v", ds[0])
		}
		if err := en.DeliverWebhook(ctx, ds[0].ID, false); err != nil {
			t.Fatal(err)
		}
		// The receiver's check: t=<unix>,v1=HMAC-SHA256(secret, "t.body").
		ts, mac, _ := strings.Cut(got.sig, ",")
		ts = strings.TrimPrefix(ts, "t=")
		h := hmac.New(sha256.New, []byte(rule.WebhookSecret))
		fmt.Fprintf(h, "%s.%s", ts, got.body)
		if want := "v1=" + hex.EncodeToString(h.Sum(nil)); !hmac.Equal([]byte(mac), []byte(want)) || ts != strconv.FormatInt(clk.t.Unix(), 10) {
			t.Fatalf("signature %q, want t=%d,%s", got.sig, clk.t.Unix(), want)
		}
		var p automation.WebhookPayload
		if err := json.Unmarshal(got.body, &p); err != nil || p.Ticket.ID != tk.ID || p.Event != "ticket.created" || p.Rule.ID != rule.ID {
			t.Fatalf("payload %s: %v", got.body, err)
		}
		ds, _ = automation.Deliveries(ctx, d.R, rule.ID, 10)
		if ds[0].Status != "delivered" || ds[0].Attempts != 2 || ds[0].FinishedAt == nil {
			t.Fatalf("delivered: %+v", ds[0])
		}
		// Delivered calls are never sent again.
		if err := en.DeliverWebhook(ctx, ds[0].ID, false); err != nil || calls.Load() != 2 {
			t.Fatalf("re-delivery: %v, %d calls", err, calls.Load())
		}
		// A 404 is not retried; a last failed attempt fails the call.
		gone := httptest.NewServer(http.NotFoundHandler())
		defer gone.Close()
		rule.Actions = []automation.Action{{Type: "webhook", Value: gone.URL}}
		automation.SaveRule(ctx, d.W, rule)
		newTicket(t, svc, "s2@example.org", ticket.StatusNew)
		ds, _ = automation.Deliveries(ctx, d.R, rule.ID, 1)
		if err := en.DeliverWebhook(ctx, ds[0].ID, false); err == nil {
			t.Fatal("404 delivered")
		}
		ds, _ = automation.Deliveries(ctx, d.R, rule.ID, 1)
		if ds[0].Status != "failed" || *ds[0].ResponseStatus != 404 {
			t.Fatalf("after a 404: %+v", ds[0])
		}
	})
}

func liveEvent(typ string, ticketID, messageID int64) live.Event {
	return live.Event{Type: typ, TicketID: ticketID, MessageID: messageID}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
