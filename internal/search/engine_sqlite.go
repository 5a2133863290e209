package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/db"
)

// sqliteEngine stores documents in contentless FTS5 tables whose rowid is
// search_docs.seq. Each field is a column holding the analyzer's terms joined
// by spaces; the tokenizer declared in the migration splits them back into
// exactly those terms. Queries are FTS5 MATCH expressions with column
// filters; bm25 ranks with per-column weights.
type sqliteEngine struct{ d *db.DB }

// ftsTable names the FTS5 table of a kind of document, and ftsColumns its
// columns in field order.
func ftsTable(kind string) string {
	if kind == kindSupporter {
		return "search_supporters_fts"
	}
	return "search_tickets_fts"
}

func ftsColumns(kind string) []string {
	if kind == kindSupporter {
		return []string{"name", "contact", "notes"}
	}
	return []string{"subject", "body", "notes", "people", "meta"}
}

// bm25 weights, in column order: a subject hit outweighs several body hits;
// filter terms do not rank.
const (
	sqliteTicketRank    = "bm25(search_tickets_fts, 10.0, 1.0, 1.0, 2.0, 0.0)"
	sqliteSupporterRank = "bm25(search_supporters_fts, 5.0, 3.0, 1.0)"
)

// putAll replaces the documents docs, all of one kind, giving each a new
// seq: the replaced ones are deleted with one statement, the new ones
// inserted with a few multi-row statements, and their terms reach FTS5 at
// commit (ftsAtCommit).
func (e *sqliteEngine) putAll(ctx context.Context, q db.Querier, docs []*document) error {
	if len(docs) == 0 {
		return nil
	}
	kind := docs[0].kind
	w := ftsWrite{kind: kind}
	var stale []int64
	for _, d := range docs {
		if d.kind != kind {
			return fmt.Errorf("search: putAll with %s and %s documents", kind, d.kind)
		}
		if !d.fresh {
			stale = append(stale, d.id)
		}
	}
	for lo := 0; lo < len(stale); lo += loadBatch {
		args := []any{kind}
		list := inList(&args, stale[lo:min(lo+loadBatch, len(stale))])
		seqs, err := db.QueryInts(ctx, q, "DELETE FROM search_docs WHERE kind = $1 AND ref_id IN ("+list+") RETURNING seq", args...)
		if err != nil {
			return err
		}
		w.deletes = append(w.deletes, seqs...)
	}
	seqOf := make(map[int64]int64, len(docs))
	for rest := docs; len(rest) > 0; {
		part := rest[:rowChunk(len(rest))]
		rest = rest[len(part):]
		args := make([]any, 0, 3*len(part))
		var b strings.Builder
		b.WriteString("INSERT INTO search_docs (kind, ref_id, created_at) VALUES ")
		for i, d := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "($%d, $%d, $%d)", len(args)+1, len(args)+2, len(args)+3)
			args = append(args, d.kind, d.id, d.createdAt)
		}
		b.WriteString(" RETURNING ref_id, seq")
		if err := scanPairs(ctx, q, b.String(), args, seqOf); err != nil {
			return err
		}
	}
	// Analysing now keeps the work done at commit short.
	cols := ftsColumns(kind)
	for _, d := range docs {
		row := make([]any, 0, len(cols)+1)
		row = append(row, seqOf[d.id])
		for i := range cols {
			row = append(row, d.ftsField(field(i)))
		}
		w.rows = append(w.rows, row)
	}
	return ftsAtCommit.Queue(e.d, q, w)
}

// scanPairs runs query and stores each row's two integers in m.
func scanPairs(ctx context.Context, q db.Querier, query string, args []any, m map[int64]int64) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v int64
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		m[k] = v
	}
	return rows.Err()
}

// rowChunk is how many of n rows the next multi-row statement takes: a
// power of two up to 64, so that a few statement texts serve every batch
// (each text is a prepared statement in the connection's cache).
func rowChunk(n int) int {
	c := 1
	for c*2 <= n && c < 64 {
		c *= 2
	}
	return c
}

// ftsWrite is what a putAll or remove changes in kind's FTS5 table: rows to
// delete (seqs) and rows to insert (seq, then the columns' terms).
type ftsWrite struct {
	kind    string
	deletes []int64
	rows    [][]any
}

