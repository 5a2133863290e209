package ticket

import (
	"context"
	"database/sql"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/supporter"
)

// Hook runs inside the transaction of every ticket change (e.g. search
// indexing, enqueueing follow-up jobs), so its work commits with the change
// or not at all.
type Hook func(ctx context.Context, tx *sql.Tx, e live.Event) error

// Service is how staff-facing surfaces (UI, API) change tickets: one short
// transaction with the audit entry and hooks, then a live event after commit.
type Service struct {
	DB    *db.DB
	Live  live.Broker
	Hooks []Hook
	// Warm runs before a change's transaction with the texts it writes, so
	// that hooks find pure work on them done already and the transaction is
	// shorter (see package prework).
	Warm []Warmer
}

// A Warmer does a hook's pure work ahead of the transaction on the texts a
// change writes. It must not fail or write: the transaction may never come.
type Warmer func(Texts)

// Texts are what a change writes: a new ticket's subject and first message,
// or a message (Subject empty).
type Texts struct {
	Subject, Body string
	// Direction is the message's: In from a supporter, Out or Note from staff.
	Direction Direction
}

// WarmTexts runs ws on a change's texts.
func WarmTexts(ws []Warmer, t Texts) {
	for _, w := range ws {
		w(t)
	}
}

func (s *Service) runHooks(ctx context.Context, tx *sql.Tx, e live.Event) error {
	for _, h := range s.Hooks {
		if err := h(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) publish(ctx context.Context, e live.Event) {
	if s.Live != nil {
		s.Live.Publish(ctx, e)
	}
}

// CreateInput is a new ticket and the supporter it is from (found or created
// by email/phone when SupporterID is 0).
type CreateInput struct {
	NewTicket
	Supporter supporter.NewSupporter
}

// Create opens a ticket.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in CreateInput) (Ticket, error) {
	var c created
	if subject, err := validSubject(in.Subject); err == nil {
		WarmTexts(s.Warm, Texts{Subject: subject, Body: in.Body, Direction: in.direction()}) // as create will store them
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if in.SupporterID == 0 {
			id, err := supporter.ResolveID(ctx, tx, in.Supporter)
			if err != nil {
				return err
			}
			in.SupporterID = id
		}
		var err error
		if in.Direction == Note && actor.UserID != 0 {
			in.AuthorUserID = &actor.UserID
		}
		if c, err = create(ctx, s.DB, tx, in.NewTicket); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "ticket.create", "ticket", c.id, map[string]any{"number": c.number, "channel": c.channel}); err != nil {
			return err
		}
		return s.runHooks(ctx, tx, live.Event{Type: "ticket.created", TicketID: c.id, MessageID: c.messageID, ActorID: actor.UserID})
	})
	if err != nil {
		return Ticket{}, err
	}
	s.publish(ctx, live.Event{Type: "ticket.created", TicketID: c.id, MessageID: c.messageID, ActorID: actor.UserID})
	// Read once, after the commit and off the writer: the hooks may have
	// routed, assigned or prioritised the ticket and set its due time.
	return Get(ctx, s.DB.R, c.id)
}

// ReplyInput is a message written by staff.
type ReplyInput struct {
	TicketID int64
	Body     string
	Internal bool
	// Status, when set, moves the ticket in the same step ("send and mark pending").
	Status *Status
}

// Reply adds a reply (or internal note) from a member of staff.
func (s *Service) Reply(ctx context.Context, actor audit.Actor, in ReplyInput) (Message, error) {
	var m Message
	dir := Out
	if in.Internal {
		dir = Note
	}
	WarmTexts(s.Warm, Texts{Body: in.Body, Direction: dir})
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var author *int64
		if actor.UserID != 0 {
			author = &actor.UserID
		}
		var err error
		if m, err = AddMessage(ctx, tx, NewMessage{TicketID: in.TicketID, Direction: dir, AuthorUserID: author, BodyText: in.Body}); err != nil {
			return err
		}
		if in.Status != nil {
			if _, _, err := Update(ctx, tx, in.TicketID, Patch{Status: in.Status}); err != nil {
				return err
			}
		}
		action := "ticket.reply"
		if in.Internal {
			action = "ticket.note"
		}
		if err := audit.Record(ctx, tx, actor, action, "ticket", in.TicketID, map[string]any{"message_id": m.ID}); err != nil {
			return err
		}
		return s.runHooks(ctx, tx, live.Event{Type: "message.created", TicketID: in.TicketID, MessageID: m.ID, ActorID: actor.UserID})
	})
	if err != nil {
		return m, err
	}
	s.publish(ctx, live.Event{Type: "message.created", TicketID: in.TicketID, MessageID: m.ID, ActorID: actor.UserID})
	return m, nil
}

// Update changes a ticket's fields and records what changed.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, p Patch) (Ticket, []Change, error) {
	var t Ticket
	var changes []Change
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, changes, err = Update(ctx, tx, id, p); err != nil || len(changes) == 0 {
			return err
		}
		detail := map[string]any{}
		for _, c := range changes {
			detail[c.Field] = map[string]any{"from": c.From, "to": c.To}
		}
		if err := audit.Record(ctx, tx, actor, "ticket.update", "ticket", id, detail); err != nil {
			return err
		}
		return s.runHooks(ctx, tx, live.Event{Type: "ticket.updated", TicketID: id, ActorID: actor.UserID})
	})
	if err != nil || len(changes) == 0 {
		return t, changes, err
	}
	s.publish(ctx, live.Event{Type: "ticket.updated", TicketID: id, ActorID: actor.UserID})
	return t, changes, nil
}
