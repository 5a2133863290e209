package outbox

import (
	"context"
	"database/sql"

	"github.com/steward-desk/steward/internal/ticket"
)

// What became of a notice.
const (
	NoticeQueued     = "queued"
	NoticeSuppressed = "suppressed" // do not contact, or email consent withdrawn
	NoticeNoAddress  = "no_address" // the ticket's supporter cannot be written to by email
)

// QueueNotice queues a machine-written notice to a ticket's supporter in
// tx — in the ticket's thread, from its mailbox — and says what became of
// it. It is not a message of the conversation, so it moves no SLA clock.
func (o *Outbox) QueueNotice(ctx context.Context, tx *sql.Tx, ticketID int64, lang, text string) (string, error) {
	t, err := ticket.Get(ctx, tx, ticketID)
	if err != nil {
		return "", err
	}
	if !emailable[t.Channel] || t.SupporterEmail == "" {
		return NoticeNoAddress, nil
	}
	var mailbox sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT mailbox_id FROM tickets WHERE id = $1", t.ID).Scan(&mailbox); err != nil {
		return "", err
	}
	inReplyTo, refs, err := threadHeaders(ctx, tx, t.ID)
	if err != nil {
		return "", err
	}
	r := row{TicketID: t.ID, Kind: KindNotice, To: Address{t.SupporterName, t.SupporterEmail}, Subject: ReplySubject(t.Subject, t.Number),
		Text: text, Language: lang, InReplyTo: inReplyTo, Refs: refs}
	if mailbox.Valid {
		r.MailboxID = &mailbox.Int64
	}
	id, err := o.insert(ctx, tx, r)
	if err != nil {
		return "", err
	}
	var status string
	if err := tx.QueryRowContext(ctx, "SELECT status FROM outbox WHERE id = $1", id).Scan(&status); err != nil {
		return "", err
	}
	if status != NoticeQueued {
		return NoticeSuppressed, nil
	}
	return NoticeQueued, nil
}
