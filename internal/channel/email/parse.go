package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"strings"
	"unicode/utf8"
)

// SynthesizedIDDomain is the domain part of Message-IDs that Parse makes up
// for messages that have none.
const SynthesizedIDDomain = "steward.invalid"

// Parse parses a raw RFC 5322 message into a normalised Message.
//
// It is lenient: broken charsets, encodings and MIME structure are repaired
// or guessed (see doc.go). It returns a *ParseError only for input that is
// not a mail message at all (empty, or without a single header field), and
// never panics: an unexpected internal failure is also a *ParseError, so the
// caller can quarantine the raw bytes.
func Parse(raw []byte, opts ParseOptions) (m *Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m = nil
			err = &ParseError{Reason: fmt.Sprintf("internal error: %v", r), Err: fmt.Errorf("%s", debug.Stack())}
		}
	}()
	return parse(raw, opts)
}

func parse(raw []byte, opts ParseOptions) (*Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &ParseError{Reason: "empty message"}
	}
	tp := &treeParser{hint: sniffCharsetHint(raw)}
	if tp.hint == "" {
		tp.hint = detectMessageCharset(raw)
	}
	h, body := splitMessage(raw)
	if len(h.fields) == 0 {
		return nil, &ParseError{Reason: "no header fields"}
	}
	h.hint = tp.hint
	top := tp.parseBody(h, body, 0, "text/plain")

	c := &collector{opts: opts}
	c.walk(top, walkMode{})

	m := &Message{header: h, Charset: c.charset}
	m.MessageID = normalizeMessageID(h.text("Message-ID"))
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = hex.EncodeToString(sum[:16]) + "@" + SynthesizedIDDomain
		m.MessageIDSynthesized = true
	}
	if ids := msgIDs(h.text("In-Reply-To")); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = msgIDs(h.text("References"))
	if v, ok := h.get("From"); ok {
		m.From = parseAddress(v, h.hint)
	} else if v, ok := h.get("Sender"); ok {
		m.From = parseAddress(v, h.hint)
	}
	if v, ok := h.get("Reply-To"); ok {
		m.ReplyTo = parseAddressList(v, h.hint)
	}
	for _, f := range h.fields {
		switch {
		case equalFold(f.name, "To"):
			m.To = append(m.To, parseAddressList(f.value, h.hint)...)
		case equalFold(f.name, "Cc"):
			m.Cc = append(m.Cc, parseAddressList(f.value, h.hint)...)
		}
	}
	m.Subject = h.text("Subject")
	m.Date = parseDate(h.text("Date"))
	m.Headers = Headers{
		AutoSubmitted:   h.text("Auto-Submitted"),
		Precedence:      h.text("Precedence"),
		XAutoreply:      h.text("X-Autoreply"),
		XAutorespond:    h.text("X-Autorespond"),
		ListID:          h.text("List-Id"),
		ListUnsubscribe: h.text("List-Unsubscribe"),
		ReturnPath:      h.text("Return-Path"),
	}

	var htmlText string
	if len(c.htmls) > 0 {
		doc := parseHTML(strings.Join(c.htmls, "\n"))
		if strings.TrimSpace(strings.Join(c.texts, "")) == "" {
			htmlText = htmlToText(doc)
		}
		m.HTMLBody, m.HasRemoteContent = sanitizeHTML(doc)
	}
	m.TextBody = c.textBodyWith(htmlText)
	m.Attachments = c.atts
	for i := range m.Attachments {
		a := &m.Attachments[i]
		a.Inline = a.ContentID != "" && m.HTMLBody != "" && strings.Contains(m.HTMLBody, "cid:"+a.ContentID)
	}

	classify(m, c, top)
	visible, _ := SplitQuoted(m.TextBody)
	m.Language = GuessLanguage(m.Subject + "\n" + visible)
	return m, nil
}

// detectMessageCharset guesses the charset of unlabelled 8-bit bytes from
// the first 16 kB of the whole message, so that short raw header values
// (a three-character name) are decoded like the longer text around them.
func detectMessageCharset(raw []byte) string {
	if len(raw) > 16<<10 {
		raw = raw[:16<<10]
		// Do not let the cut split a UTF-8 sequence.
		for k := 0; k < 3 && len(raw) > 0 && !utf8.RuneStart(raw[len(raw)-1]); k++ {
			raw = raw[:len(raw)-1]
		}
		if len(raw) > 0 && raw[len(raw)-1] >= 0xc0 {
			raw = raw[:len(raw)-1]
		}
	}
	if isASCII(raw) || utf8.Valid(raw) {
		return ""
	}
	if name, _, ok := detectCJK(raw, 0.5); ok {
		return name
	}
	return ""
}

// sniffCharsetHint returns the first non-ASCII charset named in a charset=
// parameter near the top of the message. Raw 8-bit header bytes are most
// likely in that charset.
func sniffCharsetHint(raw []byte) string {
	if len(raw) > 64<<10 {
		raw = raw[:64<<10]
	}
	for pos := 0; pos < len(raw); {
		i := bytes.Index(raw[pos:], []byte("harset="))
		if i < 0 {
			i = bytes.Index(raw[pos:], []byte("HARSET="))
			if i < 0 {
				return ""
			}
		}
		i += pos
		pos = i + 7
		if i == 0 || (raw[i-1] != 'c' && raw[i-1] != 'C') {
			continue
		}
		v := raw[pos:]
		v = bytes.TrimLeft(v, `"' `)
		end := bytes.IndexAny(v, "\"'; \t\r\n>/")
		if end < 0 {
			end = len(v)
		}
		label := string(v[:end])
		if _, name, ok := lookupCharset(label); ok && name != csASCII && name != csUTF8 {
			return name
		}
	}
	return ""
}
