package macro

import (
	"context"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// VarsFor gathers the values for a reply on a ticket written by agentName.
// The language is the ticket's, else the supporter's, else the organisation's.
func VarsFor(ctx context.Context, q db.Querier, ticketID int64, agentName string, now time.Time) (Vars, ticket.Ticket, error) {
	t, err := ticket.Get(ctx, q, ticketID)
	if err != nil {
		return Vars{}, t, err
	}
	s, err := supporter.Get(ctx, q, t.SupporterID)
	if err != nil {
		return Vars{}, t, err
	}
	g, err := giving.Summarize(ctx, q, s.ID, now)
	if err != nil {
		return Vars{}, t, err
	}
	settings, err := org.Get(ctx, q)
	if err != nil {
		return Vars{}, t, err
	}
	v := Vars{Lang: t.Language, Supporter: s, Since: s.SupporterSince, LastGift: g.LastGift, TicketNumber: t.Number,
		AgentName: agentName, OrgName: settings.Name, Now: now, Loc: settings.Location()}
	if v.Lang == "" {
		v.Lang = s.Language
	}
	if v.Lang == "" {
		v.Lang = settings.DefaultLanguage
	}
	return v, t, nil
}

// Preview renders a macro for a ticket.
func Preview(ctx context.Context, q db.Querier, m Macro, ticketID int64, agentName string, now time.Time) (string, error) {
	v, _, err := VarsFor(ctx, q, ticketID, agentName, now)
	if err != nil {
		return "", err
	}
	return Render(m.Body, v), nil
}

// Apply renders the macro for a ticket and makes its changes (status,
// tags, department) through the ticket service, audited as the actor. The
// text is returned for the composer: the agent reviews it before sending.
func Apply(ctx context.Context, svc *ticket.Service, actor audit.Actor, m Macro, ticketID int64, now time.Time) (string, error) {
	v, t, err := VarsFor(ctx, svc.DB.R, ticketID, actor.Name, now)
	if err != nil {
		return "", err
	}
	if p := m.Patch(t.Tags); p != nil {
		if _, _, err := svc.Update(ctx, actor, ticketID, *p); err != nil {
			return "", err
		}
	}
	return Render(m.Body, v), nil
}
