package search_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Tickets are indexed at commit, once per commit. Concurrent creations
// (on SQLite, many share a group commit), several by the same new
// supporter, some rolled back by a failing hook: each committed ticket is
// found, each new supporter has one document, rolled-back tickets leave
// nothing, and the index holds exactly one document per ticket.
func TestIndexedAtCommitOncePerTicket(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		idx := search.New(d)
		ctx := context.Background()
		ok := &ticket.Service{DB: d, Hooks: []ticket.Hook{idx.Hook}}
		failing := &ticket.Service{DB: d, Hooks: []ticket.Hook{idx.Hook, func(context.Context, *sql.Tx, live.Event) error {
			return errors.New("boom")
		}}}
		names := []string{"山田 花子", "王 芳", "Ada Lovelace", "佐藤 健", "陈 静", "Grace Hopper", "鈴木 一郎", "刘 洋"}
		const n = 96
		created := make([]int64, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := ok
				if i%8 == 7 {
					svc = failing
				}
				tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
					NewTicket: ticket.NewTicket{Subject: fmt.Sprintf("領収書 token%03d", i), Body: fmt.Sprintf("寄付の領收據 marker%03d をお願いします", i)},
					Supporter: supporter.NewSupporter{Email: fmt.Sprintf("s%d@example.org", i%len(names)), Name: names[i%len(names)]},
				})
				if (err != nil) != (i%8 == 7) {
					t.Errorf("ticket %d: %v", i, err)
				}
				if err == nil {
					created[i] = tk.ID
				}
			}()
		}
		wg.Wait()
		for i := range n {
			res, err := idx.Search(ctx, fmt.Sprintf("token%03d", i), search.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if i%8 == 7 {
				want = 0
			}
			if len(res.Items) != want || (want == 1 && res.Items[0].ID != created[i]) {
				t.Errorf("token%03d: %+v, want %d hit", i, res.Items, want)
			}
		}
		for _, name := range names[:7] { // the eighth's tickets all rolled back
			res, err := idx.Search(ctx, name, search.Options{Type: search.TypeSupporter})
			if err != nil || len(res.Items) != 1 || res.Items[0].Title != name {
				t.Errorf("supporter %s: %+v %v", name, res.Items, err)
			}
		}
		if res, _ := idx.Search(ctx, names[7], search.Options{Type: search.TypeSupporter}); len(res.Items) != 0 {
			t.Errorf("the supporter of rolled-back tickets only is indexed: %+v", res.Items)
		}
		checkOneDocumentEach(t, d)

		// A reply replaces the ticket's document.
		if _, err := ok.Reply(ctx, audit.Actor{Name: "test"}, ticket.ReplyInput{TicketID: created[0], Body: "受付番号 RX-778 で承りました"}); err != nil {
			t.Fatal(err)
		}
		if res, _ := idx.Search(ctx, "RX-778 token000", search.Options{}); len(res.Items) != 1 {
			t.Errorf("reply not indexed with the ticket: %+v", res.Items)
		}
		checkOneDocumentEach(t, d)

		// A supporter's edit re-indexes all of their tickets at commit,
		// several documents to a statement.
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "UPDATE supporters SET name = '山田 花音', updated_at = updated_at + 1 WHERE email = 's0@example.org'"); err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRowContext(ctx, "SELECT id FROM supporters WHERE email = 's0@example.org'").Scan(&id); err != nil {
				return err
			}
			return idx.SupporterChanged(ctx, tx, id)
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for i := 0; i < n; i += len(names) {
			if i%8 != 7 {
				want = append(want, created[i])
			}
		}
		res, err := idx.Search(ctx, "from:花音", search.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, h := range res.Items {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("after the supporter's edit, from:花音 found %v, want %v", got, want)
		}
		checkOneDocumentEach(t, d)

		// A ticket changed several times in one transaction is indexed
		// once, from its final state.
		plain := &ticket.Service{DB: d}
		tk, err := plain.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "unindexed so far", Body: "捐款收据"},
			Supporter: supporter.NewSupporter{Email: "late@example.org", Name: "林 晓"},
		})
		if err != nil {
			t.Fatal(err)
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			for _, typ := range []string{"ticket.created", "message.created", "ticket.updated"} {
				if err := idx.Hook(ctx, tx, live.Event{Type: typ, TicketID: tk.ID}); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, "UPDATE tickets SET subject = 'final subject' WHERE id = $1", tk.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := idx.Search(ctx, "final subject 捐款", search.Options{}); len(res.Items) != 1 {
			t.Errorf("ticket not indexed from its final state: %+v", res.Items)
		}
		if res, _ := idx.Search(ctx, "林 晓", search.Options{Type: search.TypeSupporter}); len(res.Items) != 1 {
			t.Errorf("its new supporter was not indexed: %+v", res.Items)
		}
		checkOneDocumentEach(t, d)
	})
}

// checkOneDocumentEach: one search document per ticket and per indexed
// supporter, and on SQLite one FTS5 row per document.
func checkOneDocumentEach(t *testing.T, d *db.DB) {
	t.Helper()
	var tickets, docs, dup int
	d.R.QueryRow("SELECT COUNT(*) FROM tickets").Scan(&tickets)
	d.R.QueryRow("SELECT COUNT(*) FROM search_docs WHERE kind = 'ticket'").Scan(&docs)
	d.R.QueryRow("SELECT COUNT(*) FROM (SELECT kind, ref_id FROM search_docs GROUP BY kind, ref_id HAVING COUNT(*) > 1) x").Scan(&dup)
	if docs != tickets || dup != 0 {
		t.Errorf("%d ticket documents for %d tickets, %d duplicated", docs, tickets, dup)
	}
	if d.Engine != db.SQLite {
		return
	}
	for kind, table := range map[string]string{"ticket": "search_tickets_fts", "supporter": "search_supporters_fts"} {
		var rows, want int
		d.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&rows)
		d.R.QueryRow("SELECT COUNT(*) FROM search_docs WHERE kind = $1", kind).Scan(&want)
		if rows != want {
			t.Errorf("%s: %d FTS5 rows for %d documents", table, rows, want)
		}
	}
}
