package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/ticket"
)

// slaBadge is how one SLA target is drawn: always with words ("2h left",
// "Overdue 15m"); the colour (green, amber, red, grey) only repeats them.
type slaBadge struct {
	Target string // message id of the target's name
	State  string // ok, warning, breached, met, paused
	Text   string
	Due    *time.Time
}

// slaReader is the application's SLA service, or one that only reads.
func (s *Server) slaReader() *sla.Service {
	if s.sla != nil {
		return s.sla
	}
	return &sla.Service{DB: s.db, Now: s.now}
}

// ticketFollowup puts a ticket under investigation with a promised
// follow-up date: the supporter gets a holding reply, the desk reminds the
// agent before the date and alerts the supervisor if it slips.
func (s *Server) ticketFollowup(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	pg := s.newPage(r, "", nil)
	var err error
	day, perr := time.ParseInLocation("2006-01-02", r.PostForm.Get("followup_date"), pg.Loc)
	if perr != nil {
		err = errs.Field("followup_at", "invalid", "choose a date")
	} else {
		// "By 25 November": the end of that day in the organisation's zone.
		_, err = s.slaReader().Promise(r.Context(), actor(r), id, day.Add(24*time.Hour-time.Minute), s.tickets.Hooks)
	}
	if err != nil {
		if _, invalid := errs.AsInvalid(err); invalid {
			fe, _ := fieldErrors(pg, err, nil)
			s.showTicket(w, r, id, http.StatusUnprocessableEntity, nil, fe)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, ticketURL(r, id, "saved=1"), http.StatusSeeOther)
}

// slaStatus returns the SLA targets of a page of tickets.
func (s *Server) slaStatus(ctx context.Context, ts []ticket.Ticket) (map[int64]sla.Status, error) {
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return s.slaReader().ForTickets(ctx, s.db.R, ids)
}

// loadSLA reads a ticket's targets and what the SLA timers did on it.
func (s *Server) loadSLA(ctx context.Context, td *ticketData) error {
	st, err := s.slaReader().For(ctx, s.db.R, td.T.ID)
	if err != nil {
		return err
	}
	entries, err := audit.ListFor(ctx, s.db.R, "ticket", td.T.ID)
	if err != nil {
		return err
	}
	td.SLA = st
	if td.Followup, err = sla.GetFollowup(ctx, s.db.R, td.T.ID); err != nil {
		return err
	}
	for _, e := range entries {
		if e.Actor == "sla" {
			td.SLAHistory = append(td.SLAHistory, e)
		}
	}
	return nil
}

// SLABadge is a list row's badge: the running target due first (nil when
// none runs).
func (p *Page) SLABadge(ticketID int64) *slaBadge {
	d, ok := p.Data.(*inboxData)
	if !ok {
		return nil
	}
	st := d.SLA[ticketID]
	name, ts, ok := st.Soonest()
	if !ok {
		for _, t := range sla.Targets { // a paused clock is shown grey
			if x, found := st[t]; found && x.State == sla.StatePaused {
				name, ts, ok = t, x, true
				break
			}
		}
	}
	if !ok {
		return nil
	}
	b := p.slaBadge(name, ts)
	return &b
}

// SLABadges are every target of a ticket, in display order.
func (p *Page) SLABadges(st sla.Status) []slaBadge {
	var out []slaBadge
	for _, t := range sla.Targets {
		if ts, ok := st[t]; ok {
			out = append(out, p.slaBadge(t, ts))
		}
	}
	return out
}

func (p *Page) slaBadge(target string, ts sla.TargetStatus) slaBadge {
	b := slaBadge{Target: "sla." + target, State: ts.State, Due: ts.DueAt}
	switch ts.State {
	case sla.StateMet:
		b.Text = p.T("sla.met")
		if ts.Breached {
			b.Text = p.T("sla.met_late")
		}
	case sla.StatePaused:
		b.Text = p.T("sla.paused")
		if ts.RemainingSeconds != nil {
			b.Text += " · " + p.slaSpan("sla.left", time.Duration(*ts.RemainingSeconds)*time.Second)
		}
	case sla.StateBreached:
		b.Text = p.slaSpan("sla.overdue", p.Now.Sub(*ts.DueAt))
	default:
		b.Text = p.slaSpan("sla.left", ts.DueAt.Sub(p.Now))
	}
	return b
}

// slaSpan words a duration in its largest sensible unit: minutes under an
// hour, hours under two days, then days ("sla.left.hours" → "2h left").
func (p *Page) slaSpan(prefix string, d time.Duration) string {
	switch {
	case d < time.Hour:
		return p.N(prefix+".minutes", max(int(d/time.Minute), 0))
	case d < 48*time.Hour:
		return p.N(prefix+".hours", int(d/time.Hour))
	}
	return p.N(prefix+".days", int(d/(24*time.Hour)))
}

// SLAEvent words an SLA history entry: "Warning: First response due soon",
// "Escalated to the department supervisor".
func (p *Page) SLAEvent(e audit.Entry) string {
	target, _ := e.Detail["target"].(string)
	name := p.T("sla." + target)
	switch e.Action {
	case "sla.warning":
		return p.T("sla.event.warning", "Target", name)
	case "sla.breach":
		return p.T("sla.event.breach", "Target", name)
	case "sla.followup_reminder":
		return p.T("followup.event.reminder")
	case "sla.followup_slipped":
		return p.T("followup.event.slipped")
	case "sla.followup_slip_notice":
		status, _ := e.Detail["status"].(string)
		if id := "followup.event.slip_notice." + status; p.L.Has(id) {
			return p.T(id)
		}
	case "sla.escalate":
		var who []string
		if list, ok := e.Detail["notify"].([]any); ok {
			for _, w := range list {
				who = append(who, p.T(fmt.Sprint("sla.who.", w)))
			}
		}
		return p.T("sla.event.escalate", "Target", name, "Who", strings.Join(who, ", "))
	}
	return e.Action
}

// SLATime is an audit entry's time.
func (p *Page) SLATime(e audit.Entry) time.Time { return time.UnixMilli(e.At) }
