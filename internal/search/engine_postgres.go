package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/db"
)

// pgEngine stores each document as a row of search_docs with a tsvector
// built from the analyzer's terms (tsvector.go) and a GIN index over it.
//
// Fields become weights (ranking) and, where a query must tell them apart,
// lexeme prefixes: notes are stored only as notesPrefix+term, so a query
// without notes cannot match them, and supporter fields also as
// peoplePrefix+term for from:. No query needs a weight restriction, which
// would make GIN recheck every row.
//
// A query is sent as up to three tsqueries:
//   - cand finds candidates through the index: phrases are loosened to AND
//     (PostgreSQL verifies <-> against the stored positions, which means
//     reading every candidate row; AND is answered by the index alone);
//   - full is the exact query, checked only on the candidates kept;
//   - rank holds the text groups, for ts_rank_cd.
type pgEngine struct{ d *db.DB }

func tsLexeme(t string) string { return "'" + t + "'" }

// tsGroup writes a group as a tsquery: a phrase (a <-> b) or, loosened,
// (a & b); the last term with :* for a prefix.
func tsGroup(g Group, prefix string, phrase bool) string {
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
	op := " & "
	if phrase {
		op = " <-> "
	}
	return "(" + strings.Join(parts, op) + ")"
}

// tsText is a text group over the fields the plan may search.
func tsText(g Group, notes, phrase bool) string {
	s := tsGroup(g, "", phrase)
	if notes {
		s = "(" + s + " | " + tsGroup(g, notesPrefix, phrase) + ")"
	}
	return s
}

// queries builds the cand, full and rank tsqueries of p. cand is "" when
// nothing narrows the candidates (a query that only filters by date).
func (e *pgEngine) queries(p *plan) (cand, full, rank string) {
	var cp, fp, rp []string
	for _, g := range p.must {
		cp = append(cp, tsText(g, p.notes, false))
		fp = append(fp, tsText(g, p.notes, true))
		rp = append(rp, tsText(g, p.notes, true))
	}
	for _, g := range p.from {
		cp = append(cp, tsGroup(g, peoplePrefix, false))
		fp = append(fp, tsGroup(g, peoplePrefix, true))
	}
	for _, set := range p.anyOf {
		alts := make([]string, len(set))
		for i, t := range set {
			alts[i] = tsLexeme(t)
		}
		s := "(" + strings.Join(alts, " | ") + ")"
		cp = append(cp, s)
		fp = append(fp, s)
	}
	if len(cp) == 0 && p.kind == kindTicket && (len(p.exclude)+len(p.notFrom)+len(p.noneOf) > 0) {
		// Only exclusions: start from every ticket.
		alts := make([]string, len(allGroups))
		for i, t := range allGroups {
			alts[i] = tsLexeme(t)
		}
		s := "(" + strings.Join(alts, " | ") + ")"
		cp = append(cp, s)
		fp = append(fp, s)
	}
	for _, g := range p.exclude {
		s := "!" + tsText(g, p.notes, true)
		if len(g.Terms) == 1 {
			cp = append(cp, s)
		}
		fp = append(fp, s)
	}
	for _, g := range p.notFrom {
		s := "!" + tsGroup(g, peoplePrefix, true)
		if len(g.Terms) == 1 {
			cp = append(cp, s)
		}
		fp = append(fp, s)
	}
	for _, t := range p.noneOf {
		cp = append(cp, "!"+tsLexeme(t))
		fp = append(fp, "!"+tsLexeme(t))
	}
	return strings.Join(cp, " & "), strings.Join(fp, " & "), strings.Join(rp, " & ")
}

func (e *pgEngine) put(ctx context.Context, q db.Querier, d *document) error {
	_, err := q.ExecContext(ctx, `INSERT INTO search_docs (kind, ref_id, created_at, doc) VALUES ($1, $2, $3, $4::text::tsvector)
		ON CONFLICT (kind, ref_id) DO UPDATE
		SET seq = nextval('search_docs_seq'), created_at = EXCLUDED.created_at, doc = EXCLUDED.doc`,
		d.kind, d.id, d.createdAt, pgVector(d))
	return err
}

