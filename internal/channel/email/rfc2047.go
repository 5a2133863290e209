package email

import (
	"encoding/base64"
	"strings"
)

// RFC 2047 encoded-word decoding, tolerant of what real senders produce:
//   - adjacent encoded words separated by whitespace are joined and the
//     whitespace dropped;
//   - adjacent words in the same charset are concatenated as bytes before
//     charset decoding, because senders split words in the middle of a
//     multi-byte character (and, in base64, in the middle of a quantum);
//   - lower-case ?b? / ?q?, missing base64 padding, spaces inside Q words,
//     encoded words glued to surrounding text, RFC 2231 language suffixes
//     (=?utf-8*ja?B?...?=).

type encodedWord struct {
	charset string
	b64     bool
	text    string
	start   int // byte offsets in the header string
	end     int
}

// parseEncodedWord parses an encoded word starting at s[i] ("=?"). It
// returns ok=false when s[i:] is not a complete encoded word, and final=true
// when no encoded word can end anywhere after i (so scanning can stop:
// without it, a header of many "=?" and no "?=" costs quadratic time).
func parseEncodedWord(s string, i int) (w encodedWord, ok, final bool) {
	rest := s[i+2:]
	q1 := strings.IndexByte(rest[:min(len(rest), 80)], '?')
	if q1 <= 0 || q1 > 64 || q1+3 > len(rest) || rest[q1+2] != '?' {
		return w, false, false
	}
	cs := rest[:q1]
	if strings.ContainsAny(cs, " \t\r\n\"=") {
		return w, false, false
	}
	switch rest[q1+1] {
	case 'b', 'B':
		w.b64 = true
	case 'q', 'Q':
	default:
		return w, false, false
	}
	body := rest[q1+3:]
	end := strings.Index(body, "?=")
	if end < 0 {
		return w, false, true
	}
	if w.b64 && strings.ContainsAny(body[:end], " \t") {
		// A base64 word cannot contain blanks; this is not one.
		return w, false, false
	}
	w.charset = cs
	if k := strings.IndexByte(w.charset, '*'); k >= 0 {
		w.charset = w.charset[:k]
	}
	w.text = body[:end]
	w.start = i
	w.end = i + 2 + q1 + 3 + end + 2
	return w, true, false
}

// decodeRFC2047 decodes every encoded word in s (already UTF-8 text).
func decodeRFC2047(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var out strings.Builder
	out.Grow(len(s))
	var run []encodedWord // adjacent words awaiting decoding
	flush := func() {
		if len(run) > 0 {
			out.WriteString(decodeWordRun(run))
			run = run[:0]
		}
	}
	pos := 0
	for pos < len(s) {
		i := strings.Index(s[pos:], "=?")
		if i < 0 {
			break
		}
		i += pos
		w, ok, final := parseEncodedWord(s, i)
		if final {
			break
		}
		if !ok {
			flush()
			out.WriteString(s[pos : i+2])
			pos = i + 2
			continue
		}
		gap := s[pos:i]
		if len(run) > 0 && strings.TrimLeft(gap, " \t\r\n") == "" {
			// Whitespace between adjacent encoded words is dropped.
		} else {
			flush()
			out.WriteString(gap)
		}
		run = append(run, w)
		pos = w.end
	}
	flush()
	out.WriteString(s[pos:])
	return out.String()
}

// decodeWordRun decodes adjacent encoded words, joining the bytes of
// consecutive words that share a charset before decoding them.
func decodeWordRun(run []encodedWord) string {
	var out strings.Builder
	for i := 0; i < len(run); {
		j := i + 1
		for j < len(run) && strings.EqualFold(run[j].charset, run[i].charset) {
			j++
		}
		out.WriteString(decodeSameCharset(run[i:j]))
		i = j
	}
	return out.String()
}

func decodeSameCharset(ws []encodedWord) string {
	var raw []byte
	// Base64 split mid-quantum: glue the texts of unpadded pieces.
	var pending strings.Builder
	flushB64 := func() {
		if pending.Len() > 0 {
			raw = append(raw, decodeBase64Lenient(pending.String())...)
			pending.Reset()
		}
	}
	for _, w := range ws {
		if w.b64 {
			pending.WriteString(w.text)
			t := strings.TrimRight(w.text, " \t")
			if strings.HasSuffix(t, "=") || pending.Len()%4 == 0 {
				flushB64()
			}
			continue
		}
		flushB64()
		raw = append(raw, decodeQ(w.text)...)
	}
	flushB64()
	s, _ := decodeText(raw, ws[0].charset)
	return cleanHeaderText(s)
}

// decodeQ decodes the RFC 2047 "Q" encoding.
func decodeQ(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

// decodeBase64Lenient decodes base64, ignoring characters outside the
// alphabet (line breaks, garbage), accepting missing padding and
// restarting after padding found mid-stream (concatenated chunks).
func decodeBase64Lenient(s string) []byte {
	out := make([]byte, 0, len(s)*3/4+3)
	clean := make([]byte, 0, len(s))
	flush := func() {
		if len(clean)%4 == 1 {
			clean = clean[:len(clean)-1] // a lone sextet carries no byte
		}
		n0 := len(out)
		out = out[:n0+base64.RawStdEncoding.DecodedLen(len(clean))]
		n, _ := base64.RawStdEncoding.Decode(out[n0:], clean)
		out = out[:n0+n]
		clean = clean[:0]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '-':
			clean = append(clean, '+') // URL-safe alphabet
		case c == '_':
			clean = append(clean, '/')
		case c == '=':
			if len(clean)%4 != 0 {
				flush()
			}
		}
	}
	flush()
	return out
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// cleanHeaderText turns control characters (including CR and LF that an
// encoded word may smuggle in) into spaces.
func cleanHeaderText(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
