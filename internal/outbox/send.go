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

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
)

// Worker delivers outbox rows.
type Worker struct {
	river.WorkerDefaults[sendArgs]
	Outbox    *Outbox
	Transport Transport
}

// Timeout bounds one delivery attempt.
func (w *Worker) Timeout(*river.Job[sendArgs]) time.Duration { return time.Minute }

// Register adds the send worker to River.
func Register(workers *river.Workers, o *Outbox, t Transport) {
	river.AddWorker(workers, &Worker{Outbox: o, Transport: t})
}

// Work sends one row unless it was already sent.
func (w *Worker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	d := w.Outbox.DB
	m, messageID, status, err := w.load(ctx, job.Args.OutboxID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the ticket was deleted
	}
	if err != nil {
		return err
	}
	if status == "sent" || status == "bounced" {
		return nil
	}
	if _, err := d.W.ExecContext(ctx, "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = $1", job.Args.OutboxID); err != nil {
		return err
	}
	from, err := w.Transport.Sender(ctx, m.MailboxID)
	if err == nil {
		m.From = from
		err = w.Transport.Send(ctx, m)
	}
	if err != nil {
		final := job.Attempt >= job.MaxAttempts
		var perm *Permanent
		if errors.As(err, &perm) {
			final = true
		}
		st := "queued"
		if final {
			st = "failed"
		}
		d.W.ExecContext(context.WithoutCancel(ctx), "UPDATE outbox SET status = $1, last_error = $2 WHERE id = $3", st, truncate(err.Error(), 1000), job.Args.OutboxID)
		w.notify(ctx, messageID, m)
		if final {
			return river.JobCancel(err)
		}
		return err
	}
	if _, err := d.W.ExecContext(context.WithoutCancel(ctx), "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = '' WHERE id = $2", db.Now(), job.Args.OutboxID); err != nil {
		return err
	}
	w.notify(ctx, messageID, m)
	return nil
}

func (w *Worker) notify(ctx context.Context, messageID int64, m Mail) {
	if w.Outbox.Live != nil && messageID != 0 {
		var tid int64
		w.Outbox.DB.R.QueryRowContext(ctx, "SELECT ticket_id FROM messages WHERE id = $1", messageID).Scan(&tid)
		w.Outbox.Live.Publish(ctx, live.Event{Type: "message.delivery", TicketID: tid, MessageID: messageID})
	}
}

func (w *Worker) load(ctx context.Context, id int64) (Mail, int64, string, error) {
	var m Mail
	var mailbox, message sql.NullInt64
	var kind, refs, status string
	err := w.Outbox.DB.R.QueryRowContext(ctx, `SELECT mailbox_id, message_id, kind, to_addr, to_name, subject, body_text, rfc_id, in_reply_to, refs, language, status
		FROM outbox WHERE id = $1`, id).Scan(&mailbox, &message, &kind, &m.To.Address, &m.To.Name, &m.Subject, &m.Text, &m.MessageID, &m.InReplyTo, &refs, &m.Language, &status)
	if err != nil {
		return m, 0, "", err
	}
	m.AutoSubmitted = kind == KindAck || kind == KindNotice
	m.MailboxID = mailbox.Int64
	if refs != "" {
		m.References = strings.Fields(refs)
	}
	if message.Valid {
		rows, err := w.Outbox.DB.R.QueryContext(ctx, "SELECT filename, content_type, sha256 FROM attachments WHERE message_id = $1 ORDER BY id", message.Int64)
		if err != nil {
			return m, 0, "", err
		}
		defer rows.Close()
		for rows.Next() {
			var a Attachment
			var sum string
			if err := rows.Scan(&a.Filename, &a.ContentType, &sum); err != nil {
				return m, 0, "", err
			}
			blobs := w.Outbox.Blobs
			a.Open = func() (io.ReadCloser, error) {
				if blobs == nil {
					return nil, fmt.Errorf("no blob store")
				}
				return blobs.Open(sum)
			}
			m.Attachments = append(m.Attachments, a)
		}
	}
	return m, message.Int64, status, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
