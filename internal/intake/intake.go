// Package intake is the single entrance for everything supporters send, on
// every channel. In one transaction it recognises the supporter, threads the
// message into a ticket (or opens one), stores it with its attachments,
// records its source key so a redelivery is a no-op, and runs the follow-ups
// (acknowledgement, indexing, …). Only after Accept returns may a channel
// acknowledge its source (SMTP 250, IMAP \Seen, webhook 2xx).
package intake

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Automated kinds: machine-written mail that is stored but never answered.
const (
	AutoReply = "auto-reply"
	Bounce    = "bounce"
	List      = "list"
)

// Sender is who sent an inbound message, as the channel knows them.
type Sender struct {
	Email string
	Phone string
	Name  string
}

// File is an attachment as received.
type File struct {
	Filename    string
	ContentType string
	ContentID   string
	Data        []byte
}

// Inbound is one normalised message from any channel.
type Inbound struct {
	Channel string
	// SourceKey identifies the item at its source (Message-ID, call SID,
	// webhook event id): a second Accept with the same channel and key is a no-op.
	SourceKey    string
	MailboxID    int64
	DepartmentID *int64
	From         Sender
	Subject      string
	Text         string
	HTML         string
	Language     string
	Files        []File
	// RejectedFiles names attachments refused (too large); the sender is told.
	RejectedFiles []string
	RawSHA256     string

	// Email threading.
	MessageID  string
	InReplyTo  string
	References []string

	// Automated is "", AutoReply, Bounce or List.
	Automated string
	// BounceOf is the Message-ID of Steward's mail that bounced, when known.
	BounceOf     string
	BounceDetail string
}

// Result says what Accept did.
type Result struct {
	TicketID  int64
	MessageID int64
	NewTicket bool
	// Duplicate: the source key was seen before; nothing changed.
	Duplicate bool
	// BounceRecorded: a bounce of Steward's own mail was recorded on the outbox.
	BounceRecorded bool
}

// Followup runs in Accept's transaction after the message is stored
// (acknowledgements, routing, SLA timers). It must not call the channel.
type Followup func(ctx context.Context, tx *sql.Tx, in *Inbound, res Result, t ticket.Ticket) error

// Intake accepts inbound messages.
type Intake struct {
	DB        *db.DB
	Blobs     *blob.Store
	Live      live.Broker
	Hooks     []ticket.Hook
	Warm      []ticket.Warmer // see ticket.Service.Warm
	Followups []Followup
	// TokenSecret verifies reply tokens (db.Secret "reply_token").
	TokenSecret []byte
}

