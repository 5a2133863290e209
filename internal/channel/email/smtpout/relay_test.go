package smtpout_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/channel/email/mailin"
	"github.com/steward-desk/steward/internal/channel/email/mailin/mailintest"
	"github.com/steward-desk/steward/internal/channel/email/smtpout"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/outbox"
	"github.com/steward-desk/steward/internal/replytoken"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

var agent = audit.Actor{Name: "test agent"}

// sunk is one message smtp-sink wrote.
type sunk struct {
	*mail.Message
	path string
	raw  []byte
}

// inSink returns the sink's messages whose Message-ID is id.
func inSink(t *testing.T, id string) []sunk {
	t.Helper()
	dir := mailintest.Need(t, "STEWARD_TEST_SMTP_SINK_DIR")
	files, _ := os.ReadDir(dir)
	var out []sunk
	needle := []byte("<" + id + ">")
	for _, f := range files {
		p := filepath.Join(dir, f.Name())
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, needle) {
			continue
		}
		m, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil || m.Header.Get("Message-Id") != "<"+id+">" {
			continue
		}
		out = append(out, sunk{m, p, b})
	}
	return out
}

// waitSink waits until the message with id is in the sink.
func waitSink(t *testing.T, id string) sunk {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if got := inSink(t, id); len(got) > 0 {
			return got[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never reached the relay", id)
	return sunk{}
}

func decodeSubject(t *testing.T, s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newTransport(k *mailintest.Desk) *smtpout.Transport {
	return &smtpout.Transport{DB: k.DB, Mailboxes: k.Mailboxes, Blobs: k.Blobs, Domain: "desk.example.org"}
}

// TestRepliesThroughRelay: an email ticket's acknowledgement and an agent's
// reply leave through the mailbox's relay once each, threaded for the
// supporter's client.
func TestRepliesThroughRelay(t *testing.T) {
	sink := mailintest.Need(t, "STEWARD_TEST_SMTP_SINK_ADDR")
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var tr *smtpout.Transport
		k := mailintest.New(t, d, mailintest.Options{Transport: transportFunc(func() *smtpout.Transport { return tr })})
		tr = newTransport(k)
		mb := k.AddMailbox(t, mailbox.Input{Address: "info@hidamari.example.org", Name: "ひだまり基金 サポート", SMTPURL: "smtp://" + sink})
		if err := k.Jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { k.Jobs.Stop(context.Background()) })

		supporterID := fmt.Sprintf("outlook-%d@TYAPR01MB.jpnprd01.prod.outlook.com", time.Now().UnixNano())
		outlookIndex := smtpout.EncodeThreadIndex(smtpout.NewThreadIndex("supporter's own", time.Now().Add(-time.Hour)))
		raw := "From: =?iso-2022-jp?B?GyRCOjRGIzJWO1IbKEI=?= <hanako@example.jp>\r\nTo: info@hidamari.example.org\r\n" +
			"Subject: =?iso-2022-jp?B?GyRCNHNJVTZiJE5OTjx9PXEkSyREJCQkRhsoQg==?=\r\nMessage-ID: <" + supporterID + ">\r\n" +
			"Thread-Index: " + outlookIndex + "\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n\x1b$B$h$m$7$/$*4j$$$7$^$9!#\x1b(B\r\n"
		res, err := k.Receiver.Receive(ctx, []byte(raw), mailin.TargetOf(mb, "test"))
		if err != nil || !res.NewTicket {
			t.Fatalf("receive: %+v %v", res, err)
		}
		tk, _ := ticket.Get(ctx, d.R, res.TicketID)

		// The acknowledgement: machine mail, threaded under the supporter's message.
		var ackID string
		d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE ticket_id = $1 AND kind = 'ack'", tk.ID).Scan(&ackID)
		ack := waitSink(t, ackID)
		if ack.Header.Get("Auto-Submitted") != "auto-replied" || ack.Header.Get("In-Reply-To") != "<"+supporterID+">" {
			t.Fatalf("acknowledgement headers: %v", ack.Header)
		}
		if got := decodeSubject(t, ack.Header.Get("Subject")); got != outbox.AckSubject("ja", tk.Subject, tk.Number) {
			t.Fatalf("acknowledgement subject %q", got)
		}
		from, _ := mail.ParseAddress(ack.Header.Get("From"))
		if from == nil || from.Address != "info@hidamari.example.org" || from.Name != "ひだまり基金 サポート" {
			t.Fatalf("From: %q", ack.Header.Get("From"))
		}
		if !bytes.Contains(ack.raw, []byte("X-Mail-Args: <info@hidamari.example.org>")) || !bytes.Contains(ack.raw, []byte("X-Rcpt-Args: <hanako@example.jp>")) {
			t.Fatalf("envelope:\n%s", ack.raw[:300])
		}

		// The agent's reply: a person's mail, with the supporter's Message-ID in In-Reply-To and References.
		reply, err := k.Tickets.Reply(ctx, agent, ticket.ReplyInput{TicketID: tk.ID, Body: "佐藤様\n\n領収書を本日再発行いたしました。"})
		if err != nil {
			t.Fatal(err)
		}
		var replyID string
		d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE message_id = $1", reply.ID).Scan(&replyID)
		got := waitSink(t, replyID)
		if tok := replytoken.FromMessageID(replyID); tok == "" || !strings.HasSuffix(replyID, "@hidamari.example.org") {
			t.Fatalf("reply Message-ID %q carries no token", replyID)
		}
		if got.Header.Get("In-Reply-To") != "<"+supporterID+">" || !strings.Contains(got.Header.Get("References"), "<"+supporterID+">") ||
			got.Header.Get("Auto-Submitted") != "" {
			t.Fatalf("reply headers: %v", got.Header)
		}
		if s := decodeSubject(t, got.Header.Get("Subject")); s != fmt.Sprintf("Re: 寄付金の領収書について [#%d]", tk.Number) {
			t.Fatalf("reply subject %q", s)
		}
		// Outlook threads the reply under the supporter's own conversation index.
		idx, ok := smtpout.ParseThreadIndex(got.Header.Get("Thread-Index"))
		orig, _ := smtpout.ParseThreadIndex(outlookIndex)
		if !ok || len(idx) != 27 || !bytes.Equal(idx[:22], orig) {
			t.Fatalf("Thread-Index %q does not extend the supporter's %q", got.Header.Get("Thread-Index"), outlookIndex)
		}
		body, _ := io.ReadAll(got.Body)
		if !bytes.Contains(body, []byte("Content-Transfer-Encoding")) && !strings.Contains(got.Header.Get("Content-Transfer-Encoding"), "base64") {
			t.Fatalf("reply body encoding: %v", got.Header)
		}
		// Delivered exactly once, and shown as sent.
		time.Sleep(time.Second)
		if n := len(inSink(t, replyID)); n != 1 {
			t.Fatalf("reply delivered %d times", n)
		}
		st, ok, err := outbox.StatusOf(ctx, d.R, reply.ID)
		if err != nil || !ok || st.Status != "sent" || st.SentAt == nil {
			t.Fatalf("status %+v %v %v", st, ok, err)
		}
	})
}

