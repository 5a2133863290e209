package panel_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/panel"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

func TestLoad(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tags := []string{"ボランティア"}
		s, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Email: "wang@example.cn", Language: "zh",
			Profile: supporter.ProfileInput{FamilyName: ptr("王"), GivenName: ptr("伟"), Honorific: ptr("先生"), Tags: &tags}})
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != "王伟" || s.Addressee("zh") != "王伟 先生" {
			t.Fatalf("name %q addressee %q", s.Name, s.Addressee("zh"))
		}
		if _, _, err := ticket.Create(ctx, d, d.W, ticket.NewTicket{Subject: "收据", Body: "请寄收据", SupporterID: s.ID, Channel: "email"}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if _, _, err := giving.Add(ctx, d.W, giving.NewDonation{SupporterID: s.ID, AmountMinor: 1000_00, Currency: "CNY", DonatedAt: now.Add(-time.Hour), Recurring: true, Campaign: "春节"}); err != nil {
			t.Fatal(err)
		}
		p, err := panel.Load(ctx, d.R, s.ID, 10, now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Segments, []string{"monthly", "new", "volunteer"}) {
			t.Errorf("segments %v", p.Segments)
		}
		if len(p.Interactions) != 2 || p.Interactions[1].Kind != panel.KindDonation || p.Interactions[1].Amount() != "CN¥1,000.00" || p.Interactions[0].Kind != panel.KindTicket {
			t.Errorf("interactions %+v", p.Interactions)
		}
	})
}

func ptr[T any](v T) *T { return &v }
