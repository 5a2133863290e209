package search

import "strings"

// The run form of a text is Analyze's terms with every CJK run written once,
// whole, after runMark (U+0003), instead of as its bigrams and closing unigram:
//
//	Analyze:   寄付 付金 金の の领 领収 収书 书 pdf
//	run form:  \x03寄付金の领収书 pdf
//
// It is about as long as the folded text, where the bigrams are about twice
// as long, and the bigrams can be recomputed from it mechanically (the
// PostgreSQL function search_vector does, for its GIN index). A phrase is
// then a substring of the run form (see runPattern), which PostgreSQL checks
// with strpos.
const runMark = "\x03"

// analyzeRuns returns the run form of text as tokens.
func analyzeRuns(text string) []string {
	a := getAnalyzer()
	defer putAnalyzer(a)
	a.run(text, false)
	return a.runTokens(0, len(a.toks))
}

// runTokens converts tokens [i,j) to the run form.
func (a *analyzer) runTokens(i, j int) []string {
	var out []string
	s := string(a.buf)
	for k := i; k < j; k++ {
		t := a.toks[k]
		switch t.kind {
		case kindBigram:
			start := t.a
			for k+1 < j && a.toks[k+1].kind == kindBigram {
				k++
			}
			end := a.toks[k].b
			if k+1 < j && a.toks[k+1].kind == kindRunEnd {
				k++
				end = a.toks[k].b
			}
			out = append(out, runMark+s[start:end])
		case kindSingle, kindRunEnd:
			out = append(out, runMark+s[t.a:t.b])
		default:
			out = append(out, s[t.a:t.b])
		}
	}
	return out
}

// runPattern is the substring that a document's run form (segments written
// as " tok tok … ") contains wherever the query word or phrase text
// matches. A run inside the query must be a whole run in the document, but
// the document's run may begin before the query's first run and go on after
// its last one; words are matched whole. A query that is one e-mail address
// or phone number looks for the term that identifies it, like AnalyzeQuery.
func runPattern(text string) string {
	a := getAnalyzer()
	defer putAnalyzer(a)
	a.run(text, false)
	if len(a.toks) == 0 {
		return ""
	}
	if t, ok := a.loneConstruct(); ok {
		return " " + string(a.buf[t.a:t.b]) + " "
	}
	toks := a.runTokens(0, len(a.toks))
	var b strings.Builder
	for i, t := range toks {
		run := strings.HasPrefix(t, runMark)
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case i == 0 && run:
			b.WriteString(t[len(runMark):]) // may start inside a document's run
		case i == 0:
			b.WriteByte(' ')
			b.WriteString(t)
		default:
			b.WriteString(t)
		}
		if i == len(toks)-1 && !run {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
