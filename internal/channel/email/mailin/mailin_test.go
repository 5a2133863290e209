package mailin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/channel/email/mailin"
	"github.com/steward-desk/steward/internal/channel/email/mailin/mailintest"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/ticket"
)

const corpus = "../testdata/corpus"

type expect struct {
	Subject     string   `json:"subject"`
	FromAddress string   `json:"from_address"`
	Kind        string   `json:"kind"`
	Attachments []string `json:"attachments"`
	ParseError  bool     `json:"parse_error"`
}

func TestReceiveCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus, "*.eml"))
	if len(files) < 40 {
		t.Fatalf("corpus has %d messages", len(files))
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{})
		mb := k.AddMailbox(t, mailbox.Input{Address: "info@hidamari.example.org"})
		target := mailin.TargetOf(mb, "test")
		for _, f := range files {
			name := filepath.Base(f)
			raw, _ := os.ReadFile(f)
			var want expect
			js, _ := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".json")
			json.Unmarshal(js, &want)
			res, err := k.Receiver.Receive(ctx, raw, target)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if want.ParseError {
				if !res.Quarantined {
					t.Errorf("%s: not quarantined: %+v", name, res)
				}
				continue
			}
			if res.Quarantined || res.RawSHA256 == "" {
				t.Errorf("%s: %+v", name, res)
				continue
			}
			if res.BounceRecorded || res.Duplicate {
				continue
			}
			tk, err := ticket.Get(ctx, d.R, res.TicketID)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			wantSubject := strings.Join(strings.Fields(want.Subject), " ")
			if res.NewTicket && wantSubject != "" && tk.Subject != wantSubject {
				t.Errorf("%s: ticket subject %q, want %q", name, tk.Subject, wantSubject)
			}
			var rawSum, from string
			d.R.QueryRowContext(ctx, "SELECT raw_sha256, from_addr FROM messages WHERE id = $1", res.MessageID).Scan(&rawSum, &from)
			if rawSum != res.RawSHA256 || (want.FromAddress != "" && from != strings.ToLower(want.FromAddress)) {
				t.Errorf("%s: message raw %q from %q", name, rawSum, from)
			}
			if rc, err := k.Blobs.Open(rawSum); err != nil {
				t.Errorf("%s: raw .eml not kept: %v", name, err)
			} else {
				rc.Close()
			}
			if res.NewTicket {
				var mbID int64
				d.R.QueryRowContext(ctx, "SELECT COALESCE(mailbox_id, 0) FROM tickets WHERE id = $1", res.TicketID).Scan(&mbID)
				if mbID != mb.ID {
					t.Errorf("%s: ticket mailbox %d, want %d", name, mbID, mb.ID)
				}
			}
			if n := k.Count(t, "SELECT COUNT(*) FROM attachments WHERE message_id = $1", res.MessageID); n != len(want.Attachments) {
				t.Errorf("%s: %d attachments, want %d", name, n, len(want.Attachments))
			}
		}
		// Everything again: all duplicates, nothing new.
		before := k.Count(t, "SELECT COUNT(*) FROM messages")
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			res, err := k.Receiver.Receive(ctx, raw, target)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Duplicate && !res.Quarantined {
				t.Errorf("%s: redelivery was not a duplicate: %+v", filepath.Base(f), res)
			}
		}
		if after := k.Count(t, "SELECT COUNT(*) FROM messages"); after != before {
			t.Fatalf("redelivery added %d messages", after-before)
		}
		// Acknowledgements went only to people.
		if n := k.Count(t, "SELECT COUNT(*) FROM outbox WHERE to_addr LIKE '%mailer-daemon%' OR to_addr LIKE '%postmaster%'"); n != 0 {
			t.Fatalf("%d acknowledgements to mailer daemons", n)
		}
	})
}

func TestQuarantine(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{MaxMessageBytes: 64 << 10})
		mb := k.AddMailbox(t, mailbox.Input{Address: "support@example.org"})
		target := mailin.TargetOf(mb, "imap:support@example.org")
		garbage := []byte("\x00\x01\x02 this is not mail at all")
		for i := 0; i < 2; i++ {
			res, err := k.Receiver.Receive(ctx, garbage, target)
			if err != nil || !res.Quarantined {
				t.Fatalf("garbage: %+v %v", res, err)
			}
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM quarantine WHERE mailbox_id = $1 AND source = $2", mb.ID, "imap:support@example.org"); n != 1 {
			t.Fatalf("%d quarantine rows for one message delivered twice", n)
		}
		var sum string
		d.R.QueryRowContext(ctx, "SELECT raw_sha256 FROM quarantine").Scan(&sum)
		if f, err := k.Blobs.Open(sum); err != nil {
			t.Fatalf("quarantined raw not kept: %v", err)
		} else {
			f.Close()
		}
		big := []byte("From: a@example.org\r\nMessage-ID: <big@x>\r\nSubject: big\r\n\r\n" + strings.Repeat("x", 70<<10))
		res, err := k.Receiver.Receive(ctx, big, target)
		if err != nil || !res.Quarantined {
			t.Fatalf("oversize: %+v %v", res, err)
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM quarantine WHERE reason LIKE 'message too large%'"); n != 1 {
			t.Fatal("oversize message not quarantined with its reason")
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM tickets"); n != 0 {
			t.Fatalf("%d tickets from quarantined mail", n)
		}
	})
}

