package search

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxTermBytes caps the length of one word term. Longer words (base64 blobs,
// long URLs without separators) are cut at a rune boundary; the query side
// cuts identically, so the same text still finds itself.
const maxTermBytes = 64

// Analyze returns the index terms of text, in order and with duplicates kept
// (term positions make phrase queries and BM25 work). Every term is a
// non-empty, valid UTF-8 string of lower-cased letters, numbers (digits, 〇) and combining
// marks; e-mail terms may also contain the bytes . _ % + - @. Terms never
// contain white space, control characters, quotes, '*', ':' or parentheses,
// so they can be put into an FTS5 query as "quoted" strings and into a
// PostgreSQL text[] or tsvector without escaping beyond the usual quoting.
// See the package documentation for the term scheme.
func Analyze(text string) []string {
	a := getAnalyzer()
	defer putAnalyzer(a)
	a.run(text, false)
	return a.terms(0, len(a.toks))
}

// AnalyzeQuery returns the terms for one query word or quoted phrase. The
// terms must all match, adjacent and in order (as a phrase). If prefix is
// true the last term is a single CJK character that must be matched as a
// prefix (FTS5 "x"*, PostgreSQL 'x':*): it stands for every occurrence of the
// character, which the index holds either as the first half of a bigram or as
// the unigram at the end of a run.
//
// Two query-only rules differ from Analyze, and both only ever widen the
// match: the unigram that closes the last CJK run is dropped (in a document
// the run may continue, and then that unigram is not there), and a query that
// is exactly one e-mail address or one phone number becomes the single term
// that identifies it (the whole address; the phone number without country
// code and trunk zero), so "+81 3-1234-5678" finds "03-1234-5678".
func AnalyzeQuery(text string) (terms []string, prefix bool) {
	a := getAnalyzer()
	defer putAnalyzer(a)
	a.run(text, false)
	if len(a.toks) == 0 {
		return nil, false
	}
	if t, ok := a.loneConstruct(); ok {
		return []string{string(a.buf[t.a:t.b])}, false
	}
	n := len(a.toks)
	switch a.toks[n-1].kind {
	case kindRunEnd:
		n--
	case kindSingle:
		prefix = true
	}
	return a.terms(0, n), prefix
}

type tokKind uint8

const (
	kindWord     tokKind = iota
	kindBigram           // two CJK characters
	kindRunEnd           // last character of a CJK run of length ≥ 2
	kindSingle           // a CJK run of length 1
	kindEmail            // a whole e-mail address, after its parts
	kindPhone            // a phone number's digits, after its groups
	kindPhoneSig         // a phone number without country code / trunk zero
)

// token is one term: bytes [a,b) of analyzer.buf, standing for the folded
// text [fa,fb). mid is the end of its first rune, for highlighting a prefix
// match on a bigram.
type token struct {
	a, b   int32
	fa, fb int32
	mid    int32
	kind   tokKind
}

// construct is an e-mail address or phone number recognised in the text,
// with the term a query for exactly it should use.
type construct struct {
	fa, fb int32
	term   token
}

// analyzer holds the buffers of one analysis; it is pooled.
type analyzer struct {
	// buf holds the folded text (first nf bytes) followed by synthesised
	// terms (joined phone digits).
	buf     []byte
	nf      int
	scratch []byte // one normalised segment
	toks    []token
	cons    []construct
	// pending holds tokens (whole e-mail, joined phone digits) to emit once
	// the scan has passed their end, so they follow their parts.
	pending  []token
	phoneEnd int

	// With track set, ostart[i] and oend[i] give the span of the original
	// text that produced folded byte i (used by Snippet).
	track        bool
	ostart, oend []int32
}

var analyzerPool = sync.Pool{New: func() any { return new(analyzer) }}

func getAnalyzer() *analyzer { return analyzerPool.Get().(*analyzer) }

func putAnalyzer(a *analyzer) {
	if cap(a.buf) > 1<<20 { // do not keep huge buffers alive
		return
	}
	analyzerPool.Put(a)
}

func (a *analyzer) reset(track bool) {
	a.buf = a.buf[:0]
	a.nf = 0
	a.toks = a.toks[:0]
	a.cons = a.cons[:0]
	a.pending = a.pending[:0]
	a.phoneEnd = 0
	a.track = track
	a.ostart = a.ostart[:0]
	a.oend = a.oend[:0]
}

func (a *analyzer) run(text string, track bool) {
	initFold()
	a.reset(track)
	a.fold(text)
	a.tokenize()
}

// terms converts tokens [i,j) to strings. All terms share one backing string
// (one allocation for the lot).
func (a *analyzer) terms(i, j int) []string {
	if i >= j {
		return nil
	}
	s := string(a.buf)
	out := make([]string, 0, j-i)
	for _, t := range a.toks[i:j] {
		out = append(out, s[t.a:t.b])
	}
	return out
}

// loneConstruct reports whether the text is exactly one e-mail address or
// phone number (every token lies inside it), and returns its query term.
func (a *analyzer) loneConstruct() (token, bool) {
	if len(a.cons) != 1 {
		return token{}, false
	}
	c := a.cons[0]
	for _, t := range a.toks {
		if t.fa < c.fa || t.fb > c.fb {
			return token{}, false
		}
	}
	return c.term, true
}

// fold writes the normalised, folded text into a.buf: NFKC (which also folds
// full- and half-width forms and composes ｶﾞ into ガ), then per rune case
// folding, Latin diacritics folding and traditional→simplified Chinese.
//
// Most runes of real text (ASCII, kana, common ideographs, Hangul syllables,
// Latin-1 letters) are already in NFKC and cannot combine with their
// neighbours; such a rune followed by another such rune is folded directly.
// Everything else goes through the normaliser in pieces that end at segment
// boundaries; when offsets are tracked (Snippet) each piece is one segment,
// so every folded byte knows which original bytes it came from. Tests and the
// fuzz target check the result against normalising the whole text first.
func (a *analyzer) fold(text string) {
	if cap(a.buf) < len(text)+len(text)/4 {
		a.buf = make([]byte, 0, len(text)+len(text)/4+16)
	}
	prevLatin := false
	for i := 0; i < len(text); {
		before := len(a.buf)
		c := text[i]
		if c < utf8.RuneSelf && (i+1 == len(text) || text[i+1] < utf8.RuneSelf) {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			prevLatin = asciiWord[c] && c > '9'
			a.buf = append(a.buf, c)
			if a.track {
				a.mark(before, i, i+1)
			}
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
			if size == 1 {
				// An invalid byte becomes U+FFFD, a separator, on its own:
				// the normaliser would otherwise treat what follows it
				// differently depending on context.
				a.buf = appendFolded(a.buf, utf8.RuneError, &prevLatin)
				if a.track {
					a.mark(before, i, i+1)
				}
				i++
				continue
			}
		}
		if nfkcStable(r) && (i+size == len(text) || nfkcStableAt(text, i+size)) {
			if r >= 0xFF01 && r <= 0xFF5E {
				// Full-width ASCII (，！？：（）０-９Ａ-Ｚ): NFKC maps it to ASCII.
				r -= 0xFF01 - '!'
			}
			a.buf = appendFolded(a.buf, r, &prevLatin)
			if a.track {
				a.mark(before, i, i+size)
			}
			i += size
			continue
		}
		// Normalise a piece that ends at a segment boundary (NFKC of the
		// whole text is the concatenation of NFKC of such pieces). When
		// tracking offsets the piece is one segment: this rune and the runes
		// that may combine with it. Otherwise it runs to the next rune of
		// the fast set (every one of them starts a segment), which calls the
		// normaliser, and allocates, once per piece instead of per segment.
		end := i + size
		for end < len(text) {
			if invalidAt(text, end) {
				break
			}
			if a.track {
				if norm.NFKC.PropertiesString(text[end:]).BoundaryBefore() {
					break
				}
			} else if nfkcStableAt(text, end) {
				break
			}
			_, n := utf8.DecodeRuneInString(text[end:])
			end += n
		}
		a.scratch = norm.NFKC.AppendString(a.scratch[:0], text[i:end])
		for j := 0; j < len(a.scratch); {
			r, n := utf8.DecodeRune(a.scratch[j:])
			a.buf = appendFolded(a.buf, r, &prevLatin)
			j += n
		}
		if a.track {
			a.mark(before, i, end)
		}
		i = end
	}
	a.nf = len(a.buf)
}

// nfkcStable reports whether r is a starter that never combines with a
// preceding rune and that NFKC leaves unchanged, or (full-width ASCII, so
// common in Chinese and Japanese punctuation) maps to one ASCII character.
// The list covers the bulk of en/ja/zh/ko text; other runes simply take the
// slower path.
func nfkcStable(r rune) bool {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return true
	case r < utf8.RuneSelf:
		return true
	case r >= 0x4E00 && r <= 0x9FFF: // CJK Unified Ideographs
		return true
	case r >= 0x3041 && r <= 0x3096, r >= 0x30A1 && r <= 0x30FA, r == 0x30FC: // kana, ー
		return true
	case r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
		return true
	case r >= 0x00C0 && r <= 0x00FF: // Latin-1 letters, × and ÷
		return true
	case r == 0x3001 || r == 0x3002 || r >= 0x300C && r <= 0x300F: // 、。「」『』
		return true
	case r >= 0x3400 && r <= 0x4DBF: // Extension A
		return true
	}
	return false
}

