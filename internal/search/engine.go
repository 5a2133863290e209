package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/steward-desk/steward/internal/db"
)

// engine stores documents and answers plans. The two implementations,
// engine_sqlite.go (FTS5) and engine_postgres.go (tsvector + GIN), are the
// one place where search differs between the databases.
type engine interface {
	// putAll replaces the documents docs, all of one kind and each id once,
	// giving each a new seq. A fresh document has no stored one to replace.
	putAll(ctx context.Context, q db.Querier, docs []*document) error
	// remove deletes the document of (kind, id), if any.
	remove(ctx context.Context, q db.Querier, kind string, id int64) error
	// search returns candidates for p, best first (or newest first when
	// p.recent), at most p.limit+1 of them.
	search(ctx context.Context, q db.Querier, p *plan) (page, error)
	// bulk returns a writer for Reindex.
	bulk() bulkEngine
}

// bulkEngine is the fast path of Reindex.
type bulkEngine interface {
	// start empties the index and reserves seqs [base, base+n) for the
	// documents Reindex will write; documents indexed by hooks while it
	// runs get higher seqs.
	start(ctx context.Context, n int64) (base int64, err error)
	// write stores documents whose seqs Reindex assigned. A document that
	// a hook indexed since start is newer and is kept.
	write(ctx context.Context, docs []*document, seqs []int64) error
	// finish rebuilds what start dropped and refreshes statistics.
	finish(ctx context.Context) error
}

// candidate is one matching document.
type candidate struct {
	seq   int64
	id    int64
	score float64 // higher is better
}

// page is what an engine found.
type page struct {
	items []candidate
	// capped: more documents matched than the engine's rank window, and
	// only the most recently indexed of them were ranked.
	capped bool
	// explain is the plan, when the plan asked for it.
	explain string
}

// rankWindow is how many of the most recently indexed matches a relevance
// query ranks on SQLite (PostgreSQL: pgRankWindow). Below it ranking is
// exact; a query matching more documents (a common bigram can match a fifth
// of a million tickets) ranks only the newest rankWindow, which keeps its
// cost bounded: see docs/search.md.
const rankWindow = 1000

// explainQuery runs EXPLAIN on a query and returns the plan as text.
func explainQuery(ctx context.Context, q db.Querier, engine db.Engine, query string, args []any) (page, error) {
	prefix := "EXPLAIN QUERY PLAN "
	if engine == db.Postgres {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := q.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		return page{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return page{}, err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return page{}, err
		}
		fmt.Fprintln(&b, vals[len(vals)-1])
	}
	return page{explain: b.String()}, rows.Err()
}

func engineFor(d *db.DB) engine {
	if d.Engine == db.Postgres {
		return &pgEngine{d: d}
	}
	return &sqliteEngine{d: d}
}
