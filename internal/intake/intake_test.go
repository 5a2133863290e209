package intake_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/intake"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/outbox"
	"github.com/steward-desk/steward/internal/replytoken"
	"github.com/steward-desk/steward/internal/ticket"
)

type desk struct {
	d   *db.DB
	in  *intake.Intake
	out *outbox.Outbox
}

func newDesk(t *testing.T, d *db.DB) desk {
	t.Helper()
	ctx := context.Background()
	secret, err := d.Secret(ctx, "reply_token")
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(d, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	blobs, _ := blob.New(t.TempDir())
	o := &outbox.Outbox{DB: d, Jobs: q, Blobs: blobs, TokenSecret: secret, Domain: "desk.example.org"}
	in := &intake.Intake{DB: d, Blobs: blobs, Live: live.NewLocal(), TokenSecret: secret, Followups: []intake.Followup{o.AckFollowup, o.RejectedFilesFollowup}}
	return desk{d, in, o}
}

func mail(id, from, name, subject, body string) intake.Inbound {
	return intake.Inbound{Channel: "email", SourceKey: id, MessageID: id, From: intake.Sender{Email: from, Name: name}, Subject: subject, Text: body}
}

func (k desk) count(t *testing.T, table string) int {
	var n int
	if err := k.d.R.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRedeliveryIsANoOp(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		m := mail("abc@mail.example.jp", "hanako@example.jp", "佐藤 花子", "寄付金の領収書", "領収書を再発行してください。")
		m.Files = []intake.File{{Filename: "振込明細.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 ...")}}
		first, err := k.in.Accept(ctx, m)
		if err != nil || !first.NewTicket {
			t.Fatalf("first: %+v %v", first, err)
		}
		// The same Message-ID again — through another mailbox — is the same ticket, nothing new.
		m.MailboxID = 0
		again, err := k.in.Accept(ctx, m)
		if err != nil || !again.Duplicate || again.TicketID != first.TicketID || again.MessageID != first.MessageID {
			t.Fatalf("redelivery: %+v %v", again, err)
		}
		if n := k.count(t, "messages"); n != 1 {
			t.Fatalf("%d messages after redelivery", n)
		}
		if n := k.count(t, "attachments"); n != 1 {
			t.Fatalf("%d attachments", n)
		}
		if n := k.count(t, "outbox"); n != 1 {
			t.Fatalf("%d acknowledgements queued, want 1", n)
		}
	})
}

func TestThreading(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		first, err := k.in.Accept(ctx, mail("m1@gmail.com", "wang@example.cn", "王伟", "关于捐款收据", "请问收据什么时候寄出？"))
		if err != nil {
			t.Fatal(err)
		}
		var ackID string
		k.d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE ticket_id = $1", first.TicketID).Scan(&ackID)
		if replytoken.FromMessageID(ackID) == "" {
			t.Fatalf("ack Message-ID %q carries no token", ackID)
		}

		cases := []struct {
			name    string
			msg     intake.Inbound
			same    bool
			comment string
		}{
			{"reply to the acknowledgement (Gmail: In-Reply-To + References)", func() intake.Inbound {
				m := mail("m2@gmail.com", "wang@example.cn", "王伟", "Re: 已收到您的来信", "谢谢")
				m.InReplyTo, m.References = ackID, []string{"m1@gmail.com", ackID}
				return m
			}(), true, ""},
			{"Outlook: only References to the supporter's own first message", func() intake.Inbound {
				m := mail("m3@outlook.com", "WANG@example.cn", "", "RE: 关于捐款收据", "补充一下")
				m.References = []string{"m1@gmail.com"}
				return m
			}(), true, ""},
			{"stranger forges In-Reply-To of someone else's message", func() intake.Inbound {
				m := mail("evil1@evil.example", "mallory@evil.example", "Mallory", "Re: 关于捐款收据", "append me")
				m.InReplyTo = "m1@gmail.com"
				return m
			}(), false, "forged reference must open a new ticket"},
			{"stranger forges a Steward Message-ID with a bad signature", func() intake.Inbound {
				m := mail("evil2@evil.example", "mallory@evil.example", "Mallory", "Re: x", "append me")
				m.InReplyTo = replytoken.MessageID(fmt.Sprintf("t%d.aaaaaaaa.bbbbbbbbbbbbbbbb", first.TicketID), "desk.example.org")
				return m
			}(), false, ""},
			{"subject number from the supporter", mail("m4@gmail.com", "wang@example.cn", "王伟", fmt.Sprintf("又一个问题 [#%d]", ticketNumber(t, k, first.TicketID)), "收据地址写错了"), true, ""},
			{"subject number from a stranger", mail("evil3@evil.example", "mallory@evil.example", "", fmt.Sprintf("Re: [#%d]", ticketNumber(t, k, first.TicketID)), "x"), false, ""},
			{"token in the text only (client dropped headers)", func() intake.Inbound {
				return mail("m5@qq.com", "wang@example.cn", "王伟", "回复：收据", "好的\n\n> "+replytoken.Footer(replytoken.FromMessageID(ackID)))
			}(), true, ""},
		}
		for _, c := range cases {
			res, err := k.in.Accept(ctx, c.msg)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if (res.TicketID == first.TicketID) != c.same {
				t.Errorf("%s: ticket %d (first %d), want same=%v %s", c.name, res.TicketID, first.TicketID, c.same, c.comment)
			}
		}
	})
}

