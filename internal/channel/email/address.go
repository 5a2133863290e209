package email

import (
	"strings"
)

// parseAddressList parses an address header leniently. It accepts what
// net/mail rejects but mail clients send: encoded words inside quoted
// display names, raw 8-bit names, unquoted commas in names with a single
// address, "addr (Name)" comments, groups, missing angle brackets.
func parseAddressList(v []byte, hint string) []Address {
	var s string
	if isASCII(v) && !hasJISEscape(v) {
		s = string(v)
	} else {
		s = decodeUnknown8bit(v, hint)
	}
	var out []Address
	for _, piece := range splitAddressPieces(s) {
		if a, ok := parseMailbox(piece); ok {
			out = append(out, a)
		}
	}
	return out
}

// parseAddress returns the first address of an address header.
func parseAddress(v []byte, hint string) Address {
	l := parseAddressList(v, hint)
	if len(l) == 0 {
		return Address{}
	}
	return l[0]
}

// splitAddressPieces splits at commas and semicolons outside quoted
// strings, comments and angle brackets, and strips group display names.
func splitAddressPieces(s string) []string {
	var pieces []string
	var cur strings.Builder
	inQuote, inAngle, depth := false, false, 0
	hasAt := false // cur contains "@" (tracked, not searched: no quadratic time)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (inQuote || depth > 0) && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
			continue
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '"':
			inQuote = true
		case c == '(':
			depth = 1
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case (c == ',' || c == ';') && !inAngle:
			pieces = append(pieces, cur.String())
			cur.Reset()
			hasAt = false
			continue
		case c == ':' && !inAngle && !hasAt:
			// "Group name:" prefix; the group's members follow.
			if t := strings.TrimSpace(cur.String()); len(t) < 6 || !strings.EqualFold(t[len(t)-6:], "mailto") {
				cur.Reset()
				continue
			}
		}
		if c == '@' {
			hasAt = true
		}
		cur.WriteByte(c)
	}
	pieces = append(pieces, cur.String())
	// "Yamada, Taro <taro@example.jp>": a piece without an address glued
	// to the next piece that has a name-less address.
	var merged []string
	for i := 0; i < len(pieces); i++ {
		p := strings.TrimSpace(pieces[i])
		if p == "" {
			continue
		}
		if !strings.Contains(p, "@") && !strings.ContainsAny(p, "<\"(") && i+1 < len(pieces) &&
			strings.Contains(pieces[i+1], "<") && !strings.Contains(strings.SplitN(pieces[i+1], "<", 2)[0], "\"") {
			pieces[i+1] = p + ", " + strings.TrimSpace(pieces[i+1])
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

// parseMailbox parses one "Name <addr>", "addr (Name)" or "addr".
func parseMailbox(p string) (Address, bool) {
	var name, addr, comment string
	var nameB strings.Builder
	inQuote := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case inQuote:
			if c == '\\' && i+1 < len(p) {
				i++
				nameB.WriteByte(p[i])
			} else if c == '"' {
				inQuote = false
			} else {
				nameB.WriteByte(c)
			}
		case c == '"':
			inQuote = true
		case c == '(':
			end, text := readComment(p, i)
			if comment == "" {
				comment = text
			}
			i = end
		case c == '<':
			j := strings.IndexByte(p[i:], '>')
			if j < 0 {
				j = len(p) - i
			}
			if addr == "" || !strings.Contains(addr, "@") {
				addr = p[i+1 : i+j]
			}
			i += j
		default:
			nameB.WriteByte(c)
		}
	}
	name = nameB.String()
	if addr == "" {
		// No angle brackets: the word with an "@" is the address.
		fields := strings.Fields(name)
		for k, f := range fields {
			if strings.Contains(f, "@") {
				addr = f
				name = strings.Join(append(append([]string(nil), fields[:k]...), fields[k+1:]...), " ")
				break
			}
		}
		if addr == "" && len(fields) == 1 && !strings.ContainsAny(p, "\"") {
			addr, name = fields[0], "" // local-only, e.g. MAILER-DAEMON
		}
	}
	addr = cleanAddr(addr)
	name = strings.TrimSpace(name)
	if name == "" {
		name = strings.TrimSpace(comment)
	}
	name = strings.Join(strings.Fields(decodeRFC2047(name)), " ")
	name = strings.Trim(name, "\"' ")
	if name == addr {
		name = ""
	}
	if addr == "" && name == "" {
		return Address{}, false
	}
	return Address{Name: name, Address: addr}, true
}

// readComment reads a (possibly nested) comment starting at p[i] == '('
// and returns the index of its closing parenthesis and its text.
func readComment(p string, i int) (int, string) {
	depth := 0
	var b strings.Builder
	for j := i; j < len(p); j++ {
		switch c := p[j]; {
		case c == '\\' && j+1 < len(p):
			j++
			b.WriteByte(p[j])
		case c == '(':
			if depth > 0 {
				b.WriteByte(c)
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return j, b.String()
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return len(p) - 1, b.String()
}

func cleanAddr(a string) string {
	a = strings.TrimSpace(a)
	if len(a) > 7 && strings.EqualFold(a[:7], "mailto:") {
		a = a[7:]
	}
	a = strings.Map(func(r rune) rune {
		if r <= ' ' || r == '<' || r == '>' || r == '"' || r == ',' || r == ';' || r == 0x7f {
			return -1
		}
		return r
	}, a)
	return strings.Trim(a, ".'")
}
