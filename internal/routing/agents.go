package routing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Agent is what assignment knows about a member of staff: the languages
// they answer in, whether they are away, and their working hours.
type Agent struct {
	UserID int64 `json:"user_id"`
	// Languages the agent answers in; empty means any.
	Languages []string `json:"languages"`
	// Away agents get no new tickets until they are back.
	Away bool `json:"away"`
	// CalendarID names the business calendar of the agent's working hours
	// (time zone, shifts, holidays); nil means always on shift.
	CalendarID *int64 `json:"calendar_id"`
}

// GetAgent reads an agent's routing settings (the zero settings when none
// were saved).
func GetAgent(ctx context.Context, q db.Querier, userID int64) (Agent, error) {
	a := Agent{UserID: userID, Languages: []string{}}
	var langs string
	var away int
	var cal sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT languages, away, calendar_id FROM user_routing WHERE user_id = $1", userID).Scan(&langs, &away, &cal)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, fmt.Errorf("routing: agent %d: %w", userID, err)
	}
	a.Languages, a.Away = split(langs), away != 0
	if cal.Valid {
		a.CalendarID = &cal.Int64
	}
	return a, nil
}

// Agents reads every saved agent's settings, by user id.
func Agents(ctx context.Context, q db.Querier) (map[int64]Agent, error) {
	rows, err := q.QueryContext(ctx, "SELECT user_id, languages, away, calendar_id FROM user_routing")
	if err != nil {
		return nil, fmt.Errorf("routing: agents: %w", err)
	}
	defer rows.Close()
	out := map[int64]Agent{}
	for rows.Next() {
		var a Agent
		var langs string
		var away int
		var cal sql.NullInt64
		if err := rows.Scan(&a.UserID, &langs, &away, &cal); err != nil {
			return nil, err
		}
		a.Languages, a.Away = split(langs), away != 0
		if cal.Valid {
			a.CalendarID = &cal.Int64
		}
		out[a.UserID] = a
	}
	return out, rows.Err()
}

// SaveAgent validates and stores an agent's languages, away status and
// working hours.
func SaveAgent(ctx context.Context, q db.Querier, a Agent) error {
	langs := []string{}
	for _, l := range a.Languages {
		l = strings.TrimSpace(l)
		if l == "" || slices.Contains(langs, l) {
			continue
		}
		if strings.ContainsAny(l, ", ") || len(l) > 35 {
			return errs.Field("languages", "invalid", "%q is not a language code", l)
		}
		langs = append(langs, l)
	}
	if a.CalendarID != nil {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM business_calendars WHERE id = $1", *a.CalendarID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Field("calendar_id", "invalid", "unknown calendar %d", *a.CalendarID)
		}
	}
	away := 0
	if a.Away {
		away = 1
	}
	_, err := q.ExecContext(ctx, `INSERT INTO user_routing (user_id, languages, away, calendar_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET languages = EXCLUDED.languages, away = EXCLUDED.away, calendar_id = EXCLUDED.calendar_id`,
		a.UserID, strings.Join(langs, ","), away, a.CalendarID)
	if err != nil {
		return fmt.Errorf("routing: save agent %d: %w", a.UserID, err)
	}
	return nil
}

// SetAgent records an agent's spoken languages and away status, keeping
// their working hours.
func SetAgent(ctx context.Context, q db.Querier, userID int64, languages []string, away bool) error {
	a, err := GetAgent(ctx, q, userID)
	if err != nil {
		return err
	}
	a.Languages, a.Away = languages, away
	return SaveAgent(ctx, q, a)
}

// SetAway marks an agent away or back, keeping the rest of their settings.
func SetAway(ctx context.Context, q db.Querier, userID int64, away bool) error {
	a, err := GetAgent(ctx, q, userID)
	if err != nil {
		return err
	}
	a.Away = away
	return SaveAgent(ctx, q, a)
}

// shifts answers "is this agent working now?" from their calendars, each
// read once per assignment.
type shifts struct {
	ctx  context.Context
	q    db.Querier
	now  time.Time
	cals map[int64]*calendar.Calendar
}

// on reports whether an agent with working-hours calendar id (0: none) is
// on shift at s.now. A calendar that cannot be read counts as always open,
// so a broken calendar never strands tickets.
func (s *shifts) on(id int64) (bool, error) {
	if id == 0 {
		return true, nil
	}
	c, ok := s.cals[id]
	if !ok {
		var err error
		c, err = calendar.Get(s.ctx, s.q, id)
		if errors.Is(err, errs.ErrNotFound) {
			c = nil
		} else if err != nil {
			return false, err
		}
		if s.cals == nil {
			s.cals = map[int64]*calendar.Calendar{}
		}
		s.cals[id] = c
	}
	return c == nil || c.IsOpen(s.now), nil
}

// OnShift reports whether an agent is working at t by their working-hours
// calendar (nil: always).
func OnShift(c *calendar.Calendar, t time.Time) bool { return c == nil || c.IsOpen(t) }
