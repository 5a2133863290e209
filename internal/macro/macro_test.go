package macro_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

func TestCRUDAndApply(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := macro.Create(ctx, d.W, macro.Input{Name: "x", Body: "", Language: "ja"}); err == nil {
			t.Fatal("empty body accepted")
		}
		if _, err := macro.Create(ctx, d.W, macro.Input{Name: "x", Body: "y", SetStatus: "nope"}); err == nil {
			t.Fatal("bad status accepted")
		}
		m, err := macro.Create(ctx, d.W, macro.Input{Name: "領収書", Language: "ja", SetStatus: "pending", SetTags: []string{"領収書"},
			Body: "{{name}}\n{{years_of_support}}に感謝申し上げます。{{last_gift}}の領収書を再送いたします。\n{{agent_name}}"})
		if err != nil {
			t.Fatal(err)
		}
		if list, _ := macro.List(ctx, d.R, "ja"); len(list) != 1 {
			t.Fatalf("list %v", list)
		}
		if list, _ := macro.List(ctx, d.R, "en"); len(list) != 0 {
			t.Fatalf("en list %v", list)
		}
		svc := &ticket.Service{DB: d}
		tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "領収書", Body: "届きません", Channel: "email", Language: "ja"},
			Supporter: supporter.NewSupporter{Name: "佐藤 花子", Email: "hanako@example.jp", Language: "ja", SupporterSince: time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC)}})
		if err != nil {
			t.Fatal(err)
		}
		giving.Add(ctx, d.W, giving.NewDonation{SupporterID: tk.SupporterID, AmountMinor: 5000, Currency: "JPY", DonatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		text, err := macro.Apply(ctx, svc, audit.Actor{Name: "山田 愛子"}, m, tk.ID, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		want := "佐藤 花子 様\n7年間にわたるご支援に感謝申し上げます。2026年3月1日の¥5,000のご寄付の領収書を再送いたします。\n山田 愛子"
		if text != want {
			t.Fatalf("got %q\nwant %q", text, want)
		}
		tk, _ = ticket.Get(ctx, d.R, tk.ID)
		if tk.Status != "pending" || !strings.Contains(strings.Join(tk.Tags, ","), "領収書") {
			t.Fatalf("ticket not changed: %s %v", tk.Status, tk.Tags)
		}
		if _, err := macro.Update(ctx, d.W, m.ID, macro.Input{Name: "領収書", Language: "ja", Body: "{{name}}"}); err != nil {
			t.Fatal(err)
		}
		if err := macro.Delete(ctx, d.W, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := macro.Get(ctx, d.R, m.ID); err != errs.ErrNotFound {
			t.Fatalf("deleted: %v", err)
		}
	})
}
