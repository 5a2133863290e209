package search

import "unicode/utf8"

// Phone numbers are written in many ways: "03-1234-5678", "(03) 1234 5678",
// "+81 3-1234-5678", "+81 (0)3 1234 5678", "138 0013 8000". Their digit groups
// are indexed as ordinary number words; in addition a recognised number
// yields, after its groups,
//
//   - all its digits joined ("0312345678", "81312345678"), unless it was
//     written as one group already, and
//   - its significant number: without the country code (for numbers written
//     with '+') and without leading trunk zeros ("312345678"), when that
//     differs from the joined digits.
//
// A query that is exactly one phone number searches for the significant
// number alone, so national and international spellings find each other.
const (
	phoneMinDigits = 9  // shorter digit sequences are dates, amounts, postcodes
	phoneMaxDigits = 15 // E.164 maximum
)

// phone looks for a phone number whose first digit group is the all-digit
// word f[i:j], and queues its extra terms.
func (a *analyzer) phone(f []byte, i, j int) {
	start, plus := i, false
	if start > 0 && f[start-1] == '(' {
		start--
	}
	if start > 0 && f[start-1] == '+' {
		start--
		plus = true
	}
	d0 := len(a.buf)
	a.buf = append(a.buf, f[i:j]...)
	groups, end := 1, j
	for p := j; ; {
		// One or two separator runes, then a digit group that is a whole word.
		s := p
		for k := 0; k < 2 && s < len(f); k++ {
			r, n := utf8.DecodeRune(f[s:])
			if !isPhoneSep(r) {
				break
			}
			s += n
		}
		if s == p || s >= len(f) || !isDigit(f[s]) {
			break
		}
		e := s
		for e < len(f) && isDigit(f[e]) {
			e++
		}
		if e < len(f) && wordContinues(f, e) {
			break
		}
		if len(a.buf)-d0+(e-s) > phoneMaxDigits {
			break
		}
		a.buf = append(a.buf, f[s:e]...)
		groups++
		end, p = e, e
	}
	digits := a.buf[d0:]
	nd := len(digits)
	ok := nd >= phoneMinDigits && nd <= phoneMaxDigits &&
		(groups >= 2 || plus || (f[i] == '0' && nd <= 11))
	if !ok {
		a.buf = a.buf[:d0]
		return
	}
	a.phoneEnd = end
	whole := token{a: int32(d0), b: int32(d0 + nd), fa: int32(start), fb: int32(end), mid: int32(end), kind: kindPhone}
	sig := whole
	sig.kind = kindPhoneSig
	if plus {
		sig.a += int32(countryCodeLen(digits))
	}
	for sig.a < sig.b-1 && a.buf[sig.a] == '0' {
		sig.a++
	}
	if groups >= 2 {
		a.pending = append(a.pending, whole)
	}
	query := whole
	if sig.a != whole.a {
		a.pending = append(a.pending, sig)
		query = sig
	}
	a.cons = append(a.cons, construct{fa: whole.fa, fb: whole.fb, term: query})
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isPhoneSep reports whether r may separate digit groups of a phone number:
// space, hyphens and dashes (including ー, often typed for a dash in Japanese
// numbers), dot, slash and parentheses.
func isPhoneSep(r rune) bool {
	switch r {
	case ' ', '-', '.', '/', '(', ')', 'ー', '‐', '‑', '‒', '–', '—', '−':
		return true
	}
	return false
}

// wordContinues reports whether the rune at f[e] would continue a word.
func wordContinues(f []byte, e int) bool {
	if f[e] < utf8.RuneSelf {
		return asciiWord[f[e]]
	}
	r, _ := utf8.DecodeRune(f[e:])
	return isWordPart(r)
}

// countryCodeLen returns the length of the ITU-T E.164 country code that
// starts d: 1 digit for zones 1 and 7, 2 digits for the codes listed, 3
// digits for all others.
func countryCodeLen(d []byte) int {
	if len(d) == 0 {
		return 0
	}
	if d[0] == '1' || d[0] == '7' {
		return 1
	}
	if len(d) < 3 {
		return len(d)
	}
	switch string(d[:2]) {
	case "20", "27", "30", "31", "32", "33", "34", "36", "39",
		"40", "41", "43", "44", "45", "46", "47", "48", "49",
		"51", "52", "53", "54", "55", "56", "57", "58",
		"60", "61", "62", "63", "64", "65", "66",
		"81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98":
		return 2
	}
	return 3
}