// TestInjectionThroughTheRelay sends hostile names and subjects for real: the
// relay sees one recipient and no extra header.
func TestInjectionThroughTheRelay(t *testing.T) {
	sink := mailintest.Need(t, "STEWARD_TEST_SMTP_SINK_ADDR")
	d := dbtest.OpenSQLite(t)
	k := mailintest.New(t, d, mailintest.Options{})
	tr := newTransport(k)
	tr.DefaultRelay = "smtp://" + sink
	id := fmt.Sprintf("inject-%d@desk.example.org", time.Now().UnixNano())
	err := tr.Send(context.Background(), outbox.Mail{
		From:      outbox.Address{Name: "Desk\r\nBcc: boss@example.org", Address: "desk@desk.example.org"},
		To:        outbox.Address{Name: "Eve\r\nBcc: victim@example.net", Address: "eve@example.net"},
		Subject:   "寄付\r\nBcc: victim@example.net\r\nX-Injected: yes",
		Text:      "hello\r\n.\r\nMAIL FROM:<x@example.net>\r\n",
		MessageID: id,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := waitSink(t, id)
	if got.Header.Get("Bcc") != "" || got.Header.Get("X-Injected") != "" || strings.Count(string(got.raw), "X-Rcpt-Args:") != 1 {
		t.Fatalf("injection reached the relay:\n%s", got.raw)
	}
}

// TestRelayDownIsRetried: while the relay is down the reply stays queued with
// the error shown; when the relay comes back it is delivered once.
func TestRelayDownIsRetried(t *testing.T) {
	sink := mailintest.Need(t, "STEWARD_TEST_SMTP_SINK_ADDR")
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// A port with nothing listening: the relay is down.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		relayAddr := l.Addr().String()
		l.Close()
		var tr *smtpout.Transport
		k := mailintest.New(t, d, mailintest.Options{Transport: transportFunc(func() *smtpout.Transport { return tr })})
		tr = newTransport(k)
		mb := k.AddMailbox(t, mailbox.Input{Address: "support@example.org", SMTPURL: "smtp://" + relayAddr})
		tk, err := k.Tickets.Create(ctx, agent, ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "relay test", Body: "by phone", Channel: "email"},
			Supporter: supporterInput("jane@example.net")})
		if err != nil {
			t.Fatal(err)
		}
		d.W.ExecContext(ctx, "UPDATE tickets SET mailbox_id = $1 WHERE id = $2", mb.ID, tk.ID)
		if err := k.Jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { k.Jobs.Stop(context.Background()) })
		reply, err := k.Tickets.Reply(ctx, agent, ticket.ReplyInput{TicketID: tk.ID, Body: "We will call you back."})
		if err != nil {
			t.Fatal(err)
		}
		var st outbox.Status
		waitFor(t, 20*time.Second, func() bool {
			st, _, _ = outbox.StatusOf(ctx, d.R, reply.ID)
			return st.Attempts >= 1 && st.LastError != ""
		})
		if st.Status != "queued" || !strings.Contains(st.LastError, "connect") {
			t.Fatalf("status while the relay is down: %+v", st)
		}
		// The relay comes back on the same address.
		stopProxy := proxy(t, relayAddr, sink)
		defer stopProxy()
		waitFor(t, 40*time.Second, func() bool {
			st, _, _ = outbox.StatusOf(ctx, d.R, reply.ID)
			return st.Status == "sent"
		})
		var rfcID string
		d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE message_id = $1", reply.ID).Scan(&rfcID)
		waitSink(t, rfcID)
		if n := len(inSink(t, rfcID)); n != 1 {
			t.Fatalf("delivered %d times", n)
		}
	})
}

