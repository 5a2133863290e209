package db_test

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
)

func TestMigrateIsRecordedAndIdempotent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		v, err := d.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := db.Migrations(d.Engine)
		if v != ms[len(ms)-1].Version {
			t.Fatalf("schema version %d, want %d", v, ms[len(ms)-1].Version)
		}
		applied, err := d.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, err %v", applied, err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO departments (name, created_at) VALUES ($1, $2)", "寄付担当", db.Now()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		var n int
		d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM departments").Scan(&n)
		if n != 0 {
			t.Fatalf("rolled-back insert is visible: %d rows", n)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ins := "INSERT INTO departments (name, created_at) VALUES ($1, $2)"
		if _, err := d.W.ExecContext(ctx, ins, "捐款部", db.Now()); err != nil {
			t.Fatal(err)
		}
		_, err := d.W.ExecContext(ctx, ins, "捐款部", db.Now())
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v", err)
		}
	})
}

// TestSchemasMatch keeps the two engines' migrations in step: same tables,
// same columns.
func TestSchemasMatch(t *testing.T) {
	cols := map[db.Engine][]string{}
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		ms, err := db.Migrations(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			cols[e] = append(cols[e], columns(m.SQL)...)
		}
		sort.Strings(cols[e])
	}
	a, b := strings.Join(cols[db.SQLite], "\n"), strings.Join(cols[db.Postgres], "\n")
	if a != b {
		t.Fatalf("sqlite and postgres migrations define different columns:\nsqlite:\n%s\n\npostgres:\n%s", a, b)
	}
}

// columns lists "table.column" for every CREATE TABLE and ALTER TABLE … ADD COLUMN.
func columns(sqlText string) []string {
	var out []string
	table := ""
	for _, line := range strings.Split(sqlText, "\n") {
		f := strings.Fields(strings.TrimSpace(line))
		switch {
		case len(f) >= 3 && f[0] == "CREATE" && f[1] == "TABLE":
			table = strings.TrimSuffix(f[len(f)-2], "(")
			if f[len(f)-1] != "(" {
				table = strings.TrimSuffix(f[len(f)-1], "(")
			}
		case len(f) >= 6 && f[0] == "ALTER" && f[1] == "TABLE" && f[3] == "ADD" && f[4] == "COLUMN":
			out = append(out, f[2]+"."+f[5])
		case len(f) > 0 && f[0] == ");":
			table = ""
		case table != "" && len(f) >= 2 && f[0] != "PRIMARY" && f[0] != "UNIQUE" && !strings.HasPrefix(f[0], "--"):
			out = append(out, table+"."+f[0])
		}
	}
	return out
}

// The statement cache must survive a query nested inside the iteration of
// the same query text on the one writer connection.
func TestNestedSameQueryOnOneConnection(t *testing.T) {
	d := dbtest.OpenSQLite(t)
	ctx := context.Background()
	for _, n := range []string{"一", "二", "三"} {
		if _, err := d.W.ExecContext(ctx, "INSERT INTO departments (name, created_at) VALUES ($1, $2)", n, db.Now()); err != nil {
			t.Fatal(err)
		}
	}
	const q = "SELECT id, name FROM departments WHERE id >= $1 ORDER BY id"
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, 1)
		if err != nil {
			return err
		}
		defer rows.Close()
		outer := 0
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			outer++
			inner, err := tx.QueryContext(ctx, q, id) // same text while the outer rows are open
			if err != nil {
				return err
			}
			k := 0
			for inner.Next() {
				k++
			}
			inner.Close()
			if k != 4-outer {
				t.Errorf("inner query after row %d saw %d rows", outer, k)
			}
		}
		if outer != 3 {
			t.Errorf("outer query saw %d rows", outer)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}
