package search

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Result types and sort orders.
const (
	TypeTicket    = kindTicket
	TypeSupporter = kindSupporter

	SortRelevance = "relevance"
	SortRecent    = "recent"
)

// Page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// SupportersFirst is how many matching supporters a search of every
	// type shows above the tickets, on its first page.
	SupportersFirst = 3
	// SnippetRunes is the length of a hit's snippet.
	SnippetRunes = 160
	// MaxQueryRunes and MaxQueryParts bound a query (each word is a
	// posting list to read).
	MaxQueryRunes = 500
	MaxQueryParts = 24
)

// Options shape a search.
type Options struct {
	// Type is TypeTicket, TypeSupporter, or "" for both: up to
	// SupportersFirst supporters on the first page, then tickets. Filters
	// apply to tickets, so a query with filters searches tickets only.
	Type string
	// UserID is the searching member of staff (is:mine, assignee:me).
	UserID int64
	// IncludeNotes lets the search see staff-only text: internal notes on
	// tickets and notes about supporters. Only staff may set it; a search
	// without it neither matches, excludes nor shows that text.
	IncludeNotes bool
	// Limit is the page size: DefaultLimit when 0, at most MaxLimit.
	Limit int
	// Cursor is the NextCursor of the previous page.
	Cursor string
	// Sort is SortRelevance (the default) or SortRecent: most recently
	// changed first. A query with filters but no words is always recent.
	Sort string
	// Location is the time zone of created: dates; nil means the
	// organisation's time zone.
	Location *time.Location
}

// Results is one page of hits.
type Results struct {
	Items []Hit `json:"items"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"next_cursor"`
	// Capped: so many tickets matched that relevance ranking covered only
	// the most recently changed of them (see docs/search.md). Narrowing the
	// query or sorting by recent sees the rest.
	Capped bool `json:"capped,omitempty"`
}

// Hit is one ticket or supporter found.
type Hit struct {
	Type  string `json:"type"` // TypeTicket or TypeSupporter
	ID    int64  `json:"id"`
	Title string `json:"title"` // plain text: the subject, or the supporter's name
	// Snippet is HTML: escaped text with the matches in <mark>…</mark>.
	Snippet   string    `json:"snippet"`
	Score     float64   `json:"score"`            // higher is better; 0 when sorted by recency
	Number    int64     `json:"number,omitempty"` // tickets
	Status    string    `json:"status,omitempty"` // tickets
	UpdatedAt time.Time `json:"updated_at"`
}

// Search runs a query (see Parse for the language). A malformed query,
// option or cursor is an *errs.Invalid naming the field: "q", "type",
// "sort", "limit" or "cursor".
func (x *Index) Search(ctx context.Context, q string, o Options) (Results, error) {
	query, people, main, err := x.plans(ctx, q, o)
	if err != nil {
		return Results{}, err
	}
	var res Results
	if people != nil {
		hits, _, _, err := x.run(ctx, people, query)
		if err != nil {
			return Results{}, err
		}
		res.Items = hits
	}
	hits, next, capped, err := x.run(ctx, main, query)
	if err != nil {
		return Results{}, err
	}
	res.Items = append(res.Items, hits...)
	res.NextCursor, res.Capped = next, capped
	if res.Items == nil {
		res.Items = []Hit{}
	}
	return res, nil
}

// Explain returns the database's plan for the main query of a search
// (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), for
// diagnosing slow searches.
func (x *Index) Explain(ctx context.Context, q string, o Options) (string, error) {
	_, _, main, err := x.plans(ctx, q, o)
	if err != nil {
		return "", err
	}
	main.explain = true
	pg, err := x.eng.search(ctx, x.db.R, main)
	return pg.explain, err
}