// ftsAtCommit applies the FTS5 writes of a transaction — on SQLite, of
// every transaction sharing a group commit — together at commit. FTS5
// writes its pending terms out as a new segment whenever a later statement
// opens a savepoint (group commit gives each caller one), and every segment
// has to be merged again later; applied together, a commit makes one
// segment, with one multi-row INSERT per 64 documents.
var ftsAtCommit = &db.Batch[ftsWrite]{Flush: flushFTS}

func flushFTS(ctx context.Context, tx *sql.Tx, items []ftsWrite) error {
	for _, kind := range []string{kindTicket, kindSupporter} {
		// A row inserted and deleted within the flush is never written.
		pending := map[int64][]any{}
		var order, deletes []int64
		for _, it := range items {
			if it.kind != kind {
				continue
			}
			for _, seq := range it.deletes {
				if _, ok := pending[seq]; ok {
					delete(pending, seq)
				} else {
					deletes = append(deletes, seq)
				}
			}
			for _, row := range it.rows {
				seq := row[0].(int64)
				pending[seq] = row
				order = append(order, seq)
			}
		}
		table := ftsTable(kind)
		for lo := 0; lo < len(deletes); lo += loadBatch {
			var args []any
			list := inList(&args, deletes[lo:min(lo+loadBatch, len(deletes))])
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE rowid IN ("+list+")", args...); err != nil {
				return err
			}
		}
		var rows [][]any
		for _, seq := range order {
			if row, ok := pending[seq]; ok {
				rows = append(rows, row)
				delete(pending, seq)
			}
		}
		cols := len(ftsColumns(kind)) + 1
		for len(rows) > 0 {
			part := rows[:rowChunk(len(rows))]
			rows = rows[len(part):]
			ins := newMultiInsert("INSERT INTO "+table+" (rowid, "+strings.Join(ftsColumns(kind), ", ")+") VALUES ", cols)
			for _, row := range part {
				if err := ins.add(ctx, tx, row...); err != nil {
					return err
				}
			}
			if err := ins.flush(ctx, tx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *sqliteEngine) remove(ctx context.Context, q db.Querier, kind string, id int64) error {
	var seq int64
	err := q.QueryRowContext(ctx, `DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2 RETURNING seq`, kind, id).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return ftsAtCommit.Queue(e.d, q, ftsWrite{kind: kind, deletes: []int64{seq}})
}

// ftsPhrase writes a group as an FTS5 phrase: "t1 t2 t3", with a trailing *
// for a prefix. Terms hold no quotes or spaces (see Analyze).
func ftsPhrase(terms []string, prefix bool) string {
	s := `"` + strings.Join(terms, " ") + `"`
	if prefix {
		s += "*"
	}
	return s
}

// match builds the FTS5 MATCH expression of a plan.
func (e *sqliteEngine) match(p *plan) string {
	textCols := e.textCols(p)
	var pos []string
	for _, g := range p.must {
		pos = append(pos, textCols+" : "+ftsPhrase(g.Terms, g.Prefix))
	}
	for _, g := range p.from {
		pos = append(pos, "{people} : "+ftsPhrase(g.Terms, g.Prefix))
	}
	for _, set := range p.anyOf {
		alts := make([]string, len(set))
		for i, t := range set {
			alts[i] = ftsPhrase([]string{t}, false)
		}
		pos = append(pos, "{meta} : ("+strings.Join(alts, " OR ")+")")
	}
	if len(pos) == 0 {
		alts := make([]string, len(allGroups))
		for i, t := range allGroups {
			alts[i] = ftsPhrase([]string{t}, false)
		}
		pos = append(pos, "{meta} : ("+strings.Join(alts, " OR ")+")")
	}
	expr := "(" + strings.Join(pos, " AND ") + ")"
	for _, g := range p.exclude {
		expr += " NOT " + textCols + " : " + ftsPhrase(g.Terms, g.Prefix)
	}
	for _, g := range p.notFrom {
		expr += " NOT {people} : " + ftsPhrase(g.Terms, g.Prefix)
	}
	for _, t := range p.noneOf {
		expr += " NOT {meta} : " + ftsPhrase([]string{t}, false)
	}
	return expr
}

func (e *sqliteEngine) search(ctx context.Context, q db.Querier, p *plan) (page, error) {
	table := ftsTable(p.kind)
	args := []any{e.match(p)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// created: conditions need the created_at of search_docs.
	join, where := "", ""
	if len(p.created) > 0 {
		join = " JOIN search_docs d ON d.seq = f.rowid"
		for _, r := range p.created {
			where += " AND " + createdCond("d.created_at", r, arg)
		}
	}
	byRecency := p.recent || !p.hasText()
	limit := rankWindow + 1
	if byRecency {
		limit = p.limit + 1
		if p.beforeSeq > 0 {
			where += " AND f.rowid < " + arg(p.beforeSeq)
		}
	}
	// The newest matches: FTS5 walks its doclists from the highest rowid
	// and stops at the limit, however many documents match.
	query := `SELECT f.rowid FROM ` + table + ` f` + join + ` WHERE ` + table + ` MATCH $1` + where + `
		ORDER BY f.rowid DESC LIMIT ` + arg(limit)
	if p.explain {
		return explainQuery(ctx, q, db.SQLite, query, args)
	}
	seqs, err := db.QueryInts(ctx, q, query, args...)
	if err != nil {
		return page{}, fmt.Errorf("search: sqlite query: %w", err)
	}
	var pg page
	if byRecency {
		for _, s := range seqs {
			pg.items = append(pg.items, candidate{seq: s})
		}
		return pg, e.refIDs(ctx, q, pg.items)
	}
	if len(seqs) > rankWindow {
		seqs, pg.capped = seqs[:rankWindow], true
	}
	if len(seqs) == 0 {
		return pg, nil
	}
	lo, hi := seqs[len(seqs)-1], seqs[0]
	affordable, err := e.bm25Affordable(ctx, q, p, pg.capped)
	if err != nil {
		return page{}, err
	}
	var scores map[int64]float64
	if affordable {
		scores, err = e.bm25(ctx, q, p, lo, hi)
	} else {
		scores, err = e.presence(ctx, q, p, lo, hi)
	}
	if err != nil {
		return page{}, fmt.Errorf("search: sqlite rank: %w", err)
	}
	items := make([]candidate, len(seqs))
	for i, s := range seqs {
		items[i] = candidate{seq: s, score: scores[s]}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].score > items[j].score }) // ties: newest first
	if p.offset >= len(items) {
		return pg, nil
	}
	pg.items = items[p.offset:min(len(items), p.offset+p.limit+1)]
	return pg, e.refIDs(ctx, q, pg.items)
}

// bm25MaxDocs bounds the work of FTS5's bm25(): it counts, for the inverse
// document frequency, every document containing each phrase of the query,
// which takes ~0.1 µs per document, so a word in a third of a million
// tickets costs tens of milliseconds before a single row is ranked.
const bm25MaxDocs = 25000

// bm25Affordable reports whether every text group of p is in at most
// bm25MaxDocs documents. With a single group whose candidates were not
// capped, the candidates are its documents; otherwise each group is probed
// by walking at most bm25MaxDocs+1 entries of its doclist.
func (e *sqliteEngine) bm25Affordable(ctx context.Context, q db.Querier, p *plan, capped bool) (bool, error) {
	if capped {
		return false, nil
	}
	if len(p.must) == 1 && len(p.anyOf)+len(p.from)+len(p.created) == 0 {
		return true, nil
	}
	table := ftsTable(p.kind)
	for _, g := range p.must {
		var n int
		err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM `+table+` WHERE `+table+` MATCH $1 LIMIT $2)`,
			e.textCols(p)+" : "+ftsPhrase(g.Terms, g.Prefix), bm25MaxDocs+1).Scan(&n)
		if err != nil {
			return false, err
		}
		if n > bm25MaxDocs {
			return false, nil
		}
	}
	return true, nil
}

// bm25 scores the documents in [lo, hi] that match p's text groups.
func (e *sqliteEngine) bm25(ctx context.Context, q db.Querier, p *plan, lo, hi int64) (map[int64]float64, error) {
	table := ftsTable(p.kind)
	rank := sqliteTicketRank
	if p.kind == kindSupporter {
		rank = sqliteSupporterRank
	}
	groups := make([]string, len(p.must))
	for i, g := range p.must {
		groups[i] = e.textCols(p) + " : " + ftsPhrase(g.Terms, g.Prefix)
	}
	rows, err := q.QueryContext(ctx, `SELECT rowid, `+rank+` FROM `+table+` WHERE `+table+` MATCH $1 AND rowid >= $2 AND rowid <= $3`,
		strings.Join(groups, " AND "), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	scores := map[int64]float64{}
	for rows.Next() {
		var seq int64
		var s float64
		if err := rows.Scan(&seq, &s); err != nil {
			return nil, err
		}
		scores[seq] = -s // bm25: lower is better
	}
	return scores, rows.Err()
}

// presence scores candidates by where each text group occurs: in the
// subject (or a supporter's name) most, the supporter fields next, a
// message least. It reads only the doclist entries in [lo, hi], the range
// of the candidates, so it costs about as much as finding them.
func (e *sqliteEngine) presence(ctx context.Context, q db.Querier, p *plan, lo, hi int64) (map[int64]float64, error) {
	table := ftsTable(p.kind)
	type colWeight struct {
		col    string
		weight float64
	}
	cols := []colWeight{{"subject", 10}, {"people", 2}}
	if p.kind == kindSupporter {
		cols = []colWeight{{"name", 5}, {"contact", 3}}
	}
	scores := map[int64]float64{}
	for _, g := range p.must {
		for _, c := range cols {
			seqs, err := db.QueryInts(ctx, q, `SELECT rowid FROM `+table+` WHERE `+table+` MATCH $1 AND rowid >= $2 AND rowid <= $3`,
				"{"+c.col+"} : "+ftsPhrase(g.Terms, g.Prefix), lo, hi)
			if err != nil {
				return nil, err
			}
			for _, s := range seqs {
				scores[s] += c.weight
			}
		}
	}
	return scores, nil
}

// textCols is the column filter of text groups: the fields p may search.
func (e *sqliteEngine) textCols(p *plan) string {
	switch {
	case p.kind == kindSupporter && p.notes:
		return "{name contact notes}"
	case p.kind == kindSupporter:
		return "{name contact}"
	case p.notes:
		return "{subject body notes people}"
	default:
		return "{subject body people}"
	}
}

// refIDs fills in the ticket or supporter id of each candidate.
func (e *sqliteEngine) refIDs(ctx context.Context, q db.Querier, cs []candidate) error {
	if len(cs) == 0 {
		return nil
	}
	seqs := make([]int64, len(cs))
	for i, c := range cs {
		seqs[i] = c.seq
	}
	var args []any
	list := inList(&args, seqs)
	rows, err := q.QueryContext(ctx, `SELECT seq, ref_id FROM search_docs WHERE seq IN (`+list+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	ids := map[int64]int64{}
	for rows.Next() {
		var s, id int64
		if err := rows.Scan(&s, &id); err != nil {
			return err
		}
		ids[s] = id
	}
	for i := range cs {
		cs[i].id = ids[cs[i].seq]
	}
	return rows.Err()
}

// createdCond is the SQL condition for one created: range on col.
func createdCond(col string, r msRange, arg func(any) string) string {
	var parts []string
	if r.from != 0 {
		parts = append(parts, col+" >= "+arg(r.from))
	}
	if r.to != 0 {
		parts = append(parts, col+" < "+arg(r.to))
	}
	c := strings.Join(parts, " AND ")
	if r.negate {
		return "NOT (" + c + ")"
	}
	return c
}

func (e *sqliteEngine) bulk() bulkEngine { return &sqliteBulk{d: e.d} }

// sqliteBulk writes many documents per transaction.
type sqliteBulk struct{ d *db.DB }

func (b *sqliteBulk) start(ctx context.Context, n int64) (int64, error) {
	var base int64
	err := b.d.Tx(ctx, func(tx *sql.Tx) error {
		for _, s := range []string{
			`DELETE FROM search_docs`,
			`INSERT INTO search_tickets_fts (search_tickets_fts) VALUES ('delete-all')`,
			`INSERT INTO search_supporters_fts (search_supporters_fts) VALUES ('delete-all')`,
		} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("search: clear index: %w", err)
			}
		}
		// AUTOINCREMENT: new rowids exceed sqlite_sequence.seq, so reserving
		// [base, base+n) is raising it past the range.
		var cur sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'search_docs'`).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		base = cur.Int64 + 1
		if cur.Valid {
			_, err = tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = $1 WHERE name = 'search_docs'`, base+n)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES ('search_docs', $1)`, base+n)
		}
		if err != nil {
			return err
		}
		return setFTSConfig(ctx, tx, bulkFTSConfig)
	})
	return base, err
}

