// Package calendar holds business calendars — a time zone, working intervals
// per weekday (split shifts and shifts past midnight allowed) and holidays —
// and the arithmetic SLA deadlines are built on: DueAt adds business time to
// an instant, Between measures the business time between two instants.
//
// Business time is real elapsed time inside working intervals: on the night
// clocks go forward, a 01:00–03:00 shift in America/New_York lasts one hour.
package calendar

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/errs"
)

// Minutes in a day; an interval may end up to one day past its own midnight.
const day = 24 * 60

// Interval is a working interval of one weekday in minutes after local
// midnight. End > Start; End beyond 1440 runs past midnight into the next
// day (22:00–02:00 is {1320, 1560}).
type Interval struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// String formats the interval as "09:00-17:00" ("22:00-26:00" past midnight).
func (iv Interval) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Start/60, iv.Start%60, iv.End/60, iv.End%60)
}

// ParseInterval reads "09:00-17:00"; an end at or before the start means the
// shift runs past midnight ("22:00-02:00"); "00:00-24:00" is the whole day.
func ParseInterval(s string) (Interval, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Interval{}, fmt.Errorf("%q is not an interval like 09:00-17:00", s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil || start >= day {
		return Interval{}, fmt.Errorf("%q is not an interval like 09:00-17:00", s)
	}
	if end <= start {
		end += day
	}
	return Interval{start, end}, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 2*day {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

// Holiday is a local date on which no shift starts.
type Holiday struct {
	Date string `json:"date"` // YYYY-MM-DD
	Name string `json:"name"`
}

// Calendar is a business calendar. Build it with New (or call Compile after
// changing fields); the zero Calendar is not usable.
type Calendar struct {
	ID       int64               `json:"id"`
	Name     string              `json:"name"`
	TimeZone string              `json:"time_zone"`
	Week     [7][]Interval       `json:"-"` // by time.Weekday
	Holidays []Holiday           `json:"holidays"`
	Version  int64               `json:"version"`
	Hours    map[string][]string `json:"hours"` // the Week as shown to people: {"mon": ["09:00-17:00"]}
	loc      *time.Location
	closed   map[int]bool // yyyymmdd of holidays
	always   bool         // 24/7 without holidays: DueAt is plain addition
	weekMins int          // working minutes a week
}

// Weekday keys in Hours, by time.Weekday.
var DayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// AlwaysOpen is the 24/7 calendar in UTC.
func AlwaysOpen() *Calendar {
	c := &Calendar{Name: "24/7", TimeZone: "UTC"}
	for d := range c.Week {
		c.Week[d] = []Interval{{0, day}}
	}
	if err := c.Compile(); err != nil {
		panic(err)
	}
	return c
}

// New builds a calendar from its time zone, hours ({"mon": ["09:00-12:00",
// "13:00-17:00"]}, missing days are closed) and holidays.
func New(name, tz string, hours map[string][]string, holidays []Holiday) (*Calendar, error) {
	c := &Calendar{Name: name, TimeZone: tz, Holidays: holidays}
	for key, list := range hours {
		d := -1
		for i, k := range DayKeys {
			if k == strings.ToLower(key) {
				d = i
			}
		}
		if d < 0 {
			return nil, errs.Field("hours", "invalid", "unknown weekday %q (use sun, mon, … sat)", key)
		}
		for _, s := range list {
			iv, err := ParseInterval(s)
			if err != nil {
				return nil, errs.Field("hours", "invalid", "%s: %v", key, err)
			}
			c.Week[d] = append(c.Week[d], iv)
		}
	}
	if err := c.Compile(); err != nil {
		return nil, err
	}
	return c, nil
}

// Compile validates the calendar and prepares it for arithmetic.
func (c *Calendar) Compile() error {
	if strings.TrimSpace(c.Name) == "" {
		return errs.Field("name", "required", "a calendar needs a name")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" {
		return errs.Field("time_zone", "invalid", "unknown time zone %q", c.TimeZone)
	}
	c.loc = loc
	c.weekMins = 0
	c.Hours = map[string][]string{}
	for d := range c.Week {
		ivs := c.Week[d]
		sort.Slice(ivs, func(i, j int) bool { return ivs[i].Start < ivs[j].Start })
		for i, iv := range ivs {
			if iv.Start < 0 || iv.Start >= day || iv.End <= iv.Start || iv.End-iv.Start > day {
				return errs.Field("hours", "invalid", "%s: interval %s is not within one day", DayKeys[d], iv)
			}
			if i > 0 && iv.Start < ivs[i-1].End {
				return errs.Field("hours", "invalid", "%s: intervals %s and %s overlap", DayKeys[d], ivs[i-1], iv)
			}
			c.weekMins += iv.End - iv.Start
			c.Hours[DayKeys[d]] = append(c.Hours[DayKeys[d]], iv.String())
		}
	}
	// A shift past midnight must not run into the next day's first shift.
	for d := range c.Week {
		if n := len(c.Week[d]); n > 0 {
			next := c.Week[(d+1)%7]
			if over := c.Week[d][n-1].End - day; over > 0 && len(next) > 0 && next[0].Start < over {
				return errs.Field("hours", "invalid", "%s: %s runs into %s's %s", DayKeys[d], c.Week[d][n-1], DayKeys[(d+1)%7], next[0])
			}
		}
	}
	if c.weekMins == 0 {
		return errs.Field("hours", "required", "a calendar needs at least one working interval")
	}
	c.closed = map[int]bool{}
	for _, h := range c.Holidays {
		t, err := time.Parse("2006-01-02", h.Date)
		if err != nil {
			return errs.Field("holidays", "invalid", "%q is not a date like 2026-01-01", h.Date)
		}
		c.closed[dateKey(t.Year(), t.Month(), t.Day())] = true
	}
	c.always = c.weekMins == 7*day && len(c.closed) == 0
	return nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsHoliday reports whether the local date of t is a holiday.
func (c *Calendar) IsHoliday(t time.Time) bool {
	t = t.In(c.loc)
	return c.closed[dateKey(t.Year(), t.Month(), t.Day())]
}

func dateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

// MaxSearch bounds how far DueAt looks ahead (a calendar of holidays only
// would otherwise never end).
const MaxSearch = 5 * 366

// span is one working interval as instants.
type span struct{ from, to time.Time }

// dayCursor walks working intervals in time order from a local date.
type dayCursor struct {
	c       *Calendar
	y       int
	m       time.Month
	d       int
	pending []span
}

func (c *Calendar) cursor(t time.Time) *dayCursor {
	// Start one day early: yesterday's shift may run past midnight.
	l := t.In(c.loc).AddDate(0, 0, -1)
	return &dayCursor{c: c, y: l.Year(), m: l.Month(), d: l.Day()}
}

// next returns the spans of the cursor's date and moves to the next date.
func (k *dayCursor) next() []span {
	k.pending = k.pending[:0]
	date := time.Date(k.y, k.m, k.d, 12, 0, 0, 0, k.c.loc)
	if !k.c.closed[dateKey(k.y, k.m, k.d)] {
		for _, iv := range k.c.Week[date.Weekday()] {
			k.pending = append(k.pending, span{k.at(iv.Start), k.at(iv.End)})
		}
	}
	n := date.AddDate(0, 0, 1)
	k.y, k.m, k.d = n.Year(), n.Month(), n.Day()
	return k.pending
}

// at is the instant min minutes after the cursor date's midnight, by the
// wall clock (time.Date normalises minutes past 24:00 into the next day and
// resolves times skipped or repeated by DST changes).
func (k *dayCursor) at(min int) time.Time {
	return time.Date(k.y, k.m, k.d, min/60, min%60, 0, 0, k.c.loc)
}

// DueAt returns the instant when d of business time has passed after start.
// A zero or negative d returns the start. It returns the zero time when the
// calendar has no working time within MaxSearch days.
func (c *Calendar) DueAt(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	if c.always {
		return start.Add(d)
	}
	k := c.cursor(start)
	cur := start
	for i := 0; i < MaxSearch; i++ {
		for _, s := range k.next() {
			if !s.to.After(cur) {
				continue
			}
			from := s.from
			if from.Before(cur) {
				from = cur
			}
			if avail := s.to.Sub(from); avail >= d {
				return from.Add(d)
			} else {
				d -= avail
			}
			cur = s.to
		}
	}
	return time.Time{}
}

// Between returns the business time from a to b (zero when b is not after a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c.always {
		return b.Sub(a)
	}
	k := c.cursor(a)
	cur := a
	var total time.Duration
	for i := 0; i < MaxSearch+int(b.Sub(a).Hours()/24)+2; i++ {
		for _, s := range k.next() {
			if !s.from.Before(b) {
				return total
			}
			if !s.to.After(cur) {
				continue
			}
			from, to := s.from, s.to
			if from.Before(cur) {
				from = cur
			}
			if to.After(b) {
				to = b
			}
			total += to.Sub(from)
			cur = to
		}
	}
	return total
}

// IsOpen reports whether t falls inside a working interval.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c.always {
		return true
	}
	k := c.cursor(t)
	for i := 0; i < 2; i++ {
		for _, s := range k.next() {
			if !t.Before(s.from) && t.Before(s.to) {
				return true
			}
		}
	}
	return false
}