func (e *pgEngine) remove(ctx context.Context, q db.Querier, kind string, id int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2`, kind, id)
	return err
}

func (e *pgEngine) search(ctx context.Context, q db.Querier, p *plan) (page, error) {
	cand, full, rank := e.queries(p)
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := "kind = " + arg(p.kind)
	if cand != "" {
		where += " AND doc @@ " + arg(cand) + "::tsquery"
	}
	for _, r := range p.created {
		where += " AND " + createdCond("created_at", r, arg)
	}
	exact := full == cand

	if p.recent || !p.hasText() {
		return e.recent(ctx, q, p, where, args, exact, full)
	}
	check := "TRUE"
	if !exact {
		check = "c.doc @@ " + arg(full) + "::tsquery"
	}
	query := `SELECT m.seq, m.ref_id, m.score, m.total FROM (
			SELECT c.seq, c.ref_id, count(*) OVER () AS total,
				CASE WHEN ` + check + ` THEN ts_rank_cd('` + pgWeights + `', c.doc, ` + arg(rank) + `::tsquery, 1) END AS score
			FROM (SELECT seq, ref_id, doc FROM search_docs WHERE ` + where + `
				ORDER BY seq DESC LIMIT ` + arg(rankWindow) + `) c
		) m WHERE m.score IS NOT NULL
		ORDER BY m.score DESC, m.seq DESC LIMIT ` + arg(p.limit+1) + ` OFFSET ` + arg(p.offset)
	rows, err := q.QueryContext(ctx, query, args...)
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

// recent pages through matches newest first. When the candidates are only
// approximate (phrases loosened to AND) it reads them in growing chunks and
// keeps those that match exactly.
func (e *pgEngine) recent(ctx context.Context, q db.Querier, p *plan, where string, args []any, exact bool, full string) (page, error) {
	want := p.limit + 1
	before := p.beforeSeq
	chunk := want
	if !exact {
		chunk = 4 * want
	}
	var pg page
	for {
		a := append([]any(nil), args...)
		arg := func(v any) string {
			a = append(a, v)
			return "$" + strconv.Itoa(len(a))
		}
		w := where
		if before > 0 {
			w += " AND seq < " + arg(before)
		}
		sel := "TRUE"
		if !exact {
			sel = "doc @@ " + arg(full) + "::tsquery"
		}
		query := `SELECT seq, ref_id, ` + sel + ` FROM search_docs WHERE ` + w + ` ORDER BY seq DESC LIMIT ` + arg(chunk)
		rows, err := q.QueryContext(ctx, query, a...)
		if err != nil {
			return page{}, fmt.Errorf("search: postgres query: %w", err)
		}
		n := 0
		for rows.Next() {
			var c candidate
			var ok bool
			if err := rows.Scan(&c.seq, &c.id, &ok); err != nil {
				rows.Close()
				return page{}, err
			}
			n++
			before = c.seq
			if ok && len(pg.items) < want {
				pg.items = append(pg.items, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return page{}, err
		}
		if len(pg.items) >= want || n < chunk {
			return pg, nil
		}
		chunk = min(chunk*4, 20000)
	}
}

func (e *pgEngine) bulk() bulkEngine { return &pgBulk{d: e.d} }

// pgBulk loads documents with multi-row INSERTs while the GIN index is
// dropped, then builds the index once: several times faster than updating
// it row by row.
type pgBulk struct{ d *db.DB }

const pgGINIndex = `CREATE INDEX IF NOT EXISTS search_docs_doc ON search_docs USING gin (doc)`

func (b *pgBulk) start(ctx context.Context, n int64) (int64, error) {
	for _, s := range []string{`TRUNCATE search_docs`, `DROP INDEX IF EXISTS search_docs_doc`} {
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
	vecs := make([]string, len(docs))
	for i, d := range docs {
		vecs[i] = pgVector(d)
	}
	return b.d.Tx(ctx, func(tx *sql.Tx) error {
		ins := newMultiInsert("INSERT INTO search_docs (seq, kind, ref_id, created_at, doc) VALUES ", 5)
		ins.casts = []string{"", "", "", "", "::text::tsvector"}
		// A document a hook wrote since start is newer than ours: keep it.
		ins.suffix = " ON CONFLICT (kind, ref_id) DO NOTHING"
		for i, d := range docs {
			if err := ins.add(ctx, tx, seqs[i], d.kind, d.id, d.createdAt, vecs[i]); err != nil {
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
