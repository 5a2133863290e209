package sla_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/outbox"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// noticeRows returns the notices queued for a ticket as "status|body".
func noticeRows(t *testing.T, d *db.DB, ticketID int64) []string {
	t.Helper()
	rows, err := d.R.Query("SELECT status, body_text FROM outbox WHERE ticket_id = $1 AND kind = $2 ORDER BY id", ticketID, outbox.KindNotice)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var st, body string
		rows.Scan(&st, &body)
		out = append(out, st+"|"+body)
	}
	return out
}

// When a promised follow-up slips, the supporter is told once, honestly and
// in their language (from the template an admin may have edited); a
// supporter who asked not to be contacted is not.
func TestSlipNotice(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		q, err := jobs.New(d, jobs.Config{})
		if err != nil {
			t.Fatal(err)
		}
		k.sla.Mailer = &outbox.Outbox{DB: d, Jobs: q, TokenSecret: []byte("0123456789abcdef0123456789abcdef")}
		actor := audit.Actor{UserID: k.agent.ID, Name: "agent"}
		slip := func(id int64) {
			t.Helper()
			var version int64
			d.R.QueryRow("SELECT version FROM ticket_followups WHERE ticket_id = $1", id).Scan(&version)
			for i := 0; i < 2; i++ { // a duplicate job changes nothing
				if _, err := k.sla.FireFollowup(ctx, sla.FollowupArgs{TicketID: id, Version: version, Event: sla.EventFollowupSlip}); err != nil {
					t.Fatal(err)
				}
			}
		}
		promise := func(id int64) {
			t.Helper()
			due := time.Date(2031, 11, 25, 23, 59, 0, 0, time.UTC)
			k.clock.Set(due.Add(-48 * time.Hour))
			if _, err := k.sla.Promise(ctx, actor, id, due, k.tickets.Hooks); err != nil {
				t.Fatal(err)
			}
			k.clock.Set(due.Add(time.Minute))
		}

		// Japanese, with the built-in text.
		ja := k.create(t, "inquiry")
		promise(ja.ID)
		slip(ja.ID)
		got := noticeRows(t, d, ja.ID)
		if len(got) != 1 || !strings.HasPrefix(got[0], "queued|佐藤 花子 様\n\n") || !strings.Contains(got[0], "2031年11月25日までにご連絡するとお約束しておりましたが") ||
			!strings.Contains(got[0], "申し訳ございません") || !strings.Contains(got[0], "#"+itoa(ja.Number)) {
			t.Fatalf("Japanese slip notice: %q", got)
		}
		if f, _ := sla.GetFollowup(ctx, d.R, ja.ID); f == nil || f.SlipNotice != outbox.NoticeQueued || f.SlipNoticeAt == nil {
			t.Fatalf("follow-up: %+v", f)
		}

		// Chinese, with a text the admin edited.
		if err := sla.SaveTemplate(ctx, d.W, sla.TemplateSlip, "zh", "{salutation}\n\n很抱歉，我们未能在{date}前答复您的咨询（#{number}），仍在核实中。\n\n{organisation}", k.admin.ID); err != nil {
			t.Fatal(err)
		}
		zh, err := k.tickets.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "收据", Body: "还没有收到收据", Channel: "email", Language: "zh", DepartmentID: &k.dept.ID, AssigneeID: &k.agent.ID},
			Supporter: supporter.NewSupporter{Email: "wangfang@example.cn", Name: "王芳"}})
		if err != nil {
			t.Fatal(err)
		}
		promise(zh.ID)
		slip(zh.ID)
		if got := noticeRows(t, d, zh.ID); len(got) != 1 || !strings.HasPrefix(got[0], "queued|王芳，您好：\n\n很抱歉，我们未能在2031年11月25日前答复您的咨询（#"+itoa(zh.Number)+"），仍在核实中。") {
			t.Fatalf("Chinese slip notice: %q", got)
		}

		// Do not contact: held back, and the ticket says so.
		dnc, err := k.tickets.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "Gift Aid", Body: "Please check", Channel: "email", Language: "en", DepartmentID: &k.dept.ID},
			Supporter: supporter.NewSupporter{Email: "quiet@example.org", Name: "Jane Quiet"}})
		if err != nil {
			t.Fatal(err)
		}
		promise(dnc.ID)
		if err := supporter.SetDoNotContact(ctx, d.W, dnc.SupporterID, true); err != nil {
			t.Fatal(err)
		}
		slip(dnc.ID)
		if got := noticeRows(t, d, dnc.ID); len(got) != 1 || !strings.HasPrefix(got[0], "suppressed|Dear Jane Quiet,") {
			t.Fatalf("do-not-contact slip notice: %q", got)
		}
		if f, _ := sla.GetFollowup(ctx, d.R, dnc.ID); f.SlipNotice != outbox.NoticeSuppressed {
			t.Fatalf("follow-up: %+v", f)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The holding reply comes from its template too; templates check their
// placeholders, and saving the default text (or nothing) restores it.
func TestTemplates(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		err := sla.SaveTemplate(ctx, d.W, sla.TemplateHolding, "ja", "{salutation}\n\n{deadline}までにご連絡します。", 0)
		if inv, ok := errs.AsInvalid(err); !ok || inv.Field != "body" {
			t.Fatalf("unknown placeholder: %v", err)
		}
		if err := sla.SaveTemplate(ctx, d.W, sla.TemplateHolding, "ko", "{salutation}", 0); err == nil {
			t.Fatal("unknown language accepted")
		}
		if err := sla.SaveTemplate(ctx, d.W, sla.TemplateHolding, "ja", "{salutation}\n\n担当部署で確認中です。{date}までにご連絡いたします。\n\n{organisation} 寄付者サポート", k.admin.ID); err != nil {
			t.Fatal(err)
		}
		tk := k.create(t, "inquiry")
		due := k.clock.Now().Add(72 * time.Hour)
		if _, err := k.sla.Promise(ctx, audit.Actor{UserID: k.agent.ID}, tk.ID, due, k.tickets.Hooks); err != nil {
			t.Fatal(err)
		}
		msgs, _ := ticket.Messages(ctx, d.R, tk.ID, true)
		want := "佐藤 花子 様\n\n担当部署で確認中です。" + due.In(time.UTC).Format("2006") + "年"
		if last := msgs[len(msgs)-1].BodyText; !strings.HasPrefix(last, want) || !strings.Contains(last, "寄付者サポート") {
			t.Fatalf("holding reply from the edited template: %q", last)
		}
		ts, err := sla.Templates(ctx, d.R)
		if err != nil || len(ts) != len(sla.TemplateNames)*len(sla.TemplateLanguages) {
			t.Fatalf("templates: %v %v", ts, err)
		}
		for _, x := range ts {
			if x.Custom != (x.Name == sla.TemplateHolding && x.Language == "ja") {
				t.Fatalf("custom flag: %+v", x)
			}
		}
		if err := sla.SaveTemplate(ctx, d.W, sla.TemplateHolding, "ja", "", k.admin.ID); err != nil {
			t.Fatal(err)
		}
		if body, _ := sla.GetTemplate(ctx, d.R, sla.TemplateHolding, "ja"); body != sla.DefaultTemplate(sla.TemplateHolding, "ja") {
			t.Fatalf("reset to default: %q", body)
		}
		if body, _ := sla.GetTemplate(ctx, d.R, sla.TemplateSlip, "zh-Hant"); !strings.Contains(body, "非常抱歉") {
			t.Fatalf("zh-Hant uses the Chinese text: %q", body)
		}
	})
}