// plans validates a search and resolves it into the plan for supporters
// shown above tickets (nil when none) and the main plan.
func (x *Index) plans(ctx context.Context, q string, o Options) (Query, *plan, *plan, error) {
	switch o.Type {
	case "", TypeTicket, TypeSupporter:
	default:
		return Query{}, nil, nil, errs.Field("type", "invalid", "type must be ticket, supporter or empty")
	}
	switch o.Sort {
	case "", SortRelevance, SortRecent:
	default:
		return Query{}, nil, nil, errs.Field("sort", "invalid", "sort must be relevance or recent")
	}
	if o.Limit < 0 || o.Limit > MaxLimit {
		return Query{}, nil, nil, errs.Field("limit", "invalid", "limit must be between 1 and %d", MaxLimit)
	}
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return Query{}, nil, nil, errs.Field("q", "too_long", "a search is at most %d characters", MaxQueryRunes)
	}
	query, err := Parse(q)
	if err != nil {
		var bad ErrBadFilter
		if errors.As(err, &bad) {
			return Query{}, nil, nil, &errs.Invalid{Field: "q", Code: "invalid",
				Message: fmt.Sprintf("%s:%s — %s", bad.Name, bad.Value, bad.Reason)}
		}
		return Query{}, nil, nil, err
	}
	if query.IsEmpty() {
		return Query{}, nil, nil, errs.Field("q", "required", "type a word, a phrase or a filter to search for")
	}
	if n := len(query.Must) + len(query.Exclude) + len(query.Filters); n > MaxQueryParts {
		return Query{}, nil, nil, errs.Field("q", "too_long", "a search has at most %d words, phrases and filters", MaxQueryParts)
	}
	typ := o.Type
	if typ == "" && len(query.Filters) > 0 {
		typ = TypeTicket
	}
	if typ == TypeSupporter {
		if len(query.Filters) > 0 {
			return Query{}, nil, nil, errs.Field("q", "invalid", "filters such as %s: apply to tickets, not to supporters", query.Filters[0].Name)
		}
		if len(query.Must) == 0 {
			return Query{}, nil, nil, errs.Field("q", "required", "type a name, an e-mail address or a phone number")
		}
	}
	var people *plan
	if typ == "" && o.Cursor == "" && len(query.Must) > 0 {
		people = &plan{kind: kindSupporter, must: query.Must, exclude: query.Exclude, notes: o.IncludeNotes, limit: SupportersFirst}
	}
	kind := typ
	if kind == "" {
		kind = TypeTicket
	}
	main := &plan{kind: kind, must: query.Must, exclude: query.Exclude, notes: o.IncludeNotes,
		recent: o.Sort == SortRecent, limit: o.Limit}
	if err := decodeCursor(o.Cursor, main); err != nil {
		return Query{}, nil, nil, err
	}
	if kind == TypeTicket {
		if err := x.resolveFilters(ctx, query.Filters, o, main); err != nil {
			return Query{}, nil, nil, err
		}
	}
	return query, people, main, nil
}

// run asks the engine and loads the hits of one plan.
func (x *Index) run(ctx context.Context, p *plan, query Query) ([]Hit, string, bool, error) {
	pg, err := x.eng.search(ctx, x.db.R, p)
	if err != nil {
		return nil, "", false, err
	}
	items := pg.items
	next := ""
	if len(items) > p.limit {
		items = items[:p.limit]
		next = encodeCursor(p, items[len(items)-1])
	}
	var hits []Hit
	if p.kind == kindSupporter {
		hits, err = x.supporterHits(ctx, items, query, p.notes)
	} else {
		hits, err = x.ticketHits(ctx, items, query, p.notes)
	}
	return hits, next, pg.capped, err
}

