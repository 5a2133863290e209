//go:build fts5size

// This measurement is kept out of the normal test run (it needs SQLite and
// takes a few seconds). Run it with:
//
//	go test -tags fts5size -run TestFTS5IndexSize -v ./internal/search
package search

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	_ "modernc.org/sqlite"
)

// ftsTokenize makes FTS5 split a space-joined term list back into exactly
// the analyzer's terms: marks are token characters (Indic vowel signs),
// e-mail punctuation too, and folding is already done.
const ftsTokenize = `unicode61 remove_diacritics 0 categories 'L* N* Co M*' tokenchars '@._%+-'`

// corpus builds n support messages by mixing sentences of the sample texts.
func corpus(n int) []string {
	var sentences []string
	for _, doc := range append(slices.Clone(recallDocs), strings.Split(benchMessage, "\n")...) {
		for _, s := range strings.FieldsFunc(doc, func(r rune) bool { return strings.ContainsRune("。！？\n", r) }) {
			if s = strings.TrimSpace(s); s != "" {
				sentences = append(sentences, s)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make([]string, n)
	for i := range docs {
		var b strings.Builder
		for k := 0; k < 3+rng.IntN(12); k++ {
			b.WriteString(sentences[rng.IntN(len(sentences))])
			b.WriteString("。")
		}
		fmt.Fprintf(&b, " #%d", 1000+i)
		docs[i] = b.String()
	}
	return docs
}

// unigramsAndBigrams is the alternative scheme, for comparison: every CJK
// character as a unigram next to the bigrams.
func unigramsAndBigrams(text string) []string {
	var out []string
	for _, t := range Analyze(text) {
		out = append(out, t)
		if utf8.RuneCountInString(t) == 2 && isCJKString(t) {
			r, _ := utf8.DecodeRuneInString(t)
			out = append(out, string(r))
		}
	}
	return out
}

func TestFTS5IndexSize(t *testing.T) {
	docs := corpus(3000)
	textBytes := 0
	for _, d := range docs {
		textBytes += len(d)
	}
	for _, scheme := range []struct {
		name    string
		analyze func(string) []string
	}{
		{"bigrams + run-end unigram (chosen)", Analyze},
		{"bigrams + every unigram", unigramsAndBigrams},
	} {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`CREATE VIRTUAL TABLE idx USING fts5(terms, content='', columnsize=0, tokenize="` + ftsTokenize + `")`); err != nil {
			t.Fatal(err)
		}
		tx, _ := db.Begin()
		for i, d := range docs {
			if _, err := tx.Exec(`INSERT INTO idx(rowid, terms) VALUES ($1, $2)`, i+1, strings.Join(scheme.analyze(d), " ")); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		db.Exec(`INSERT INTO idx(idx) VALUES ('optimize')`)
		var dataBytes, idxBytes int
		db.QueryRow(`SELECT sum(length(block)) FROM idx_data`).Scan(&dataBytes)
		db.QueryRow(`SELECT coalesce(sum(length(term)) + 16*count(*), 0) FROM idx_idx`).Scan(&idxBytes)
		t.Logf("%-36s text %7d B, FTS5 index %7d B = %.2f× the text", scheme.name, textBytes, dataBytes+idxBytes, float64(dataBytes+idxBytes)/float64(textBytes))

		// Every term survives FTS5's tokenizer unchanged, and a CJK query
		// finds its documents.
		if scheme.name[0] == 'b' && strings.Contains(scheme.name, "chosen") {
			db.Exec(`CREATE VIRTUAL TABLE v USING fts5vocab(idx, 'row')`)
			rows, err := db.Query(`SELECT term FROM v`)
			if err != nil {
				t.Fatal(err)
			}
			vocab := map[string]bool{}
			for rows.Next() {
				var term string
				rows.Scan(&term)
				vocab[term] = true
			}
			rows.Close()
			for _, d := range docs[:50] {
				for _, term := range Analyze(d) {
					if !vocab[term] {
						t.Errorf("term %q is not one FTS5 token", term)
					}
				}
			}
			for _, q := range []string{"收據", "領収書", "ﾎﾞﾗﾝﾃｨｱ", "收", "sato.hanako@example.jp", "03-1234-5678"} {
				terms, prefix := AnalyzeQuery(q)
				var m strings.Builder
				m.WriteString(`"`)
				m.WriteString(strings.Join(terms, " "))
				m.WriteString(`"`)
				if prefix {
					m.WriteString("*")
				}
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM idx WHERE idx MATCH $1`, m.String()).Scan(&n); err != nil {
					t.Fatalf("MATCH %s: %v", m.String(), err)
				}
				want := 0
				for _, d := range docs {
					if strings.Contains(foldString(d), foldString(q)) || (q == "03-1234-5678" && strings.Contains(d, "3-1234-5678")) {
						want++
					}
				}
				if n < want {
					t.Errorf("MATCH %s: %d documents, want at least %d", m.String(), n, want)
				}
				t.Logf("MATCH %-40s %5d documents (substring count %d)", m.String(), n, want)
			}
		}
		db.Close()
	}
}