func invalidAt(s string, i int) bool {
	if s[i] < utf8.RuneSelf {
		return false
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return r == utf8.RuneError && n == 1
}

func nfkcStableAt(s string, i int) bool {
	if s[i] < utf8.RuneSelf {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return nfkcStable(r)
}

// mark records that folded bytes from before to len(a.buf) came from the
// original bytes [os, oe).
func (a *analyzer) mark(before, os, oe int) {
	for k := before; k < len(a.buf); k++ {
		a.ostart = append(a.ostart, int32(os))
		a.oend = append(a.oend, int32(oe))
	}
}

// tokenize scans the folded text and emits tokens.
func (a *analyzer) tokenize() {
	f := a.buf[:a.nf:a.nf] // synthesised terms are appended after it
	for i := 0; i < len(f); {
		c := f[i]
		if c < utf8.RuneSelf {
			if asciiWord[c] {
				i = a.word(f, i)
				continue
			}
			if c == '@' {
				a.email(f, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(f[i:])
		switch {
		case isCJK(r):
			i = a.cjk(f, i)
		case isWordStart(r):
			i = a.word(f, i)
		default:
			i += n
		}
	}
	a.flush(len(f) + 1)
}

func (a *analyzer) emit(t token) {
	a.flush(int(t.fa))
	a.toks = append(a.toks, t)
}

// flush emits the pending tokens that end at or before pos.
func (a *analyzer) flush(pos int) {
	if len(a.pending) == 0 {
		return
	}
	k := 0
	for _, t := range a.pending {
		if int(t.fb) <= pos {
			a.toks = append(a.toks, t)
		} else {
			a.pending[k] = t
			k++
		}
	}
	a.pending = a.pending[:k]
}

// cjk emits the overlapping bigrams of the CJK run starting at i, then the
// run's last character as a unigram, and returns the end of the run.
func (a *analyzer) cjk(f []byte, i int) int {
	p0 := i
	_, n := utf8.DecodeRune(f[p0:])
	p1 := p0 + n
	if !cjkAt(f, p1) {
		a.emit(token{a: int32(p0), b: int32(p1), fa: int32(p0), fb: int32(p1), mid: int32(p1), kind: kindSingle})
		return p1
	}
	for {
		_, n := utf8.DecodeRune(f[p1:])
		p2 := p1 + n
		a.emit(token{a: int32(p0), b: int32(p2), fa: int32(p0), fb: int32(p2), mid: int32(p1), kind: kindBigram})
		p0, p1 = p1, p2
		if !cjkAt(f, p1) {
			break
		}
	}
	a.emit(token{a: int32(p0), b: int32(p1), fa: int32(p0), fb: int32(p1), mid: int32(p1), kind: kindRunEnd})
	return p1
}

func cjkAt(f []byte, i int) bool {
	if i >= len(f) || f[i] < utf8.RuneSelf {
		return false
	}
	r, _ := utf8.DecodeRune(f[i:])
	return isCJK(r)
}

// word emits the word starting at i and returns its end.
func (a *analyzer) word(f []byte, i int) int {
	j := i
	digits := true
	for j < len(f) {
		c := f[j]
		if c < utf8.RuneSelf {
			if !asciiWord[c] {
				break
			}
			if c > '9' {
				digits = false
			}
			j++
			continue
		}
		r, n := utf8.DecodeRune(f[j:])
		if !isWordPart(r) {
			break
		}
		digits = false
		j += n
	}
	a.flush(i)
	if digits && i >= a.phoneEnd {
		a.phone(f, i, j)
	}
	b := j
	if b-i > maxTermBytes {
		b = i + maxTermBytes
		for b > i && !utf8.RuneStart(f[b]) {
			b--
		}
	}
	a.emit(token{a: int32(i), b: int32(b), fa: int32(i), fb: int32(j), mid: int32(j), kind: kindWord})
	return j
}
