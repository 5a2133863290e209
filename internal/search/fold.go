package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Character folding tables, built once on first use.
//
// t2s folds every traditional Chinese character to one simplified form. It is
// read from OpenCC's TSCharacters dictionary (embedded in the opencc module)
// and kept as a plain rune→rune map: OpenCC's own Convert walks a trie per
// character with phrase look-ups and runs at about 5 MB/s, far below the
// analyzer's budget, while a map look-up costs a few nanoseconds. Phrase
// conversion (TSPhrases) is deliberately not used: folding must be a pure
// function of one character so that a query and a document that contain the
// same characters always produce the same terms, whatever surrounds them.
//
// latin maps a Latin letter with diacritics (or a special letter such as ß or
// ø) to its plain lower-case spelling. It is computed from Unicode data with
// NFD + removing non-spacing marks, for the Latin blocks only: the same
// operation applied to kana would strip the dakuten from ガ.
var (
	foldOnce sync.Once
	t2s      t2sTable
	latin    map[rune]string
)

// t2sTable is a paged rune→rune table: one optional page of 256 entries per
// 256 code points. A look-up is two indexed loads, several times cheaper than
// a map on the hot path.
type t2sTable [(unicode.MaxRune + 1) >> 8]*[256]rune

func (t *t2sTable) lookup(r rune) rune {
	if p := t[r>>8]; p != nil {
		if v := p[r&0xff]; v != 0 {
			return v
		}
	}
	return r
}

func (t *t2sTable) set(from, to rune) {
	p := t[from>>8]
	if p == nil {
		p = new([256]rune)
		t[from>>8] = p
	}
	p[from&0xff] = to
}

func initFold() { foldOnce.Do(buildFoldTables) }

func buildFoldTables() {
	for from, to := range buildT2S() {
		t2s.set(from, to)
	}
	latin = buildLatin()
}

// buildT2S reads OpenCC's traditional→simplified character dictionary. When a
// character has several simplified candidates the first (OpenCC's preferred
// one) is taken. Chains are followed to a fixed point so that folding is
// idempotent: fold(fold(c)) == fold(c).
func buildT2S() map[rune]rune {
	cc, err := opencc.New("t2s")
	if err != nil {
		// The dictionaries are embedded in the module: this cannot fail at run
		// time unless the module itself is broken. Folding silently off would
		// make indexes disagree with queries, so fail loudly.
		panic("search: loading OpenCC t2s dictionary: " + err.Error())
	}
	m := make(map[rune]rune, 4200)
	for _, g := range cc.DictChains {
		for i, d := range g.Dicts {
			if i >= len(g.Files) || !strings.HasPrefix(g.Files[i], "TSCharacters") {
				continue
			}
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				key, err := d.Trie.Key(id)
				if err != nil {
					continue
				}
				v, err := d.Trie.Value(id)
				if err != nil || v < 0 || v >= len(d.Values) || len(d.Values[v]) == 0 {
					continue
				}
				from, n := utf8.DecodeRune(key)
				if n != len(key) || from == utf8.RuneError {
					continue
				}
				to, n := utf8.DecodeRuneInString(d.Values[v][0])
				if n != len(d.Values[v][0]) || to == utf8.RuneError || to == from {
					continue
				}
				m[from] = to
			}
		}
	}
	if len(m) < 1000 {
		panic("search: OpenCC TSCharacters dictionary not found or too small")
	}
	// Follow chains (A→B, B→C gives A→C); stop on cycles.
	for k, v := range m {
		seen := 0
		for {
			w, ok := m[v]
			if !ok || w == v || w == k || seen > 8 {
				break
			}
			v = w
			seen++
		}
		m[k] = v
	}
	for k, v := range m {
		if k == v {
			delete(m, k)
		}
	}
	return m
}

