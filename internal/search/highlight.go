package search

import (
	"bytes"
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Snippet returns an HTML-safe excerpt of text of at most maxRunes runes
// (plus an ellipsis at a cut end), chosen around the first match of q's
// words and phrases, with every match wrapped in <mark>…</mark>. Matching
// runs on the analysed (folded) text, the same way the index matches, and
// the marks are placed on the original characters: 收據 is marked for a
// query 收据, ﾎﾞﾗﾝﾃｨｱ for ボランティア. Runs of white space are collapsed
// to one space. With no match the snippet is the start of the text;
// maxRunes <= 0 means no limit.
func Snippet(text string, q Query, maxRunes int) string {
	a := getAnalyzer()
	defer putAnalyzer(a)
	a.run(text, true)
	spans := a.matches(q)

	start, end := 0, len(text)
	if maxRunes > 0 && utf8.RuneCountInString(text) > maxRunes {
		focus := 0
		if len(spans) > 0 {
			focus = spans[0].start
		}
		start, end = window(text, focus, maxRunes)
	}

	var b strings.Builder
	b.Grow(end - start + 32)
	w := snippetWriter{b: &b, space: true}
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, s := range spans {
		if s.end <= start || s.start >= end {
			continue
		}
		s.start, s.end = max(s.start, pos), min(s.end, end)
		if s.start >= s.end {
			continue
		}
		w.text(text[pos:s.start])
		b.WriteString("<mark>")
		w.text(text[s.start:s.end])
		b.WriteString("</mark>")
		pos = s.end
	}
	w.text(text[pos:end])
	out := strings.TrimRight(b.String(), " ")
	if end < len(text) {
		out += "…"
	}
	return out
}

type span struct{ start, end int }

// matches returns the original-text spans matched by q's Must groups,
// sorted and merged.
func (a *analyzer) matches(q Query) []span {
	var spans []span
	for _, g := range q.Must {
		n := len(g.Terms)
		if n == 0 {
			continue
		}
		for i := 0; i+n <= len(a.toks); i++ {
			if !a.matchAt(i, g) {
				continue
			}
			first, last := a.toks[i], a.toks[i+n-1]
			fb := last.fb
			if g.Prefix {
				fb = last.mid
			}
			spans = append(spans, span{int(a.ostart[first.fa]), int(a.oend[fb-1])})
		}
	}
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:1]
	for _, s := range spans[1:] {
		m := &merged[len(merged)-1]
		if s.start <= m.end {
			m.end = max(m.end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// matchAt reports whether g's terms occur as a phrase at token i.
func (a *analyzer) matchAt(i int, g Group) bool {
	for k, term := range g.Terms {
		t := a.toks[i+k]
		got := a.buf[t.a:t.b]
		if k == len(g.Terms)-1 && g.Prefix {
			if !bytes.HasPrefix(got, []byte(term)) || t.kind == kindWord {
				return false
			}
			continue
		}
		if string(got) != term {
			return false
		}
	}
	return true
}

// window picks [start,end) of at most maxRunes runes around focus: about a
// fifth of the budget before it, starting after a space or sentence end when
// one is near.
func window(text string, focus, maxRunes int) (start, end int) {
	lead := maxRunes / 5
	start = focus
	for k := 0; k < lead && start > 0; k++ {
		_, n := utf8.DecodeLastRuneInString(text[:start])
		start -= n
	}
	// Prefer to begin at a word or sentence boundary inside the lead.
	if start > 0 {
		for i := start; i < focus; {
			r, n := utf8.DecodeRuneInString(text[i:])
			i += n
			if unicode.IsSpace(r) || strings.ContainsRune("。．！？!?、，,;；", r) {
				start = i
				break
			}
		}
	}
	end = start
	for k := 0; k < maxRunes && end < len(text); k++ {
		_, n := utf8.DecodeRuneInString(text[end:])
		end += n
	}
	// Do not cut a Latin word in two when a space is near the end.
	if end < len(text) && !unicode.IsSpace(rune(text[end])) {
		for i, k := end, 0; i > start && k < 15; k++ {
			r, n := utf8.DecodeLastRuneInString(text[:i])
			if unicode.IsSpace(r) {
				if i-n > start {
					end = i - n
				}
				break
			}
			if r >= 0x2E80 { // CJK: any place is a fine cut
				break
			}
			i -= n
		}
	}
	return start, end
}

// snippetWriter writes escaped text, collapsing white space.
type snippetWriter struct {
	b     *strings.Builder
	space bool // the last rune written was a space (or nothing yet)
}

func (w *snippetWriter) text(s string) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for len(s) > 0 {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			w.b.WriteString(html.EscapeString(s))
			w.space = false
			return
		}
		if i > 0 {
			w.b.WriteString(html.EscapeString(s[:i]))
			w.space = false
		}
		if !w.space {
			w.b.WriteByte(' ')
			w.space = true
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		s = s[i+n:]
	}
}
