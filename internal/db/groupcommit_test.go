package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
)

// Many concurrent transactions, some failing, some panicking, some whose
// caller gives up: exactly the successful ones are committed, with their
// AtCommit work, and each caller gets its own outcome. On SQLite they share
// commits (group commit); on PostgreSQL each has its own.
func TestConcurrentTransactionsKeepTheirOwnOutcome(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W.Exec("CREATE TABLE gc_rows (id INTEGER PRIMARY KEY, note TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec("CREATE TABLE gc_after (id INTEGER PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		const n = 400
		boom := errors.New("boom")
		outcome := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cctx, cancel := context.WithCancel(ctx)
				defer cancel()
				if i%11 == 0 {
					cancel() // gave up before its turn
				}
				defer func() {
					if p := recover(); p != nil {
						outcome[i] = fmt.Sprint("panic: ", p)
					}
				}()
				err := d.Tx(cctx, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(cctx, "INSERT INTO gc_rows (id, note) VALUES ($1, $2)", i, "寄付 "+fmt.Sprint(i)); err != nil {
						return err
					}
					if err := d.AtCommit(tx, func(ctx context.Context, tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, "INSERT INTO gc_after (id) VALUES ($1)", i)
						return err
					}); err != nil {
						return err
					}
					switch {
					case i%5 == 1:
						return boom
					case i%7 == 2:
						panic("kaboom")
					case i%13 == 3 && d.Engine == db.SQLite:
						// A failed statement the function handles itself
						// (PostgreSQL would abort the transaction).
						if _, err := tx.ExecContext(cctx, "INSERT INTO gc_rows (id, note) VALUES ($1, 'dup')", i); err == nil {
							return errors.New("duplicate key accepted")
						}
					}
					return nil
				})
				switch {
				case err == nil:
					outcome[i] = "ok"
				case errors.Is(err, boom):
					outcome[i] = "boom"
				case errors.Is(err, context.Canceled):
					outcome[i] = "cancelled"
				default:
					outcome[i] = err.Error()
				}
			}()
		}
		wg.Wait()
		want := map[int]bool{}
		for i, o := range outcome {
			var expect string
			switch {
			case i%11 == 0:
				expect = "cancelled"
			case i%5 == 1:
				expect = "boom"
			case i%7 == 2:
				expect = "panic: kaboom"
			default:
				expect = "ok"
				want[i] = true
			}
			if o != expect {
				t.Errorf("transaction %d: %q, want %q", i, o, expect)
			}
		}
		for _, table := range []string{"gc_rows", "gc_after"} {
			rows, err := d.R.Query("SELECT id FROM " + table)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]bool{}
			for rows.Next() {
				var id int
				rows.Scan(&id)
				got[id] = true
			}
			rows.Close()
			if len(got) != len(want) {
				t.Errorf("%s has %d rows, want %d", table, len(got), len(want))
			}
			for id := range want {
				if !got[id] {
					t.Errorf("%s lacks committed row %d", table, id)
				}
			}
		}
		// The counters behind /metrics: on SQLite every committed
		// transaction was carried by a commit, and the writer was busy.
		st := d.GroupCommitStats()
		if d.Engine == db.SQLite && (st.Commits == 0 || st.Transactions < int64(len(want)) || st.Commits > st.Transactions || st.Busy <= 0) {
			t.Errorf("group commit stats %+v after %d committed transactions", st, len(want))
		}
		if d.Engine == db.Postgres && st != (db.GroupCommitStats{}) {
			t.Errorf("group commit stats on PostgreSQL: %+v", st)
		}
	})
}

