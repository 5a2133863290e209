package email

import (
	"bytes"
	"strings"
)

const (
	// maxDepth bounds MIME nesting; deeper parts become opaque attachments.
	maxDepth = 50
	// maxParts bounds the number of MIME parts in one message; the rest
	// of a multipart beyond it becomes one opaque attachment.
	maxParts = 2000
)

// part is one node of the MIME tree, with its content transfer encoding
// already removed.
type part struct {
	header      header
	mediaType   string // lower case, always "type/subtype"
	params      map[string]string
	disposition string // "inline", "attachment" or ""
	dparams     map[string]string
	body        []byte
	children    []*part // multipart/*
	embedded    *part   // message/rfc822: the enclosed message
	opaque      bool    // depth or part limit reached: keep as bytes
}

type treeParser struct {
	hint  string // charset for raw 8-bit header bytes
	parts int
}

// parseEntity parses raw bytes (header + body) into a part tree.
func (tp *treeParser) parseEntity(raw []byte, depth int, defaultType string) *part {
	h, body := splitMessage(raw)
	h.hint = tp.hint
	return tp.parseBody(h, body, depth, defaultType)
}

func (tp *treeParser) parseBody(h header, body []byte, depth int, defaultType string) *part {
	tp.parts++
	p := &part{header: h}
	ctv, _ := h.get("Content-Type")
	p.mediaType, p.params = parseMediaHeader(ctv, tp.hint)
	if !validMediaType(p.mediaType) {
		switch p.mediaType {
		case "text", "plain", "text/":
			p.mediaType = "text/plain"
		case "html", "text/htm":
			p.mediaType = "text/html"
		default:
			p.mediaType = defaultType
		}
	}
	if cd, ok := h.get("Content-Disposition"); ok {
		p.disposition, p.dparams = parseMediaHeader(cd, tp.hint)
	} else {
		p.dparams = map[string]string{}
	}
	cte := strings.ToLower(strings.TrimSpace(stripComment(h.raw("Content-Transfer-Encoding"))))

	if depth > maxDepth || tp.parts > maxParts {
		p.opaque = true
		p.body = decodeTransfer(body, cte)
		return p
	}
	switch {
	case strings.HasPrefix(p.mediaType, "multipart/"):
		boundary := strings.TrimSpace(p.params["boundary"])
		if (cte == "base64" || cte == "quoted-printable") && (boundary == "" || !bytes.Contains(body, []byte("--"+boundary))) {
			// Some gateways encode a whole multipart body.
			body = decodeTransfer(body, cte)
		}
		if boundary == "" || !bytes.Contains(body, []byte("--"+boundary)) {
			boundary = guessBoundary(body)
		}
		if boundary == "" {
			p.mediaType = "text/plain"
			p.body = body
			return p
		}
		childType := "text/plain"
		if p.mediaType == "multipart/digest" {
			childType = "message/rfc822"
		}
		for _, c := range splitMultipart(body, boundary) {
			if tp.parts >= maxParts {
				// Keep everything from here on as one opaque blob. c is a
				// subslice of body, so their capacities give its offset.
				rest := body[cap(body)-cap(c):]
				p.children = append(p.children, &part{mediaType: "application/octet-stream", body: rest, opaque: true,
					params: map[string]string{}, dparams: map[string]string{}})
				break
			}
			p.children = append(p.children, tp.parseEntity(c, depth+1, childType))
		}
	case p.mediaType == "message/rfc822" || p.mediaType == "message/global":
		inner := decodeTransfer(body, cte)
		p.body = inner
		if len(bytes.TrimSpace(inner)) > 0 {
			p.embedded = tp.parseEntity(inner, depth+1, "text/plain")
		}
	default:
		p.body = decodeTransfer(body, cte)
	}
	return p
}

func validMediaType(t string) bool {
	i := strings.IndexByte(t, '/')
	return i > 0 && i < len(t)-1 && strings.IndexByte(t[i+1:], '/') < 0
}

// splitMultipart returns the bodies of the parts between delimiter lines.
// A missing close delimiter ends the last part at the end of input.
func splitMultipart(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // start of the current part's content, -1 in the preamble
	pos := 0
	for pos < len(body) {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		pos = i + len(delim)
		if i > 0 && body[i-1] != '\n' {
			continue // not at the start of a line
		}
		lineEnd := bytes.IndexByte(body[pos:], '\n')
		var rest []byte
		next := len(body)
		if lineEnd >= 0 {
			rest = body[pos : pos+lineEnd]
			next = pos + lineEnd + 1
		} else {
			rest = body[pos:]
		}
		isClose := bytes.HasPrefix(rest, []byte("--"))
		if !isClose && len(bytes.TrimSpace(rest)) != 0 {
			continue // a longer boundary that merely starts with ours
		}
		if start >= 0 {
			end := i
			// The line break before the delimiter belongs to it.
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			parts = append(parts, body[start:end])
		}
		if isClose {
			return parts
		}
		start = next
		pos = next
	}
	if start >= 0 && start <= len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// guessBoundary finds a boundary when the Content-Type lacks one (or names
// one that never occurs): the first "--token" line that occurs twice.
func guessBoundary(body []byte) string {
	lines, candidates := 0, 0
	for pos := 0; pos < len(body) && lines < 200 && candidates < 5; lines++ {
		end := bytes.IndexByte(body[pos:], '\n')
		var line []byte
		if end < 0 {
			line = body[pos:]
			end = len(body) - pos
		} else {
			line = body[pos : pos+end]
		}
		pos += end + 1
		line = bytes.TrimRight(line, "\r \t")
		if len(line) > 4 && line[0] == '-' && line[1] == '-' && !bytes.ContainsAny(line, " \t") {
			cand := strings.TrimSuffix(string(line[2:]), "--")
			if cand == "" || strings.Trim(cand, "-") == "" {
				continue
			}
			candidates++
			if bytes.Count(body, []byte("--"+cand)) >= 2 {
				return cand
			}
		}
	}
	return ""
}

// decodeTransfer removes a content transfer encoding.
func decodeTransfer(b []byte, cte string) []byte {
	switch cte {
	case "base64":
		if !looksBase64(b) {
			return b // mislabelled plain text
		}
		return decodeBase64Lenient(string(b))
	case "quoted-printable", "qp", "quoted_printable":
		return decodeQP(b)
	}
	return b
}

// looksBase64 reports whether most non-blank bytes are in the base64
// alphabet.
func looksBase64(b []byte) bool {
	n := len(b)
	if n > 4096 {
		n = 4096
	}
	bad, total := 0, 0
	for _, c := range b[:n] {
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			total++
		default:
			total++
			bad++
		}
	}
	return bad*10 <= total
}

// decodeQP decodes quoted-printable leniently: soft breaks with trailing
// blanks, lower-case hex, and stray "=" kept literally.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '=' {
			if c == ' ' || c == '\t' {
				// Trailing blanks before a line break are transport padding.
				j := i
				for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
					j++
				}
				if j == len(b) || b[j] == '\n' || (b[j] == '\r' && j+1 < len(b) && b[j+1] == '\n') {
					i = j - 1
					continue
				}
			}
			out = append(out, c)
			continue
		}
		if i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
			continue
		}
		// Soft line break: "=" then optional blanks then a line break.
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j < len(b) && b[j] == '\r' {
			j++
		}
		if j < len(b) && b[j] == '\n' {
			i = j
			continue
		}
		if j == len(b) {
			break
		}
		out = append(out, c)
	}
	return out
}
