// Package mailin is where raw mail enters Steward, whichever way it came
// (Steward's SMTP listener, the IMAP poller): it keeps the original .eml in
// the blob store, parses it, maps it to intake's normalised Inbound and
// hands it to intake.Accept, or quarantines what cannot be parsed.
//
// The contract with the callers is simple: Receive returns nil only when the
// message is durably stored (as a ticket message, as a recorded duplicate or
// bounce, or in quarantine with its raw bytes), so the source may then be
// acknowledged (SMTP 250, IMAP \Seen). Any error means nothing was committed
// and the source must keep the message and try again later.
package mailin

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/channel/email"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/intake"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/replytoken"
	"github.com/steward-desk/steward/internal/ticket"
)

// Default limits.
const (
	DefaultMaxMessageBytes    = 25 << 20
	DefaultMaxAttachmentBytes = 10 << 20
)

// Channel is the intake channel name of email.
const Channel = "email"

// Receiver takes raw messages in.
type Receiver struct {
	DB     *db.DB
	Blobs  *blob.Store
	Intake *intake.Intake
	// MaxMessageBytes: larger messages are quarantined whole (default 25 MB).
	MaxMessageBytes int64
	// MaxAttachmentBytes: larger attachments are refused and listed in
	// Inbound.RejectedFiles (default 10 MB).
	MaxAttachmentBytes int64
	Log                *slog.Logger
}

// Target says which mailbox a message arrived for.
type Target struct {
	MailboxID    int64
	DepartmentID *int64
	// Source names the path in quarantine rows and logs, e.g. "smtp" or
	// "imap:support@example.org".
	Source string
}

// TargetOf is the target for mail arriving at mailbox m through source.
func TargetOf(m mailbox.Mailbox, source string) Target {
	return Target{MailboxID: m.ID, DepartmentID: m.DepartmentID, Source: source}
}

// Result says what Receive did.
type Result struct {
	intake.Result
	RawSHA256 string
	// Quarantined: the message could not be parsed (or was too large) and
	// is kept raw in quarantine for an admin.
	Quarantined bool
	// Echo: the message is one Steward sent itself, come back (a copy in the
	// shared mailbox, a Cc to our own address); it is not stored again.
	Echo bool
}

func (r *Receiver) maxMessage() int64 {
	if r.MaxMessageBytes > 0 {
		return r.MaxMessageBytes
	}
	return DefaultMaxMessageBytes
}

func (r *Receiver) maxAttachment() int64 {
	if r.MaxAttachmentBytes > 0 {
		return r.MaxAttachmentBytes
	}
	return DefaultMaxAttachmentBytes
}

func (r *Receiver) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

// Receive stores one raw message for target; see the package comment for
// what a nil error promises.
func (r *Receiver) Receive(ctx context.Context, raw []byte, t Target) (Result, error) {
	if int64(len(raw)) > r.maxMessage() {
		return r.Quarantine(ctx, raw, t, fmt.Sprintf("message too large: %d bytes (limit %d)", len(raw), r.maxMessage()))
	}
	sum, _, err := r.Blobs.Put(bytes.NewReader(raw), 0)
	if err != nil {
		return Result{}, fmt.Errorf("mailin: keep raw message: %w", err)
	}
	msg, err := email.Parse(raw, email.ParseOptions{MaxAttachmentBytes: r.maxAttachment()})
	var perr *email.ParseError
	if errors.As(err, &perr) {
		return r.quarantine(ctx, sum, int64(len(raw)), t, perr.Error())
	}
	if err != nil {
		return Result{}, err
	}
	if echo, err := r.isEcho(ctx, msg); err != nil || echo {
		if echo {
			r.log().Debug("ignored Steward's own mail", "message_id", msg.MessageID, "source", t.Source)
		}
		return Result{RawSHA256: sum, Echo: echo}, err
	}
	in := Inbound(msg, t)
	in.RawSHA256 = sum
	res, err := r.accept(ctx, in)
	if err != nil {
		return Result{}, err
	}
	return Result{Result: res, RawSHA256: sum}, nil
}

// accept calls intake, trying again when the transaction lost a race with
// a concurrent one (two first messages from one new supporter on
// PostgreSQL, a serialisation failure): Accept is atomic and idempotent,
// so the retry either stores the message or finds it stored.
func (r *Receiver) accept(ctx context.Context, in intake.Inbound) (intake.Result, error) {
	for attempt := 1; ; attempt++ {
		res, err := r.Intake.Accept(ctx, in)
		if err == nil || attempt == 4 || !raced(err) || ctx.Err() != nil {
			return res, err
		}
		time.Sleep(time.Duration(attempt*attempt*5+rand.IntN(10)) * time.Millisecond)
	}
}