func TestTooLargeAttachmentIsRefusedAndNoted(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{MaxAttachmentBytes: 1000})
		mb := k.AddMailbox(t, mailbox.Input{Address: "support@example.org"})
		raw := "From: Jane <jane@example.net>\r\nTo: support@example.org\r\nMessage-ID: <att1@example.net>\r\nSubject: receipts\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
			"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=small.pdf\r\n\r\n%PDF small\r\n" +
			"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=huge.pdf\r\n\r\n" + strings.Repeat("y", 5000) + "\r\n--b--\r\n"
		res, err := k.Receiver.Receive(ctx, []byte(raw), mailin.TargetOf(mb, "smtp"))
		if err != nil {
			t.Fatal(err)
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM attachments WHERE message_id = $1 AND filename = 'small.pdf'", res.MessageID); n != 1 {
			t.Fatal("small attachment not stored")
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM attachments WHERE filename = 'huge.pdf'"); n != 0 {
			t.Fatal("too-large attachment stored")
		}
		var note string
		d.R.QueryRowContext(ctx, "SELECT body_text FROM messages WHERE ticket_id = $1 AND direction = 'note'", res.TicketID).Scan(&note)
		if !strings.Contains(note, "huge.pdf") {
			t.Fatalf("no note about the refused attachment: %q", note)
		}
	})
}

func TestOwnMailIsNotPostedAsAgent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{})
		mb := k.AddMailbox(t, mailbox.Input{Address: "support@example.org"})
		target := mailin.TargetOf(mb, "imap:support@example.org")
		first, err := k.Receiver.Receive(ctx, []byte("From: a@example.net\r\nMessage-ID: <q1@example.net>\r\nSubject: question\r\n\r\nhello\r\n"), target)
		if err != nil {
			t.Fatal(err)
		}
		// Our acknowledgement comes back into the shared mailbox (a copy kept by the relay).
		var ackID, ackSubject string
		d.R.QueryRowContext(ctx, "SELECT rfc_id, subject FROM outbox WHERE ticket_id = $1", first.TicketID).Scan(&ackID, &ackSubject)
		echo := fmt.Sprintf("From: Desk <support@example.org>\r\nTo: a@example.net\r\nMessage-ID: <%s>\r\nIn-Reply-To: <q1@example.net>\r\nSubject: ack\r\n\r\nThanks\r\n", ackID)
		res, err := k.Receiver.Receive(ctx, []byte(echo), target)
		if err != nil || !res.Echo {
			t.Fatalf("echo: %+v %v", res, err)
		}
		// Staff writing from the shared address by webmail: stored as an incoming message, never as an agent reply, never acknowledged.
		res, err = k.Receiver.Receive(ctx, []byte("From: support@example.org\r\nMessage-ID: <staff1@example.org>\r\nSubject: note to self\r\n\r\nhello\r\n"), target)
		if err != nil || !res.NewTicket {
			t.Fatalf("own address: %+v %v", res, err)
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM messages WHERE direction = 'out'"); n != 0 {
			t.Fatalf("%d messages posted as agent replies", n)
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM outbox WHERE ticket_id = $1", res.TicketID); n != 0 {
			t.Fatal("acknowledged our own address")
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM messages WHERE ticket_id = $1", first.TicketID); n != 1 {
			t.Fatalf("the echo was added to the ticket: %d messages", n)
		}
	})
}

func TestNothingStoredWhenTheDatabaseIsDown(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := mailintest.New(t, d, mailintest.Options{})
		d.Close()
		res, err := k.Receiver.Receive(ctx, []byte("From: a@example.net\r\nMessage-ID: <down@example.net>\r\nSubject: hi\r\n\r\nhello\r\n"), mailin.Target{Source: "smtp"})
		if err == nil {
			t.Fatalf("no error with the database closed: %+v", res)
		}
		res, err = k.Receiver.Receive(ctx, []byte("\x00garbage"), mailin.Target{Source: "smtp"})
		if err == nil {
			t.Fatalf("quarantine without a database reported success: %+v", res)
		}
	})
}
