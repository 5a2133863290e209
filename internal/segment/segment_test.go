package segment

import (
	"slices"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/giving"
)

func TestFrom(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	gift := func(first, last time.Time, tot ...giving.Total) giving.Summary {
		n := 0
		for _, t := range tot {
			n += t.Count
		}
		return giving.Summary{GiftCount: n, FirstGiftAt: first, LastGiftAt: last, Totals: tot}
	}
	for name, c := range map[string]struct {
		g    giving.Summary
		tags []string
		want []string
	}{
		"none":      {giving.Summary{}, nil, []string{}},
		"volunteer": {giving.Summary{}, []string{"ボランティア"}, []string{Volunteer}},
		"major JPY": {gift(now.AddDate(-3, 0, 0), now.AddDate(0, -1, 0), giving.Total{Currency: "JPY", AmountMinor: 120000, Count: 12}), nil, []string{Major}},
		"minor CNY": {gift(now.AddDate(-3, 0, 0), now.AddDate(0, -1, 0), giving.Total{Currency: "CNY", AmountMinor: 4999_00, Count: 2}), nil, []string{}},
		"new":       {gift(now.AddDate(0, 0, -30), now.AddDate(0, 0, -30), giving.Total{Currency: "USD", AmountMinor: 5000, Count: 1}), nil, []string{New}},
		"lapsed":    {gift(now.AddDate(-5, 0, 0), now.AddDate(0, -19, 0), giving.Total{Currency: "TWD", AmountMinor: 1000_00, Count: 3}), nil, []string{Lapsed}},
		"monthly": {func() giving.Summary {
			g := gift(now.AddDate(-1, 0, 0), now.AddDate(0, 0, -10), giving.Total{Currency: "JPY", AmountMinor: 36000, Count: 12})
			g.Recurring = true
			return g
		}(), nil, []string{Monthly}},
	} {
		if got := From(c.g, c.tags, now); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}
