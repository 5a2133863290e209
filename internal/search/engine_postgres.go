package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

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
// A query runs in two steps in one statement:
//   - candidates: search_vector(terms) @@ cand, a tsquery of the words' terms
//     ANDed (no phrase operators, no weights, so GIN answers it without
//     reading rows), filter terms and single-term exclusions;
//   - exact: every word or phrase is a substring of its fields' run form
//     (runPattern), and the filters hold; the same substrings count
//     occurrences for ranking (subject hits weigh most).
//
// PostgreSQL's planner picks between the GIN index (rare terms) and walking
// search_docs newest first with the cheap substring filter (common terms,
// where the newest rankWindow matches are found after a few thousand rows).
type pgEngine struct{ d *db.DB }

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
	if len(ranks) == 0 {
		ranks = []string{"0"}
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

func (e *pgEngine) search(ctx context.Context, dbq db.Querier, p *plan) (page, error) {
	q := &pgQuery{}
	where := "kind = " + q.arg(p.kind)
	byRecency := p.recent || !p.hasText()
	cand, exact, rank := q.build(p, !byRecency)
	if cand != "" {
		where += " AND search_vector(terms) @@ " + q.arg(cand) + "::tsquery"
	}
	where += " AND " + exact
	for _, r := range p.created {
		where += " AND " + createdCond("created_at", r, q.arg)
	}
	var query string
	if byRecency {
		if p.beforeSeq > 0 {
			where += " AND seq < " + q.arg(p.beforeSeq)
		}
		query = `SELECT seq, ref_id, 0, 0 FROM search_docs WHERE ` + where + `
			ORDER BY seq DESC LIMIT ` + q.arg(p.limit+1)
	} else {
		query = `SELECT seq, ref_id, score, total FROM (
				SELECT seq, ref_id, ` + rank + ` AS score, count(*) OVER () AS total
				FROM (SELECT seq, ref_id, terms FROM search_docs WHERE ` + where + `
					ORDER BY seq DESC LIMIT ` + q.arg(rankWindow) + `) c
			) m ORDER BY score DESC, seq DESC LIMIT ` + q.arg(p.limit+1) + ` OFFSET ` + q.arg(p.offset)
	}
	if p.explain {
		return explainQuery(ctx, dbq, e.d.Engine, query, q.args)
	}
	rows, err := dbq.QueryContext(ctx, query, q.args...)
	if err != nil {
		return page{}, fmt.Errorf("search: postgres query: %w", err)
	}
	defer rows.Close()
	var pg page
	for rows.Next() {
		var c candidate
		var total int
		if err := rows.Scan(&c.seq, &c.id, &c.score, &total); err != nil {
			return page{}, err
		}
		if total >= rankWindow {
			pg.capped = true
		}
		pg.items = append(pg.items, c)
	}
	return pg, rows.Err()
}

func (e *pgEngine) bulk() bulkEngine { return &pgBulk{d: e.d} }

// pgBulk loads documents with multi-row INSERTs while the GIN index is
// dropped, then builds the index once: several times faster than updating
// it row by row.
type pgBulk struct{ d *db.DB }

const pgGINIndex = `CREATE INDEX IF NOT EXISTS search_docs_terms ON search_docs USING gin (search_vector(terms))`

func (b *pgBulk) start(ctx context.Context, n int64) (int64, error) {
	for _, s := range []string{`TRUNCATE search_docs`, `DROP INDEX IF EXISTS search_docs_terms`} {
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
	conn, err := b.d.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A GIN build sorts in maintenance_work_mem; the default 64 MB makes
	// it spill for a million documents.
	if _, err := conn.ExecContext(ctx, `SET maintenance_work_mem = '512MB'`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, pgGINIndex); err != nil {
		return fmt.Errorf("search: create GIN index: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `RESET maintenance_work_mem`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `ANALYZE search_docs`)
	return err
}
