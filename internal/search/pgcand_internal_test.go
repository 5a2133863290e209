package search

import (
	"strings"
	"testing"
)

// A word in a hundred supporters' names (李伟 at 1,000,000 tickets) must
// not OR their hundred terms into the GIN query — that cost ~45 ms per GIN
// scan — but reach their tickets through one supporter branch, alone or
// beside another word; only a word in very many names (sophie) alone, sorted
// by recency, makes the query walk newest first.
func TestPGCandSupporterTerms(t *testing.T) {
	ids := func(n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(1000 + i)
		}
		return out
	}
	group := func(text string) Group {
		terms, prefix := AnalyzeQuery(text)
		return Group{Text: text, Terms: terms, Prefix: prefix}
	}
	cases := []struct {
		name      string
		words     []string
		matches   []supporterMatch
		ored      bool // supporter terms in the main tsquery
		branches  int
		walk      bool // no tsquery at all
		ownInMain string
	}{
		{"few supporters, ORed", []string{"陳美玲"}, []supporterMatch{{ids: ids(3)}}, true, 0, false, "陈美"},
		{"a hundred, alone", []string{"李伟"}, []supporterMatch{{ids: ids(110)}}, false, 1, false, "李伟"},
		{"a hundred, two words", []string{"李伟", "当天"}, []supporterMatch{{ids: ids(110)}, {}}, false, 1, false, "当天"},
		{"very many, alone, by recency", []string{"sophie"}, []supporterMatch{{ids: ids(2001)}}, false, 0, true, ""},
		{"very many, alone, ranked", []string{"sophie"}, []supporterMatch{{ids: ids(2001)}}, false, 1, false, "sophie"},
		{"very many, two words", []string{"used", "sophie"}, []supporterMatch{{}, {ids: ids(2001)}}, false, 1, false, "used"},
	}
	for _, c := range cases {
		p := &plan{kind: kindTicket, notes: true}
		for _, w := range c.words {
			p.must = append(p.must, group(w))
		}
		q := &pgQuery{}
		cand, _, _ := q.build(p, supporters{must: c.matches}, !strings.HasSuffix(c.name, "by recency"))
		main := cand.tsquery(nil)
		if got := strings.Contains(main, "\x04p"); got != c.ored {
			t.Errorf("%s: supporter terms in the main tsquery %v, want %v: %q", c.name, got, c.ored, main)
		}
		if (main == "") != c.walk {
			t.Errorf("%s: main tsquery %q, want walk %v", c.name, main, c.walk)
		}
		if c.ownInMain != "" && !strings.Contains(main, c.ownInMain) {
			t.Errorf("%s: main tsquery %q lacks %s", c.name, main, c.ownInMain)
		}
		if got := len(cand.branches()); got != c.branches {
			t.Errorf("%s: %d supporter branches, want %d", c.name, got, c.branches)
		}
	}
}
