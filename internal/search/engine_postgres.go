package search

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/steward-desk/steward/internal/db"
)

// pgEngine stores each document as a row of search_docs whose terms column
// holds the document's run form (runs.go): the analyzer's terms with each
// CJK run written once instead of as bigrams, fields separated by \x01. The
// SQL function search_vector (migration 0004) expands it mechanically into
// the analyzer's terms (bigrams from runs; notes under notesPrefix, the
// supporter fields also under peoplePrefix) and a GIN index covers
// search_vector(terms).
//
// Why not a stored tsvector with positions: a tsvector repeats every
// distinct lexeme of every document with 4 bytes of header and 2 per
// position; for Chinese and Japanese, where nearly every character starts a
// distinct bigram, that is about 4.8 times the text (measured), against
// about 1 for the run form. The GIN index alone holds the postings.
//
// A query has two parts:
//   - cand: a tsquery of the words' terms ANDed (no phrase operators, no
//     weights, so GIN answers it without reading rows), filter terms and
//     single-term exclusions, for the GIN index;
//   - exact: every word or phrase is a substring of its fields' run form
//     (runPattern), and the filters hold; the same substrings count
//     occurrences for ranking (subject hits weigh most).
//
// search picks, per query, between walking search_docs newest first with
// only the exact condition (common terms) and the GIN index (see its
// comment and docs/search.md).
type pgEngine struct {
	d *db.DB

	statsMu sync.Mutex
	stats   pgStats
}

// pgStats is what ANALYZE knows of the index: how many documents there are
// and the frequency of the least common of its most common terms. A query
// the planner expects to match at least that share of documents holds a
// common term.
type pgStats struct {
	docs    float64
	minFreq float64 // 0: no statistics yet
	at      time.Time
}

// Blocks of the run form, in field order (index_doc.go), 1-based for
// split_part.
func pgBlock(f field) string {
	return "split_part(terms, chr(1), " + strconv.Itoa(int(f)+1) + ")"
}

func tsLexeme(t string) string { return "'" + t + "'" }

