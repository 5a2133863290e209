package email

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"
)

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "   \r\n\r\n", "\x00\x01\x02 binary junk", "no header here\njust text\n"} {
		m, err := Parse([]byte(in), ParseOptions{})
		var pe *ParseError
		if !errors.As(err, &pe) || m != nil {
			t.Errorf("Parse(%q) = %v, %v; want *ParseError", in, m, err)
		}
	}
}

func TestParseHeaderOnly(t *testing.T) {
	m, err := Parse([]byte("Subject: hi"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "hi" || m.TextBody != "" || !m.MessageIDSynthesized {
		t.Errorf("got %+v", m)
	}
}

func TestSynthesizedMessageIDStable(t *testing.T) {
	raw := crlf("From: a@example.org\nSubject: x\n\nbody\n")
	m1, _ := Parse(raw, ParseOptions{})
	m2, _ := Parse(raw, ParseOptions{})
	m3, _ := Parse(append(raw, '!'), ParseOptions{})
	if m1.MessageID != m2.MessageID || m1.MessageID == m3.MessageID || !strings.HasSuffix(m1.MessageID, "@"+SynthesizedIDDomain) {
		t.Errorf("ids %q %q %q", m1.MessageID, m2.MessageID, m3.MessageID)
	}
}

func TestMaxAttachmentBytes(t *testing.T) {
	big := bytes.Repeat([]byte("A"), 3000)
	raw := crlf("From: a@example.org\nSubject: big\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream; name=big.bin\nContent-Transfer-Encoding: base64\n\n" +
		b64(big) + "\n--b\nContent-Type: text/plain; name=small.txt\nContent-Disposition: attachment\n\nsmall\n--b--\n")
	m, err := Parse(raw, ParseOptions{MaxAttachmentBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 2 {
		t.Fatalf("attachments: %+v", m.Attachments)
	}
	a := m.Attachments[0]
	if a.Filename != "big.bin" || !a.TooLarge || a.Data != nil || a.Size != 3000 {
		t.Errorf("big: %+v", a)
	}
	if s := m.Attachments[1]; s.TooLarge || string(s.Data) != "small" {
		t.Errorf("small: %+v", s)
	}
}

func TestAddresses(t *testing.T) {
	jisName := mustEncode(t, japanese.ISO2022JP, "山田")
	raw := crlf("From: \"=?ISO-2022-JP?B?" + b64(jisName) + "?=\" <yamada@example.jp>\n" +
		"To: undisclosed-recipients:;\n" +
		"Cc: plain@example.org, \"Doe, Jane\" <jane@example.org>, bob@example.org (Bob Smith), <mailto:x@example.org>\n" +
		"Reply-To: Broken <reply@example.org\n" +
		"Subject: t\n\nbody\n")
	m, err := Parse(raw, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.From != (Address{Name: "山田", Address: "yamada@example.jp"}) {
		t.Errorf("From = %+v", m.From)
	}
	if len(m.To) != 0 {
		t.Errorf("To = %+v", m.To)
	}
	want := []Address{{"", "plain@example.org"}, {"Doe, Jane", "jane@example.org"}, {"Bob Smith", "bob@example.org"}, {"", "x@example.org"}}
	if len(m.Cc) != len(want) {
		t.Fatalf("Cc = %+v", m.Cc)
	}
	for i := range want {
		if m.Cc[i] != want[i] {
			t.Errorf("Cc[%d] = %+v, want %+v", i, m.Cc[i], want[i])
		}
	}
	if len(m.ReplyTo) != 1 || m.ReplyTo[0].Address != "reply@example.org" {
		t.Errorf("ReplyTo = %+v", m.ReplyTo)
	}
}

func TestDates(t *testing.T) {
	want := time.Date(2024, 1, 15, 1, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"Mon, 15 Jan 2024 10:00:00 +0900",
		"Mon, 15 Jan 2024 10:00:00 +0900 (JST)",
		"15 Jan 2024 10:00:00 +0900",
		"Mon, 15 Jan 2024 10:00:00 GMT+0900",
		"Mon, 15 Jan 2024 10:00:00 GMT+09:00",
		"Mon, 15 Jan 2024 01:00:00 GMT",
		"Mon,  15 Jan 2024  10:00:00  +0900",
		"2024-01-15T10:00:00+09:00",
	} {
		if got := parseDate(s); !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v", s, got)
		}
	}
	if !parseDate("yesterday-ish").IsZero() {
		t.Error("garbage date should be zero")
	}
}

func TestMessageIDs(t *testing.T) {
	raw := crlf("Message-ID:  <abc@x.example> (comment)\nIn-Reply-To: Your message of Monday <p1@x.example>\nReferences: <r1@x.example>\n\t<r2@x.example> <r3@x.example>\nSubject: x\n\n.\n")
	m, err := Parse(raw, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != "abc@x.example" || m.InReplyTo != "p1@x.example" || strings.Join(m.References, " ") != "r1@x.example r2@x.example r3@x.example" {
		t.Errorf("ids: %q %q %q", m.MessageID, m.InReplyTo, m.References)
	}
	if m.Header("message-id") != "<abc@x.example> (comment)" {
		t.Errorf("Header() = %q", m.Header("message-id"))
	}
}

func TestSanitizeHTML(t *testing.T) {
	in := `<p>Hi<script>alert(1)</script></p><img src="http://x.example/a.png" onload="x()"><img src="cid:logo"><img src="data:image/png;base64,iVBORw0KGgo="><a href="javascript:alert(1)">bad</a>` +
		`<svg><script>alert(2)</script></svg>` +
		`<span style="color:red;background:url(http://t.example/p)">s</span><img data-blocked-src="javascript:alert(4)">` +
		`<p style="color: #ff0000">red</p><link rel=stylesheet href="http://x.example/a.css"><meta http-equiv="refresh" content="0;url=http://x.example">` +
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(3)>`
	out, blocked := sanitizeHTML(parseHTML(in))
	if !blocked {
		t.Error("remote image not reported")
	}
	for _, bad := range []string{"<script", "alert", "onload", "onerror", "javascript", "url(", "<link", "<meta", "http://t.example", ` src="http`} {
		if strings.Contains(out, bad) {
			t.Errorf("sanitised HTML contains %q:\n%s", bad, out)
		}
	}
	for _, good := range []string{`data-blocked-src="http://x.example/a.png"`, `src="cid:logo"`, `src="data:image/png;base64,`, "color: #ff0000"} {
		if !strings.Contains(out, good) {
			t.Errorf("sanitised HTML lacks %q:\n%s", good, out)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	in := `<html><head><title>T</title><style>p{}</style></head><body><h1>Title</h1><p>Line one<br>line two</p>` +
		`<ul><li>first</li><li>second</li></ul><table><tr><td>a</td><td>b</td></tr></table>` +
		`<blockquote>quoted<br>more</blockquote><p>after&nbsp;nbsp</p><pre>  keep
  this</pre></body></html>`
	got := htmlToText(parseHTML(in))
	for _, want := range []string{"Title\n\nLine one\nline two", "- first\n- second", "a b", "> quoted\n> more", "after nbsp", "  keep\n  this"} {
		if !strings.Contains(got, want) {
			t.Errorf("htmlToText lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "p{}") || strings.Contains(got, "T\n") {
		t.Errorf("head content leaked:\n%s", got)
	}
}

func TestTNEF(t *testing.T) {
	// A stream written by hand: one attachment with title, data and a
	// Unicode long filename; then a truncated second attribute.
	var b bytes.Buffer
	le32 := func(v uint32) { b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}) }
	le16 := func(v uint16) { b.Write([]byte{byte(v), byte(v >> 8)}) }
	attr := func(level byte, id uint32, data []byte) {
		b.WriteByte(level)
		le32(id)
		le32(uint32(len(data)))
		b.Write(data)
		le16(0)
	}
	le32(tnefSignature)
	le16(1)
	attr(2, attAttachRendData, make([]byte, 14))
	attr(2, attAttachTitle, []byte("LONGNA~1.TXT\x00"))
	attr(2, attAttachData, []byte("hello"))
	props := []byte{1, 0, 0, 0, 0x1f, 0, 0x07, 0x37, 1, 0, 0, 0, 10, 0, 0, 0, 'L', 0, 'o', 0, 'n', 0, 'g', 0, 0, 0, 0, 0}
	attr(2, attAttachment, props)
	good := append([]byte(nil), b.Bytes()...)
	res, err := parseTNEF(good)
	if err != nil || len(res.files) != 1 || res.files[0].longName != "Long" || res.files[0].title != "LONGNA~1.TXT" || string(res.files[0].data) != "hello" {
		t.Fatalf("parseTNEF = %+v, %v", res, err)
	}
	// Truncation and garbage never panic.
	for i := 0; i < len(good); i++ {
		parseTNEF(good[:i])
		bad := append([]byte(nil), good...)
		bad[i] ^= 0xff
		parseTNEF(bad)
	}
	if _, err := parseTNEF([]byte("not tnef")); err == nil {
		t.Error("want error for bad signature")
	}
}

func TestParseNeverPanicsOnTruncation(t *testing.T) {
	for _, path := range corpusFiles(t) {
		raw := mustRead(t, path)
		step := max(1, len(raw)/200)
		for i := 0; i < len(raw); i += step {
			if _, err := parse(raw[:i], ParseOptions{MaxAttachmentBytes: 100}); err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("%s[:%d]: untyped error %v", path, i, err)
				}
			}
		}
	}
}

func TestAttachmentInPlainAlternative(t *testing.T) {
	raw := crlf("From: a@example.org\nSubject: alt\nContent-Type: multipart/alternative; boundary=a\n\n" +
		"--a\nContent-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nplain text\n--m\nContent-Type: application/pdf; name=form.pdf\n\n%PDF\n--m--\n" +
		"--a\nContent-Type: multipart/mixed; boundary=h\n\n--h\nContent-Type: text/html\n\n<p>html text</p>\n--h\nContent-Type: application/pdf; name=form.pdf\n\n%PDF\n--h--\n" +
		"--a--\n")
	m, err := Parse(raw, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "form.pdf" || m.TextBody != "plain text" || !strings.Contains(m.HTMLBody, "html text") {
		t.Fatalf("got %q %q %+v", m.TextBody, m.HTMLBody, m.Attachments)
	}
	// Only the plain alternative has the file: it must not be lost.
	raw = bytes.Replace(raw, []byte("--h\r\nContent-Type: application/pdf; name=form.pdf\r\n\r\n%PDF\r\n"), nil, 1)
	m, err = Parse(raw, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "form.pdf" {
		t.Fatalf("plain-only attachment lost: %+v", m.Attachments)
	}
}

// TestAdversarialHeadersLinear guards against quadratic time on hostile
// headers: a megabyte of unterminated encoded words, colons, brackets.
func TestAdversarialHeadersLinear(t *testing.T) {
	for _, v := range []string{
		strings.Repeat("=?a?q?", 200000),
		strings.Repeat("=?", 500000),
		"a@b" + strings.Repeat(":", 1000000),
		strings.Repeat("<", 1000000),
		strings.Repeat("(", 1000000),
		strings.Repeat("\"a\" ", 200000),
		strings.Repeat("a=b; ", 200000),
		strings.Repeat("filename*0*=x; ", 100000),
	} {
		raw := []byte("From: " + v + "\r\nTo: " + v + "\r\nSubject: " + v + "\r\nContent-Type: text/plain; " + v + "\r\nReferences: " + v + "\r\n\r\nbody\r\n")
		start := time.Now()
		if _, err := Parse(raw, ParseOptions{}); err != nil {
			t.Fatal(err)
		}
		d := time.Since(start)
		t.Logf("%.12q: %v", v, d)
		if d > 3*time.Second {
			t.Errorf("header %.20q...: %v", v, d)
		}
	}
}

func TestPartLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
	b.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nfirst\r\n")
	for i := 0; i < 3*maxParts; i++ {
		b.WriteString("--x\r\nContent-Type: application/octet-stream\r\n\r\nz\r\n")
	}
	b.WriteString("--x--\r\n")
	m, err := Parse([]byte(b.String()), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.TextBody != "first" || len(m.Attachments) > maxParts+1 {
		t.Fatalf("text %q, %d attachments", m.TextBody, len(m.Attachments))
	}
	last := m.Attachments[len(m.Attachments)-1]
	if !strings.HasPrefix(string(last.Data), "--x") && !strings.Contains(string(last.Data), "z") {
		t.Errorf("remainder blob = %.40q", last.Data)
	}
}