// FTS5 settings for a bulk load: keep up to 64 MB of terms in memory before
// writing a segment, and do not merge segments as they are written ('optimize'
// merges them all once at the end). The settings for ordinary writes
// (migration 0004) are restored afterwards.
var (
	bulkFTSConfig    = [][2]any{{"hashsize", 64 << 20}, {"automerge", 0}}
	defaultFTSConfig = [][2]any{{"hashsize", 1 << 20}, {"automerge", 8}}
)

func setFTSConfig(ctx context.Context, q db.Querier, cfg [][2]any) error {
	for _, t := range []string{"search_tickets_fts", "search_supporters_fts"} {
		for _, kv := range cfg {
			if _, err := q.ExecContext(ctx, "INSERT INTO "+t+" ("+t+", rank) VALUES ($1, $2)", kv[0], kv[1]); err != nil {
				return fmt.Errorf("search: fts5 %s %v: %w", kv[0], kv[1], err)
			}
		}
	}
	return nil
}

func (b *sqliteBulk) write(ctx context.Context, docs []*document, seqs []int64) error {
	if len(docs) == 0 {
		return nil
	}
	return b.d.Tx(ctx, func(tx *sql.Tx) error {
		// Documents a hook wrote since start are newer than ours: keep them.
		kind := docs[0].kind
		ids := make([]int64, len(docs))
		for i, d := range docs {
			ids[i] = d.id
		}
		var args []any
		list := inList(&args, ids)
		args = append(args, kind)
		rows, err := tx.QueryContext(ctx, `SELECT ref_id FROM search_docs WHERE ref_id IN (`+list+`) AND kind = $`+strconv.Itoa(len(args)), args...)
		if err != nil {
			return err
		}
		have := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			have[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		cols := ftsColumns(kind)
		// One row per INSERT: a statement that may abort midway (a
		// multi-row INSERT) opens a savepoint, and FTS5 writes its pending
		// terms to disk as a new segment at every savepoint, which then
		// have to be merged.
		docIns, err := tx.PrepareContext(ctx, "INSERT INTO search_docs (seq, kind, ref_id, created_at) VALUES (?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer docIns.Close()
		ph := strings.Repeat(", ?", len(cols))
		ftsIns, err := tx.PrepareContext(ctx, "INSERT INTO "+ftsTable(kind)+" (rowid, "+strings.Join(cols, ", ")+") VALUES (?"+ph+")")
		if err != nil {
			return err
		}
		defer ftsIns.Close()
		row := make([]any, len(cols)+1)
		for i, d := range docs {
			if have[d.id] {
				continue
			}
			if _, err := docIns.ExecContext(ctx, seqs[i], d.kind, d.id, d.createdAt); err != nil {
				return err
			}
			row[0] = seqs[i]
			for f := range cols {
				row[f+1] = d.ftsField(field(f))
			}
			if _, err := ftsIns.ExecContext(ctx, row...); err != nil {
				return err
			}
		}
		return nil
	})
}
func (b *sqliteBulk) finish(ctx context.Context) error {
	if err := setFTSConfig(ctx, b.d.W, defaultFTSConfig); err != nil {
		return err
	}
	// Merge the segments written batch by batch into one b-tree per table:
	// fewer segments to probe per query term.
	for _, t := range []string{"search_tickets_fts", "search_supporters_fts"} {
		if _, err := b.d.W.ExecContext(ctx, "INSERT INTO "+t+" ("+t+") VALUES ('optimize')"); err != nil {
			return fmt.Errorf("search: optimize %s: %w", t, err)
		}
	}
	_, err := b.d.W.ExecContext(ctx, "PRAGMA optimize")
	return err
}
