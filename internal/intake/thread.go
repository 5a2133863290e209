package intake

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"

	"github.com/steward-desk/steward/internal/replytoken"
	"github.com/steward-desk/steward/internal/ticket"
)

// thread finds the ticket an inbound message continues, or 0 for a new one.
//
// Order: In-Reply-To, then every References entry (newest first), then the
// reply token in the text, then "[#number]" in the subject. A reference
// counts only if it proves the link: a Steward Message-ID with a valid
// signed token, or a message previously received from this same supporter.
// So a stranger who copies someone's Message-ID into In-Reply-To opens a
// ticket of their own, and replies to one newsletter from many supporters
// stay one ticket per supporter. Closed tickets are never reopened: the
// reply starts a new ticket.
func (in *Intake) thread(ctx context.Context, tx *sql.Tx, msg *Inbound, supporterID int64) (int64, error) {
	ids := make([]string, 0, 1+len(msg.References))
	if msg.InReplyTo != "" {
		ids = append(ids, msg.InReplyTo)
	}
	for i := len(msg.References) - 1; i >= 0; i-- {
		ids = append(ids, msg.References[i])
	}
	for _, id := range ids {
		if tok := replytoken.FromMessageID(id); tok != "" {
			if tid, ok := replytoken.Verify(in.TokenSecret, tok); ok {
				if open, err := usable(ctx, tx, tid, 0); err != nil || open {
					return tid, err
				}
			}
			continue
		}
		var tid int64
		var sid sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT ticket_id, supporter_id FROM email_refs WHERE rfc_id = $1", id).Scan(&tid, &sid)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if sid.Valid && sid.Int64 == supporterID {
			if open, err := usable(ctx, tx, tid, supporterID); err != nil || open {
				return tid, err
			}
		}
	}
	if tok := replytoken.FromText(msg.Text); tok != "" {
		if tid, ok := replytoken.Verify(in.TokenSecret, tok); ok {
			if open, err := usable(ctx, tx, tid, 0); err != nil || open {
				return tid, err
			}
		}
	}
	if m := subjectNumber.FindStringSubmatch(msg.Subject); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		t, err := ticket.GetByNumber(ctx, tx, n)
		if err == nil && t.SupporterID == supporterID && t.Status != ticket.StatusClosed {
			return t.ID, nil
		}
	}
	// Replies to mail Steward never saw (a newsletter): same root, same sender.
	if len(ids) > 0 {
		root := msg.InReplyTo
		if len(msg.References) > 0 {
			root = msg.References[0]
		}
		var tid int64
		err := tx.QueryRowContext(ctx, `SELECT r.ticket_id FROM email_refs r JOIN tickets t ON t.id = r.ticket_id
			WHERE r.supporter_id = $1 AND r.thread_root = $2 AND t.status <> 'closed' ORDER BY r.created_at DESC LIMIT 1`, supporterID, root).Scan(&tid)
		if err == nil {
			return tid, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	return 0, nil
}

var subjectNumber = regexp.MustCompile(`\[#(\d{1,12})\]`)

// usable reports whether a ticket exists, is not closed and (when
// supporterID is set) belongs to that supporter.
func usable(ctx context.Context, tx *sql.Tx, ticketID, supporterID int64) (bool, error) {
	var status string
	var sid int64
	err := tx.QueryRowContext(ctx, "SELECT status, supporter_id FROM tickets WHERE id = $1", ticketID).Scan(&status, &sid)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return status != string(ticket.StatusClosed) && (supporterID == 0 || sid == supporterID), nil
}
