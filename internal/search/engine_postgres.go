package search

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
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

// textFields lists the fields of its own run form a text group searches,
// and their rank weights. (A ticket's supporter is matched through the
// supporter's document: supporterMatch.)
func textFields(p *plan) ([]field, []int) {
	if p.kind == kindSupporter {
		if p.notes {
			return []field{fName, fContact, fSNotes}, []int{5, 3, 1}
		}
		return []field{fName, fContact}, []int{5, 3}
	}
	if p.notes {
		return []field{fSubject, fBody, fNotes}, []int{10, 1, 1}
	}
	return []field{fSubject, fBody}, []int{10, 1}
}

// A ticket's run form does not repeat its supporter's name and addresses
// (a tenth of the index, at the demo data's five messages a ticket); it
// names the supporter with a filter term, pgSupporterTerm. A word or phrase
// matches a ticket if its own text contains it or its supporter's document
// does (name, addresses), and from: matches the supporter's document. So a
// search first finds, per word, the supporters it matches (supporterMatches)
// and then adds "or the supporter is one of these" to the word's conditions.
const (
	// pgSupporterExpr is a ticket row's supporter id, read from its filter
	// terms. The b-tree search_docs_supporter (migration 0016)
	// indexes exactly this expression, so a top-level "pgSupporterExpr =
	// ANY(ids)" is answered from that index.
	pgSupporterExpr = `substring(split_part(terms, chr(1), 5) from chr(4) || 'p([0-9]+)')::bigint`
	// pgSupporterCap bounds the supporters one word may match. A plain word
	// in more supporters' names or addresses (example, com) finds tickets by
	// their own text only; from: beyond it is an error asking for more.
	pgSupporterCap = 10000
	// pgSupporterBranches bounds the words of one query whose supporters
	// are fetched through search_docs_supporter (pgCand.branches: 2^n - 1
	// extra queries); further such words are checked row by row.
	pgSupporterBranches = 3
)

// pgSupporterOr: up to this many supporters, the GIN query ORs their terms
// with the word's; past it their tickets are fetched by supporter
// (pgCand.branches). Each ORed term is one more posting list in every GIN
// scan of the query and one more item in the tsquery checked per posting:
// 李伟's 110 supporters cost ~45 ms a scan at 1,000,000 tickets, where the
// b-tree search_docs_supporter takes ~3.5 µs a supporter to probe. A
// variable so that tests can take the second path with a handful of
// supporters.
var pgSupporterOr = 8

// pgSupporterWalk: a lone word (nothing else for the GIN index) in more
// supporters' names than this is found by the walk newest first instead
// (see build).
var pgSupporterWalk = 2000

// supporterMatch is the supporters whose name or addresses contain a group.
type supporterMatch struct {
	ids  []int64
	over bool // more than pgSupporterCap: unused
}

// usable reports whether the match takes part in the query.
func (m supporterMatch) usable() bool { return len(m.ids) > 0 && !m.over }

// orTerms returns the supporters' terms ORed for a tsquery, "" when there
// are none or too many.
func (m supporterMatch) orTerms() string {
	if !m.usable() || len(m.ids) > pgSupporterOr {
		return ""
	}
	parts := make([]string, len(m.ids))
	for i, id := range m.ids {
		parts[i] = tsLexeme(pgSupporterTerm(id))
	}
	return strings.Join(parts, " | ")
}

