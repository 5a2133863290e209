package calendar

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// MaxICSBytes bounds an imported iCalendar feed.
const MaxICSBytes = 4 << 20

// ParseICS reads the all-day events of an iCalendar feed (RFC 5545) as
// holidays: each VEVENT's DTSTART (VALUE=DATE, or a date-time whose date is
// taken) to its DTEND (exclusive; one day when absent), named by SUMMARY.
// Public-holiday feeds (Japanese, Chinese and others) are written this way.
// Recurrence rules are not expanded: such feeds list each year's dates.
func ParseICS(r io.Reader) ([]Holiday, error) {
	lines, err := unfold(io.LimitReader(r, MaxICSBytes+1))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Holiday
	var in bool
	var start, end time.Time
	var summary string
	sawCalendar := false
	for n, line := range lines {
		name, params, value := splitProp(line)
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VCALENDAR"):
			sawCalendar = true
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT"):
			in, start, end, summary = true, time.Time{}, time.Time{}, ""
		case name == "END" && strings.EqualFold(value, "VEVENT"):
			in = false
			if start.IsZero() {
				return nil, fmt.Errorf("ics: line %d: event without DTSTART", n+1)
			}
			if end.IsZero() || !end.After(start) {
				end = start.AddDate(0, 0, 1)
			}
			for d := start; d.Before(end) && d.Sub(start) < 366*24*time.Hour; d = d.AddDate(0, 0, 1) {
				key := d.Format("2006-01-02")
				if !seen[key] {
					seen[key] = true
					out = append(out, Holiday{Date: key, Name: summary})
				}
			}
		case in && (name == "DTSTART" || name == "DTEND"):
			t, err := parseICSDate(params, value)
			if err != nil {
				return nil, fmt.Errorf("ics: line %d: %v", n+1, err)
			}
			if name == "DTSTART" {
				start = t
			} else {
				end = t
			}
		case in && name == "SUMMARY":
			summary = unescapeText(value)
		}
	}
	if !sawCalendar {
		return nil, fmt.Errorf("ics: not an iCalendar file (no BEGIN:VCALENDAR)")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out, nil
}

// unfold joins folded lines (a line starting with a space or tab continues
// the previous one).
func unfold(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxICSBytes)
	var lines []string
	size := 0
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		size += len(l) + 1
		if size > MaxICSBytes {
			return nil, fmt.Errorf("ics: larger than %d bytes", MaxICSBytes)
		}
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		if l != "" {
			lines = append(lines, strings.TrimPrefix(l, "\ufeff"))
		}
	}
	return lines, sc.Err()
}

// splitProp splits "DTSTART;VALUE=DATE:20260101" into name, params, value.
func splitProp(line string) (name, params, value string) {
	head, value, _ := strings.Cut(line, ":")
	name, params, _ = strings.Cut(head, ";")
	return strings.ToUpper(strings.TrimSpace(name)), strings.ToUpper(params), value
}

func parseICSDate(params, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if len(v) < 8 {
		return time.Time{}, fmt.Errorf("bad date %q", v)
	}
	t, err := time.Parse("20060102", v[:8])
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q", v)
	}
	return t, nil
}

func unescapeText(s string) string {
	r := strings.NewReplacer(`\n`, " ", `\N`, " ", `\,`, ",", `\;`, ";", `\\`, `\`)
	return strings.TrimSpace(r.Replace(s))
}

// MergeHolidays adds imported holidays to existing ones; a date already
// present keeps its name.
func MergeHolidays(have, add []Holiday) []Holiday {
	seen := map[string]bool{}
	out := append([]Holiday(nil), have...)
	for _, h := range have {
		seen[h.Date] = true
	}
	for _, h := range add {
		if !seen[h.Date] {
			seen[h.Date] = true
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}
