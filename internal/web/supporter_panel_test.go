package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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

func TestSupporterPageMergeUndoErase(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		dup, err := supporter.Create(ctx, f.db.W, supporter.NewSupporter{Name: "佐藤 花子", Email: "Sato+news@example.jp"})
		if err != nil {
			t.Fatal(err)
		}
		// The fixture's supporter is sato@example.jp: the same mailbox.
		admin := f.login("admin@example.org")
		page := admin.get(fmt.Sprintf("/supporters/%d", f.ticket.SupporterID))
		mustContain(t, page.body, "Possible duplicates", "news@example.jp", "Merge into this profile")
		res := admin.post(fmt.Sprintf("/supporters/%d/merge", f.ticket.SupporterID), url.Values{"loser_id": {fmt.Sprint(dup.ID)}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("merge %d %s", res.status, res.body)
		}
		page = admin.get(res.header.Get("Location"))
		mustContain(t, page.body, "Merged.", "news@example.jp", "Undo the merge")
		mi, err := supporter.LastMerge(ctx, f.db.R, f.ticket.SupporterID)
		if err != nil {
			t.Fatal(err)
		}
		if res := admin.post(fmt.Sprintf("/merges/%d/undo", mi.ID), nil, true); res.status != http.StatusSeeOther {
			t.Fatalf("undo %d", res.status)
		}
		agent := f.login("agent@example.org")
		if res := agent.post(fmt.Sprintf("/supporters/%d/erase", f.ticket.SupporterID), url.Values{"confirm": {"erase"}}, true); res.status != http.StatusForbidden {
			t.Fatalf("agent erase: %d", res.status)
		}
		if res := admin.get(fmt.Sprintf("/supporters/%d/export", f.ticket.SupporterID)); res.status != 200 || res.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export %d", res.status)
		}
		res = admin.post(fmt.Sprintf("/supporters/%d/erase", f.ticket.SupporterID), nil, true)
		mustContain(t, admin.get(res.header.Get("Location")).body, "cannot be undone")
		res = admin.post(fmt.Sprintf("/supporters/%d/erase", f.ticket.SupporterID), url.Values{"confirm": {"erase"}}, true)
		page = admin.get(res.header.Get("Location"))
		mustContain(t, page.body, "Personal data erased")
		mustNotContain(t, page.body, "sato@example.jp", "佐藤")
	})
}

func TestSupporterProfileForm(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("agent@example.org")
		path := fmt.Sprintf("/supporters/%d", f.ticket.SupporterID)
		res := c.post(path, url.Values{"name": {"佐藤 花子"}, "family_name": {"佐藤"}, "given_name": {"花子"}, "language": {"ja"},
			"preferred_channel": {"phone"}, "organisation": {"ひまわり会"}, "address": {"東京都千代田区1-1"}, "tags": {"ボランティア、理事"}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.status, res.body)
		}
		page := c.get(path)
		mustContain(t, page.body, "ひまわり会", "東京都千代田区1-1", "ボランティア, 理事", "segment-volunteer")
		if res := c.post(path, url.Values{"name": {"x"}, "preferred_channel": {"pigeon"}}, true); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad channel: %d", res.status)
		}
	})
}
