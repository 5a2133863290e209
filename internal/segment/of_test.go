package segment_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/supporter"
)

func TestOf(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "Jane Doe", Email: "jane@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := segment.Of(ctx, d.R, s.ID); len(got) != 0 {
			t.Fatalf("no gifts: %v", got)
		}
		giving.Add(ctx, d.W, giving.NewDonation{SupporterID: s.ID, AmountMinor: 2000_00, Currency: "USD", DonatedAt: time.Now().AddDate(-3, 0, 0)})
		supporter.AddTag(ctx, d.W, s.ID, "Volunteer")
		got, err := segment.Of(ctx, d.R, s.ID)
		if err != nil || !slices.Equal(got, []string{segment.Major, segment.Lapsed, segment.Volunteer}) {
			t.Fatalf("segments %v %v", got, err)
		}
	})
}