// Cursors: "r<offset>" pages a relevance ranking, "t<seq>" a recency order.
func encodeCursor(p *plan, last candidate) string {
	var s string
	if p.recent || !p.hasText() {
		s = "t" + strconv.FormatInt(last.seq, 10)
	} else {
		s = "r" + strconv.Itoa(p.offset+p.limit)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(c string, p *plan) error {
	if c == "" {
		return nil
	}
	bad := errs.Field("cursor", "invalid", "malformed cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 {
		return bad
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || n <= 0 {
		return bad
	}
	byRecency := p.recent || !p.hasText()
	switch {
	case b[0] == 't' && byRecency:
		p.beforeSeq = n
	case b[0] == 'r' && !byRecency && n < 1<<20:
		p.offset = int(n)
	default:
		return errs.Field("cursor", "invalid", "the cursor belongs to another sort order")
	}
	return nil
}

// location is the time zone of created: dates.
func (x *Index) location(ctx context.Context, o Options) *time.Location {
	if o.Location != nil {
		return o.Location
	}
	var tz string
	if err := x.db.R.QueryRowContext(ctx, `SELECT time_zone FROM organisation WHERE id = 1`).Scan(&tz); err == nil {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return time.UTC
}

// ticketHits loads the tickets of a page and makes their snippets.
func (x *Index) ticketHits(ctx context.Context, cs []candidate, query Query, notes bool) ([]Hit, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.id
	}
	var args []any
	list := inList(&args, ids)
	rows, err := x.db.R.QueryContext(ctx, `SELECT id, number, subject, status, updated_at FROM tickets WHERE id IN (`+list+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: load hits: %w", err)
	}
	byID := map[int64]*Hit{}
	for rows.Next() {
		h := &Hit{Type: TypeTicket}
		var updated int64
		if err := rows.Scan(&h.ID, &h.Number, &h.Title, &h.Status, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		h.UpdatedAt = db.Time(updated)
		byID[h.ID] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	visible := " AND direction <> 'note'"
	if notes {
		visible = ""
	}
	rows, err = x.db.R.QueryContext(ctx, `SELECT ticket_id, body_text FROM messages WHERE ticket_id IN (`+list+`)`+visible+` ORDER BY ticket_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: load snippets: %w", err)
	}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return nil, err
		}
		h := byID[id]
		if h == nil || strings.Contains(h.Snippet, "<mark>") {
			continue
		}
		s := Snippet(body, query, SnippetRunes)
		if h.Snippet == "" || strings.Contains(s, "<mark>") {
			h.Snippet = s
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	out := make([]Hit, 0, len(cs))
	for _, c := range cs {
		h := byID[c.id]
		if h == nil { // deleted since it was indexed
			continue
		}
		h.Score = c.score
		out = append(out, *h)
	}
	return out, nil
}

// supporterHits loads the supporters of a page.
func (x *Index) supporterHits(ctx context.Context, cs []candidate, query Query, notes bool) ([]Hit, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.id
	}
	people, err := loadPeople(ctx, x.db.R, ids)
	if err != nil {
		return nil, err
	}
	var args []any
	list := inList(&args, ids)
	updated := map[int64]int64{}
	rows, err := x.db.R.QueryContext(ctx, `SELECT id, updated_at FROM supporters WHERE id IN (`+list+`)`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, u int64
		if err := rows.Scan(&id, &u); err != nil {
			rows.Close()
			return nil, err
		}
		updated[id] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Hit, 0, len(cs))
	for _, c := range cs {
		p := people[c.id]
		if p == nil {
			continue
		}
		h := Hit{Type: TypeSupporter, ID: p.id, Title: p.name, Score: c.score, UpdatedAt: db.Time(updated[p.id])}
		var contact []string
		seen := map[string]bool{}
		for _, v := range append([]string{p.email}, p.identities...) {
			if k := strings.ToLower(v); v != "" && !seen[k] {
				seen[k] = true
				contact = append(contact, v)
			}
		}
		if h.Title == "" && len(contact) > 0 {
			h.Title = contact[0]
		}
		text := strings.Join(contact, " · ")
		if notes && p.notes != "" {
			if s := Snippet(p.notes, query, SnippetRunes); strings.Contains(s, "<mark>") && !strings.Contains(Snippet(text, query, 0), "<mark>") {
				text = p.notes
			}
		}
		if p.name != "" {
			text = p.name + " · " + text
		}
		h.Snippet = Snippet(text, query, SnippetRunes)
		out = append(out, h)
	}
	return out, nil
}