// Accept stores msg durably, or returns an error and stores nothing.
func (in *Intake) Accept(ctx context.Context, msg Inbound) (Result, error) {
	if msg.Channel == "" || msg.SourceKey == "" {
		return Result{}, errors.New("intake: channel and source key are required")
	}
	normalise(&msg)
	// Blobs first: content-addressed and idempotent, so a rollback leaves at
	// most an unreferenced file, never a reference to a missing one.
	type storedFile struct {
		File
		sum  string
		size int64
	}
	var files []storedFile
	for _, f := range msg.Files {
		sum, n, err := in.Blobs.Put(bytes.NewReader(f.Data), 0)
		if err != nil {
			return Result{}, err
		}
		files = append(files, storedFile{f, sum, n})
	}

	ticket.WarmTexts(in.Warm, ticket.Texts{Subject: msg.Subject, Body: msg.Text, Direction: ticket.In})
	var res Result
	var t ticket.Ticket
	var event live.Event
	err := in.DB.Tx(ctx, func(tx *sql.Tx) error {
		dup, err := claimKey(ctx, tx, msg.Channel, msg.SourceKey)
		if err != nil {
			return err
		}
		if dup != nil {
			res = *dup
			return nil
		}
		if msg.Automated == Bounce && msg.BounceOf != "" {
			recorded, err := recordBounce(ctx, tx, msg)
			if err != nil {
				return err
			}
			if recorded {
				res.BounceRecorded = true
				return finishKey(ctx, tx, msg, res)
			}
		}
		supID, err := supporter.ResolveID(ctx, tx, supporter.NewSupporter{Email: msg.From.Email, Phone: msg.From.Phone, Name: msg.From.Name, Language: msg.Language})
		if err != nil {
			return fmt.Errorf("intake: supporter: %w", err)
		}
		ticketID, err := in.thread(ctx, tx, &msg, supID)
		if err != nil {
			return err
		}
		var m ticket.Message
		if ticketID == 0 {
			nt := ticket.NewTicket{Subject: msg.Subject, Body: msg.Text, BodyHTML: msg.HTML, Channel: msg.Channel,
				SupporterID: supID, Language: msg.Language, DepartmentID: msg.DepartmentID}
			if msg.Automated != "" {
				nt.Tags = []string{msg.Automated}
			}
			if t, m, err = ticket.Create(ctx, in.DB, tx, nt); err != nil {
				return fmt.Errorf("intake: create ticket: %w", err)
			}
			res.NewTicket = true
			// Replies leave through the mailbox the ticket came in by.
			if msg.MailboxID != 0 {
				if _, err := tx.ExecContext(ctx, "UPDATE tickets SET mailbox_id = $1 WHERE id = $2", msg.MailboxID, t.ID); err != nil {
					return err
				}
			}
		} else {
			if m, err = ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: ticketID, Direction: ticket.In, AuthorSupporterID: &supID,
				BodyText: msg.Text, BodyHTML: msg.HTML, Language: msg.Language, KeepStatus: msg.Automated != ""}); err != nil {
				return fmt.Errorf("intake: add message: %w", err)
			}
			if t, err = ticket.Get(ctx, tx, ticketID); err != nil {
				return err
			}
		}
		res.TicketID, res.MessageID = t.ID, m.ID
		if _, err := tx.ExecContext(ctx, "UPDATE messages SET raw_sha256 = $1, from_addr = $2 WHERE id = $3", msg.RawSHA256, msg.From.Email, m.ID); err != nil {
			return err
		}
		for _, f := range files {
			if _, err := ticket.AddAttachment(ctx, tx, ticket.Attachment{MessageID: m.ID, Filename: f.Filename, ContentType: f.ContentType, Size: f.size, SHA256: f.sum}); err != nil {
				return err
			}
		}
		if msg.MessageID != "" {
			if err := recordRef(ctx, tx, msg, t.ID, m.ID, supID); err != nil {
				return err
			}
		}
		if err := finishKey(ctx, tx, msg, res); err != nil {
			return err
		}
		action := "ticket.message_received"
		if res.NewTicket {
			action = "ticket.received"
		}
		if err := audit.Record(ctx, tx, audit.Actor{Name: msg.Channel}, action, "ticket", t.ID, map[string]any{"message_id": m.ID, "source": msg.SourceKey}); err != nil {
			return err
		}
		event = live.Event{Type: "message.created", TicketID: t.ID, MessageID: m.ID}
		if res.NewTicket {
			event.Type = "ticket.created"
		}
		for _, h := range in.Hooks {
			if err := h(ctx, tx, event); err != nil {
				return err
			}
		}
		for _, f := range in.Followups {
			if err := f(ctx, tx, &msg, res, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	if event.Type != "" && in.Live != nil {
		in.Live.Publish(ctx, event)
	}
	return res, nil
}

// claimKey inserts the source key; if it already exists it returns what
// the first delivery produced. Inside the transaction, so a crash before
// commit leaves the key free for the redelivery.
func claimKey(ctx context.Context, tx *sql.Tx, channel, key string) (*Result, error) {
	r, err := tx.ExecContext(ctx, "INSERT INTO inbound_keys (channel, source_key, received_at) VALUES ($1, $2, $3) ON CONFLICT (channel, source_key) DO NOTHING",
		channel, key, db.Now())
	if err != nil {
		return nil, fmt.Errorf("intake: claim key: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return nil, nil
	}
	var tid, mid sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT ticket_id, message_id FROM inbound_keys WHERE channel = $1 AND source_key = $2", channel, key).Scan(&tid, &mid); err != nil {
		return nil, err
	}
	return &Result{TicketID: tid.Int64, MessageID: mid.Int64, Duplicate: true}, nil
}

func finishKey(ctx context.Context, tx *sql.Tx, msg Inbound, res Result) error {
	var tid, mid any
	if res.TicketID != 0 {
		tid, mid = res.TicketID, res.MessageID
	}
	_, err := tx.ExecContext(ctx, "UPDATE inbound_keys SET ticket_id = $1, message_id = $2 WHERE channel = $3 AND source_key = $4", tid, mid, msg.Channel, msg.SourceKey)
	return err
}

// recordBounce marks Steward's own bounced mail; false if it is not ours.
func recordBounce(ctx context.Context, tx *sql.Tx, msg Inbound) (bool, error) {
	detail := msg.BounceDetail
	if detail == "" {
		detail = "bounced"
	}
	r, err := tx.ExecContext(ctx, "UPDATE outbox SET status = 'bounced', last_error = $1, bounced_at = $2 WHERE rfc_id = $3",
		truncate(detail, 1000), db.Now(), strings.Trim(msg.BounceOf, "<> "))
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

func recordRef(ctx context.Context, tx *sql.Tx, msg Inbound, ticketID, messageID, supporterID int64) error {
	root := msg.MessageID
	if len(msg.References) > 0 {
		root = msg.References[0]
	} else if msg.InReplyTo != "" {
		root = msg.InReplyTo
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO email_refs (rfc_id, ticket_id, message_id, supporter_id, direction, thread_root, created_at)
		VALUES ($1, $2, $3, $4, 'in', $5, $6) ON CONFLICT (rfc_id) DO NOTHING`, msg.MessageID, ticketID, messageID, supporterID, root, db.Now())
	return err
}

// normalise makes any inbound message storable: intake never refuses mail
// for being odd, it fixes what it must and keeps the rest.
func normalise(m *Inbound) {
	m.Subject = strings.Join(strings.FieldsFunc(m.Subject, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if m.Subject == "" {
		m.Subject = "(no subject)"
	}
	m.Subject = truncate(m.Subject, ticket.MaxSubjectRunes)
	m.Text = strings.ToValidUTF8(strings.ReplaceAll(m.Text, "\x00", ""), "\uFFFD")
	if strings.TrimSpace(m.Text) == "" {
		m.Text = "(no text)"
		if len(m.Files) > 0 {
			m.Text = "(attachments only)"
		}
	}
	if len(m.Text) > ticket.MaxBodyBytes {
		cut := ticket.MaxBodyBytes - 100
		for cut > 0 && !utf8.RuneStart(m.Text[cut]) {
			cut--
		}
		m.Text = m.Text[:cut] + "\n\n[… truncated; the original message is kept]"
	}
	m.HTML = strings.ToValidUTF8(strings.ReplaceAll(m.HTML, "\x00", ""), "\uFFFD")
	if len(m.HTML) > 4*ticket.MaxBodyBytes {
		m.HTML = ""
	}
	m.From.Email = supporter.NormaliseEmail(m.From.Email)
	if m.From.Email != "" && !supporter.ValidEmail(m.From.Email) {
		m.From.Email = ""
	}
	if m.From.Email == "" && m.From.Phone == "" && strings.TrimSpace(m.From.Name) == "" {
		m.From.Name = "Unknown sender"
	}
	m.From.Name = truncate(strings.TrimSpace(m.From.Name), 200)
	if m.Language != "en" && m.Language != "ja" && m.Language != "zh" {
		m.Language = ""
	}
	m.MessageID = strings.Trim(m.MessageID, "<> ")
	m.InReplyTo = strings.Trim(m.InReplyTo, "<> ")
	for i := range m.References {
		m.References[i] = strings.Trim(m.References[i], "<> ")
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// Now is overridable in tests of time-dependent follow-ups.
var Now = time.Now
