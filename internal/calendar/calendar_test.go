package calendar

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func mustNew(t testing.TB, tz string, hours map[string][]string, holidays ...string) *Calendar {
	t.Helper()
	var hs []Holiday
	for _, h := range holidays {
		hs = append(hs, Holiday{Date: h})
	}
	c, err := New("test", tz, hours, hs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func weekdays(iv ...string) map[string][]string {
	return map[string][]string{"mon": iv, "tue": iv, "wed": iv, "thu": iv, "fri": iv}
}

func everyDay(iv ...string) map[string][]string {
	m := weekdays(iv...)
	m["sat"], m["sun"] = iv, iv
	return m
}

func local(t testing.TB, tz, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDueAt(t *testing.T) {
	const ny, london, tokyo = "America/New_York", "Europe/London", "Asia/Tokyo"
	office := mustNew(t, ny, weekdays("09:00-17:00"), "2026-11-26")
	nyAllDay := mustNew(t, ny, everyDay("00:00-24:00"), "2030-01-01")
	nySundayNight := mustNew(t, ny, map[string][]string{"sun": {"01:00-05:00"}})
	londonSunday := mustNew(t, london, map[string][]string{"sun": {"00:00-03:00"}})
	londonOffice := mustNew(t, london, weekdays("09:00-17:30"))
	tokyoSplit := mustNew(t, tokyo, weekdays("09:00-12:00", "13:00-18:00"), "2026-11-23")
	tokyoNights := mustNew(t, tokyo, weekdays("22:00-02:00"))

	cases := []struct {
		name  string
		cal   *Calendar
		tz    string
		start string
		d     time.Duration
		want  string // local time in tz
	}{
		{"same day", office, ny, "2026-11-24 10:00", 3 * time.Hour, "2026-11-24 13:00"},
		{"ends exactly at closing", office, ny, "2026-11-24 09:00", 8 * time.Hour, "2026-11-24 17:00"},
		{"over the weekend", office, ny, "2026-11-20 16:00", 2 * time.Hour, "2026-11-23 10:00"},
		{"starting on Saturday", office, ny, "2026-11-21 12:00", time.Hour, "2026-11-23 10:00"},
		{"starting before opening", office, ny, "2026-11-24 06:00", 30 * time.Minute, "2026-11-24 09:30"},
		{"over a holiday", office, ny, "2026-11-25 16:00", 2 * time.Hour, "2026-11-27 10:00"},
		{"24 business hours = three days", office, ny, "2026-11-23 09:00", 24 * time.Hour, "2026-11-25 17:00"},
		{"zero duration", office, ny, "2026-11-21 12:00", 0, "2026-11-21 12:00"},
		{"DST spring forward, 24h calendar", nyAllDay, ny, "2026-03-07 23:00", 4 * time.Hour, "2026-03-08 04:00"},
		{"DST spring forward shortens a shift", nySundayNight, ny, "2026-03-08 00:00", 4 * time.Hour, "2026-03-15 02:00"},
		{"DST fall back lengthens a shift", londonSunday, london, "2026-10-25 00:00", 4 * time.Hour, "2026-10-25 03:00"},
		{"London office across spring change", londonOffice, london, "2026-03-27 17:00", 10 * time.Hour, "2026-03-31 10:00"},
		{"split shift skips lunch", tokyoSplit, tokyo, "2026-11-24 11:30", time.Hour, "2026-11-24 13:30"},
		{"split shift over weekend and holiday", tokyoSplit, tokyo, "2026-11-20 17:00", 3 * time.Hour, "2026-11-24 11:00"},
		{"past midnight: within the night", tokyoNights, tokyo, "2026-11-24 23:00", 4 * time.Hour, "2026-11-25 23:00"},
		{"past midnight: Friday's shift on Saturday", tokyoNights, tokyo, "2026-11-28 01:00", 30 * time.Minute, "2026-11-28 01:30"},
		{"past midnight: after the last shift", tokyoNights, tokyo, "2026-11-28 03:00", time.Hour, "2026-11-30 23:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := local(t, c.tz, c.start)
			got := c.cal.DueAt(start, c.d)
			want := local(t, c.tz, c.want)
			if !got.Equal(want) {
				t.Fatalf("DueAt(%s, %s) = %s, want %s", c.start, c.d, got.In(want.Location()).Format("2006-01-02 15:04 MST"), want.Format("2006-01-02 15:04 MST"))
			}
			if c.d > 0 {
				if b := c.cal.Between(start, got); b != c.d {
					t.Fatalf("Between(start, due) = %s, want %s", b, c.d)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	ny := "America/New_York"
	office := mustNew(t, ny, weekdays("09:00-17:00"))
	if got := office.Between(local(t, ny, "2026-11-20 16:00"), local(t, ny, "2026-11-23 10:00")); got != 2*time.Hour {
		t.Fatalf("weekend: %s", got)
	}
	sunday := mustNew(t, ny, map[string][]string{"sun": {"01:00-05:00"}})
	if got := sunday.Between(local(t, ny, "2026-03-08 00:00"), local(t, ny, "2026-03-09 00:00")); got != 3*time.Hour {
		t.Fatalf("spring-forward Sunday has 3 working hours, got %s", got)
	}
	if got := office.Between(local(t, ny, "2026-11-23 12:00"), local(t, ny, "2026-11-23 11:00")); got != 0 {
		t.Fatalf("reversed: %s", got)
	}
	if !office.IsOpen(local(t, ny, "2026-11-23 09:00")) || office.IsOpen(local(t, ny, "2026-11-23 17:00")) {
		t.Fatal("IsOpen at the edges")
	}
}

// DueAt and Between are inverses on any calendar and any start.
func TestDueAtBetweenAgree(t *testing.T) {
	cals := []*Calendar{
		mustNew(t, "America/New_York", weekdays("09:00-12:00", "13:00-17:00"), "2026-07-03", "2026-12-25"),
		mustNew(t, "Europe/London", everyDay("22:00-02:00"), "2026-03-29"),
		mustNew(t, "Asia/Tokyo", map[string][]string{"mon": {"00:00-24:00"}, "sat": {"10:00-11:00"}}),
		AlwaysOpen(),
	}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		c := cals[i%len(cals)]
		start := base.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		d := time.Duration(r.Int64N(int64(100*time.Hour))) / time.Minute * time.Minute
		due := c.DueAt(start, d)
		if due.IsZero() {
			t.Fatalf("%s: no due time", c.TimeZone)
		}
		if got := c.Between(start, due); got != d {
			t.Fatalf("%s: Between(%s, DueAt(+%s)=%s) = %s", c.TimeZone, start, d, due, got)
		}
	}
}

func TestValidation(t *testing.T) {
	bad := []struct {
		tz    string
		hours map[string][]string
		want  string
	}{
		{"Mars/Base", weekdays("09:00-17:00"), "time zone"},
		{"UTC", map[string][]string{}, "at least one"},
		{"UTC", map[string][]string{"mon": {"09:00-12:00", "11:00-13:00"}}, "overlap"},
		{"UTC", map[string][]string{"funday": {"09:00-12:00"}}, "weekday"},
		{"UTC", map[string][]string{"mon": {"9-17"}}, "interval"},
		{"UTC", map[string][]string{"mon": {"20:00-08:00"}, "tue": {"07:00-09:00"}}, "runs into"},
	}
	for _, b := range bad {
		if _, err := New("x", b.tz, b.hours, nil); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%v: err = %v, want %q", b.hours, err, b.want)
		}
	}
	if _, err := New("x", "UTC", weekdays("09:00-17:00"), []Holiday{{Date: "2026-13-01"}}); err == nil {
		t.Error("bad holiday date accepted")
	}
	iv, err := ParseInterval("22:00-02:00")
	if err != nil || iv != (Interval{1320, 1560}) || iv.String() != "22:00-26:00" {
		t.Fatalf("past midnight: %v %v", iv, err)
	}
	if c := mustNew(t, "UTC", everyDay("22:00-26:00")); c.Hours["mon"][0] != "22:00-26:00" {
		t.Fatal("round trip of a past-midnight interval")
	}
}

func TestNoWorkingTimeEver(t *testing.T) {
	c := mustNew(t, "UTC", map[string][]string{"mon": {"09:00-10:00"}})
	for d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2033; d = d.AddDate(0, 0, 1) {
		c.Holidays = append(c.Holidays, Holiday{Date: d.Format("2006-01-02")})
	}
	if err := c.Compile(); err != nil {
		t.Fatal(err)
	}
	if due := c.DueAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Hour); !due.IsZero() {
		t.Fatalf("due %s on a calendar of holidays", due)
	}
}

func TestParseICS(t *testing.T) {
	feed := "\ufeffBEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270104\r\nSUMMARY:元日\\, 正月休み\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20261123\r\nSUMMARY:勤労感謝の\r\n 日\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART:20261001T000000Z\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261123\r\nSUMMARY:duplicate\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	hs, err := ParseICS(strings.NewReader(feed))
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{"2026-10-01", "国庆节"}, {"2026-11-23", "勤労感謝の日"}, {"2027-01-01", "元日, 正月休み"}, {"2027-01-02", "元日, 正月休み"}, {"2027-01-03", "元日, 正月休み"}}
	if len(hs) != len(want) {
		t.Fatalf("got %v", hs)
	}
	for i := range want {
		if hs[i] != want[i] {
			t.Fatalf("[%d] = %v, want %v", i, hs[i], want[i])
		}
	}
	if _, err := ParseICS(strings.NewReader("hello")); err == nil {
		t.Fatal("non-calendar accepted")
	}
	if _, err := ParseICS(strings.NewReader("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n")); err == nil {
		t.Fatal("event without date accepted")
	}
	merged := MergeHolidays([]Holiday{{"2026-11-23", "ours"}}, hs)
	if len(merged) != 5 || merged[1].Name != "ours" {
		t.Fatalf("merge: %v", merged)
	}
}

// BenchmarkRecalculate100k computes due times for 100,000 tickets, as after
// a calendar change: 24 business hours on a split-shift calendar with holidays.
func BenchmarkRecalculate100k(b *testing.B) {
	c := mustNew(b, "Asia/Tokyo", weekdays("09:00-12:00", "13:00-18:00"), "2026-11-23", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01")
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	starts := make([]time.Time, 100_000)
	for i := range starts {
		starts[i] = base.Add(time.Duration(i) * 37 * time.Second)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, s := range starts {
			if c.DueAt(s, 24*time.Hour).IsZero() {
				b.Fatal("zero")
			}
		}
	}
}
