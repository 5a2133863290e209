// Package segment sorts supporters into rule-based segments — monthly
// donors, major donors, lapsed donors, new donors, volunteers — from their
// giving and tags. Segments are derived on read, never stored, so they are
// always current; other packages (ticket badges, views, routing and SLA
// rules) ask for them with Of.
package segment

import (
	"context"
	"slices"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/giving"
)

// Segment names, in display order.
const (
	Monthly   = "monthly"
	Major     = "major"
	New       = "new"
	Lapsed    = "lapsed"
	Volunteer = "volunteer"
)

// All lists every segment.
var All = []string{Monthly, Major, New, Lapsed, Volunteer}

// MajorThreshold is the lifetime total, in minor units, from which a
// supporter is a major donor in that currency. Currencies not listed use
// DefaultMajorThreshold of their minor units (1,000.00 of a 2-decimal currency).
var MajorThreshold = map[string]int64{
	"JPY": 100_000,
	"KRW": 1_000_000,
	"CNY": 5_000_00,
	"TWD": 30_000_00,
	"HKD": 8_000_00,
}

// DefaultMajorThreshold applies to currencies without their own threshold.
const DefaultMajorThreshold = 1_000_00

// LapsedAfter is how long without a gift makes a donor lapsed; NewWithin is
// how recent a first gift makes a donor new.
const (
	LapsedAfterMonths = 18
	NewWithin         = 90 * 24 * time.Hour
)

// VolunteerTags mark volunteers, in the languages staff type tags in.
var VolunteerTags = []string{"volunteer", "ボランティア", "志愿者", "志願者", "义工", "義工"}

// From derives the segments from a giving summary and tags as of now.
func From(g giving.Summary, tags []string, now time.Time) []string {
	out := []string{}
	if g.Recurring {
		out = append(out, Monthly)
	}
	for _, t := range g.Totals {
		th, ok := MajorThreshold[t.Currency]
		if !ok {
			th = DefaultMajorThreshold
		}
		if t.AmountMinor >= th {
			out = append(out, Major)
			break
		}
	}
	if g.GiftCount > 0 && now.Sub(g.FirstGiftAt) <= NewWithin {
		out = append(out, New)
	}
	if g.GiftCount > 0 && g.LastGiftAt.Before(now.AddDate(0, -LapsedAfterMonths, 0)) {
		out = append(out, Lapsed)
	}
	for _, t := range tags {
		if slices.Contains(VolunteerTags, t) {
			out = append(out, Volunteer)
			break
		}
	}
	return out
}

// Of returns a supporter's segments now.
func Of(ctx context.Context, q db.Querier, supporterID int64) ([]string, error) {
	now := time.Now()
	g, err := giving.Summarize(ctx, q, supporterID, now)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT tag FROM supporter_tags WHERE supporter_id = $1", supporterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tags []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return From(g, tags, now), nil
}
