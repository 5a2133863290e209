// Package outbox is the way out: every mail Steward sends — agent replies,
// acknowledgements, notices — is first a row written in the same
// transaction as the fact that caused it, then a River job delivers it
// through the channel's Transport with retries and backoff.
//
// Delivery is at-least-once with a stable Message-ID per row: the job is
// worked by one node at a time, a sent row is never sent again, and the only
// window for a repeat (the relay accepted, then the process died before the
// row was marked sent) yields the same Message-ID, which mail clients
// collapse.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/replytoken"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Kinds of outgoing mail.
const (
	KindReply  = "reply"
	KindAck    = "ack"
	KindNotice = "notice"
)

// Address is a display name and an address.
type Address struct {
	Name    string
	Address string
}

// Attachment is a file to send, read from the blob store.
type Attachment struct {
	Filename    string
	ContentType string
	Open        func() (io.ReadCloser, error)
}

// Mail is one message for a Transport to deliver.
type Mail struct {
	MailboxID  int64 // 0: the default mailbox
	From       Address
	To         Address
	Subject    string
	Text       string
	MessageID  string // without angle brackets
	InReplyTo  string
	References []string
	// AutoSubmitted marks machine-written mail (RFC 3834 "auto-replied").
	AutoSubmitted bool
	Language      string
	Attachments   []Attachment
}

// Transport delivers mail (the email channel's SMTP sender).
type Transport interface {
	// Send delivers m; an error is retried later unless it is Permanent.
	Send(ctx context.Context, m Mail) error
	// Sender returns the From address for a mailbox (0: the default).
	Sender(ctx context.Context, mailboxID int64) (Address, error)
}

// Permanent wraps an error that retrying cannot fix (e.g. a 5xx refusal).
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// MaxAttempts bounds retries (River backs off exponentially between them).
const MaxAttempts = 12

// Outbox queues and sends.
type Outbox struct {
	DB          *db.DB
	Jobs        *jobs.Queue
	Blobs       *blob.Store
	Live        live.Broker
	TokenSecret []byte
	// Domain for Message-IDs when a mailbox has none.
	Domain string
}

// sendArgs is the River job that delivers one outbox row.
type sendArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

func (sendArgs) Kind() string { return "outbox_send" }

// row is what queue functions insert.
type row struct {
	TicketID  int64
	MessageID *int64
	MailboxID *int64
	Kind      string
	To        Address
	Subject   string
	Text      string
	Language  string
	InReplyTo string
	Refs      []string
}

// insert writes the row, its threading reference, and the job, all in tx.
func (o *Outbox) insert(ctx context.Context, tx *sql.Tx, r row) (int64, error) {
	domain := o.Domain
	if domain == "" {
		domain = "steward.invalid"
	}
	if r.MailboxID != nil {
		var addr string
		if err := tx.QueryRowContext(ctx, "SELECT address FROM mailboxes WHERE id = $1", *r.MailboxID).Scan(&addr); err == nil {
			if _, d, ok := strings.Cut(addr, "@"); ok {
				domain = d
			}
		}
	}
	token := replytoken.New(o.TokenSecret, r.TicketID)
	rfcID := replytoken.MessageID(token, domain)
	// The token also rides in the text, for clients that drop threading headers.
	text := strings.TrimRight(r.Text, "\n") + "\n\n" + replytoken.Footer(token)
	// Do-not-contact and withdrawn email consent hold every kind of mail here.
	status := "queued"
	if ok, err := supporter.MayContactAbout(ctx, tx, r.TicketID, "email"); err != nil {
		return 0, err
	} else if !ok {
		status = "suppressed"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO outbox (ticket_id, message_id, mailbox_id, kind, to_addr, to_name, subject, body_text, rfc_id,
			in_reply_to, refs, language, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $13) RETURNING id`,
		r.TicketID, r.MessageID, r.MailboxID, r.Kind, r.To.Address, r.To.Name, r.Subject, text, rfcID,
		r.InReplyTo, strings.Join(r.Refs, " "), r.Language, db.Now(), status).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("outbox: insert: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO email_refs (rfc_id, ticket_id, message_id, direction, created_at) VALUES ($1, $2, $3, 'out', $4)`,
		rfcID, r.TicketID, r.MessageID, db.Now()); err != nil {
		return 0, err
	}
	if status != "queued" {
		return id, nil
	}
	if err := o.Jobs.Enqueue(ctx, tx, sendArgs{OutboxID: id}, &river.InsertOpts{MaxAttempts: MaxAttempts}); err != nil {
		return 0, err
	}
	return id, nil
}

