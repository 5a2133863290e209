package email

import (
	"bytes"
	"net/mail"
	"strings"
	"time"
)

// field is one header field: the name as written and the unfolded raw
// value (line breaks of folding removed, 8-bit bytes untouched).
type field struct {
	name  string
	value []byte
}

// header is a parsed header block. hint is the charset used to decode raw
// 8-bit bytes in header values (the body's declared charset, if any).
type header struct {
	fields []field
	hint   string
}

func (h header) get(name string) ([]byte, bool) {
	for _, f := range h.fields {
		if equalFold(f.name, name) {
			return f.value, true
		}
	}
	return nil, false
}

// text returns the decoded value of the first field named name.
func (h header) text(name string) string {
	v, ok := h.get(name)
	if !ok {
		return ""
	}
	return decodeHeaderText(v, h.hint)
}

// raw returns the undecoded value of the first field named name, trimmed.
func (h header) raw(name string) string {
	v, _ := h.get(name)
	return strings.TrimSpace(string(v))
}

// equalFold is an ASCII-only case-insensitive comparison, enough for
// header names and cheaper than strings.EqualFold.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// splitMessage separates the header block from the body. It tolerates LF
// or CRLF line ends, an mbox "From " line, and a body that starts without
// the blank line (the header ends at the first line that is neither a
// field nor a continuation).
func splitMessage(raw []byte) (header, []byte) {
	var h header
	pos := 0
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			pos = i + 1
		} else {
			pos = len(raw)
		}
	}
	for pos < len(raw) {
		end := bytes.IndexByte(raw[pos:], '\n')
		var line []byte
		next := len(raw)
		if end >= 0 {
			line = raw[pos : pos+end]
			next = pos + end + 1
		} else {
			line = raw[pos:]
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			return h, raw[next:]
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(h.fields); n > 0 {
				// Unfold: drop the line break, keep the white space.
				h.fields[n-1].value = append(h.fields[n-1].value, line...)
				pos = next
				continue
			}
			if len(bytes.TrimSpace(line)) == 0 {
				pos = next
				continue
			}
		}
		colon := bytes.IndexByte(line, ':')
		name := ""
		if colon > 0 {
			name = string(bytes.TrimRight(line[:colon], " \t"))
		}
		if !validFieldName(name) {
			// Not a header line: the body starts here.
			return h, raw[pos:]
		}
		v := bytes.TrimLeft(line[colon+1:], " \t")
		h.fields = append(h.fields, field{name: name, value: append([]byte(nil), v...)})
		pos = next
	}
	return h, nil
}

func validFieldName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// decodeHeaderText decodes an unstructured header value: raw 8-bit bytes
// (UTF-8 or guessed), raw ISO-2022-JP, then RFC 2047 encoded words.
func decodeHeaderText(v []byte, hint string) string {
	var s string
	if isASCII(v) && !hasJISEscape(v) {
		s = string(v)
	} else {
		s = decodeUnknown8bit(v, hint)
	}
	s = decodeRFC2047(s)
	return strings.TrimSpace(cleanHeaderText(s))
}

// msgIDs extracts message identifiers from In-Reply-To or References:
// every <...> token, or the blank-separated words when there are no angle
// brackets. Comments and mailer junk around them are ignored.
func msgIDs(v string) []string {
	var ids []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i+1:], '>')
		if j < 0 {
			break
		}
		if id := cleanMsgID(v[i+1 : i+1+j]); id != "" {
			ids = append(ids, id)
		}
		v = v[i+1+j+1:]
	}
	if ids == nil && !strings.ContainsAny(v, "<>") {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				if id := cleanMsgID(f); id != "" {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

func cleanMsgID(s string) string {
	s = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' {
			return -1
		}
		return r
	}, s)
	if len(s) > 995 {
		s = s[:995]
	}
	return s
}

// normalizeMessageID returns the first identifier in a Message-ID value.
func normalizeMessageID(v string) string {
	ids := msgIDs(v)
	if len(ids) > 0 {
		return ids[0]
	}
	return cleanMsgID(strings.TrimSpace(v))
}

// dateLayouts are tried after net/mail when a Date header is malformed.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 January 2006 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"Mon, 2 Jan 2006 15:04:05",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02T15:04:05Z07:00",
	"2006/01/02 15:04:05",
	"Mon, 02 Jan 2006 15:04:05 GMT-0700",
}

// parseDate parses an RFC 5322 date with fallbacks for common breakage;
// the zero time when nothing fits.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	s := strings.Join(strings.Fields(v), " ")
	s = strings.TrimSuffix(s, ".")
	// "GMT+0900", "UTC+09:00" → "+0900"
	for _, z := range []string{"GMT", "UTC", "UT"} {
		if i := strings.Index(s, " "+z+"+"); i >= 0 {
			s = s[:i+1] + strings.ReplaceAll(s[i+1+len(z):], ":", "")
		} else if i := strings.Index(s, " "+z+"-"); i >= 0 {
			s = s[:i+1] + strings.ReplaceAll(s[i+1+len(z):], ":", "")
		}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	// Drop a trailing comment such as "(JST)" or "(CST)".
	if i := strings.IndexByte(s, '('); i > 0 {
		if t, err := mail.ParseDate(strings.TrimSpace(s[:i])); err == nil {
			return t
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