// tsAnd writes a group's terms ANDed, the last with :* for a prefix, each
// under prefix.
func tsAnd(g Group, prefix string) string {
	parts := make([]string, len(g.Terms))
	for i, t := range g.Terms {
		parts[i] = tsLexeme(prefix + t)
		if g.Prefix && i == len(g.Terms)-1 {
			parts[i] += ":*"
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " & ") + ")"
}

// pgQuery accumulates the SQL and arguments of one query.
type pgQuery struct {
	args []any
}

func (q *pgQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// textFields lists the fields a text group searches, and their rank weights.
func textFields(p *plan) ([]field, []int) {
	if p.kind == kindSupporter {
		if p.notes {
			return []field{fName, fContact, fSNotes}, []int{5, 3, 1}
		}
		return []field{fName, fContact}, []int{5, 3}
	}
	if p.notes {
		return []field{fSubject, fBody, fPeople, fNotes}, []int{10, 1, 2, 1}
	}
	return []field{fSubject, fBody, fPeople}, []int{10, 1, 2}
}

// has is the condition "pattern occurs in one of fields".
func (q *pgQuery) has(fields []field, pattern string) string {
	a := q.arg(pattern)
	conds := make([]string, len(fields))
	for i, f := range fields {
		conds[i] = "strpos(" + pgBlock(f) + ", " + a + ") > 0"
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// build returns the tsquery for the GIN index ("" when nothing narrows the
// candidates), the exact condition and, if withRank, the rank expression of
// p. (Every argument must appear in the SQL: PostgreSQL rejects a parameter
// whose type it cannot infer.)
func (q *pgQuery) build(p *plan, withRank bool) (cand, exact, rank string) {
	fields, weights := textFields(p)
	var cp, conds, ranks []string
	for _, g := range p.must {
		c := tsAnd(g, "")
		if p.notes {
			c = "(" + c + " | " + tsAnd(g, notesPrefix) + ")"
		}
		cp = append(cp, c)
		pat := runPattern(g.Text)
		conds = append(conds, q.has(fields, pat))
		if !withRank {
			continue
		}
		a := q.arg(pat)
		for i, f := range fields {
			// A subject or name hit counts once; repeats in messages up
			// to five times.
			cap := 5
			if weights[i] > 1 {
				cap = 1
			}
			ranks = append(ranks, fmt.Sprintf("%d * LEAST(search_count(%s, %s), %d)", weights[i], pgBlock(f), a, cap))
		}
	}
	for _, g := range p.from {
		cp = append(cp, tsAnd(g, peoplePrefix))
		conds = append(conds, q.has([]field{fPeople}, runPattern(g.Text)))
	}
	for _, set := range p.anyOf {
		alts := make([]string, len(set))
		pats := make([]string, len(set))
		for i, t := range set {
			alts[i] = tsLexeme(pgMeta(t))
			pats[i] = "strpos(" + pgBlock(fMeta) + ", " + q.arg(" "+pgMeta(t)+" ") + ") > 0"
		}
		cp = append(cp, "("+strings.Join(alts, " | ")+")")
		conds = append(conds, "("+strings.Join(pats, " OR ")+")")
	}
	for _, g := range p.exclude {
		if len(g.Terms) == 1 && len(cp) > 0 {
			c := "!" + tsAnd(g, "")
			if p.notes {
				c += " & !" + tsAnd(g, notesPrefix)
			}
			cp = append(cp, c)
		}
		conds = append(conds, "NOT "+q.has(fields, runPattern(g.Text)))
	}
	for _, g := range p.notFrom {
		conds = append(conds, "NOT "+q.has([]field{fPeople}, runPattern(g.Text)))
	}
	for _, t := range p.noneOf {
		if len(cp) > 0 {
			cp = append(cp, "!"+tsLexeme(pgMeta(t)))
		}
		conds = append(conds, "strpos("+pgBlock(fMeta)+", "+q.arg(" "+pgMeta(t)+" ")+") = 0")
	}
	if len(conds) == 0 {
		conds = []string{"TRUE"}
	}
	return strings.Join(cp, " & "), strings.Join(conds, " AND "), strings.Join(ranks, " + ")
}

func (e *pgEngine) put(ctx context.Context, q db.Querier, d *document) error {
	_, err := q.ExecContext(ctx, `INSERT INTO search_docs (kind, ref_id, created_at, terms) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, ref_id) DO UPDATE
		SET seq = nextval('search_docs_seq'), created_at = EXCLUDED.created_at, terms = EXCLUDED.terms`,
		d.kind, d.id, d.createdAt, d.runFields())
	return err
}

func (e *pgEngine) remove(ctx context.Context, q db.Querier, kind string, id int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2`, kind, id)
	return err
}

// Strategies. A query with a common term (one ANALYZE lists among the
// most common, in 2–3% of documents or more on the demo data) walks
// search_docs newest first: its matches are dense, so the first
// pgRankWindow of them come after a few thousand rows, and reading the
// term's whole GIN posting list (50 ms for a word in a third of a million
// tickets) is avoided; the walk gives up after pgScanBudget seqs and the GIN
// index takes over for the older rest. Other queries use the GIN index at
// once: they fetch at most a few percent of the rows. pgRankWindow is
// PostgreSQL's rankWindow, smaller than SQLite's because both costs grow
// with it.
const (
	pgRankWindow = 500
	pgScanBudget = 50000
	// pgWindowFrom: from this many GIN matches, the GIN index is read in
	// windows of seqs (see search).
	pgWindowFrom = 2000
)

func (e *pgEngine) search(ctx context.Context, dbq db.Querier, p *plan) (page, error) {
	byRecency := p.recent || !p.hasText()
	window := pgRankWindow
	if byRecency {
		window = p.limit
	}
	q := &pgQuery{}
	kindArg := q.arg(p.kind)
	cand, exact, rank := q.build(p, !byRecency)
	if rank == "" {
		rank = "0"
	}
	where := "kind = " + kindArg + " AND " + exact
	for _, r := range p.created {
		where += " AND " + createdCond("created_at", r, q.arg)
	}
	if p.beforeSeq > 0 {
		where += " AND seq < " + q.arg(p.beforeSeq)
	}
	sel := `SELECT seq, ref_id, ` + rank + ` FROM search_docs WHERE `

	// Choose: walk newest first, or the GIN index; expect is the number
	// of matches the GIN index is expected to return.
	scan := cand == ""
	var expect float64
	if !scan {
		var err error
		if expect, scan, err = e.common(ctx, dbq, cand); err != nil {
			return page{}, err
		}
	}
	var pg page
	top := p.beforeSeq
	if top == 0 && cand != "" {
		if err := dbq.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM search_docs`).Scan(&top); err != nil {
			return page{}, err
		}
	}
	hi := top // candidates so far have seq >= hi; the rest must be below it
	if scan {
		a := append([]any(nil), q.args...)
		query := sel + where
		floor := int64(0)
		if cand != "" {
			floor = max(top-pgScanBudget, 0)
			a = append(a, floor)
			query += " AND seq >= $" + strconv.Itoa(len(a))
		}
		a = append(a, window+1)
		query += " ORDER BY seq DESC LIMIT $" + strconv.Itoa(len(a))
		if p.explain {
			return explainQuery(ctx, dbq, e.d.Engine, query, a)
		}
		items, err := scanCandidates(ctx, dbq, query, a)
		if err != nil {
			return page{}, err
		}
		pg.items = items
		if len(items) > window || floor == 0 {
			return e.finish(pg, p, window), nil
		}
		// Fewer matches than the planner thought: expect as many below
		// the floor as their density in the walk suggests.
		expect = float64(len(items)) * float64(floor) / float64(top-floor)
		hi = floor
	}
	// The GIN index, for what the walk did not reach, newest first in
	// windows of seqs that grow fourfold: each query ANDs the GIN bitmap
	// with the primary key's range, so it fetches only rows in its window
	// however common the terms turn out to be. Index and sequential scans
	// are off (a plan walking the primary key would compute search_vector
	// for every row) and work_mem is raised so that bitmaps stay exact (a
	// lossy page is rechecked by computing search_vector for each row).
	err := withoutIndexScans(ctx, dbq, func(tx db.Querier) error {
		// With few matches, one query over all seqs below hi: ANDing with
		// the primary key would cost more than the rows it saves. The
		// planner's estimate is no guide for a term it has no statistics
		// on (it assumes half the least common frequency it knows), so
		// unless the walk measured the density, count up to a cap.
		firstWidth := int64(pgScanBudget)
		few := expect < pgWindowFrom
		if !scan {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM search_docs
				WHERE search_vector(terms) @@ $1::tsquery AND seq + 0 < $2 LIMIT $3) m`, cand, hi, pgWindowFrom).Scan(&n)
			if err != nil {
				return fmt.Errorf("search: postgres count: %w", err)
			}
			few = n < pgWindowFrom
		}
		if few {
			firstWidth = hi
		}
		for width := firstWidth; hi > 0 && len(pg.items) <= window; width *= 4 {
			lo := max(hi-width, 0)
			a := append([]any(nil), q.args...)
			a = append(a, cand)
			query := sel + where + " AND search_vector(terms) @@ $" + strconv.Itoa(len(a)) + "::tsquery"
			if lo > 0 {
				// A window: AND the GIN bitmap with the primary key's range.
				a = append(a, lo, hi)
				query += " AND seq >= $" + strconv.Itoa(len(a)-1) + " AND seq < $" + strconv.Itoa(len(a))
			} else {
				// Everything below hi: a filter (seq + 0 is not indexed), or
				// the planner might AND with a bitmap of the whole table.
				a = append(a, hi)
				query += " AND seq + 0 < $" + strconv.Itoa(len(a))
			}
			a = append(a, window+1-len(pg.items))
			query += " ORDER BY seq DESC LIMIT $" + strconv.Itoa(len(a))
			if p.explain {
				var err error
				pg, err = explainQuery(ctx, tx, e.d.Engine, query, a)
				return err
			}
			items, err := scanCandidates(ctx, tx, query, a)
			if err != nil {
				return err
			}
			pg.items = append(pg.items, items...)
			hi = lo
		}
		return nil
	})
	if err != nil || p.explain {
		return pg, err
	}
	return e.finish(pg, p, window), nil
}

// finish ranks (unless sorted by recency) and pages the candidates, newest
// first, at most window+1 of them.
func (e *pgEngine) finish(pg page, p *plan, window int) page {
	if p.recent || !p.hasText() {
		if len(pg.items) > p.limit+1 {
			pg.items = pg.items[:p.limit+1]
		}
		return pg
	}
	if len(pg.items) > window {
		pg.items, pg.capped = pg.items[:window], true
	}
	sort.SliceStable(pg.items, func(i, j int) bool { return pg.items[i].score > pg.items[j].score })
	if p.offset >= len(pg.items) {
		pg.items = nil
		return pg
	}
	pg.items = pg.items[p.offset:min(len(pg.items), p.offset+p.limit+1)]
	return pg
}

func scanCandidates(ctx context.Context, q db.Querier, query string, args []any) ([]candidate, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: postgres query: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.seq, &c.id, &c.score); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// common returns how many documents the planner expects cand to match,
// and whether that is at least 3/4 of the frequency of the least common
// term it keeps statistics on: a query with a common term. (For a term it
// has no statistics on, the planner assumes half that frequency.)
func (e *pgEngine) common(ctx context.Context, q db.Querier, cand string) (float64, bool, error) {
	e.statsMu.Lock()
	st := e.stats
	e.statsMu.Unlock()
	if time.Since(st.at) > 5*time.Minute {
		var freqs []byte
		err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT reltuples FROM pg_class WHERE relname = 'search_docs'), 0),
			(SELECT most_common_elem_freqs::text FROM pg_stats WHERE tablename = 'search_docs_terms' LIMIT 1)`).Scan(&st.docs, &freqs)
		if err != nil {
			return 0, false, fmt.Errorf("search: index statistics: %w", err)
		}
		// most_common_elem_freqs: the frequencies, then the minimum, the
		// maximum and the null fraction.
		st.minFreq = 0
		if f := strings.Split(strings.Trim(string(freqs), "{}"), ","); len(f) >= 3 {
			st.minFreq, _ = strconv.ParseFloat(f[len(f)-3], 64)
		}
		st.at = time.Now()
		e.statsMu.Lock()
		e.stats = st
		e.statsMu.Unlock()
	}
	est, err := e.estimate(ctx, q, cand)
	if err != nil {
		return 0, false, err
	}
	if st.minFreq == 0 || st.docs <= 0 {
		return est, false, nil // no statistics: a small or new index
	}
	return est, est >= 0.75*st.minFreq*st.docs, nil
}

// estimate asks the planner how many documents match a tsquery.
func (e *pgEngine) estimate(ctx context.Context, q db.Querier, cand string) (float64, error) {
	var plan string
	if err := q.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) SELECT 1 FROM search_docs WHERE search_vector(terms) @@ $1::tsquery`, cand).Scan(&plan); err != nil {
		return 0, fmt.Errorf("search: estimate: %w", err)
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &out); err != nil || len(out) == 0 {
		return 0, fmt.Errorf("search: estimate: %q: %v", plan, err)
	}
	return out[0].Plan.Rows, nil
}

// withoutIndexScans runs fn in a read-only transaction where the planner
// may use bitmap scans (the GIN index) but not index or sequential scans,
// with memory enough for exact bitmaps of a million documents.
// q is the pool (or a caller's transaction, which it then uses as is).
func withoutIndexScans(ctx context.Context, q db.Querier, fn func(db.Querier) error) error {
	pool, ok := q.(*sql.DB)
	if !ok {
		return fn(q)
	}
	tx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, set := range []string{`SET LOCAL enable_indexscan = off`, `SET LOCAL enable_seqscan = off`, `SET LOCAL work_mem = '64MB'`,
		// Worker start-up costs more than these queries.
		`SET LOCAL max_parallel_workers_per_gather = 0`} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (e *pgEngine) bulk() bulkEngine { return &pgBulk{d: e.d} }

// pgBulk loads documents with multi-row INSERTs into the emptied table. The
// GIN index stays: dropping it and building it once at the end was only
// ~15% faster (100,000 tickets: 48 s against 56 s) and the build would block
// every ticket change for minutes (CREATE INDEX holds off writes).
type pgBulk struct{ d *db.DB }

// pgGINIndex is the index of migration 0004, to build after a bulk load.
const pgGINIndex = `CREATE INDEX IF NOT EXISTS search_docs_terms ON search_docs USING gin (search_vector(terms))`

func (b *pgBulk) start(ctx context.Context, n int64) (int64, error) {
	for _, s := range []string{`TRUNCATE search_docs`} {
		if _, err := b.d.W.ExecContext(ctx, s); err != nil {
			return 0, fmt.Errorf("search: %s: %w", s, err)
		}
	}
	var end int64
	if err := b.d.W.QueryRowContext(ctx, `SELECT setval('search_docs_seq', nextval('search_docs_seq') + $1)`, n).Scan(&end); err != nil {
		return 0, fmt.Errorf("search: reserve seqs: %w", err)
	}
	return end - n, nil
}

func (b *pgBulk) write(ctx context.Context, docs []*document, seqs []int64) error {
	if len(docs) == 0 {
		return nil
	}
	terms := make([]string, len(docs))
	for i, d := range docs {
		terms[i] = d.runFields()
	}
	return b.d.Tx(ctx, func(tx *sql.Tx) error {
		ins := newMultiInsert("INSERT INTO search_docs (seq, kind, ref_id, created_at, terms) VALUES ", 5)
		// A document a hook wrote since start is newer than ours: keep it.
		ins.suffix = " ON CONFLICT (kind, ref_id) DO NOTHING"
		for i, d := range docs {
			if err := ins.add(ctx, tx, seqs[i], d.kind, d.id, d.createdAt, terms[i]); err != nil {
				return err
			}
		}
		return ins.flush(ctx, tx)
	})
}

func (b *pgBulk) finish(ctx context.Context) error {
	// The index exists unless someone dropped it; then build it (the
	// large maintenance_work_mem keeps a million documents' sort in memory).
	conn, err := b.d.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT to_regclass('search_docs_terms') IS NOT NULL`).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.ExecContext(ctx, `SET maintenance_work_mem = '512MB'`); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, pgGINIndex); err != nil {
			return fmt.Errorf("search: create GIN index: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `RESET maintenance_work_mem`); err != nil {
			return err
		}
	}
	// VACUUM merges the GIN pending list and marks pages all-visible;
	// ANALYZE refreshes the term statistics the search strategies use.
	_, err = conn.ExecContext(ctx, `VACUUM ANALYZE search_docs`)
	return err
}