func raced(err error) bool {
	if errors.Is(err, errs.ErrConflict) || db.IsUniqueViolation(err) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 40001") || strings.Contains(s, "SQLSTATE 40P01") // serialization failure, deadlock
}

// Inbound maps a parsed message to intake's normalised form (without
// RawSHA256, which Receive fills in).
func Inbound(msg *email.Message, t Target) intake.Inbound {
	in := intake.Inbound{
		Channel:      Channel,
		SourceKey:    msg.MessageID,
		MailboxID:    t.MailboxID,
		DepartmentID: t.DepartmentID,
		From:         intake.Sender{Email: msg.From.Address, Name: msg.From.Name},
		Subject:      msg.Subject,
		Text:         msg.TextBody,
		HTML:         msg.HTMLBody,
		Language:     string(msg.Language),
		MessageID:    msg.MessageID,
		InReplyTo:    msg.InReplyTo,
		References:   msg.References,
	}
	switch msg.Kind {
	case email.KindAutoReply:
		in.Automated = intake.AutoReply
	case email.KindBounce:
		in.Automated = intake.Bounce
	case email.KindList:
		in.Automated = intake.List
	}
	if msg.Bounce != nil {
		in.BounceOf = msg.Bounce.OriginalMessageID
		detail := strings.TrimSpace(msg.Bounce.Status + " " + strings.Join(msg.Bounce.Recipients, ", "))
		if detail == "" {
			detail = "bounced"
		}
		in.BounceDetail = detail
	}
	for _, a := range msg.Attachments {
		if a.TooLarge {
			in.RejectedFiles = append(in.RejectedFiles, fmt.Sprintf("%s (%s)", a.Filename, humanSize(a.Size)))
			continue
		}
		in.Files = append(in.Files, intake.File{Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID, Data: a.Data})
	}
	return in
}

// isEcho reports whether msg is mail Steward sent (its Message-ID carries a
// reply token and is in the outbox). Posting it again would show our own
// reply as if a supporter had written it.
func (r *Receiver) isEcho(ctx context.Context, msg *email.Message) (bool, error) {
	if replytoken.FromMessageID(msg.MessageID) == "" {
		return false, nil
	}
	var one int
	err := r.DB.R.QueryRowContext(ctx, "SELECT 1 FROM outbox WHERE rfc_id = $1", msg.MessageID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Quarantine keeps raw in the blob store and records it for an admin; the
// source may then be acknowledged. Used for unparseable and oversized mail,
// and by the IMAP poller for a message intake keeps failing on.
func (r *Receiver) Quarantine(ctx context.Context, raw []byte, t Target, reason string) (Result, error) {
	sum, n, err := r.Blobs.Put(bytes.NewReader(raw), 0)
	if err != nil {
		return Result{}, fmt.Errorf("mailin: keep raw message: %w", err)
	}
	return r.quarantine(ctx, sum, n, t, reason)
}

func (r *Receiver) quarantine(ctx context.Context, sum string, size int64, t Target, reason string) (Result, error) {
	var mailboxID any
	if t.MailboxID != 0 {
		mailboxID = t.MailboxID
	}
	if len(reason) > 1000 {
		reason = strings.ToValidUTF8(reason[:1000], "")
	}
	// A redelivery of the same bytes for the same mailbox is one entry.
	_, err := r.DB.W.ExecContext(ctx, `INSERT INTO quarantine (mailbox_id, source, raw_sha256, size, reason, received_at)
		SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS BIGINT), CAST($5 AS TEXT), CAST($6 AS BIGINT) WHERE NOT EXISTS (
			SELECT 1 FROM quarantine WHERE raw_sha256 = $7 AND COALESCE(mailbox_id, 0) = $8 AND resolved_at IS NULL)`,
		mailboxID, t.Source, sum, size, reason, db.Now(), sum, t.MailboxID)
	if err != nil {
		return Result{}, fmt.Errorf("mailin: quarantine: %w", err)
	}
	r.log().Warn("message quarantined", "source", t.Source, "mailbox_id", t.MailboxID, "raw_sha256", sum, "size", size, "reason", reason)
	return Result{RawSHA256: sum, Quarantined: true}, nil
}

// Followup is an intake.Followup for mail: it tells the agents, in an
// internal note, which attachments were refused as too large (the sender
// is told by outbox.RejectedFilesFollowup).
func Followup(ctx context.Context, tx *sql.Tx, in *intake.Inbound, res intake.Result, t ticket.Ticket) error {
	if in.Channel != Channel {
		return nil
	}
	if len(in.RejectedFiles) > 0 {
		note := "Steward refused these attachments because they are larger than the attachment size limit " +
			"(the original message, with them, is kept):\n- " + strings.Join(in.RejectedFiles, "\n- ")
		if _, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: t.ID, Direction: ticket.Note, BodyText: note, KeepStatus: true}); err != nil {
			return err
		}
	}
	return nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
