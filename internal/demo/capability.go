package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// The capability path: every row is written by the functions the
// application itself uses; then the timestamps, which those functions set to
// "now", are moved to the planned moments in the past.

const capabilityBatch = 50 // tickets per transaction

func writeCapabilities(ctx context.Context, d *db.DB, g *generator, w *world, n int, hooks []ticket.Hook, res *Result, progress func(string, ...any)) error {
	supIDs := make([]int64, len(g.sup))
	for lo := 0; lo < len(g.sup); lo += 200 {
		hi := min(lo+200, len(g.sup))
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for i := lo; i < hi; i++ {
				s := &g.sup[i]
				var since time.Time
				if s.since != 0 {
					since = time.UnixMilli(s.since)
				}
				sp, err := supporter.Create(ctx, tx, supporter.NewSupporter{
					Name: s.name, Email: s.email, Phone: s.phone, Language: langCodes[s.lang],
					SupporterSince: since, Notes: s.notes,
				})
				if err != nil {
					return fmt.Errorf("demo: supporter %s: %w", s.email, err)
				}
				supIDs[i] = sp.ID
				if _, err := tx.ExecContext(ctx, "UPDATE supporters SET created_at = $1, updated_at = $1 WHERE id = $2", s.created, sp.ID); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, "UPDATE supporter_identities SET created_at = $1 WHERE supporter_id = $2", s.created, sp.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	res.Supporters = len(g.sup)
	progress("%d supporters", res.Supporters)

	var batch []ticketPlan
	flush := func() error {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for i := range batch {
				if err := writeTicket(ctx, d, tx, w, supIDs, &batch[i], hooks, res); err != nil {
					return err
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	err := g.tickets(n, func(p *ticketPlan) error {
		batch = append(batch, *p)
		if len(batch) < capabilityBatch {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		if res.Tickets%1000 == 0 {
			progress("%d/%d tickets, %d messages", res.Tickets, n, res.Messages)
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return err
	}
	progress("%d tickets, %d messages", res.Tickets, res.Messages)
	return nil
}

func optID(ids []int64, i int) *int64 {
	if i < 0 {
		return nil
	}
	v := ids[i]
	return &v
}

// writeTicket creates one planned ticket with ticket.Create, AddMessage and
// Update, then backdates it.
func writeTicket(ctx context.Context, d *db.DB, tx *sql.Tx, w *world, supIDs []int64, p *ticketPlan, hooks []ticket.Hook, res *Result) error {
	first := p.msgs[0]
	supID := supIDs[p.supporter]
	nt := ticket.NewTicket{
		Subject: p.subject, Body: first.body, Channel: p.channel, Type: p.typ, Priority: p.priority,
		Category: p.category, DepartmentID: optID(w.deptIDs, p.dept), AssigneeID: optID(w.staffIDs, p.assignee),
		SupporterID: supID, Language: langCodes[p.lang], Tags: p.tags, Direction: first.dir,
	}
	if first.dir == ticket.Note {
		nt.AuthorUserID = optID(w.staffIDs, first.user)
	}
	t, m, err := ticket.Create(ctx, d, tx, nt)
	if err != nil {
		return fmt.Errorf("demo: create ticket %q: %w", p.subject, err)
	}
	msgIDs := []int64{m.ID}
	for _, mp := range p.msgs[1:] {
		nm := ticket.NewMessage{TicketID: t.ID, Direction: mp.dir, BodyText: mp.body, Language: langCodes[p.lang]}
		if mp.dir == ticket.In {
			nm.AuthorSupporterID = &supID
		} else {
			nm.AuthorUserID = optID(w.staffIDs, mp.user)
		}
		m, err := ticket.AddMessage(ctx, tx, nm)
		if err != nil {
			return fmt.Errorf("demo: add message to ticket %d: %w", t.Number, err)
		}
		msgIDs = append(msgIDs, m.ID)
	}
	if cur, err := ticket.Get(ctx, tx, t.ID); err != nil {
		return err
	} else if cur.Status != p.status {
		st := p.status
		if _, _, err := ticket.Update(ctx, tx, t.ID, ticket.Patch{Status: &st}); err != nil {
			return fmt.Errorf("demo: set status of ticket %d: %w", t.Number, err)
		}
	}
	// Move the times into the past. NULLs stay NULL: whether a ticket has a
	// first response or a resolution is the ticket package's decision.
	o := p.outcome()
	_, err = tx.ExecContext(ctx, `UPDATE tickets SET created_at = $1, updated_at = $2,
		first_response_at = CASE WHEN first_response_at IS NULL THEN NULL ELSE CAST($3 AS BIGINT) END,
		resolved_at = CASE WHEN resolved_at IS NULL THEN NULL ELSE CAST($4 AS BIGINT) END,
		status_changed_at = $6,
		last_supporter_message_at = CASE WHEN last_supporter_message_at IS NULL THEN NULL ELSE CAST($7 AS BIGINT) END,
		last_agent_reply_at = CASE WHEN last_agent_reply_at IS NULL THEN NULL ELSE CAST($8 AS BIGINT) END WHERE id = $5`,
		o.created, o.updated, o.firstResponse, o.resolved, t.ID, o.statusChanged, o.lastIn, o.lastOut)
	if err != nil {
		return err
	}
	for i, id := range msgIDs {
		if _, err := tx.ExecContext(ctx, "UPDATE messages SET created_at = $1 WHERE id = $2", p.msgs[i].at, id); err != nil {
			return err
		}
	}
	for _, h := range hooks {
		e := live.Event{Type: "ticket.created", TicketID: t.ID, MessageID: msgIDs[len(msgIDs)-1]}
		if err := h(ctx, tx, e); err != nil {
			return fmt.Errorf("demo: hook on ticket %d: %w", t.Number, err)
		}
	}
	res.Tickets++
	res.Messages += len(p.msgs)
	res.Tags += len(t.Tags)
	return nil
}
