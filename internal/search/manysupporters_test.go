package search_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/search"
)

// supporterMixQueries combine words found through a ticket's supporter
// (names, addresses) with each other, with words of the ticket's own text,
// with exclusions and with filters.
var supporterMixQueries = []string{
	"sarah", "miller", "sarah miller", "receipt miller", "sarah receipt", "miller -receipt",
	"sarah miller receipt", "miller address", "example.com receipt", "example receipt",
	"佐藤 花子", "佐藤 領収", "花子 -領収", "花子 寄付", "佐藤 花子 領収書",
	"陳美玲 學校", "wang.wei 捐款", "王伟 电话", "meiling 报名",
	"receipt from:miller", "領収 from:佐藤", "miller status:open", "花子 lang:ja", "example -from:sarah",
	"example jp 寄付", "\"sarah miller\" receipt",
	"receipt donation", "donation receipt", "receipt volunteer", "keeper donation",
}

// TestManySupportersPath runs the labelled queries and supporterMixQueries
// on PostgreSQL with every supporter match taking the path for a word in
// too many supporters' names to OR into the GIN query (at 1,000,000
// tickets: a common given name in ~4,000 supporters' names), and demands
// the same tickets as the usual path.
func TestManySupportersPath(t *testing.T) {
	desk := setUpDesk(t, dbtest.OpenPostgres(t))
	gen := genCorpus(240)
	desk.createGenerated(t, gen)
	// A supporter whose name is also a word of many tickets' text.
	keeper := fxPerson{"Receipt Keeper", "keeper@example.net", ""}
	for i, body := range []string{"A donation made last week.", "Another donation, no paper yet.", "A volunteer question."} {
		desk.create(t, fxTicket{key: fmt.Sprintf("keeper-%d", i), from: keeper, subject: "Question", body: body, lang: "en", channel: "email"})
	}

	run := func() map[string][]string {
		got := checkLabelled(t, desk, handQueries)
		for q, keys := range checkGenerated(t, desk, generatedLabelled(gen)) {
			got["gen: "+q] = keys
		}
		for _, q := range supporterMixQueries {
			for _, notes := range []bool{false, true} {
				keys := keysOf(desk, searchAll(t, desk.idx, q, search.Options{IncludeNotes: notes}))
				slices.Sort(keys)
				if notes {
					q += " [notes]"
				}
				got[q] = keys
			}
		}
		return got
	}
	usual := run()
	restore := search.SetPGSupporterOr(0)
	many := run()
	restore()
	found := 0
	for q, keys := range usual {
		if !slices.Equal(keys, many[q]) {
			t.Errorf("%s: usual path %v, many-supporters path %v", q, keys, many[q])
		}
		found += len(keys)
	}

	// Sorted by recency, a lone word with many supporters walks newest
	// first: the same tickets as through the supporter branch.
	recent := func() map[string][]string {
		got := map[string][]string{}
		for _, q := range supporterMixQueries {
			keys := keysOf(desk, searchAll(t, desk.idx, q, search.Options{IncludeNotes: true, Sort: search.SortRecent}))
			slices.Sort(keys)
			got[q] = keys
		}
		return got
	}
	restore = search.SetPGSupporterOr(0)
	branch := recent()
	restoreWalk := search.SetPGSupporterWalk(0)
	walk := recent()
	restoreWalk()
	restore()
	for q, keys := range branch {
		if !slices.Equal(keys, walk[q]) {
			t.Errorf("%s, by recency: supporter branch %v, walk %v", q, keys, walk[q])
		}
		if !slices.Equal(keys, usual[q+" [notes]"]) {
			t.Errorf("%s, by recency: %v, by relevance %v", q, keys, usual[q+" [notes]"])
		}
	}

	// With a rank window of 3, the main query fills it for the commoner
	// words, and the supporters' query only looks at newer tickets (the
	// primary key's range): the same newest matches either way.
	defer search.SetPGRankWindow(3)()
	capped := func() map[string][]string {
		got := map[string][]string{}
		for _, q := range supporterMixQueries {
			keys := keysOf(desk, searchAll(t, desk.idx, q, search.Options{IncludeNotes: true}))
			slices.Sort(keys)
			got[q] = keys
		}
		return got
	}
	usualCapped := capped()
	restore = search.SetPGSupporterOr(0)
	manyCapped := capped()
	restore()
	for q, keys := range usualCapped {
		if !slices.Equal(keys, manyCapped[q]) {
			t.Errorf("%s, rank window 3: usual path %v, many-supporters path %v", q, keys, manyCapped[q])
		}
	}
	if found == 0 {
		t.Fatal("no query found anything")
	}
	for _, q := range append(supporterMixQueries[:4], "receipt donation", "keeper donation") {
		if len(usual[q]) == 0 {
			t.Errorf("%s: nothing found", q)
		}
	}
	if k := usual["receipt donation"]; !slices.Contains(k, "keeper-0") || !slices.Contains(k, "keeper-1") || slices.Contains(k, "keeper-2") {
		t.Errorf("receipt donation: %v, want keeper-0 and keeper-1 (through their supporter), not keeper-2", k)
	}
}