// A policy can match on the supporter's segments: a major donor's ticket
// gets the tighter promise, everyone else the organisation's.
func TestPolicyMatchesSegments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		if _, err := sla.CreatePolicy(ctx, d.W, &sla.Policy{Name: "x", CalendarID: 1, Active: true, Match: sla.Match{Segments: []string{"vip"}}}); err == nil {
			t.Fatal("an unknown segment was accepted")
		} else if inv, ok := errs.AsInvalid(err); !ok || inv.Field != "match.segments" {
			t.Fatalf("unknown segment: %v", err)
		}
		k.policy(t, sla.Policy{Name: "大口寄付者", Position: 1, Match: sla.Match{Segments: []string{segment.Major}}, FirstResponseMinutes: ptr(120)})
		tk := k.create(t, "inquiry")
		if due := k.status(t, tk.ID)[sla.FirstResponse].DueAt; due == nil || due.Sub(k.clock.Now()) < 23*time.Hour {
			t.Fatalf("no gifts: the organisation's promise applies, due %v", due)
		}
		if _, _, err := giving.Add(ctx, d.W, giving.NewDonation{SupporterID: tk.SupporterID, AmountMinor: 200_000, Currency: "JPY", DonatedAt: time.Now().AddDate(0, -2, 0)}); err != nil {
			t.Fatal(err)
		}
		high := "high" // any change re-evaluates
		if _, _, err := k.tickets.Update(ctx, audit.Actor{Name: "test"}, tk.ID, ticket.Patch{Priority: &high}); err != nil {
			t.Fatal(err)
		}
		tk2 := k.create(t, "inquiry")
		for _, id := range []int64{tk.ID, tk2.ID} {
			due := k.status(t, id)[sla.FirstResponse].DueAt
			if due == nil || due.Sub(k.clock.Now()) > 2*time.Hour+time.Minute {
				t.Fatalf("ticket %d of a major donor: due %v, want within 2 hours", id, due)
			}
		}
	})
}
