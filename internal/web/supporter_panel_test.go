package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

func TestSupporterPanelShowsGivingAndSegments(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		tags := []string{"ボランティア"}
		if _, err := supporter.Update(ctx, f.db.W, f.ticket.SupporterID, supporter.Patch{Profile: &supporter.ProfileInput{Tags: &tags}}); err != nil {
			t.Fatal(err)
		}
		for i, amt := range []int64{50000, 60000} {
			if _, _, err := giving.Add(ctx, f.db.W, giving.NewDonation{SupporterID: f.ticket.SupporterID, AmountMinor: amt, Currency: "JPY",
				DonatedAt: time.Now().AddDate(0, -i, -1), Recurring: true, Campaign: "年末募金"}); err != nil {
				t.Fatal(err)
			}
		}
		c := f.login("agent@example.org")
		res := c.get(fmt.Sprintf("/tickets/%d", f.ticket.ID))
		mustContain(t, res.body, "¥110,000", "segment-monthly", "segment-major", "segment-volunteer", "年末募金", "Latest interactions")
		res = c.get(fmt.Sprintf("/supporters/%d", f.ticket.SupporterID))
		mustContain(t, res.body, "¥110,000", "Monthly donor")
	})
}
