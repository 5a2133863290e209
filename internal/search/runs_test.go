package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db/dbtest"
)

var runTexts = append(slices.Clone(recallDocs),
	"",
	"寄付金の領収書 (PDF) を送ってください。",
	"本",
	"a 本 b",
	"ﾎﾞﾗﾝﾃｨｱ説明会 sato.hanako@example.jp +81 3-1234-5678 #1042",
	"收據 收据 學校",
	"Zoë Dupré — café 🙏 기부 영수증",
	"HB-2024-45918 20240315-8891 ２枚",
)

// The run form holds the same terms as Analyze: expanding its runs into
// bigrams and closing characters gives them back.
func TestRunFormExpandsToAnalyze(t *testing.T) {
	for _, text := range runTexts {
		var got []string
		for _, tok := range analyzeRuns(text) {
			run, ok := strings.CutPrefix(tok, runMark)
			if !ok {
				got = append(got, tok)
				continue
			}
			rs := []rune(run)
			for i := 0; i+1 < len(rs); i++ {
				got = append(got, string(rs[i:i+2]))
			}
			got = append(got, string(rs[len(rs)-1]))
		}
		if want := Analyze(text); !slices.Equal(got, want) {
			t.Errorf("%q:\n run form %q\n expands to %q\n Analyze   %q", text, analyzeRuns(text), got, want)
		}
	}
}

// What a document contains — any run of CJK characters, any word, and
// phrases of words — is a substring of its run form. (Not tested: phrases
// that cut through a phone number or a digit sequence taken for one, whose
// extra terms differ between the document and the query; Analyze's terms
// have the same limit, on both engines.)
func TestRunPatternFindsEverySubstring(t *testing.T) {
	for _, text := range runTexts {
		doc := " " + strings.Join(analyzeRuns(text), " ") + " "
		check := func(q string) {
			if terms, _ := AnalyzeQuery(q); len(terms) == 0 || strings.ContainsAny(q, "0123456789０１２３４５６７８９") {
				return
			}
			if p := runPattern(q); !strings.Contains(doc, p) {
				t.Errorf("%q in %q: pattern %q not in %q", q, text, p, doc)
			}
		}
		rs := []rune(text)
		for i := range rs {
			for n := 1; n <= 6 && i+n <= len(rs); n++ {
				allCJK := i+n == len(rs) || (rs[i+n] != 'ﾞ' && rs[i+n] != 'ﾟ') // not cutting ﾎﾞ in two
				for _, r := range rs[i : i+n] {
					allCJK = allCJK && isCJK(r)
				}
				if allCJK {
					check(string(rs[i : i+n]))
				}
			}
		}
		words := strings.Fields(text)
		for i := range words {
			check(words[i])
			if i+1 < len(words) {
				check(words[i] + " " + words[i+1])
			}
		}
	}
}

// PostgreSQL's search_vector expands the run form into exactly Analyze's
// terms (and each run's first character), with notes under their prefix;
// a ticket's run form names its supporter instead of repeating their fields.
func TestSearchVectorMatchesAnalyze(t *testing.T) {
	d := dbtest.OpenPostgres(t)
	ctx := context.Background()
	for _, text := range runTexts {
		doc := newDocument(kindTicket, 1, 0)
		doc.supporter = 42
		doc.add(fSubject, text)
		doc.add(fNotes, text)
		doc.add(fPeople, text)
		want := map[string]bool{pgSupporterTerm(42): true}
		for _, term := range Analyze(text) {
			want[term] = true
			want[notesPrefix+term] = true
		}
		for _, tok := range analyzeRuns(text) {
			if run, ok := strings.CutPrefix(tok, runMark); ok {
				r, _ := utf8.DecodeRuneInString(run)
				want[string(r)] = true
				want[notesPrefix+string(r)] = true
			}
		}
		rows, err := d.R.QueryContext(ctx, `SELECT unnest(tsvector_to_array(search_vector($1)))`, doc.runFields())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for rows.Next() {
			var lex string
			if err := rows.Scan(&lex); err != nil {
				t.Fatal(err)
			}
			got[lex] = true
		}
		rows.Close()
		for w := range want {
			if !got[w] {
				t.Errorf("%q: search_vector lacks %q", text, w)
			}
		}
		for g := range got {
			if !want[g] {
				t.Errorf("%q: search_vector has extra %q", text, g)
			}
		}
	}
}