// threadHeaders returns In-Reply-To and References for a new mail on a
// ticket: the latest message received, and the ticket's recent references.
func threadHeaders(ctx context.Context, q db.Querier, ticketID int64) (string, []string, error) {
	rows, err := q.QueryContext(ctx, "SELECT rfc_id, direction FROM email_refs WHERE ticket_id = $1 ORDER BY created_at DESC, rfc_id LIMIT 20", ticketID)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	var refs []string
	inReplyTo := ""
	for rows.Next() {
		var id, dir string
		if err := rows.Scan(&id, &dir); err != nil {
			return "", nil, err
		}
		if inReplyTo == "" && dir == "in" {
			inReplyTo = id
		}
		refs = append(refs, id)
	}
	// Oldest first, as RFC 5322 wants.
	for i, j := 0, len(refs)-1; i < j; i, j = i+1, j-1 {
		refs[i], refs[j] = refs[j], refs[i]
	}
	if inReplyTo == "" && len(refs) > 0 {
		inReplyTo = refs[len(refs)-1]
	}
	return inReplyTo, refs, rows.Err()
}

// emailable channels reach the supporter by email when staff reply.
var emailable = map[string]bool{"email": true, "web": true, "form": true, "api": true}

// ReplyHook is a ticket.Hook that queues an agent's reply (direction out)
// as mail to the supporter, in the reply's own transaction.
func (o *Outbox) ReplyHook(ctx context.Context, tx *sql.Tx, e live.Event) error {
	if e.Type != "message.created" || e.MessageID == 0 {
		return nil
	}
	var dir, text, lang string
	if err := tx.QueryRowContext(ctx, "SELECT direction, body_text, language FROM messages WHERE id = $1", e.MessageID).Scan(&dir, &text, &lang); err != nil {
		return err
	}
	if dir != string(ticket.Out) {
		return nil
	}
	t, err := ticket.Get(ctx, tx, e.TicketID)
	if err != nil {
		return err
	}
	if !emailable[t.Channel] || t.SupporterEmail == "" {
		return nil
	}
	var mailbox sql.NullInt64
	tx.QueryRowContext(ctx, "SELECT mailbox_id FROM tickets WHERE id = $1", t.ID).Scan(&mailbox)
	inReplyTo, refs, err := threadHeaders(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	mid := e.MessageID
	r := row{TicketID: t.ID, MessageID: &mid, Kind: KindReply, To: Address{t.SupporterName, t.SupporterEmail},
		Subject: ReplySubject(t.Subject, t.Number), Text: text, Language: t.Language, InReplyTo: inReplyTo, Refs: refs}
	if lang != "" { // a reply written in a language (a canned reply in the supporter's) says so
		r.Language = lang
	}
	if mailbox.Valid {
		r.MailboxID = &mailbox.Int64
	}
	_, err = o.insert(ctx, tx, r)
	return err
}

// ReplySubject is "Re: subject [#number]", without piling up prefixes.
func ReplySubject(subject string, number int64) string {
	s := strings.TrimSpace(subject)
	tag := fmt.Sprintf("[#%d]", number)
	if !strings.Contains(s, tag) {
		s += " " + tag
	}
	lower := strings.ToLower(s)
	for _, p := range []string{"re:", "re：", "回复:", "回复：", "答复:", "aw:", "sv:"} {
		if strings.HasPrefix(lower, p) {
			return s
		}
	}
	return "Re: " + s
}

// Status of a message's delivery, for the UI and API.
type Status struct {
	Status    string     `json:"status"` // queued, sending, sent, failed, bounced
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// StatusOf returns the delivery status of a ticket message (ok false if it was not mailed).
func StatusOf(ctx context.Context, q db.Querier, messageID int64) (Status, bool, error) {
	var s Status
	var sent sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT status, attempts, last_error, sent_at FROM outbox WHERE message_id = $1 ORDER BY id DESC LIMIT 1", messageID).
		Scan(&s.Status, &s.Attempts, &s.LastError, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if sent.Valid {
		t := db.Time(sent.Int64)
		s.SentAt = &t
	}
	return s, err == nil, err
}

// orgSettings is read at queue time for templates.
func orgSettings(ctx context.Context, q db.Querier) org.Settings {
	s, err := org.Get(ctx, q)
	if err != nil {
		return org.Settings{Name: "Steward", FirstReplyMinutes: 1440, TimeZone: "UTC"}
	}
	return s
}
