package search

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// multiInsert buffers rows and sends them as multi-row INSERTs, for
// Reindex. Both engines accept "VALUES ($1, $2), ($3, $4)".
type multiInsert struct {
	prefix string
	suffix string   // after the VALUES list (ON CONFLICT …)
	casts  []string // per column, appended to its placeholder ("::text::tsvector"); nil: none
	// positional: write ? placeholders. SQLite looks "$n" up by name, which
	// costs O(n²) over a statement with thousands of parameters.
	positional bool
	cols       int
	perStmt    int
	args       []any
	rows       int
}

func newMultiInsert(prefix string, cols int) *multiInsert {
	// Well under SQLite's 32,766 and PostgreSQL's 65,535 parameters, and
	// few enough rows that one statement stays a few megabytes.
	return &multiInsert{prefix: prefix, cols: cols, perStmt: max(1, min(200, 6000/cols))}
}

func (m *multiInsert) add(ctx context.Context, tx *sql.Tx, row ...any) error {
	m.args = append(m.args, row...)
	m.rows++
	if m.rows < m.perStmt {
		return nil
	}
	return m.flush(ctx, tx)
}

func (m *multiInsert) flush(ctx context.Context, tx *sql.Tx) error {
	if m.rows == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(m.prefix)
	n := 1
	for r := range m.rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range m.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if m.positional {
				b.WriteByte('?')
			} else {
				b.WriteString("$" + strconv.Itoa(n))
			}
			if m.casts != nil {
				b.WriteString(m.casts[c])
			}
			n++
		}
		b.WriteByte(')')
	}
	b.WriteString(m.suffix)
	_, err := tx.ExecContext(ctx, b.String(), m.args...)
	m.args, m.rows = m.args[:0], 0
	return err
}
