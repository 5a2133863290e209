package email

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// collector walks a part tree and gathers the body texts, HTML and
// attachments of one message.
type collector struct {
	opts     ParseOptions
	texts    []string
	htmls    []string
	forwards []string
	atts     []Attachment
	charset  string

	// Attachments found in a plain-text alternative, pending deduplication.
	altParts []*part

	// Delivery-report material, for classification.
	dsn      []byte
	original *header // headers of the message a report is about
}

// walkMode says what a subtree may contribute.
type walkMode struct {
	textOnly bool // the plain alternative of an HTML body: text only
	related  bool // inside multipart/related: parts are inline resources
	report   bool // inside multipart/report
}

func (c *collector) walk(p *part, m walkMode) {
	if p.opaque {
		if !m.textOnly {
			c.attach(p, false)
		}
		return
	}
	mt := p.mediaType
	switch {
	case mt == "multipart/alternative":
		c.walkAlternative(p, m)
	case mt == "multipart/related":
		c.walkRelated(p, m)
	case mt == "multipart/report":
		m.report = true
		for _, ch := range p.children {
			c.walk(ch, m)
		}
	case strings.HasPrefix(mt, "multipart/"):
		for _, ch := range p.children {
			c.walk(ch, m)
		}
	case mt == "message/rfc822" || mt == "message/global":
		c.forwarded(p, m)
	case m.report && (mt == "message/delivery-status" || mt == "message/global-delivery-status"):
		c.dsn = append(c.dsn, p.body...)
		if !m.textOnly {
			c.attachNamed(p, "delivery-status.txt")
		}
	case m.report && (mt == "text/rfc822-headers" || mt == "message/rfc822-headers" || mt == "message/global-headers"):
		h, _ := splitMessage(p.body)
		c.original = &h
		if !m.textOnly {
			c.attachNamed(p, "original-headers.txt")
		}
	case (mt == "text/plain" || mt == "text/html") && !c.isAttachment(p):
		s, cs := decodeText(p.body, p.params["charset"])
		if mt == "text/html" && p.params["charset"] == "" {
			s, cs = decodeText(p.body, sniffHTMLCharset(p.body))
		}
		s = strings.TrimPrefix(s, "\ufeff")
		if c.charset == "" {
			c.charset = cs
		}
		if mt == "text/plain" {
			if strings.EqualFold(p.params["format"], "flowed") {
				s = unflow(s, strings.EqualFold(p.params["delsp"], "yes"))
			}
			c.texts = append(c.texts, normalizeNewlines(s))
		} else if !m.textOnly {
			c.htmls = append(c.htmls, s)
		}
	case m.textOnly:
		// Usually the richer alternative carries the same files; keep
		// this one aside and add it later only if it is not a duplicate.
		c.altParts = append(c.altParts, p)
	case isTNEF(p):
		c.tnef(p)
	default:
		c.attach(p, m.related)
	}
}

// isAttachment reports whether a text part was meant as a file rather
// than as (part of) the body.
func (c *collector) isAttachment(p *part) bool {
	if p.disposition == "attachment" {
		return true
	}
	if p.disposition == "inline" {
		return false
	}
	return filenameOf(p) != "" && (len(c.texts) > 0 || len(c.htmls) > 0)
}

// walkAlternative keeps the richest alternative (the last HTML one) for
// HTML and attachments, and the first plain-text one for text.
func (c *collector) walkAlternative(p *part, m walkMode) {
	var plain, rich *part
	for _, ch := range p.children {
		switch kind := primaryType(ch); kind {
		case "text/plain":
			if plain == nil {
				plain = ch
			}
		case "text/html":
			rich = ch
		}
	}
	if rich == nil && plain == nil && len(p.children) > 0 {
		rich = p.children[len(p.children)-1]
	}
	pending := len(c.altParts)
	if plain != nil {
		pm := m
		pm.textOnly = pm.textOnly || rich != nil
		c.walk(plain, pm)
	}
	if rich != nil {
		if plain != nil {
			// Only the HTML of the rich part; text comes from plain.
			before := len(c.texts)
			c.walk(rich, m)
			c.texts = c.texts[:before]
		} else {
			c.walk(rich, m)
		}
	}
	if !m.textOnly {
		for _, ap := range c.altParts[pending:] {
			if !c.hasAttachment(filenameOf(ap), len(ap.body)) {
				c.attach(ap, false)
			}
		}
		c.altParts = c.altParts[:pending]
	}
	// Calendar invitations ride along as alternatives in Outlook mail.
	for _, ch := range p.children {
		if ch.mediaType == "text/calendar" && !m.textOnly {
			c.attachNamed(ch, "invite.ics")
		}
	}
}

// primaryType is the kind of body a subtree offers: "text/html" if it
// holds an HTML body, else "text/plain" if it holds plain text.
func primaryType(p *part) string {
	switch {
	case p.mediaType == "text/html" && p.disposition != "attachment":
		return "text/html"
	case p.mediaType == "text/plain" && p.disposition != "attachment":
		return "text/plain"
	case strings.HasPrefix(p.mediaType, "multipart/"):
		best := ""
		for _, ch := range p.children {
			switch primaryType(ch) {
			case "text/html":
				return "text/html"
			case "text/plain":
				best = "text/plain"
			}
		}
		return best
	}
	return ""
}

// walkRelated walks the root part as the body and the rest as inline
// resources.
func (c *collector) walkRelated(p *part, m walkMode) {
	if len(p.children) == 0 {
		return
	}
	root := p.children[0]
	if start := cleanMsgID(p.params["start"]); start != "" {
		for _, ch := range p.children {
			if cleanMsgID(ch.header.raw("Content-ID")) == start {
				root = ch
			}
		}
	}
	c.walk(root, m)
	rm := m
	rm.related = true
	for _, ch := range p.children {
		if ch != root {
			c.walk(ch, rm)
		}
	}
}

