package giving_test

import (
	"context"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

func TestParseAndFormat(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		minor   int64
		shown   string
		bad     bool
	}{
		{"10,000", "JPY", 10000, "¥10,000", false},
		{"￥３，０００", "JPY", 3000, "¥3,000", false},
		{"1234.5", "CNY", 123450, "CN¥1,234.50", false},
		{"1000", "TWD", 100000, "NT$1,000", false},
		{"999.99", "TWD", 99999, "NT$1,000", false},
		{"12.5", "JPY", 0, "", true},
		{"1.234", "USD", 0, "", true},
		{"abc!", "USD", 0, "", true},
		{"-5", "usd", -500, "-$5.00", false},
	} {
		got, err := giving.ParseAmount(c.in, c.cur)
		if (err != nil) != c.bad {
			t.Errorf("ParseAmount(%q, %s) error %v", c.in, c.cur, err)
			continue
		}
		if c.bad {
			continue
		}
		if got != c.minor || giving.Format(got, c.cur) != c.shown {
			t.Errorf("ParseAmount(%q, %s) = %d (%s), want %d (%s)", c.in, c.cur, got, giving.Format(got, c.cur), c.minor, c.shown)
		}
	}
	if got := giving.Decimal(123450, "CNY"); got != "1234.50" {
		t.Errorf("Decimal = %s", got)
	}
}

func TestDonationsAndSummary(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		manual := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
		s, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "佐藤 花子", Email: "hanako@example.jp", SupporterSince: manual})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		gifts := []giving.NewDonation{
			{AmountMinor: 5000, Currency: "JPY", DonatedAt: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC), Source: "import", SourceKey: "a"},
			{AmountMinor: 3000, Currency: "jpy", DonatedAt: now.AddDate(0, -1, 0), Recurring: true, Source: "import", SourceKey: "b"},
			{AmountMinor: 10000, Currency: "CNY", DonatedAt: now.AddDate(0, -2, 0), Source: "stripe", SourceKey: "pi_1"},
		}
		for _, g := range gifts {
			g.SupporterID = s.ID
			if _, created, err := giving.Add(ctx, d.W, g); err != nil || !created {
				t.Fatalf("add %+v: %v %v", g, created, err)
			}
		}
		// The same source key again is not a second gift.
		g := gifts[2]
		g.SupporterID = s.ID
		if again, created, err := giving.Add(ctx, d.W, g); err != nil || created || again.SourceKey != "pi_1" {
			t.Fatalf("duplicate: %v %v", created, err)
		}
		sum, err := giving.Summarize(ctx, d.R, s.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if sum.GiftCount != 3 || !sum.Recurring || sum.Main().Currency != "JPY" || sum.Main().AmountMinor != 8000 || len(sum.Totals) != 2 {
			t.Fatalf("summary %+v", sum)
		}
		if !sum.FirstGiftAt.Equal(gifts[0].DonatedAt) || sum.LastGift == nil || sum.LastGift.AmountMinor != 3000 {
			t.Fatalf("first/last %+v", sum)
		}
		got, _ := supporter.Get(ctx, d.R, s.ID)
		if got.SupporterSince == nil || !got.SupporterSince.Equal(gifts[0].DonatedAt) {
			t.Fatalf("supporter_since %v, want first gift", got.SupporterSince)
		}
		// Membership before the first gift moves supporter_since earlier.
		member := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := supporter.Update(ctx, d.W, s.ID, supporter.Patch{Profile: &supporter.ProfileInput{MemberSince: &member}}); err != nil {
			t.Fatal(err)
		}
		got, _ = supporter.Get(ctx, d.R, s.ID)
		if !got.SupporterSince.Equal(member) {
			t.Fatalf("supporter_since %v, want membership", got.SupporterSince)
		}
		if sum, _ := giving.Summarize(ctx, d.R, s.ID, now.AddDate(1, 0, 0)); sum.Recurring {
			t.Fatal("a recurring gift a year ago is not an active recurring donor")
		}
	})
}
