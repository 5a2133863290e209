package db_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db"
)

// The writer does not checkpoint; the background checkpointer does, so the
// log is reused from its start instead of growing, and Close leaves the
// database in one file.
func TestBackgroundCheckpoints(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.Exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	write := func() {
		t.Helper()
		for range 20 {
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				for range 50 {
					if _, err := tx.Exec("INSERT INTO filler (text) VALUES ($1)", strings.Repeat("寄付の領収書 ", 200)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	walSize := func() int64 {
		fi, err := os.Stat(d.Path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	write()
	first := walSize()
	if first == 0 {
		t.Fatal("no write-ahead log after writing")
	}
	time.Sleep(time.Second) // several checkpoint ticks
	write()
	if second := walSize(); second > first+first/10 {
		t.Fatalf("log grew from %d to %d bytes: not checkpointed in the background", first, second)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if s := walSize(); s != 0 {
		t.Fatalf("log of %d bytes left after Close", s)
	}
}
