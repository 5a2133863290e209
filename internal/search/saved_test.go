package search_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/staff"
)

func ptr[T any](v T) *T { return &v }

// Saved searches: private to their owner (others get not found), shared
// ones seen by everyone, shared only by supervisors and admins, changed by
// their owner or (shared ones) an admin; they count and page their tickets.
func TestSavedSearches(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		desk := setUpDesk(t, d)
		now := time.Now()
		aiko := search.Viewer{UserID: desk.users["aiko@hope.example"].ID, Role: staff.Agent}
		ken := search.Viewer{UserID: desk.users["ken@hope.example"].ID, Role: staff.Agent}
		boss, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "boss@hope.example", Name: "Boss", Role: staff.Supervisor})
		if err != nil {
			t.Fatal(err)
		}
		sup := search.Viewer{UserID: boss.ID, Role: staff.Supervisor}
		admin, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "root@hope.example", Name: "Root", Role: staff.Admin})
		if err != nil {
			t.Fatal(err)
		}
		adm := search.Viewer{UserID: admin.ID, Role: staff.Admin}

		mine, err := desk.idx.CreateSaved(ctx, d.W, aiko, search.SavedInput{Name: ptr(" 領収書 "), Query: ptr("領収書")}, now)
		if err != nil {
			t.Fatal(err)
		}
		if mine.Name != "領収書" || mine.Shared || !mine.Editable {
			t.Fatalf("created %+v", mine)
		}
		// An agent may not share; a bad query or an empty name is an error on its field.
		if _, err := desk.idx.CreateSaved(ctx, d.W, aiko, search.SavedInput{Name: ptr("x"), Query: ptr("x"), Shared: ptr(true)}, now); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("agent sharing: %v", err)
		}
		if _, err := desk.idx.CreateSaved(ctx, d.W, aiko, search.SavedInput{Name: ptr("x"), Query: ptr("status:sleeping")}, now); !isField(err, "query") {
			t.Errorf("bad query: %v", err)
		}
		if _, err := desk.idx.CreateSaved(ctx, d.W, aiko, search.SavedInput{Name: ptr(" "), Query: ptr("x")}, now); !isField(err, "name") {
			t.Errorf("empty name: %v", err)
		}
		shared, err := desk.idx.CreateSaved(ctx, d.W, sup, search.SavedInput{Name: ptr("Receipts"), Query: ptr("tag:receipt"), Shared: ptr(true)}, now)
		if err != nil {
			t.Fatal(err)
		}

		// Who sees what.
		names := func(v search.Viewer) []string {
			l, err := search.ListSaved(ctx, d.R, v)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range l {
				out = append(out, s.Name)
			}
			return out
		}
		if got := names(aiko); len(got) != 2 || got[0] != "領収書" || got[1] != "Receipts" {
			t.Errorf("aiko sees %v", got)
		}
		if got := names(ken); len(got) != 1 || got[0] != "Receipts" {
			t.Errorf("ken sees %v", got)
		}
		if _, err := search.GetSaved(ctx, d.R, ken, mine.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("ken reads aiko's private search: %v", err)
		}
		if _, err := search.GetSaved(ctx, d.R, adm, mine.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("an admin reads aiko's private search: %v", err)
		}
		if _, err := desk.idx.UpdateSaved(ctx, d.W, ken, mine.ID, search.SavedInput{Name: ptr("mine now")}, now); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("ken renames aiko's private search: %v", err)
		}
		if err := search.DeleteSaved(ctx, d.W, ken, mine.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("ken deletes aiko's private search: %v", err)
		}
		// A shared search: others may read it, not change it; an admin may.
		if _, err := desk.idx.UpdateSaved(ctx, d.W, ken, shared.ID, search.SavedInput{Name: ptr("x")}, now); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("ken renames a shared search: %v", err)
		}
		if err := search.DeleteSaved(ctx, d.W, ken, shared.ID); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("ken deletes a shared search: %v", err)
		}
		got, err := desk.idx.UpdateSaved(ctx, d.W, adm, shared.ID, search.SavedInput{Name: ptr("領収書（共有）")}, now)
		if err != nil || got.Name != "領収書（共有）" || got.Query != "tag:receipt" || !got.Shared {
			t.Errorf("admin renames a shared search: %+v %v", got, err)
		}
		// The owner renames and re-queries; an agent may not share her own.
		if _, err := desk.idx.UpdateSaved(ctx, d.W, aiko, mine.ID, search.SavedInput{Shared: ptr(true)}, now); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("agent shares her own: %v", err)
		}
		got, err = desk.idx.UpdateSaved(ctx, d.W, aiko, mine.ID, search.SavedInput{Name: ptr("寄付"), Query: ptr("寄付")}, now)
		if err != nil || got.Name != "寄付" || got.Query != "寄付" {
			t.Fatalf("owner updates: %+v %v", got, err)
		}

		// Counting (capped) and keyset pages of its tickets.
		n, capped, err := desk.idx.Count(ctx, got.Query, search.Options{UserID: aiko.UserID}, 100)
		if err != nil || n != 3 || capped {
			t.Errorf("count 寄付: %d %v %v", n, capped, err)
		}
		n, capped, err = desk.idx.Count(ctx, got.Query, search.Options{UserID: aiko.UserID}, 2)
		if err != nil || n != 2 || !capped {
			t.Errorf("capped count: %d %v %v", n, capped, err)
		}
		var all []int64
		cursor := ""
		for range 10 {
			ids, next, err := desk.idx.Matches(ctx, got.Query, search.Options{UserID: aiko.UserID, Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ids...)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(all) != 3 {
			t.Errorf("pages of 寄付: %d tickets", len(all))
		}
		seen := map[int64]bool{}
		for _, id := range all {
			if seen[id] {
				t.Errorf("ticket %d on two pages", id)
			}
			seen[id] = true
		}

		if err := search.DeleteSaved(ctx, d.W, aiko, mine.ID); err != nil {
			t.Fatal(err)
		}
		if err := search.DeleteSaved(ctx, d.W, adm, shared.ID); err != nil {
			t.Fatal(err)
		}
		if got := names(aiko); len(got) != 0 {
			t.Errorf("after deleting: %v", got)
		}
	})
}

func isField(err error, field string) bool {
	inv, ok := errs.AsInvalid(err)
	return ok && inv.Field == field
}
