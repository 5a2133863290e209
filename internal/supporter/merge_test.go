package supporter_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDuplicatesMergeUndo(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// The same person reached us by email and by phone (written nationally).
		a, _ := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "佐藤 花子", Email: "hanako.sato@gmail.com", Phone: "+81 90-1234-5678", Notes: "年末に寄付"})
		b, _ := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "佐藤 花子", Phone: "090-1234-5678", Notes: "電話で問い合わせ", Language: "ja",
			SupporterSince: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)})
		c, _ := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "Hanako S", Email: "HanakoSato+news@googlemail.com"})
		other, _ := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "佐藤 一郎", Phone: "090-9999-0000"})
		dups, err := supporter.Duplicates(ctx, d.R, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[int64]string{}
		for _, x := range dups {
			reasons[x.Supporter.ID] = x.Reason
		}
		if reasons[b.ID] != "same_name_phone" || reasons[c.ID] != "similar_email" || reasons[other.ID] != "" || len(dups) != 2 {
			t.Fatalf("duplicates %v", reasons)
		}
		svc := &ticket.Service{DB: d}
		tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "電話", Body: "折り返し希望", Channel: "phone", SupporterID: b.ID}})
		if err != nil {
			t.Fatal(err)
		}
		giving.Add(ctx, d.W, giving.NewDonation{SupporterID: b.ID, AmountMinor: 3000, Currency: "JPY", DonatedAt: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)})
		supporter.AddTag(ctx, d.W, b.ID, "ボランティア")

		var mergeID int64
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			mergeID, err = supporter.Merge(ctx, tx, audit.System, a.ID, b.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		w, _ := supporter.Get(ctx, d.R, a.ID)
		l, _ := supporter.Get(ctx, d.R, b.ID)
		if len(w.Identities) != 3 || w.Language != "ja" || len(w.Tags) != 1 || w.Notes != "年末に寄付\n\n電話で問い合わせ" || l.MergedInto != a.ID {
			t.Fatalf("after merge: %+v / %+v", w, l)
		}
		if !w.SupporterSince.Equal(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("since %v", w.SupporterSince)
		}
		if count(t, d, "SELECT COUNT(*) FROM tickets WHERE supporter_id = $1", a.ID) != 1 || count(t, d, "SELECT COUNT(*) FROM donations WHERE supporter_id = $1", a.ID) != 1 {
			t.Fatal("tickets or donations did not move")
		}
		if got, _ := supporter.FindByIdentity(ctx, d.R, "phone", "0901234567 8"); got.ID != a.ID {
			t.Fatalf("identity now finds %d", got.ID)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'supporter.merge'"); n != 1 {
			t.Fatalf("audit %d", n)
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := supporter.Undo(ctx, tx, audit.System, mergeID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		w, _ = supporter.Get(ctx, d.R, a.ID)
		l, _ = supporter.Get(ctx, d.R, b.ID)
		if len(w.Identities) != 2 || w.Language != "" || len(w.Tags) != 0 || w.Notes != "年末に寄付" || l.MergedInto != 0 || len(l.Identities) != 1 {
			t.Fatalf("after undo: %+v / %+v", w, l)
		}
		if count(t, d, "SELECT COUNT(*) FROM tickets WHERE supporter_id = $1", b.ID) != 1 || count(t, d, "SELECT COUNT(*) FROM donations WHERE supporter_id = $1", b.ID) != 1 {
			t.Fatal("tickets or donations did not move back")
		}
		if w.SupporterSince != nil {
			t.Fatalf("winner since %v after undo", w.SupporterSince)
		}
		_ = tk
	})
}
