package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/search"
)

// A query set has named kinds, each a list of queries:
//
//	common   the 40 terms in the most tickets (CJK bigrams such as 寄付 or
//	         收据 and English words that match 10–60% of all tickets): the
//	         hard case for ranked search
//	one      one word (a CJK bigram or a Latin word) taken from a random
//	         ticket's text: what a person remembers of a ticket
//	two      two words from the same random ticket
//	rare     a word from a random ticket that is in few tickets (< 0.1%)
//	filter   a word from a random ticket with a status: or lang: filter
//
// Each kind runs sorted by relevance and sorted by recency.
type querySet map[string][]string

var kinds = []string{"common", "one", "two", "rare", "filter"}

func measureQueries(ctx context.Context, d *db.DB, c config) error {
	qs, err := loadOrSample(ctx, d, c)
	if err != nil {
		return err
	}
	idx := search.New(d)
	if c.explain {
		if err := explain(ctx, idx, qs); err != nil {
			return err
		}
	}
	if c.queries == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(uint64(c.seed), 99))
	for i := 0; i < c.warmup; i++ {
		k := kinds[rng.IntN(len(kinds))]
		if len(qs[k]) == 0 {
			continue
		}
		q := qs[k][rng.IntN(len(qs[k]))]
		if _, err := idx.Search(ctx, q, search.Options{Type: search.TypeTicket, IncludeNotes: true}); err != nil {
			return fmt.Errorf("%q: %w", q, err)
		}
	}
	fmt.Printf("queries: %d per kind and order, page of 20 with snippets (search.Index.Search, one at a time)\n", c.queries)
	fmt.Printf("  %-8s %-9s %8s %8s %8s %8s %7s %8s\n", "kind", "order", "p50", "p95", "p99", "max", "capped", "hits")
	for _, k := range kinds {
		if len(qs[k]) == 0 {
			continue
		}
		for _, sortBy := range []string{search.SortRelevance, search.SortRecent} {
			var lat []time.Duration
			capped, hits := 0, 0
			for i := 0; i < c.queries; i++ {
				q := qs[k][i%len(qs[k])]
				start := time.Now()
				res, err := idx.Search(ctx, q, search.Options{Type: search.TypeTicket, Sort: sortBy, IncludeNotes: true, UserID: 1})
				if err != nil {
					return fmt.Errorf("%q: %w", q, err)
				}
				lat = append(lat, time.Since(start))
				if c.slow > 0 && lat[len(lat)-1] > c.slow {
					fmt.Printf("  slow: %s %s %q %s\n", k, sortBy, q, ms(lat[len(lat)-1]))
				}
				if res.Capped {
					capped++
				}
				hits += len(res.Items)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
			fmt.Printf("  %-8s %-9s %8s %8s %8s %8s %6.0f%% %8.1f\n", k, sortBy, ms(pct(0.50)), ms(pct(0.95)), ms(pct(0.99)), ms(lat[len(lat)-1]),
				100*float64(capped)/float64(len(lat)), float64(hits)/float64(len(lat)))
		}
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// loadOrSample reads the query set from --query-file, or samples one (and
// writes it there), so both engines can run the same queries.
func loadOrSample(ctx context.Context, d *db.DB, c config) (querySet, error) {
	if c.queryFile != "" {
		if f, err := os.Open(c.queryFile); err == nil {
			defer f.Close()
			qs := querySet{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				k, q, ok := strings.Cut(sc.Text(), "\t")
				if ok {
					qs[k] = append(qs[k], q)
				}
			}
			fmt.Printf("queries from %s\n", c.queryFile)
			return qs, sc.Err()
		}
	}
	qs, err := sample(ctx, d, c.seed)
	if err != nil {
		return nil, err
	}
	if c.queryFile != "" {
		f, err := os.Create(c.queryFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		for _, k := range kinds {
			for _, q := range qs[k] {
				fmt.Fprintf(f, "%s\t%s\n", k, q)
			}
		}
	}
	return qs, nil
}

// sample draws queries from random tickets' text, with the same seed the
// same queries on both engines (the demo data is the same).
func sample(ctx context.Context, d *db.DB, seed int64) (querySet, error) {
	var maxID int64
	if err := d.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM tickets").Scan(&maxID); err != nil {
		return nil, err
	}
	if maxID == 0 {
		return nil, fmt.Errorf("no tickets")
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	qs := querySet{}
	words := func(id int64) ([]string, error) {
		var subject string
		if err := d.R.QueryRowContext(ctx, "SELECT subject FROM tickets WHERE id = $1", id).Scan(&subject); err != nil {
			if err == sql.ErrNoRows {
				return nil, nil
			}
			return nil, err
		}
		rows, err := d.R.QueryContext(ctx, "SELECT body_text FROM messages WHERE ticket_id = $1 AND direction <> 'note'", id)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		text := subject
		for rows.Next() {
			var b string
			if err := rows.Scan(&b); err != nil {
				return nil, err
			}
			text += "\n" + b
		}
		var out []string
		for _, t := range search.Analyze(text) {
			n := utf8.RuneCountInString(t)
			r, _ := utf8.DecodeRuneInString(t)
			cjk := r >= 0x3040
			// CJK bigrams, and Latin words of 4+ letters (a person does
			// not search for "the").
			if (cjk && n == 2) || (!cjk && n >= 4 && !strings.ContainsAny(t, "0123456789@.")) {
				out = append(out, t)
			}
		}
		return out, rows.Err()
	}
	for len(qs["one"]) < 200 || len(qs["two"]) < 200 || len(qs["filter"]) < 100 {
		ws, err := words(1 + rng.Int64N(maxID))
		if err != nil {
			return nil, err
		}
		if len(ws) < 2 {
			continue
		}
		a, b := ws[rng.IntN(len(ws))], ws[rng.IntN(len(ws))]
		if len(qs["one"]) < 200 {
			qs["one"] = append(qs["one"], a)
		}
		if len(qs["two"]) < 200 && a != b {
			qs["two"] = append(qs["two"], a+" "+b)
		}
		if len(qs["filter"]) < 100 {
			f := []string{"status:open", "status:resolved", "lang:ja", "lang:zh", "lang:en", "is:unassigned", "type:complaint"}[rng.IntN(7)]
			qs["filter"] = append(qs["filter"], a+" "+f)
		}
	}
	// Rare: what people look up exactly — a supporter's e-mail address or
	// phone number, a ticket number.
	for len(qs["rare"]) < 60 {
		var v string
		var err error
		switch len(qs["rare"]) % 3 {
		case 0:
			err = d.R.QueryRowContext(ctx, "SELECT value FROM supporter_identities WHERE kind = 'email' AND id >= $1 ORDER BY id LIMIT 1", 1+rng.Int64N(maxID/5)).Scan(&v)
		case 1:
			err = d.R.QueryRowContext(ctx, "SELECT value FROM supporter_identities WHERE kind = 'phone' AND id >= $1 ORDER BY id LIMIT 1", 1+rng.Int64N(maxID/5)).Scan(&v)
		default:
			var n int64
			err = d.R.QueryRowContext(ctx, "SELECT number FROM tickets WHERE id >= $1 ORDER BY id LIMIT 1", 1+rng.Int64N(maxID)).Scan(&n)
			v = fmt.Sprintf("#%d", n)
		}
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, err
		}
		qs["rare"] = append(qs["rare"], v)
	}
	common, err := commonTerms(ctx, d, qs["one"])
	if err != nil {
		return nil, err
	}
	qs["common"] = common
	return qs, nil
}

// commonTerms returns the 40 sampled words in the most tickets, and prints
// how many tickets they match.
func commonTerms(ctx context.Context, d *db.DB, words []string) ([]string, error) {
	type wc struct {
		w string
		n int
	}
	var total int
	if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&total); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var all []wc
	for _, w := range words {
		if seen[w] {
			continue
		}
		seen[w] = true
		q := `SELECT COUNT(*) FROM search_tickets_fts WHERE search_tickets_fts MATCH $1`
		arg := `{subject body notes people} : "` + w + `"`
		if d.Engine == db.Postgres {
			q = `SELECT COUNT(*) FROM search_docs WHERE kind = 'ticket' AND search_vector(terms) @@ $1::tsquery`
			arg = "'" + w + "'"
		}
		var n int
		if err := d.R.QueryRowContext(ctx, q, arg).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %q: %w", w, err)
		}
		all = append(all, wc{w, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n })
	var out []string
	for _, x := range all[:min(40, len(all))] {
		out = append(out, x.w)
	}
	last := all[min(40, len(all))-1]
	fmt.Printf("common words: %q in %.0f%% of tickets … %q in %.1f%%\n", all[0].w, 100*float64(all[0].n)/float64(total),
		last.w, 100*float64(last.n)/float64(total))
	return out, nil
}

// explain prints the plans of the first query of each kind, by relevance.
func explain(ctx context.Context, idx *search.Index, qs querySet) error {
	for _, k := range kinds {
		if len(qs[k]) == 0 {
			continue
		}
		plan, err := idx.Explain(ctx, qs[k][0], search.Options{Type: search.TypeTicket, IncludeNotes: true, UserID: 1})
		if err != nil {
			return err
		}
		fmt.Printf("explain %s %q:\n%s\n", k, qs[k][0], plan)
	}
	return nil
}
