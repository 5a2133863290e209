package sla

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
)

// States of a target, as the API and the UI show them.
const (
	StateOK       = "ok"
	StateWarning  = "warning"
	StateBreached = "breached"
	StateMet      = "met"
	StatePaused   = "paused"
)

// TargetStatus is one target of a ticket as shown: its due time (absent
// while paused), its state and, while paused, the business time left.
type TargetStatus struct {
	DueAt *time.Time `json:"due_at,omitempty"`
	State string     `json:"state"`
	// RemainingSeconds of business time when the clock is paused.
	RemainingSeconds *int64 `json:"remaining_seconds,omitempty"`
	// Breached says a met target was met late (or is still breached).
	Breached bool `json:"breached,omitempty"`
}

// Status is a ticket's targets by name (absent targets do not apply).
type Status map[string]TargetStatus

// Soonest returns the running target due first, if any.
func (s Status) Soonest() (string, TargetStatus, bool) {
	var name string
	var best TargetStatus
	for _, t := range Targets {
		ts, ok := s[t]
		if !ok || ts.DueAt == nil || ts.State == StateMet || ts.State == StatePaused {
			continue
		}
		if name == "" || ts.DueAt.Before(*best.DueAt) {
			name, best = t, ts
		}
	}
	return name, best, name != ""
}

func (r *row) status(now int64) TargetStatus {
	ts := TargetStatus{Breached: r.BreachedAt.Valid || (r.MetAt.Valid && r.DueAt.Valid && r.MetAt.Int64 > r.DueAt.Int64)}
	if r.DueAt.Valid {
		t := db.Time(r.DueAt.Int64)
		ts.DueAt = &t
	}
	switch {
	case r.MetAt.Valid:
		ts.State = StateMet
	case r.PausedSince.Valid:
		ts.State = StatePaused
	case r.BreachedAt.Valid || (r.DueAt.Valid && now >= r.DueAt.Int64):
		ts.State, ts.Breached = StateBreached, true
	case r.WarnedAt.Valid || (r.WarnAt.Valid && now >= r.WarnAt.Int64):
		ts.State = StateWarning
	default:
		ts.State = StateOK
	}
	return ts
}

// For returns the SLA status of a ticket.
func (s *Service) For(ctx context.Context, q db.Querier, ticketID int64) (Status, error) {
	m, err := s.ForTickets(ctx, q, []int64{ticketID})
	return m[ticketID], err
}

// ForTickets returns the SLA status of several tickets (a page of a list)
// in one query. Tickets without targets get an empty Status.
func (s *Service) ForTickets(ctx context.Context, q db.Querier, ids []int64) (map[int64]Status, error) {
	out := make(map[int64]Status, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	ps := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ps[i], args[i] = fmt.Sprintf("$%d", i+1), id
		out[id] = Status{}
	}
	rows, err := q.QueryContext(ctx, "SELECT "+rowCols+" FROM ticket_sla WHERE ticket_id IN ("+strings.Join(ps, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("sla: status: %w", err)
	}
	defer rows.Close()
	now := s.now().UnixMilli()
	var paused []*row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		ts := r.status(now)
		if ts.State == StatePaused {
			paused = append(paused, &r)
		}
		out[r.TicketID][r.Target] = ts
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, r := range paused {
		// Left = budget − business time used before the pause began.
		var version int64
		if err := q.QueryRowContext(ctx, "SELECT version FROM business_calendars WHERE id = $1", r.CalendarID).Scan(&version); err != nil {
			return nil, err
		}
		cal, err := s.calendar(ctx, q, r.CalendarID, version)
		if err != nil {
			return nil, err
		}
		used := cal.Between(time.UnixMilli(r.AnchorAt), time.UnixMilli(r.PausedSince.Int64)).Milliseconds() - r.PausedMS
		left := max(r.BudgetMS-used, 0) / 1000
		ts := out[r.TicketID][r.Target]
		ts.RemainingSeconds = &left
		out[r.TicketID][r.Target] = ts
	}
	return out, nil
}
