package email

import (
	"sort"
	"strconv"
	"strings"
)

// parseMediaHeader parses a Content-Type or Content-Disposition value into
// a lower-case value and parameters with lower-case names. Unlike
// mime.ParseMediaType it never fails: it accepts unquoted values with
// spaces, unterminated quotes, duplicate parameters, RFC 2231 continuations
// and charsets of any kind (filename*0*=ISO-2022-JP”...), RFC 2047 encoded
// words in quoted values, and raw 8-bit bytes.
func parseMediaHeader(v []byte, hint string) (string, map[string]string) {
	var s string
	if isASCII(v) && !hasJISEscape(v) {
		s = string(v)
	} else {
		s = decodeUnknown8bit(v, hint)
	}
	semi := strings.IndexByte(s, ';')
	typ := s
	rest := ""
	if semi >= 0 {
		typ, rest = s[:semi], s[semi+1:]
	}
	typ = stripComment(typ)
	typ = strings.ToLower(strings.Join(strings.Fields(typ), ""))
	params := map[string]string{}
	if rest == "" {
		return typ, params
	}
	type piece struct {
		idx     int
		encoded bool
		value   string
	}
	ext := map[string][]piece{}
	for _, kv := range splitParams(rest) {
		name, value := kv[0], kv[1]
		star := strings.IndexByte(name, '*')
		if star < 0 {
			if _, dup := params[name]; !dup {
				params[name] = value
			}
			continue
		}
		base, suffix := name[:star], name[star+1:]
		p := piece{}
		if strings.HasSuffix(suffix, "*") {
			p.encoded = true
			suffix = strings.TrimSuffix(suffix, "*")
		} else if suffix == "" {
			p.encoded = true // "filename*=" is encoded
		}
		if suffix != "" {
			n, err := strconv.Atoi(suffix)
			if err != nil || n < 0 || n > 1000 {
				continue
			}
			p.idx = n
		}
		p.value = value
		ext[base] = append(ext[base], p)
	}
	for base, pieces := range ext {
		sort.SliceStable(pieces, func(i, j int) bool { return pieces[i].idx < pieces[j].idx })
		var raw []byte
		charset := ""
		for i, p := range pieces {
			val := p.value
			if p.encoded {
				if i == 0 {
					// charset'language'value
					if a := strings.IndexByte(val, '\''); a >= 0 {
						if b := strings.IndexByte(val[a+1:], '\''); b >= 0 {
							charset = val[:a]
							val = val[a+1+b+1:]
						}
					}
				}
				raw = append(raw, percentDecode(val)...)
			} else {
				raw = append(raw, val...)
			}
		}
		var decoded string
		if charset == "" {
			decoded = decodeUnknown8bit(raw, hint)
		} else {
			decoded, _ = decodeText(raw, charset)
		}
		params[base] = decoded
	}
	for k, v := range params {
		if strings.Contains(v, "=?") {
			params[k] = decodeRFC2047(v)
		}
	}
	return typ, params
}

// splitParams splits "a=b; c="d;e"" into name/value pairs, unquoting values.
func splitParams(s string) [][2]string {
	var out [][2]string
	i := 0
	for i < len(s) && len(out) < 100 {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ';' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			break
		}
		eq := strings.IndexAny(s[i:], "=;")
		if eq < 0 {
			break
		}
		if s[i+eq] == ';' {
			i += eq + 1
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s[i : i+eq]))
		i += eq + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var value strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				value.WriteByte(s[i])
				i++
			}
			i++ // closing quote
			// Skip junk up to the next separator.
			if j := strings.IndexByte(s[min(i, len(s)):], ';'); j >= 0 {
				i += j
			} else {
				i = len(s)
			}
		} else {
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				j = len(s) - i
			}
			value.WriteString(strings.TrimSpace(stripComment(s[i : i+j])))
			i += j
		}
		if name != "" {
			out = append(out, [2]string{name, value.String()})
		}
	}
	return out
}

// stripComment removes a trailing RFC 5322 comment, e.g. "7bit (foo)".
func stripComment(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		return s[:i]
	}
	return s
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}