// forwarded keeps an enclosed message as an .eml attachment named after its
// subject and appends its text under a header block.
func (c *collector) forwarded(p *part, m walkMode) {
	subject := ""
	var inner *collector
	if p.embedded != nil {
		subject = p.embedded.header.text("Subject")
		inner = &collector{opts: c.opts}
		inner.walk(p.embedded, walkMode{textOnly: false})
		if m.report && c.original == nil {
			h := p.embedded.header
			c.original = &h
		}
	}
	if !m.textOnly {
		name := filenameOf(p)
		if name == "" {
			name = "forwarded.eml"
			if s := sanitizeFilename(subject); s != "" {
				name = s + ".eml"
			}
		}
		c.attachNamed(p, name)
	}
	if inner == nil || m.report {
		return
	}
	h := p.embedded.header
	var b strings.Builder
	b.WriteString("---------- Forwarded message ----------\n")
	for _, f := range []string{"From", "Date", "Subject", "To", "Cc"} {
		if v := h.text(f); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", f, v)
		}
	}
	b.WriteString("\n")
	b.WriteString(inner.textBodyWith(""))
	c.forwards = append(c.forwards, strings.TrimRight(b.String(), "\n"))
}

// textBodyWith is the plain text of what was collected: text parts, else
// text derived from HTML (htmlText when the caller already has it), then
// forwarded messages.
func (c *collector) textBodyWith(htmlText string) string {
	text := strings.TrimSpace(strings.Join(c.texts, "\n"))
	if text == "" && len(c.htmls) > 0 {
		if htmlText == "" {
			htmlText = htmlToText(parseHTML(strings.Join(c.htmls, "\n")))
		}
		text = htmlText
	}
	for _, f := range c.forwards {
		if text != "" {
			text += "\n\n"
		}
		text += f
	}
	return text
}

func (c *collector) hasAttachment(name string, size int) bool {
	for _, a := range c.atts {
		if a.Size == int64(size) && (name == "" || a.Filename == name) {
			return true
		}
	}
	return false
}

func (c *collector) attach(p *part, related bool) {
	c.attachNamed(p, "")
	a := &c.atts[len(c.atts)-1]
	a.Inline = related && a.ContentID != ""
}

// attachNamed adds p as an attachment; fallback names it when the part
// carries no filename.
func (c *collector) attachNamed(p *part, fallback string) {
	name := filenameOf(p)
	if name == "" {
		name = fallback
	}
	if name == "" {
		name = fmt.Sprintf("attachment-%d%s", len(c.atts)+1, extensionFor(p.mediaType))
	}
	c.addAttachment(Attachment{
		Filename:    name,
		ContentType: p.mediaType,
		ContentID:   cleanMsgID(p.header.raw("Content-ID")),
		Inline:      p.disposition == "inline" && p.header.raw("Content-ID") != "",
	}, p.body)
}

func (c *collector) addAttachment(a Attachment, data []byte) {
	a.Size = int64(len(data))
	if c.opts.MaxAttachmentBytes > 0 && a.Size > c.opts.MaxAttachmentBytes {
		a.TooLarge = true
	} else {
		a.Data = data
	}
	c.atts = append(c.atts, a)
}

// filenameOf returns the sanitised filename of a part, from
// Content-Disposition or the Content-Type name parameter.
func filenameOf(p *part) string {
	for _, v := range []string{p.dparams["filename"], p.params["name"], p.dparams["name"]} {
		if s := sanitizeFilename(v); s != "" {
			return s
		}
	}
	return ""
}

// sanitizeFilename strips directories, control characters and characters
// that file systems reject, and bounds the length to 200 bytes.
func sanitizeFilename(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			return -1
		case strings.ContainsRune(`:*?"<>|`, r):
			return '_'
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, ". ")
	for len(s) > 200 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

var extensions = map[string]string{
	"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
	"image/heic": ".heic", "text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics", "text/csv": ".csv",
	"message/rfc822": ".eml", "application/zip": ".zip", "application/msword": ".doc",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       ".xlsx",
	"application/vnd.ms-excel": ".xls", "audio/mpeg": ".mp3", "video/mp4": ".mp4", "text/vcard": ".vcf",
	"text/x-vcard": ".vcf", "application/pgp-signature": ".asc", "application/pkcs7-signature": ".p7s",
	"application/x-pkcs7-signature": ".p7s",
}

func extensionFor(mediaType string) string {
	if e, ok := extensions[mediaType]; ok {
		return e
	}
	return ".bin"
}

// sniffHTMLCharset finds <meta charset=...> or http-equiv content charset
// in the first kilobytes of an HTML part.
func sniffHTMLCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	l := bytes.ToLower(b)
	i := bytes.Index(l, []byte("charset="))
	if i < 0 {
		return ""
	}
	v := l[i+len("charset="):]
	v = bytes.TrimLeft(v, `"' `)
	end := bytes.IndexAny(v, `"'; />`)
	if end < 0 {
		end = len(v)
	}
	return string(v[:end])
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// unflow joins the soft-broken lines of format=flowed text (RFC 3676).
func unflow(s string, delsp bool) string {
	s = normalizeNewlines(s)
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		if strings.HasPrefix(l, " ") {
			l = l[1:] // space-stuffing
		}
		soft := strings.HasSuffix(l, " ") && l != "-- " && i < len(lines)-1
		if soft && delsp {
			l = l[:len(l)-1]
		}
		b.WriteString(l)
		if !soft && i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