func ticketNumber(t *testing.T, k desk, id int64) int64 {
	tk, err := ticket.Get(context.Background(), k.d.R, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Number
}

func TestNewsletterRepliesStayPerSender(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		tickets := map[string]int64{}
		for i, who := range []string{"a@example.org", "b@example.org", "a@example.org"} {
			m := mail(fmt.Sprintf("r%d@x", i), who, "", "Re: 11月のニュースレター", "参加したいです")
			m.InReplyTo, m.References = "newsletter-2026-11@lists.example.org", []string{"newsletter-2026-11@lists.example.org"}
			res, err := k.in.Accept(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if prev, ok := tickets[who]; ok && prev != res.TicketID {
				t.Errorf("%s's second reply opened ticket %d, not %d", who, res.TicketID, prev)
			}
			tickets[who] = res.TicketID
		}
		if tickets["a@example.org"] == tickets["b@example.org"] {
			t.Fatal("two supporters' newsletter replies merged into one ticket")
		}
	})
}

func TestNoAcknowledgementToRobotsAndLoops(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		robots := []intake.Inbound{
			func() intake.Inbound {
				m := mail("v1@x", "boss@example.org", "", "自動応答: 不在のお知らせ", "12月1日まで不在です")
				m.Automated = intake.AutoReply
				return m
			}(),
			func() intake.Inbound {
				m := mail("l1@x", "list@example.org", "", "digest", "x")
				m.Automated = intake.List
				return m
			}(),
			mail("md1@x", "MAILER-DAEMON@mx.example.org", "", "Undelivered Mail", "x"),
			mail("nr1@x", "no-reply@shop.example", "", "Your order", "x"),
		}
		for _, m := range robots {
			if _, err := k.in.Accept(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if n := k.count(t, "outbox"); n != 0 {
			t.Fatalf("%d acknowledgements sent to robots", n)
		}
		// A person (or a robot posing as one) writing ten times in a minute gets AckLimit acknowledgements.
		for i := 0; i < 10; i++ {
			if _, err := k.in.Accept(ctx, mail(fmt.Sprintf("loop%d@x", i), "chatty@example.org", "", fmt.Sprintf("question %d", i), "hello")); err != nil {
				t.Fatal(err)
			}
		}
		if n := k.count(t, "outbox"); n != outbox.AckLimit {
			t.Fatalf("%d acknowledgements, want %d", n, outbox.AckLimit)
		}
	})
}