// Work queued with AtCommit runs after the function, in order, and its
// failure rolls the transaction back.
func TestAtCommitOrderAndFailure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W.Exec("CREATE TABLE gc_log (seq INTEGER PRIMARY KEY, what TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		add := func(tx *sql.Tx, seq int, what string) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO gc_log (seq, what) VALUES ($1, $2)", seq, what)
			return err
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			d.AtCommit(tx, func(_ context.Context, tx *sql.Tx) error { return add(tx, 3, "queued first") })
			d.AtCommit(tx, func(_ context.Context, tx *sql.Tx) error { return add(tx, 4, "queued second") })
			if err := add(tx, 1, "now"); err != nil {
				return err
			}
			var n int
			// Queued work has not run yet.
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM gc_log").Scan(&n); err != nil || n != 1 {
				return fmt.Errorf("%d rows before commit (%v), want 1", n, err)
			}
			return add(tx, 2, "now too")
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		d.R.QueryRow("SELECT COUNT(*) FROM gc_log").Scan(&n)
		if n != 4 {
			t.Fatalf("%d rows, want 4", n)
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			if err := add(tx, 5, "rolled back"); err != nil {
				return err
			}
			return d.AtCommit(tx, func(_ context.Context, tx *sql.Tx) error { return add(tx, 1, "duplicate") })
		})
		if err == nil {
			t.Fatal("a failing queued write committed")
		}
		d.R.QueryRow("SELECT COUNT(*) FROM gc_log").Scan(&n)
		if n != 4 {
			t.Fatalf("%d rows after a failed queued write, want 4", n)
		}
	})
}

// A transaction after Close fails at once instead of waiting for ever.
func TestTxAfterClose(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		d.Close()
		if err := d.Tx(context.Background(), func(*sql.Tx) error { return nil }); err == nil {
			t.Fatal("a transaction succeeded on a closed database")
		}
	})
}

// A Batch gets the items of one transaction in one Flush, in the order
// queued and at the place of the first; items queued by a Flush go to a
// later one; a failing caller's items are dropped. On SQLite, callers that
// share a commit share the Flush: there is one per commit.
func TestBatchFlushesTogether(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W.Exec("CREATE TABLE gc_batch (id INTEGER PRIMARY KEY, flush INTEGER NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var flushes [][]int
		var log []string
		var b *db.Batch[int]
		b = &db.Batch[int]{Flush: func(ctx context.Context, tx *sql.Tx, items []int) error {
			mu.Lock()
			flushes = append(flushes, items)
			n := len(flushes)
			log = append(log, fmt.Sprint("flush ", items))
			mu.Unlock()
			for _, id := range items {
				if _, err := tx.ExecContext(ctx, "INSERT INTO gc_batch (id, flush) VALUES ($1, $2)", id, n); err != nil {
					return err
				}
				if id == 2 { // work queued by a flush comes after it
					if err := b.Queue(d, tx, 100); err != nil {
						return err
					}
				}
			}
			return nil
		}}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			d.AtCommit(tx, func(context.Context, *sql.Tx) error { log = append(log, "fn before"); return nil })
			b.Queue(d, tx, 1)
			d.AtCommit(tx, func(context.Context, *sql.Tx) error { log = append(log, "fn between"); return nil })
			b.Queue(d, tx, 2)
			return b.Queue(d, tx, 3)
		})
		if err != nil {
			t.Fatal(err)
		}
		want := "[fn before flush [1 2 3] fn between flush [100]]"
		if got := fmt.Sprint(log); got != want {
			t.Fatalf("commit-time work ran as %s, want %s", got, want)
		}

		// Concurrent callers, every fifth failing.
		flushes = nil
		s0 := d.GroupCommitStats()
		const n = 300
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := 1000 + i
				err := d.Tx(ctx, func(tx *sql.Tx) error {
					if err := b.Queue(d, tx, id); err != nil {
						return err
					}
					if i%5 == 0 {
						return errors.New("caller fails")
					}
					return nil
				})
				if (err != nil) != (i%5 == 0) {
					t.Errorf("caller %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		var rows, ok int
		d.R.QueryRow("SELECT COUNT(*) FROM gc_batch WHERE id >= 1000").Scan(&rows)
		if rows != n-n/5 {
			t.Fatalf("%d items stored, want %d (failing callers' items dropped)", rows, n-n/5)
		}
		for _, items := range flushes {
			for _, id := range items {
				if (id-1000)%5 == 0 {
					t.Fatalf("the item of failing caller %d was flushed", id-1000)
				}
				ok++
			}
		}
		if ok != rows {
			t.Fatalf("flushes carried %d items, %d stored", ok, rows)
		}
		if d.Engine == db.SQLite {
			commits := d.GroupCommitStats().Commits - s0.Commits
			if int64(len(flushes)) != commits {
				t.Fatalf("%d flushes for %d commits, want one each", len(flushes), commits)
			}
			t.Logf("%d items in %d flushes", rows, len(flushes))
		}
	})
}
