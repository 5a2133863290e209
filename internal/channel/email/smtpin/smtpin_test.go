package smtpin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/channel/email"
	"github.com/steward-desk/steward/internal/channel/email/mailin/mailintest"
	"github.com/steward-desk/steward/internal/channel/email/smtpin"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/ticket"
)

const corpus = "../testdata/corpus"

var agent = audit.Actor{Name: "test agent"}

// listen starts a listener for desk k and returns its address.
func listen(t *testing.T, k *mailintest.Desk, maxBytes int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpin.Server{Receiver: k.Receiver, Mailboxes: k.Mailboxes, DB: k.DB, MaxMessageBytes: maxBytes, Domain: "desk.example.org"}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Shutdown(context.Background())
		<-done
	})
	return ln.Addr().String()
}

// send delivers raw with net/smtp, as an MTA would.
func send(addr, from, to string, raw []byte) error {
	return smtp.SendMail(addr, nil, from, []string{to}, raw)
}

func code(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func TestCharsetsEndToEnd(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{})
		k.AddMailbox(t, mailbox.Input{Address: "info@hidamari.example.org"})
		addr := listen(t, k, 0)
		files, _ := filepath.Glob(filepath.Join(corpus, "*.eml"))
		if len(files) < 40 {
			t.Fatalf("corpus has %d messages", len(files))
		}
		// One per charset the issue names, then the whole corpus.
		must := map[string]string{
			"go-ja-thunderbird-iso2022jp.eml": "iso-2022-jp", "go-ja-docomo-shiftjis.eml": "shift_jis",
			"py-zh-gb2312-alternative.eml": "gb2312", "py-zh-big5-receipt.eml": "big5", "py-zh-utf8-8bit-event.eml": "utf-8",
			"go-ja-eucjp-legacy.eml": "euc-jp", "go-zh-gb18030-four-byte.eml": "gb18030",
		}
		seen := 0
		for _, f := range files {
			name := filepath.Base(f)
			raw, _ := os.ReadFile(f)
			var want struct {
				Subject    string `json:"subject"`
				MessageID  string `json:"message_id"`
				ParseError bool   `json:"parse_error"`
			}
			js, _ := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".json")
			json.Unmarshal(js, &want)
			if err := send(addr, "mta@example.net", "info@hidamari.example.org", raw); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if _, ok := must[name]; !ok {
				continue
			}
			parsed, err := email.Parse(raw, email.ParseOptions{})
			if err != nil || parsed.MessageIDSynthesized {
				t.Fatalf("%s: pick a corpus message with a Message-ID (%v)", name, err)
			}
			want.MessageID = parsed.MessageID
			seen++
			var subject string
			err = d.R.QueryRowContext(ctx, `SELECT t.subject FROM inbound_keys k JOIN tickets t ON t.id = k.ticket_id
				WHERE k.channel = 'email' AND k.source_key = $1`, want.MessageID).Scan(&subject)
			if err != nil {
				t.Fatalf("%s (%s): not stored: %v", name, must[name], err)
			}
			if subject != strings.Join(strings.Fields(want.Subject), " ") {
				t.Errorf("%s (%s): subject %q, want %q", name, must[name], subject, want.Subject)
			}
		}
		if seen != len(must) {
			t.Fatalf("checked %d of the %d charset messages", seen, len(must))
		}
		// Redelivery of everything: no new message.
		before := k.Count(t, "SELECT COUNT(*) FROM messages")
		for _, f := range files[:10] {
			raw, _ := os.ReadFile(f)
			if err := send(addr, "mta@example.net", "INFO@hidamari.example.org", raw); err != nil {
				t.Fatal(err)
			}
		}
		if after := k.Count(t, "SELECT COUNT(*) FROM messages"); after != before {
			t.Fatalf("redelivery stored %d more messages", after-before)
		}
	})
}