func TestAcknowledgementLanguage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		for _, c := range []struct {
			lang, name, want string
		}{
			{"ja", "佐藤 花子", "佐藤 花子 様"},
			{"zh", "王伟", "王伟，您好"},
			{"en", "Jane Doe", "Dear Jane Doe,"},
		} {
			m := mail("ack-"+c.lang+"@x", c.lang+"@example.org", c.name, "hello", "body")
			m.Language = c.lang
			res, err := k.in.Accept(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			var subject, body string
			k.d.R.QueryRowContext(ctx, "SELECT subject, body_text FROM outbox WHERE ticket_id = $1", res.TicketID).Scan(&subject, &body)
			n := ticketNumber(t, k, res.TicketID)
			if !strings.Contains(body, c.want) || !strings.Contains(body, fmt.Sprintf("#%d", n)) || !strings.Contains(subject, fmt.Sprintf("[#%d]", n)) {
				t.Errorf("%s ack: %q / %q", c.lang, subject, body)
			}
			if !strings.Contains(body, map[string]string{"ja": "24時間以内", "zh": "24小时内", "en": "within 24 hours"}[c.lang]) {
				t.Errorf("%s ack does not state the promise: %q", c.lang, body)
			}
		}
	})
}

func TestBounceOfOwnMailIsRecorded(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		res, err := k.in.Accept(ctx, mail("b0@x", "typo@exmaple.org", "", "hi", "hi"))
		if err != nil {
			t.Fatal(err)
		}
		var ackID string
		k.d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE ticket_id = $1", res.TicketID).Scan(&ackID)
		b := mail("dsn1@mx", "MAILER-DAEMON@mx.example.org", "Mail Delivery System", "Undelivered Mail Returned to Sender", "5.1.1 user unknown")
		b.Automated, b.BounceOf, b.BounceDetail = intake.Bounce, ackID, "5.1.1 <typo@exmaple.org>: user unknown"
		br, err := k.in.Accept(ctx, b)
		if err != nil || !br.BounceRecorded || br.TicketID != 0 {
			t.Fatalf("bounce: %+v %v", br, err)
		}
		var status, lastErr string
		k.d.R.QueryRowContext(ctx, "SELECT status, last_error FROM outbox WHERE rfc_id = $1", ackID).Scan(&status, &lastErr)
		if status != "bounced" || !strings.Contains(lastErr, "5.1.1") {
			t.Fatalf("outbox after bounce: %s %q", status, lastErr)
		}
		if n := k.count(t, "tickets"); n != 1 {
			t.Fatalf("bounce opened a ticket: %d tickets", n)
		}
	})
}

func TestOddMailIsStoredNotRefused(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		m := intake.Inbound{Channel: "email", SourceKey: "odd@x", From: intake.Sender{Email: "not an address"}, Subject: strings.Repeat("長", 900) + "\x00\r\n", Text: ""}
		res, err := k.in.Accept(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		tk, _ := ticket.Get(ctx, k.d.R, res.TicketID)
		if len([]rune(tk.Subject)) != ticket.MaxSubjectRunes || tk.SupporterName != "Unknown sender" {
			t.Fatalf("odd mail stored as %q from %q", tk.Subject, tk.SupporterName)
		}
	})
}

func TestSenderIsToldOfRefusedAttachments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		m := mail("big@x", "suzuki@example.jp", "鈴木 一郎", "活動報告の写真", "写真を送ります。")
		m.Language, m.RejectedFiles = "ja", []string{"IMG_0001.MOV (48.2 MB)"}
		res, err := k.in.Accept(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		var subject, body, kind string
		err = k.d.R.QueryRowContext(ctx, "SELECT subject, body_text, kind FROM outbox WHERE ticket_id = $1 AND kind = 'notice'", res.TicketID).Scan(&subject, &body, &kind)
		if err != nil {
			t.Fatalf("no notice queued: %v", err)
		}
		if !strings.Contains(body, "鈴木 一郎 様") || !strings.Contains(body, "IMG_0001.MOV (48.2 MB)") || !strings.Contains(subject, "添付ファイル") {
			t.Fatalf("notice: %q / %q", subject, body)
		}
	})
}
