package csvimport

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/steward-desk/steward/internal/db"
)

// inserter sends buffered rows as multi-row INSERTs: one statement per few
// hundred rows instead of a round trip per row.
type inserter struct {
	ctx      context.Context
	tx       *sql.Tx
	engine   db.Engine
	head     string // INSERT INTO t (cols) VALUES
	tail     string // ON CONFLICT …
	ncols    int
	perStmt  int
	args     []any
	stmt     *sql.Stmt // for a full batch
	affected int64
	// parent is flushed first: rows here refer to rows buffered there.
	parent *inserter
}

func newInserter(ctx context.Context, tx *sql.Tx, e db.Engine, table string, cols []string, tail string) *inserter {
	return &inserter{ctx: ctx, tx: tx, engine: e, head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		tail: tail, ncols: len(cols), perStmt: max(1, 6000/len(cols))}
}

func (b *inserter) sql(rows int) string {
	var s strings.Builder
	s.WriteString(b.head)
	n := 1
	for r := range rows {
		if r > 0 {
			s.WriteByte(',')
		}
		s.WriteByte('(')
		for c := range b.ncols {
			if c > 0 {
				s.WriteByte(',')
			}
			// SQLite binds anonymous ? in order; modernc looks $N up by name.
			if b.engine == db.SQLite {
				s.WriteByte('?')
			} else {
				fmt.Fprintf(&s, "$%d", n)
			}
			n++
		}
		s.WriteByte(')')
	}
	s.WriteString(" " + b.tail)
	return s.String()
}

func (b *inserter) add(vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) >= b.perStmt*b.ncols {
		return b.flush()
	}
	return nil
}

func (b *inserter) flush() error {
	if b.parent != nil {
		if err := b.parent.flush(); err != nil {
			return err
		}
	}
	rows := len(b.args) / b.ncols
	if rows == 0 {
		return nil
	}
	var res sql.Result
	var err error
	if rows == b.perStmt {
		if b.stmt == nil {
			if b.stmt, err = b.tx.PrepareContext(b.ctx, b.sql(rows)); err != nil {
				return err
			}
		}
		res, err = b.stmt.ExecContext(b.ctx, b.args...)
	} else {
		res, err = b.tx.ExecContext(b.ctx, b.sql(rows), b.args...)
	}
	if err != nil {
		return fmt.Errorf("csvimport: insert: %w", err)
	}
	n, _ := res.RowsAffected()
	b.affected += n
	b.args = b.args[:0]
	return nil
}

func (b *inserter) close() error {
	err := b.flush()
	if b.stmt != nil {
		b.stmt.Close()
	}
	return err
}

// reserveIDs returns n new supporter ids, inside the write transaction.
func reserveIDs(ctx context.Context, tx *sql.Tx, e db.Engine, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if e == db.SQLite {
		// One writer: MAX+1 inside the write transaction is safe.
		var top int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM supporters").Scan(&top); err != nil {
			return nil, err
		}
		for i := range n {
			ids = append(ids, top+1+int64(i))
		}
		return ids, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT nextval(pg_get_serial_sequence('supporters', 'id')) FROM generate_series(1, $1)", n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