// TestRestartBetweenQueueAndSend: the reply is queued by a node that stops
// before sending; a new River client sends it exactly once, and a third
// start sends nothing more.
func TestRestartBetweenQueueAndSend(t *testing.T) {
	sink := mailintest.Need(t, "STEWARD_TEST_SMTP_SINK_ADDR")
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{}) // this node only enqueues
		tr := newTransport(k)
		mb := k.AddMailbox(t, mailbox.Input{Address: "support@example.org", SMTPURL: "smtp://" + sink})
		tk, err := k.Tickets.Create(ctx, agent, ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "restart test", Body: "x", Channel: "email"},
			Supporter: supporterInput("restart@example.net")})
		if err != nil {
			t.Fatal(err)
		}
		d.W.ExecContext(ctx, "UPDATE tickets SET mailbox_id = $1 WHERE id = $2", mb.ID, tk.ID)
		// A first worker client starts and stops before the reply exists.
		first := k.WorkerQueue(t, tr)
		if err := first.Start(ctx); err != nil {
			t.Fatal(err)
		}
		first.Stop(ctx)
		reply, err := k.Tickets.Reply(ctx, agent, ticket.ReplyInput{TicketID: tk.ID, Body: "Sent after a restart."})
		if err != nil {
			t.Fatal(err)
		}
		var rfcID string
		d.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE message_id = $1", reply.ID).Scan(&rfcID)
		time.Sleep(500 * time.Millisecond)
		if n := len(inSink(t, rfcID)); n != 0 {
			t.Fatal("sent with no worker running")
		}
		second := k.WorkerQueue(t, tr)
		if err := second.Start(ctx); err != nil {
			t.Fatal(err)
		}
		waitSink(t, rfcID)
		second.Stop(ctx)
		third := k.WorkerQueue(t, tr)
		if err := third.Start(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		third.Stop(ctx)
		if n := len(inSink(t, rfcID)); n != 1 {
			t.Fatalf("delivered %d times across restarts", n)
		}
	})
}

// transportFunc lets a test build the desk before the transport that needs it.
type transportFunc func() *smtpout.Transport

func (f transportFunc) Send(ctx context.Context, m outbox.Mail) error { return f().Send(ctx, m) }
func (f transportFunc) Sender(ctx context.Context, id int64) (outbox.Address, error) {
	return f().Sender(ctx, id)
}

func waitFor(t *testing.T, max time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(max)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", max)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// proxy forwards connections on addr to target until stopped.
func proxy(t *testing.T, addr, target string) func() {
	t.Helper()
	var l net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("cannot take over %s: %v", addr, err)
	}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				go io.Copy(u, c)
				io.Copy(c, u)
			}()
		}
	}()
	return func() { l.Close(); wg.Wait() }
}

func supporterInput(email string) supporter.NewSupporter {
	return supporter.NewSupporter{Email: email, Name: "Test Supporter"}
}
