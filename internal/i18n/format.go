package i18n

import (
	"fmt"
	"time"
)

var enMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Date formats a calendar date in loc the way the language writes it:
// en "25 Nov 2026", ja/zh "2026年11月25日".
func (lc *Localizer) Date(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	switch lc.Lang {
	case "ja", "zh":
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), enMonths[t.Month()-1], t.Year())
}

// DateTime formats a date and 24-hour time in loc:
// en "25 Nov 2026, 14:05", ja/zh "2026年11月25日 14:05".
func (lc *Localizer) DateTime(t time.Time, loc *time.Location) string {
	clock := t.In(loc).Format("15:04")
	if lc.Lang == "en" {
		return lc.Date(t, loc) + ", " + clock
	}
	return lc.Date(t, loc) + " " + clock
}

// Exact is the unambiguous form shown on hover: ISO date and time with the
// zone's abbreviation and name, e.g. "2026-11-25 14:05 JST (Asia/Tokyo)".
func Exact(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return t.Format("2006-01-02 15:04 MST") + " (" + loc.String() + ")"
}

// Ago says how long before now t was: "just now", "5 min ago", "3 hours ago",
// "2 days ago"; a week or more back it gives the date instead.
func (lc *Localizer) Ago(t, now time.Time, loc *time.Location) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return lc.T("time.just_now")
	case d < time.Hour:
		return lc.N("time.minutes_ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return lc.N("time.hours_ago", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return lc.N("time.days_ago", int(d/(24*time.Hour)))
	}
	return lc.Date(t, loc)
}

// Tenure says how long someone has been a supporter: "Supporter for 6 years",
// 「ご支援 6 年」, 「支持 6 年」; months below a year; "New supporter" below a month.
func (lc *Localizer) Tenure(years, months int) string {
	switch {
	case years > 0:
		return lc.N("supporter.tenure_years", years)
	case months > 0:
		return lc.N("supporter.tenure_months", months)
	}
	return lc.T("supporter.tenure_new")
}