// supporterMatches finds, for each group, the supporters whose name or
// addresses contain it, with the supporters' own GIN index
// (search_docs_supporters, migration 0014).
func (e *pgEngine) supporterMatches(ctx context.Context, dbq db.Querier, groups []Group) ([]supporterMatch, error) {
	out := make([]supporterMatch, len(groups))
	if len(groups) == 0 {
		return out, nil
	}
	err := withoutIndexScans(ctx, dbq, func(tx db.Querier) error {
		for i, g := range groups {
			pat := runPattern(g.Text)
			rows, err := tx.QueryContext(ctx, `SELECT ref_id FROM search_docs
				WHERE kind = 'supporter' AND search_vector(terms) @@ $1::tsquery
				AND (strpos(`+pgBlock(fName)+`, $2) > 0 OR strpos(`+pgBlock(fContact)+`, $2) > 0)
				LIMIT $3`, tsAnd(g, ""), pat, pgSupporterCap+1)
			if err != nil {
				return fmt.Errorf("search: postgres supporters: %w", err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				out[i].ids = append(out[i].ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(out[i].ids) > pgSupporterCap {
				out[i] = supporterMatch{over: true}
			}
			slices.Sort(out[i].ids)
		}
		return nil
	})
	return out, err
}

// supporters holds the supporter matches of a ticket plan's groups.
type supporters struct {
	must, exclude, from, notFrom []supporterMatch
}

// resolveSupporters finds the supporters of a ticket plan's groups; from:
// that matches too many is an error, naming the filter.
func (e *pgEngine) resolveSupporters(ctx context.Context, dbq db.Querier, p *plan) (supporters, error) {
	var s supporters
	if p.kind != kindTicket {
		return s, nil
	}
	var all []Group
	all = append(all, p.must...)
	all = append(all, p.exclude...)
	all = append(all, p.from...)
	all = append(all, p.notFrom...)
	m, err := e.supporterMatches(ctx, dbq, all)
	if err != nil {
		return s, err
	}
	n1, n2, n3 := len(p.must), len(p.must)+len(p.exclude), len(p.must)+len(p.exclude)+len(p.from)
	s.must, s.exclude, s.from, s.notFrom = m[:n1], m[n1:n2], m[n2:n3], m[n3:]
	for i, g := range append(append([]Group(nil), p.from...), p.notFrom...) {
		if m[n2+i].over {
			return s, errs.Field("q", "too_many", "from:%s matches more than %d supporters — give more of the name, or the address", g.Text, pgSupporterCap)
		}
	}
	return s, nil
}

// isSupporter is the condition "the ticket's supporter is one of m".
func (q *pgQuery) isSupporter(m supporterMatch) string {
	return pgSupporterExpr + " = ANY(" + q.arg(m.ids) + "::bigint[])"
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

// pgCand is the GIN side of a query, kept in parts so that search can
// assemble the tsquery of each branch (see branches).
type pgCand struct {
	// must: per text group, its terms (also under notesPrefix with notes,
	// and ORed with its supporters' terms when there are few); "" when the
	// group is checked row by row only.
	must []string
	// via: per text group, its supporters when there are too many to OR
	// (nil otherwise); the group's must part is then its own text only.
	via [][]int64
	// own: per text group, its own terms only (no supporters): what
	// estimate asks the planner about.
	own []string
	// filters: the other parts every match has (from:, filter terms);
	// neg: the parts it must not have (single-term exclusions, negated
	// filters), usable only beside a positive part.
	filters, neg []string
}

// tsquery ANDs the parts, leaving out the text groups in skip.
func (c pgCand) tsquery(skip []bool) string {
	var pos []string
	for i, m := range c.must {
		if m != "" && (skip == nil || !skip[i]) {
			pos = append(pos, m)
		}
	}
	pos = append(pos, c.filters...)
	if len(pos) == 0 {
		return ""
	}
	return strings.Join(append(pos, c.neg...), " & ")
}

// estimate is the tsquery of the text groups' own terms and the filters,
// for the planner's estimate of how common the query is. ORed supporter
// terms are left out: the planner has no statistics on them and takes each
// for half as common as the least common term it knows, so 120 of them
// (刘明's supporters) made `刘明 回复` look common, and the walk newest
// first read 50,000 rows for 25 matches (~170 ms).
func (c pgCand) estimate() string {
	return pgCand{must: c.own, filters: c.filters, neg: c.neg}.tsquery(nil)
}

// pgBranch is one of the ways a ticket can match: the GIN tsquery (""
// for none) and, for the words matched through the ticket's supporter,
// their supporters (each set a condition on search_docs_supporter).
type pgBranch struct {
	cand string
	via  [][]int64
}

// branches lists the ways other than the main tsquery (tsquery(nil)) in
// which a ticket can match. A word with too many supporters to OR (a
// common given name: sophie is in ~4,000 of 200,000 supporters' names)
// matches a ticket if its own text has the word (the main tsquery keeps the
// word's terms) or if its supporter is one of those; the second way is a
// separate query per non-empty subset of such words — those words through
// the supporter (the b-tree search_docs_supporter), the others as in the
// main tsquery — and search merges their results before ranking. Without
// this the word was left out of the GIN query and every ticket with the
// other words was checked row by row (`used sophie`: 32,942 tickets).
func (c pgCand) branches() []pgBranch {
	var big []int
	for i, v := range c.via {
		if v != nil {
			big = append(big, i)
		}
	}
	var out []pgBranch
	for set := 1; set < 1<<len(big); set++ {
		skip := make([]bool, len(c.must))
		var b pgBranch
		for k, i := range big {
			if set&(1<<k) != 0 {
				skip[i] = true
				b.via = append(b.via, c.via[i])
			}
		}
		b.cand = c.tsquery(skip)
		out = append(out, b)
	}
	return out
}

// build returns the GIN side of p, the exact condition and, if withRank,
// the rank expression. (Every argument must appear in the SQL: PostgreSQL
// rejects a parameter whose type it cannot infer.)
func (q *pgQuery) build(p *plan, sup supporters, withRank bool) (cand pgCand, exact, rank string) {
	fields, weights := textFields(p)
	var conds, ranks []string
	cand.must = make([]string, len(p.must))
	cand.via = make([][]int64, len(p.must))
	cand.own = make([]string, len(p.must))
	nVia := 0
	for i, g := range p.must {
		var sm supporterMatch
		if sup.must != nil {
			sm = sup.must[i]
		}
		c := tsAnd(g, "")
		if p.notes {
			c += " | " + tsAnd(g, notesPrefix)
		}
		cand.own[i] = "(" + c + ")"
		switch or := sm.orTerms(); {
		case or != "":
			c += " | " + or
		case sm.usable() && nVia < pgSupporterBranches:
			cand.via[i] = sm.ids // c: the ticket's own text; branches: the supporters
			nVia++
		case sm.usable():
			c = "" // checked row by row
		}
		if c != "" {
			cand.must[i] = "(" + c + ")"
		}
		pat := runPattern(g.Text)
		cond := q.has(fields, pat)
		if sm.usable() {
			cond = "(" + cond + " OR " + q.isSupporter(sm) + ")"
			if withRank {
				ranks = append(ranks, "2 * (CASE WHEN "+q.isSupporter(sm)+" THEN 1 ELSE 0 END)")
			}
		}
		conds = append(conds, cond)
		if !withRank {
			continue
		}
		a := q.arg(pat)
		for i, f := range fields {
			// A subject or name hit counts once (strpos: no need to count
			// them); repeats in messages up to five times.
			if weights[i] > 1 {
				ranks = append(ranks, fmt.Sprintf("%d * (strpos(%s, %s) > 0)::int", weights[i], pgBlock(f), a))
				continue
			}
			ranks = append(ranks, fmt.Sprintf("%d * LEAST(search_count(%s, %s), 5)", weights[i], pgBlock(f), a))
		}
	}
	for i := range p.from {
		sm := sup.from[i]
		if len(sm.ids) == 0 {
			conds = append(conds, "FALSE") // no such supporter
			continue
		}
		if or := sm.orTerms(); or != "" {
			cand.filters = append(cand.filters, "("+or+")")
		}
		// Also a top-level condition search_docs_supporter can answer.
		conds = append(conds, q.isSupporter(sm))
	}
	for _, set := range p.anyOf {
		alts := make([]string, len(set))
		pats := make([]string, len(set))
		for i, t := range set {
			alts[i] = tsLexeme(pgMeta(t))
			pats[i] = "strpos(" + pgBlock(fMeta) + ", " + q.arg(" "+pgMeta(t)+" ") + ") > 0"
		}
		cand.filters = append(cand.filters, "("+strings.Join(alts, " | ")+")")
		conds = append(conds, "("+strings.Join(pats, " OR ")+")")
	}
	for i, g := range p.exclude {
		var sm supporterMatch
		if sup.exclude != nil {
			sm = sup.exclude[i]
		}
		if len(g.Terms) == 1 && !sm.usable() {
			c := "!" + tsAnd(g, "")
			if p.notes {
				c += " & !" + tsAnd(g, notesPrefix)
			}
			cand.neg = append(cand.neg, c)
		}
		cond := q.has(fields, runPattern(g.Text))
		if sm.usable() {
			cond = "(" + cond + " OR " + q.isSupporter(sm) + ")"
		}
		conds = append(conds, "NOT "+cond)
	}
	for i := range p.notFrom {
		if sm := sup.notFrom[i]; sm.usable() {
			conds = append(conds, "NOT "+q.isSupporter(sm))
		}
	}
	for _, t := range p.noneOf {
		cand.neg = append(cand.neg, "!"+tsLexeme(pgMeta(t)))
		conds = append(conds, "strpos("+pgBlock(fMeta)+", "+q.arg(" "+pgMeta(t)+" ")+") = 0")
	}
	// A lone word with many supporters and nothing else for the GIN index
	// (`sophie`, over pgSupporterWalk), sorted by recency: its supporter
	// branch might fetch every one of their tickets (~20,000) for 20; the
	// walk newest first (no tsquery) finds them sooner. Ranked, the walk
	// needs 500 matches (`hall`: 25,000 rows, ~140 ms) and the branch, with
	// the range of the main query's 500th, is cheaper (~50 ms). With fewer
	// supporters (`李伟`: 110) the GIN index finds its own text and the
	// branch its supporters' tickets.
	if nVia == 1 && len(cand.filters) == 0 {
		others, many := 0, false
		for i, m := range cand.must {
			if m != "" && cand.via[i] == nil {
				others++
			}
			many = many || len(cand.via[i]) > pgSupporterWalk
		}
		if others == 0 && many && !withRank {
			cand.must = make([]string, len(p.must))
			cand.via = make([][]int64, len(p.must))
			cand.own = make([]string, len(p.must))
		}
	}
	if len(conds) == 0 {
		conds = []string{"TRUE"}
	}
	return cand, strings.Join(conds, " AND "), strings.Join(ranks, " + ")
}

// putAll upserts docs, several to a statement when there is more than one
// (a supporter's tickets after SupporterChanged).
func (e *pgEngine) putAll(ctx context.Context, q db.Querier, docs []*document) error {
	tx, ok := q.(*sql.Tx)
	if !ok || len(docs) == 1 {
		for _, d := range docs {
			if err := e.put(ctx, q, d); err != nil {
				return err
			}
		}
		return nil
	}
	ins := newMultiInsert("INSERT INTO search_docs (kind, ref_id, created_at, terms) VALUES ", 4)
	ins.suffix = pgUpsert
	for _, d := range docs {
		if err := ins.add(ctx, tx, d.kind, d.id, d.createdAt, d.runFields()); err != nil {
			return err
		}
	}
	return ins.flush(ctx, tx)
}

// pgUpsert gives a replaced document a new seq (see engine).
const pgUpsert = ` ON CONFLICT (kind, ref_id) DO UPDATE
		SET seq = nextval('search_docs_seq'), created_at = EXCLUDED.created_at, terms = EXCLUDED.terms`

func (e *pgEngine) put(ctx context.Context, q db.Querier, d *document) error {
	_, err := q.ExecContext(ctx, `INSERT INTO search_docs (kind, ref_id, created_at, terms) VALUES ($1, $2, $3, $4)`+pgUpsert,
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
// with it (a variable so that tests can fill it with a few tickets).
var pgRankWindow = 500

const (
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
	sup, err := e.resolveSupporters(ctx, dbq, p)
	if err != nil {
		return page{}, err
	}
	q := &pgQuery{}
	parts, exact, rank := q.build(p, sup, !byRecency)
	cand := parts.tsquery(nil)
	if rank == "" {
		rank = "0"
	}
	// The kind is written out (it is one of two constants) so that the
	// planner can always use the partial indexes of migration 0014.
	where := "kind = '" + p.kind + "' AND " + exact
	for _, r := range p.created {
		where += " AND " + createdCond("created_at", r, q.arg)
	}
	if p.beforeSeq > 0 {
		where += " AND seq < " + q.arg(p.beforeSeq)
	}
	// The rank is computed over the newest candidates only, outside the
	// query that finds them: inside, PostgreSQL may compute it for every
	// row before the sort (~2,900 rows for `team attached` where 501 are
	// kept) once search_count is cheap enough to inline (migration 0018).
	inner := "terms"
	if rank == "0" {
		inner = "0"
	}
	sel := `SELECT seq, ref_id, ` + inner + ` FROM search_docs WHERE `
	ranked := func(query string) string {
		if rank == "0" {
			return query
		}
		return `SELECT seq, ref_id, ` + rank + ` FROM (` + query + `) c`
	}

	// Choose: walk newest first, or the GIN index.
	scan := cand == ""
	if !scan {
		var err error
		if _, scan, err = e.common(ctx, dbq, parts.estimate()); err != nil {
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
	// branchTop: the supporter branches look below it (the walk, if any,
	// checked the supporters of the seqs above).
	branchTop := top
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
		query = ranked(query)
		if p.explain {
			return explainQuery(ctx, dbq, e.d.Engine, query, a)
		}
		items, err := scanCandidates(ctx, dbq, query, a)
		if err != nil {
			return page{}, err
		}
		pg.items = items
		if len(items) > window || floor == 0 {
			// Enough, or the walk covered every document (the exact
			// condition includes the supporters).
			return e.finish(pg, p, window), nil
		}
		hi, branchTop = floor, floor
	}
	// The GIN index, for what the walk did not reach, newest first in
	// windows of seqs: each query ANDs the GIN bitmap with the primary
	// key's range, so it fetches only rows in its window however common the
	// terms turn out to be. Index and sequential scans are off (a plan
	// walking the primary key would compute search_vector for every row)
	// and work_mem is raised so that bitmaps stay exact (a lossy page is
	// rechecked by computing search_vector for each row).
	//
	// The first window is pgScanBudget seqs (unless the walk took them);
	// the matches found so far give the density that sizes the next one,
	// and when fewer than pgWindowFrom are expected in all the rest, one
	// query takes it whole (ANDing with the primary key would cost more
	// than the rows it saves). The planner's estimate is no guide (for a
	// term it has no statistics on it assumes half the least common
	// frequency it knows), and counting the matches first cost a second
	// GIN scan per query: ~15–20 ms for two words in 5% of the tickets.
	err = withoutIndexScans(ctx, dbq, func(tx db.Querier) error {
		found, covered := len(pg.items), top-hi
		width := int64(pgScanBudget)
		if covered > 0 {
			width = nextWindow(found, covered, hi, window+1-found)
		}
		for hi > 0 && len(pg.items) <= window {
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
			query = ranked(query)
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
			found, covered = found+len(items), covered+hi-lo
			hi = lo
			width = nextWindow(found, covered, hi, window+1-len(pg.items))
		}
		if p.explain {
			return nil
		}
		// The tickets matched through their supporters (pgCand.branches),
		// below where the walk stopped: one query each, the bitmap of the
		// supporters' tickets (search_docs_supporter) ANDed with the GIN
		// bitmap of the branch's tsquery, so that only rows with both are
		// read. Their newest matches merge with the main ones.
		for _, b := range parts.branches() {
			a := append([]any(nil), q.args...)
			query := sel + where
			for _, ids := range b.via {
				a = append(a, ids)
				query += " AND " + pgSupporterExpr + " = ANY($" + strconv.Itoa(len(a)) + "::bigint[])"
			}
			lo := int64(0)
			if len(pg.items) > window {
				// Older than the window's oldest cannot make the window:
				// the primary key's range is a third bitmap.
				lo = pg.items[window].seq
			}
			useGIN := false
			if b.cand != "" {
				// With a range, leave out a tsquery in a tenth of the
				// documents or more: reading its postings costs more than
				// checking the supporters' tickets in the range (`miller
				// kind`: 339,000 postings, 41 ms, for ~550 tickets).
				useGIN = true
				if lo > 0 {
					est, err := e.estimate(ctx, tx, b.cand)
					if err != nil {
						return err
					}
					e.statsMu.Lock()
					docs := e.stats.docs
					e.statsMu.Unlock()
					useGIN = docs <= 0 || est < docs/10
				}
				if useGIN {
					a = append(a, b.cand)
					query += " AND search_vector(terms) @@ $" + strconv.Itoa(len(a)) + "::tsquery"
				}
			}
			// The range as a bitmap costs ~0.05 µs a seq (16 ms for
			// `individual mark`'s 295,000), more than it saves once the
			// supporters' and the GIN bitmaps are ANDed: then only a
			// narrow one.
			if lo > 0 && (!useGIN || branchTop-lo <= pgScanBudget) {
				a = append(a, lo, branchTop)
				query += " AND seq > $" + strconv.Itoa(len(a)-1) + " AND seq < $" + strconv.Itoa(len(a))
			} else if lo > 0 {
				a = append(a, lo, branchTop)
				query += " AND seq + 0 > $" + strconv.Itoa(len(a)-1) + " AND seq + 0 < $" + strconv.Itoa(len(a))
			} else {
				a = append(a, branchTop)
				query += " AND seq + 0 < $" + strconv.Itoa(len(a))
			}
			a = append(a, window+1)
			query += " ORDER BY seq DESC LIMIT $" + strconv.Itoa(len(a))
			query = ranked(query)
			items, err := scanCandidates(ctx, tx, query, a)
			if err != nil {
				return err
			}
			pg.items = mergeNewest(pg.items, items)
		}
		return nil
	})
	if err != nil || p.explain {
		return pg, err
	}
	return e.finish(pg, p, window), nil
}

// nextWindow returns the width of the next window of seqs below hi, given
// found matches in the covered seqs above it and need more wanted: all of
// the rest if fewer than pgWindowFrom matches are expected there, else
// twice the width the density suggests for need.
func nextWindow(found int, covered, hi int64, need int) int64 {
	rest := float64(found) * float64(hi) / float64(max(covered, 1))
	if rest < pgWindowFrom || need <= 0 {
		return hi
	}
	return int64(2*float64(need)*float64(covered)/float64(found)) + 1
}

// mergeNewest merges two lists of candidates, each newest first, into one
// without repeats.
func mergeNewest(a, b []candidate) []candidate {
	if len(b) == 0 {
		return a
	}
	out := append(append(make([]candidate, 0, len(a)+len(b)), a...), b...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return slices.CompactFunc(out, func(x, y candidate) bool { return x.seq == y.seq })
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