func TestRefusals(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		k := mailintest.New(t, d, mailintest.Options{})
		k.AddMailbox(t, mailbox.Input{Address: "support@example.org"})
		addr := listen(t, k, 64<<10)
		msg := []byte("From: a@example.net\r\nTo: support@example.org\r\nMessage-ID: <r1@example.net>\r\nSubject: hi\r\n\r\nhello\r\n")
		if err := send(addr, "a@example.net", "nobody@example.org", msg); code(err) != 550 {
			t.Fatalf("unknown recipient: %v", err)
		}
		if err := send(addr, "a@example.net", "support+donations@example.org", msg); err != nil {
			t.Fatalf("tagged address: %v", err)
		}
		big := append([]byte("From: a@example.net\r\nMessage-ID: <big@example.net>\r\nSubject: big\r\n\r\n"), []byte(strings.Repeat("0123456789abcde\r\n", 8<<10))...)
		if err := send(addr, "a@example.net", "support@example.org", big); code(err) != 552 {
			t.Fatalf("oversize: %v", err)
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM messages"); n != 1 {
			t.Fatalf("%d messages, want 1", n)
		}
	})
}

// TestDatabaseDownAnswers451 closes the database under a running listener:
// the sender gets 451 (try again), and nothing was stored.
func TestDatabaseDownAnswers451(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			var opts db.Options
			if engine == "sqlite" {
				opts.DataDir = t.TempDir()
				seed, err := db.Open(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := seed.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				if err := jobs.Migrate(ctx, seed); err != nil {
					t.Fatal(err)
				}
				seed.Close()
			} else {
				opts.DSN = dbtest.NewPostgresDatabase(t)
			}
			d, err := db.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			k := mailintest.New(t, d, mailintest.Options{})
			k.AddMailbox(t, mailbox.Input{Address: "support@example.org"})
			addr := listen(t, k, 0)
			c, err := smtp.Dial(addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Mail("a@example.net"); err != nil {
				t.Fatal(err)
			}
			if err := c.Rcpt("support@example.org"); err != nil {
				t.Fatal(err)
			}
			w, err := c.Data()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprint(w, "From: a@example.net\r\nMessage-ID: <down1@example.net>\r\nSubject: hi\r\n\r\nhello\r\n")
			d.Close() // the database goes away before the end of DATA
			if err := w.Close(); code(err) != 451 {
				t.Fatalf("end of DATA with the database down: %v, want 451", err)
			}
			check, err := db.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer check.Close()
			var n int
			check.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages").Scan(&n)
			if n != 0 {
				t.Fatalf("%d messages stored although the sender got 451", n)
			}
		})
	}
}

