package search

// E-mail addresses are recognised around each '@' of the folded text: a
// local part of letters, digits and . _ % + -, and a host name with at least
// one dot. The parts are indexed as ordinary words; the whole address
// follows them as one more term.

func isLocalByte(c byte) bool {
	return asciiWord[c] || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainByte(c byte) bool {
	return asciiWord[c] || c == '.' || c == '-'
}

// email recognises an address around the '@' at position at. Its parts are
// emitted as ordinary words by the scan; the whole address is queued to
// follow them.
func (a *analyzer) email(f []byte, at int) {
	ls := at
	for ls > 0 && isLocalByte(f[ls-1]) {
		ls--
	}
	for ls < at && !asciiWord[f[ls]] {
		ls++
	}
	if ls == at || f[at-1] == '.' {
		return
	}
	de := at + 1
	for de < len(f) && isDomainByte(f[de]) {
		de++
	}
	for de > at+1 && !asciiWord[f[de-1]] {
		de--
	}
	if de-ls > 254 || !validDomain(f[at+1:de]) {
		return
	}
	t := token{a: int32(ls), b: int32(de), fa: int32(ls), fb: int32(de), mid: int32(de), kind: kindEmail}
	a.pending = append(a.pending, t)
	a.cons = append(a.cons, construct{fa: t.fa, fb: t.fb, term: t})
}

// validDomain accepts host names with at least one dot, non-empty labels and
// an alphabetic top-level label of two or more letters.
func validDomain(d []byte) bool {
	if len(d) < 4 || !asciiWord[d[0]] {
		return false
	}
	dots, last := 0, -1
	for i, c := range d {
		if c == '.' {
			if i == last+1 {
				return false
			}
			dots++
			last = i
		}
	}
	if dots == 0 {
		return false
	}
	tld := d[last+1:]
	if len(tld) < 2 {
		return false
	}
	for _, c := range tld {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
