package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/ticket"
)

// TestEmailWiring runs Serve with the SMTP listener and a relay: mail sent
// to the listener becomes a ticket, its acknowledgement and an agent's reply
// leave through the relay, threaded.
func TestEmailWiring(t *testing.T) {
	sink, sinkDir := os.Getenv("STEWARD_TEST_SMTP_SINK_ADDR"), os.Getenv("STEWARD_TEST_SMTP_SINK_DIR")
	if sink == "" {
		if os.Getenv("STEWARD_TEST_REQUIRE_ALL") == "1" {
			t.Fatal("STEWARD_TEST_SMTP_SINK_ADDR is not set but STEWARD_TEST_REQUIRE_ALL=1")
		}
		t.Skip("STEWARD_TEST_SMTP_SINK_ADDR not set; run the tests with `make test`")
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	smtpAddr := l.Addr().String()
	l.Close()
	cfg := Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", LogLevel: "warn", ShutdownTimeout: 5 * time.Second,
		EmailConfig: EmailConfig{SMTPAddr: smtpAddr, SMTPRelay: "smtp://" + sink, MailDomain: "desk.example.org", IMAPPollInterval: time.Second}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := Open(ctx, cfg, Options{Work: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Email.Mailboxes.Create(ctx, a.DB.W, mailbox.Input{Address: "support@desk.example.org", Name: "Desk"}); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, func(string) { close(ready) }) }()
	<-ready

	id := fmt.Sprintf("wiring-%d@example.net", time.Now().UnixNano())
	raw := "From: Jane <jane@example.net>\r\nTo: support@desk.example.org\r\nMessage-ID: <" + id + ">\r\nSubject: =?UTF-8?B?6aCY5Y+O5pu4?=\r\n\r\nPlease resend my receipt.\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "jane@example.net", []string{"support@desk.example.org"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	var ticketID int64
	if err := a.DB.R.QueryRowContext(ctx, "SELECT ticket_id FROM inbound_keys WHERE source_key = $1", id).Scan(&ticketID); err != nil {
		t.Fatalf("not stored after 250: %v", err)
	}
	var ackID string
	a.DB.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE ticket_id = $1 AND kind = 'ack'", ticketID).Scan(&ackID)
	ack := waitSink(t, sinkDir, ackID)
	if !bytes.Contains(ack, []byte("Auto-Submitted: auto-replied")) || !bytes.Contains(ack, []byte("In-Reply-To: <"+id+">")) {
		t.Fatalf("acknowledgement:\n%s", ack)
	}
	m, err := a.Tickets.Reply(ctx, audit.Actor{Name: "agent"}, ticket.ReplyInput{TicketID: ticketID, Body: "Sent today."})
	if err != nil {
		t.Fatal(err)
	}
	var replyID string
	a.DB.R.QueryRowContext(ctx, "SELECT rfc_id FROM outbox WHERE message_id = $1", m.ID).Scan(&replyID)
	reply := waitSink(t, sinkDir, replyID)
	if !bytes.Contains(reply, []byte("In-Reply-To: <"+id+">")) || !bytes.Contains(reply, []byte("From: \"Desk\" <support@desk.example.org>")) {
		t.Fatalf("reply:\n%s", reply)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}

func waitSink(t *testing.T, dir, id string) []byte {
	t.Helper()
	needle := []byte("Message-Id: <" + id + ">")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err == nil && bytes.Contains(b, needle) {
				return b
			}
		}
	}
	t.Fatalf("%s never reached the relay", strings.TrimSpace(id))
	return nil
}