// buildLatin computes the diacritics folding table for the Latin blocks.
func buildLatin() map[rune]string {
	strip := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	m := make(map[rune]string, 800)
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			if !unicode.Is(unicode.Latin, r) || !unicode.IsLetter(r) {
				continue
			}
			s, _, err := transform.String(strip, string(r))
			if err != nil {
				continue
			}
			s = strings.ToLower(s)
			if s != string(r) && s != "" {
				m[r] = s
			}
		}
	}
	add(0x00C0, 0x024F) // Latin-1 Supplement, Extended-A, Extended-B
	add(0x1E00, 0x1EFF) // Latin Extended Additional (Vietnamese)
	// Letters that are not decomposable but are commonly typed without their
	// stroke or as two letters.
	for r, s := range map[rune]string{
		'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
		'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d",
		'ı': "i", 'ħ': "h", 'Ħ': "h",
	} {
		m[r] = s
	}
	return m
}

// isCJK reports whether r belongs to a run that is indexed as bigrams: Han
// ideographs, Hiragana, Katakana (with the prolonged sound mark ー) and Hangul.
// The Katakana middle dot ・ and other CJK punctuation are separators.
func isCJK(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r >= 0x4E00 && r <= 0x9FFF: // CJK Unified Ideographs
		return true
	case r >= 0x3041 && r <= 0x3096, r >= 0x309D && r <= 0x309F: // Hiragana
		return true
	case r >= 0x30A1 && r <= 0x30FA, r >= 0x30FC && r <= 0x30FF: // Katakana, ー
		return true
	case r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
		return true
	case r >= 0x3400 && r <= 0x4DBF: // Extension A
		return true
	case r == 0x3005 || r == 0x3007: // 々 〇
		return true
	case r >= 0x1100 && r <= 0x11FF, r >= 0x3131 && r <= 0x318E: // Hangul jamo
		return true
	case r >= 0xA960 && r <= 0xA97F, r >= 0xD7B0 && r <= 0xD7FF: // Hangul jamo extensions (partly unassigned)
		return unicode.Is(unicode.Hangul, r)
	case r >= 0x31F0 && r <= 0x31FF: // Katakana phonetic extensions
		return true
	case r < 0x2E80:
		return false
	}
	// Rarer blocks: ideograph extensions, kana supplements. Radicals and
	// other symbols of these scripts are not letters and separate runs.
	return (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)) &&
		(unicode.IsLetter(r) || unicode.Is(unicode.Nl, r))
}

// isWordStart reports whether r starts a Latin/other-script word (letters and
// digits of any script that is not indexed as CJK bigrams).
func isWordStart(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isCJK(r)
}

// isWordPart reports whether r continues a word: a word-start rune or a
// combining mark (vowel signs of Indic scripts and the like).
func isWordPart(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) && !isCJK(r)
}

var asciiWord = func() (t [256]bool) { // indexed by byte; non-ASCII bytes are false
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	return t
}()

// appendFolded appends the folded form of one NFKC-normalised rune to dst.
// prevLatin tracks whether the previous rune was a Latin letter, so that a
// combining mark left after NFKC (a letter with no precomposed form, such as
// x̂) is dropped only in Latin text.
func appendFolded(dst []byte, r rune, prevLatin *bool) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		*prevLatin = asciiWord[r] && r > '9'
		return append(dst, byte(r))
	}
	if isCJK(r) {
		*prevLatin = false
		return utf8.AppendRune(dst, t2s.lookup(r))
	}
	if s, ok := latin[r]; ok {
		*prevLatin = true
		return append(dst, s...)
	}
	switch {
	case r == 0x3099 || r == 0x309A:
		// Combining (semi-)voiced sound marks that NFKC could not compose
		// with a preceding kana: noise.
		return dst
	case unicode.Is(unicode.Mn, r):
		if *prevLatin {
			return dst
		}
		return utf8.AppendRune(dst, r)
	case r == 'ς':
		r = 'σ'
	case r == utf8.RuneError:
		*prevLatin = false
		return utf8.AppendRune(dst, r)
	default:
		r = unicode.ToLower(r)
	}
	*prevLatin = unicode.Is(unicode.Latin, r)
	return utf8.AppendRune(dst, r)
}
