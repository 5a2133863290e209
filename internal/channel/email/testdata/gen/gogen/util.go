package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding"
)

// expect mirrors the JSON read by corpus_test.go.
type expect struct {
	Note              string   `json:"note"`
	Subject           string   `json:"subject"`
	FromAddress       string   `json:"from_address"`
	FromName          string   `json:"from_name"`
	TextContains      []string `json:"text_contains,omitempty"`
	TextNotContains   []string `json:"text_not_contains,omitempty"`
	VisibleContains   []string `json:"visible_contains,omitempty"`
	QuotedContains    []string `json:"quoted_contains,omitempty"`
	HTMLContains      []string `json:"html_contains,omitempty"`
	HTMLNotContains   []string `json:"html_not_contains,omitempty"`
	Attachments       []string `json:"attachments"`
	Inline            []string `json:"inline,omitempty"`
	Kind              string   `json:"kind"`
	Language          string   `json:"language,omitempty"`
	BouncedMessageID  string   `json:"bounced_message_id,omitempty"`
	BouncedRecipients []string `json:"bounced_recipients,omitempty"`
	MessageID         string   `json:"message_id,omitempty"`
	InReplyTo         string   `json:"in_reply_to,omitempty"`
	To                []string `json:"to,omitempty"`
	Date              string   `json:"date,omitempty"`
	ParseError        bool     `json:"parse_error,omitempty"`
}

type sample struct {
	name string
	raw  []byte
	exp  expect
}

func write(dir string, s sample) {
	if err := os.WriteFile(filepath.Join(dir, s.name+".eml"), s.raw, 0o644); err != nil {
		panic(err)
	}
	if s.exp.Attachments == nil {
		s.exp.Attachments = []string{}
	}
	j, err := json.MarshalIndent(s.exp, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(dir, s.name+".json"), append(j, '\n'), 0o644); err != nil {
		panic(err)
	}
}

func enc(e encoding.Encoding, s string) []byte {
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("encode %q: %v", s, err))
	}
	return b
}

// bword encodes raw bytes as one RFC 2047 B word.
func bword(charset string, raw []byte) string {
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString(raw) + "?="
}

// b64lines base64-encodes with 76-character lines.
func b64lines(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76])
		out.WriteString("\r\n")
		s = s[76:]
	}
	out.WriteString(s)
	return out.String()
}

// msg joins header lines and a body with CRLF line ends.
func msg(headers []string, body string) []byte {
	var b bytes.Buffer
	for _, h := range headers {
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	return b.Bytes()
}

// msgBytes is msg for bodies that hold raw 8-bit bytes (kept as they are,
// apart from LF → CRLF).
func msgBytes(headers [][]byte, body []byte) []byte {
	var b bytes.Buffer
	for _, h := range headers {
		b.Write(h)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.Write(bytes.ReplaceAll(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
	return b.Bytes()
}

func qEncodeUTF8(s string) string { return mime.QEncoding.Encode("utf-8", s) }

// tnefWriter builds TNEF streams for the corpus.
type tnefWriter struct{ b bytes.Buffer }

func newTNEF() *tnefWriter {
	w := &tnefWriter{}
	binary.Write(&w.b, binary.LittleEndian, uint32(0x223e9f78))
	binary.Write(&w.b, binary.LittleEndian, uint16(0x0001))
	return w
}

func (w *tnefWriter) attr(level byte, id uint32, data []byte) {
	w.b.WriteByte(level)
	binary.Write(&w.b, binary.LittleEndian, id)
	binary.Write(&w.b, binary.LittleEndian, uint32(len(data)))
	w.b.Write(data)
	var sum uint16
	for _, c := range data {
		sum += uint16(c)
	}
	binary.Write(&w.b, binary.LittleEndian, sum)
}

// mapiProps encodes a MAPI property list with string8, unicode, long and
// binary values.
type mapiProp struct {
	typ, id uint16
	val     any
}

func mapiProps(props []mapiProp) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(uint32(len(props)))
	pad := func(n int) {
		for n%4 != 0 {
			b.WriteByte(0)
			n++
		}
	}
	for _, p := range props {
		le(p.typ)
		le(p.id)
		switch v := p.val.(type) {
		case uint32:
			le(v)
		case []byte:
			le(uint32(1))
			le(uint32(len(v)))
			b.Write(v)
			pad(len(v))
		case string: // PT_UNICODE
			u := utf16.Encode([]rune(v + "\x00"))
			le(uint32(1))
			le(uint32(len(u) * 2))
			for _, c := range u {
				le(c)
			}
			pad(len(u) * 2)
		}
	}
	return b.Bytes()
}