// TestClientThreading sends a conversation through the listener with the
// header shapes of common mail clients: each reply joins the ticket.
func TestClientThreading(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{})
		k.AddMailbox(t, mailbox.Input{Address: "support@hopebridge.example.org"})
		addr := listen(t, k, 0)
		deliver := func(raw string) {
			t.Helper()
			if err := send(addr, "x@example.net", "support@hopebridge.example.org", []byte(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
				t.Fatal(err)
			}
		}
		ticketOf := func(id string) int64 {
			t.Helper()
			var tid int64
			if err := d.R.QueryRowContext(ctx, "SELECT ticket_id FROM inbound_keys WHERE source_key = $1", id).Scan(&tid); err != nil {
				t.Fatalf("%s not stored: %v", id, err)
			}
			return tid
		}
		// Gmail starts the conversation.
		deliver(`From: =?UTF-8?B?5L2Q6Jek6Iqx5a2Q?= <hanako.sato@gmail.com>
Date: Wed, 25 Nov 2026 10:00:00 +0900
Message-ID: <CAF=gmail-1@mail.gmail.com>
Subject: =?UTF-8?B?5a+E5LuY6YeR44Gu6aCY5Y+O5pu444Gr44Gk44GE44Gm?=
To: support@hopebridge.example.org
Content-Type: multipart/alternative; boundary="000000000000abc"

--000000000000abc
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

6aCY5Y+O5pu444KS5YaN55m66KGM44GX44Gm44GP44Gg44GV44GE44CC
--000000000000abc
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">x</div>
--000000000000abc--
`)
		tid := ticketOf("CAF=gmail-1@mail.gmail.com")
		tk, _ := ticket.Get(ctx, d.R, tid)
		if tk.Subject != "寄付金の領収書について" {
			t.Fatalf("subject %q", tk.Subject)
		}
		var ackID string
		d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE ticket_id = $1 AND kind = 'ack'", tid).Scan(&ackID)
		if ackID == "" {
			t.Fatal("no acknowledgement queued")
		}
		// An agent replies; the reply's Message-ID carries the token.
		reply, err := k.Tickets.Reply(ctx, agent, ticket.ReplyInput{TicketID: tid, Body: "佐藤様、再発行いたします。"})
		if err != nil {
			t.Fatal(err)
		}
		var replyID string
		d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE message_id = $1", reply.ID).Scan(&replyID)
		number := tk.Number

		cases := []struct{ client, raw string }{
			{"Gmail", fmt.Sprintf(`From: =?UTF-8?B?5L2Q6Jek6Iqx5a2Q?= <hanako.sato@gmail.com>
Message-ID: <CAF=gmail-2@mail.gmail.com>
In-Reply-To: <%s>
References: <CAF=gmail-1@mail.gmail.com> <%s> <%s>
Subject: Re: =?UTF-8?B?5a+E5LuY6YeR44Gu6aCY5Y+O5pu444Gr44Gk44GE44Gm?= [#%d]
Content-Type: text/plain; charset="UTF-8"

ありがとうございます。
`, replyID, ackID, replyID, number)},
			{"Outlook (Thread-Index, no References)", fmt.Sprintf(`From: "Sato, Hanako" <hanako.sato@gmail.com>
Message-ID: <TYAPR01MB5555@TYAPR01MB.jpnprd01.prod.outlook.com>
In-Reply-To: <%s>
Thread-Topic: =?iso-2022-jp?B?GyRCNHNJVTZiJE5OTjx9PXEkSyREJCQkRhsoQg==?=
Thread-Index: AQHbPqN5c2FtcGxlAAECAwQFBgcICQoLDA==
Subject: RE: =?iso-2022-jp?B?GyRCNHNJVTZiJE5OTjx9PXEkSyREJCQkRhsoQg==?=
Content-Type: text/plain; charset="iso-2022-jp"
Content-Transfer-Encoding: 7bit

test
`, replyID)},
			{"Outlook (only Thread-Index; subject number)", fmt.Sprintf(`From: hanako.sato@gmail.com
Message-ID: <TYAPR01MB6666@TYAPR01MB.jpnprd01.prod.outlook.com>
Thread-Index: AQHbPqN5c2FtcGxlAAECAwQFBgcICQoLDAAAAAAA
Subject: RE: x [#%d]
Content-Type: text/plain; charset="us-ascii"

one more thing
`, number)},
			{"Apple Mail", fmt.Sprintf(`From: Hanako Sato <hanako.sato@gmail.com>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
Mime-Version: 1.0 (Mac OS X Mail 16.0 \(3774.600.62\))
Subject: Re: =?utf-8?B?5a+E5LuY6YeR44Gu6aCY5Y+O5pu4?=
Message-Id: <A1B2C3D4-0000-4000-8000-123456789ABC@gmail.com>
References: <CAF=gmail-1@mail.gmail.com> <%s>
In-Reply-To: <%s>
Date: Thu, 26 Nov 2026 09:00:00 +0900

=E3=81=AF=E3=81=84=E3=80=82
`, replyID, replyID)},
			{"Thunderbird", fmt.Sprintf(`Message-ID: <5f0c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f@gmail.com>
Date: Thu, 26 Nov 2026 10:00:00 +0900
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: =?UTF-8?B?5a+E5LuY6YeR44Gu6aCY5Y+O5pu4?=
To: support@hopebridge.example.org
References: <CAF=gmail-1@mail.gmail.com>
 <%s>
From: Hanako Sato <hanako.sato@gmail.com>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

了解です。
`, replyID, replyID)},
		}
		for _, c := range cases {
			deliver(c.raw)
			id := strings.TrimSpace(strings.SplitN(strings.SplitN(strings.ToLower(c.raw), "message-id: <", 2)[1], ">", 2)[0])
			var got int64
			d.R.QueryRowContext(ctx, "SELECT ticket_id FROM inbound_keys WHERE LOWER(source_key) = $1", id).Scan(&got)
			if got != tid {
				t.Errorf("%s: reply went to ticket %d, want %d", c.client, got, tid)
			}
		}
		// A stranger who copies the supporter's Message-ID does not join the ticket.
		deliver(`From: mallory@evil.example
Message-ID: <evil-1@evil.example>
In-Reply-To: <CAF=gmail-1@mail.gmail.com>
References: <CAF=gmail-1@mail.gmail.com>
Subject: Re: receipts

let me in
`)
		if ticketOf("evil-1@evil.example") == tid {
			t.Fatal("a forged In-Reply-To joined someone else's ticket")
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM outbox WHERE ticket_id = $1 AND kind = 'ack'", tid); n != 1 {
			t.Fatalf("%d acknowledgements on one ticket", n)
		}
	})
}
