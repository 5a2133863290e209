package calendar

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// DefaultID is the 24/7 calendar every installation starts with.
const DefaultID = 1

// Get reads a calendar with its holidays, compiled.
func Get(ctx context.Context, q db.Querier, id int64) (*Calendar, error) {
	c := &Calendar{ID: id}
	var hours string
	err := q.QueryRowContext(ctx, "SELECT name, time_zone, hours, version FROM business_calendars WHERE id = $1", id).
		Scan(&c.Name, &c.TimeZone, &hours, &c.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("calendar: get %d: %w", id, err)
	}
	if c.Holidays, err = holidays(ctx, q, id); err != nil {
		return nil, err
	}
	return c, c.setHours(hours)
}

func (c *Calendar) setHours(hours string) error {
	var m map[string][]string
	if err := json.Unmarshal([]byte(hours), &m); err != nil {
		return fmt.Errorf("calendar %d: hours: %w", c.ID, err)
	}
	built, err := New(c.Name, c.TimeZone, m, c.Holidays)
	if err != nil {
		return err
	}
	built.ID, built.Version = c.ID, c.Version
	*c = *built
	return nil
}

func holidays(ctx context.Context, q db.Querier, id int64) ([]Holiday, error) {
	rows, err := q.QueryContext(ctx, "SELECT day, name FROM calendar_holidays WHERE calendar_id = $1 ORDER BY day", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Holiday{}
	for rows.Next() {
		var h Holiday
		if err := rows.Scan(&h.Date, &h.Name); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// List returns every calendar, by name.
func List(ctx context.Context, q db.Querier) ([]*Calendar, error) {
	rows, err := q.QueryContext(ctx, "SELECT id FROM business_calendars ORDER BY name, id")
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []*Calendar{}
	for _, id := range ids {
		c, err := Get(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Input creates or replaces a calendar's definition.
type Input struct {
	Name     string              `json:"name"`
	TimeZone string              `json:"time_zone"`
	Hours    map[string][]string `json:"hours"`
	Holidays []Holiday           `json:"holidays"`
}

func (in Input) build() (*Calendar, string, error) {
	c, err := New(in.Name, in.TimeZone, in.Hours, in.Holidays)
	if err != nil {
		return nil, "", err
	}
	b, _ := json.Marshal(c.Hours)
	return c, string(b), nil
}

// Create stores a new calendar.
func Create(ctx context.Context, q db.Querier, in Input) (*Calendar, error) {
	c, hours, err := in.build()
	if err != nil {
		return nil, err
	}
	now := db.Now()
	err = q.QueryRowContext(ctx, `INSERT INTO business_calendars (name, time_zone, hours, version, created_at, updated_at)
		VALUES ($1, $2, $3, 1, $4, $4) RETURNING id`, c.Name, c.TimeZone, hours, now).Scan(&c.ID)
	if db.IsUniqueViolation(err) {
		return nil, errs.Field("name", "taken", "a calendar named %q exists", c.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("calendar: create: %w", err)
	}
	if err := setHolidays(ctx, q, c.ID, c.Holidays); err != nil {
		return nil, err
	}
	return Get(ctx, q, c.ID)
}

// Update replaces a calendar's definition and bumps its version (the SLA
// service then recalculates the due times on it).
func Update(ctx context.Context, q db.Querier, id int64, in Input) (*Calendar, error) {
	c, hours, err := in.build()
	if err != nil {
		return nil, err
	}
	res, err := q.ExecContext(ctx, `UPDATE business_calendars SET name = $1, time_zone = $2, hours = $3, version = version + 1,
		updated_at = $4 WHERE id = $5`, c.Name, c.TimeZone, hours, db.Now(), id)
	if db.IsUniqueViolation(err) {
		return nil, errs.Field("name", "taken", "a calendar named %q exists", c.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("calendar: update: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.ErrNotFound
	}
	if err := setHolidays(ctx, q, id, c.Holidays); err != nil {
		return nil, err
	}
	return Get(ctx, q, id)
}

func setHolidays(ctx context.Context, q db.Querier, id int64, hs []Holiday) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM calendar_holidays WHERE calendar_id = $1", id); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, h := range hs {
		if seen[h.Date] {
			continue
		}
		seen[h.Date] = true
		if _, err := q.ExecContext(ctx, "INSERT INTO calendar_holidays (calendar_id, day, name) VALUES ($1, $2, $3)", id, h.Date, h.Name); err != nil {
			return fmt.Errorf("calendar: holiday %s: %w", h.Date, err)
		}
	}
	return nil
}

// Input returns the calendar as an Input (to edit and save back).
func (c *Calendar) Input() Input {
	return Input{Name: c.Name, TimeZone: c.TimeZone, Hours: c.Hours, Holidays: append([]Holiday{}, c.Holidays...)}
}
