// Package panel gathers what an agent sees beside a ticket about its
// supporter: profile, giving summary, segments and the latest interactions
// across channels (tickets opened, messages, donations). It reads only, with
// a handful of indexed queries, so it stays fast at millions of tickets.
package panel

import (
	"context"
	"slices"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/supporter"
)

// Interaction kinds.
const (
	KindTicket   = "ticket"
	KindMessage  = "message"
	KindDonation = "donation"
)

// Interaction is one entry of a supporter's timeline.
type Interaction struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// Ticket fields (ticket and message entries).
	TicketID     int64  `json:"ticket_id,omitempty"`
	TicketNumber int64  `json:"ticket_number,omitempty"`
	Subject      string `json:"subject,omitempty"`
	Channel      string `json:"channel,omitempty"`
	// Direction of a message: in (from the supporter) or out (a reply).
	Direction string `json:"direction,omitempty"`
	// Donation fields.
	DonationID  int64  `json:"donation_id,omitempty"`
	AmountMinor int64  `json:"amount_minor,omitempty"`
	Currency    string `json:"currency,omitempty"`
	Campaign    string `json:"campaign,omitempty"`
	Recurring   bool   `json:"recurring,omitempty"`
}

// Amount shows a donation's amount ("¥10,000").
func (i Interaction) Amount() string { return giving.Format(i.AmountMinor, i.Currency) }

// Panel is the supporter side of a ticket.
type Panel struct {
	Supporter    supporter.Supporter
	Giving       giving.Summary
	Segments     []string
	Interactions []Interaction
}

// Load reads the panel of a supporter as of now, with the latest limit
// interactions (internal notes are not interactions with the supporter).
func Load(ctx context.Context, q db.Querier, supporterID int64, limit int, now time.Time) (Panel, error) {
	var p Panel
	var err error
	if p.Supporter, err = supporter.Get(ctx, q, supporterID); err != nil {
		return p, err
	}
	if p.Giving, err = giving.Summarize(ctx, q, supporterID, now); err != nil {
		return p, err
	}
	p.Segments = segment.From(p.Giving, p.Supporter.Tags, now)
	p.Interactions, err = Timeline(ctx, q, supporterID, limit)
	return p, err
}

// Timeline returns a supporter's latest interactions, newest first: each
// source is read newest-first with the limit, then merged.
func Timeline(ctx context.Context, q db.Querier, supporterID int64, limit int) ([]Interaction, error) {
	if limit <= 0 {
		limit = 10
	}
	var out []Interaction
	add := func(query string, scan func(*Interaction) []any, kind string) error {
		rows, err := q.QueryContext(ctx, query, supporterID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it := Interaction{Kind: kind}
			var at int64
			if err := rows.Scan(append([]any{&at}, scan(&it)...)...); err != nil {
				return err
			}
			it.At = db.Time(at)
			out = append(out, it)
		}
		return rows.Err()
	}
	err := add(`SELECT created_at, id, number, subject, channel FROM tickets WHERE supporter_id = $1
		ORDER BY created_at DESC LIMIT $2`, func(i *Interaction) []any {
		return []any{&i.TicketID, &i.TicketNumber, &i.Subject, &i.Channel}
	}, KindTicket)
	if err != nil {
		return nil, err
	}
	// Messages of the supporter's most recently updated tickets (a message
	// updates its ticket, so the latest messages are there; this bounds the
	// work for supporters with thousands of tickets). The first message of
	// a ticket is the ticket entry itself.
	err = add(`SELECT m.created_at, t.id, t.number, t.subject, t.channel, m.direction
		FROM (SELECT id, number, subject, channel FROM tickets WHERE supporter_id = $1 ORDER BY updated_at DESC LIMIT $2) t
		JOIN messages m ON m.ticket_id = t.id
		WHERE m.direction <> 'note' AND m.id <> (SELECT MIN(f.id) FROM messages f WHERE f.ticket_id = t.id)
		ORDER BY m.created_at DESC LIMIT $2`, func(i *Interaction) []any {
		return []any{&i.TicketID, &i.TicketNumber, &i.Subject, &i.Channel, &i.Direction}
	}, KindMessage)
	if err != nil {
		return nil, err
	}
	err = add(`SELECT donated_at, id, amount_minor, currency, campaign, recurring FROM donations WHERE supporter_id = $1
		ORDER BY donated_at DESC LIMIT $2`, func(i *Interaction) []any {
		return []any{&i.DonationID, &i.AmountMinor, &i.Currency, &i.Campaign, &i.Recurring}
	}, KindDonation)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Interaction) int { return b.At.Compare(a.At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
