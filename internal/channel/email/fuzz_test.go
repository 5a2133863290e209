package email

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParse checks that any input either parses into a well-formed Message
// or yields a *ParseError — without panicking (parse is called directly,
// bypassing Parse's recover, so that panics surface as crashers).
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 3m ./internal/channel/email
func FuzzParse(f *testing.F) {
	for _, path := range corpusFiles(f) {
		f.Add(mustRead(f, path))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := parse(raw, ParseOptions{MaxAttachmentBytes: 1 << 16})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		for name, s := range map[string]string{"Subject": m.Subject, "TextBody": m.TextBody, "HTMLBody": m.HTMLBody,
			"MessageID": m.MessageID, "From.Name": m.From.Name, "From.Address": m.From.Address} {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if m.MessageID == "" {
			t.Error("empty MessageID")
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("Subject contains a line break: %q", m.Subject)
		}
		if msg := unsafeHTML(m.HTMLBody); msg != "" {
			t.Errorf("HTMLBody not sanitised (%s): %q", msg, m.HTMLBody)
		}
		for _, a := range m.Attachments {
			if a.TooLarge != (a.Data == nil && a.Size > 1<<16) {
				t.Errorf("attachment %q: TooLarge=%v Size=%d len=%d", a.Filename, a.TooLarge, a.Size, len(a.Data))
			}
			if strings.ContainsAny(a.Filename, "/\\\x00") {
				t.Errorf("unsafe filename %q", a.Filename)
			}
		}
		if m.Kind == KindBounce && m.Bounce == nil {
			t.Error("bounce without Bounce info")
		}
		SplitQuoted(m.TextBody)
	})
}

// unsafeHTML parses sanitised HTML the way a browser would and reports the
// first element or attribute that could run code, submit data or load
// remote content; "" when there is none.
func unsafeHTML(s string) string {
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return err.Error()
	}
	var bad string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if bad != "" {
			return
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "iframe", "frame", "object", "embed", "form", "input", "button", "link", "meta", "base", "svg", "math", "video", "audio", "source":
				bad = "element " + n.Data
				return
			}
			for _, a := range n.Attr {
				key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(key, "on"):
					bad = "attribute " + key
				case key == "href" || key == "src" || key == "action" || key == "formaction":
					v := strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, val)
					if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:text") {
						bad = "url " + a.Val
					}
					if key == "src" && isRemoteURL(v) {
						bad = "remote src " + a.Val
					}
				case key == "style" && unsafeStyle(val):
					bad = "style " + a.Val
				case key == "srcset" || key == "background":
					bad = "attribute " + key
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

// FuzzTNEF feeds the TNEF reader directly: winmail.dat arrives from
// untrusted senders and its lengths and counts are attacker-controlled.
func FuzzTNEF(f *testing.F) {
	for _, path := range corpusFiles(f) {
		m, err := Parse(mustRead(f, path), ParseOptions{})
		if err != nil {
			continue
		}
		for _, a := range m.Attachments {
			if strings.HasPrefix(string(a.Data), "\x78\x9f\x3e\x22") {
				f.Add(a.Data)
			}
		}
	}
	f.Add([]byte("\x78\x9f\x3e\x22\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, _ := parseTNEF(b)
		for _, file := range res.files {
			if len(file.data) > len(b) {
				t.Fatalf("file larger than input")
			}
		}
	})
}

// FuzzHeader exercises the header decoders (RFC 2047, 8-bit guessing,
// addresses, parameters) on arbitrary values.
func FuzzHeader(f *testing.F) {
	for _, s := range []string{
		"=?UTF-8?B?5b+X5oS/?= =?UTF-8?B?6ICF?=", "=?iso-2022-jp?q?=1B$B$3$s=1B(B?=", "\"Doe, Jane\" <jane@example.org>, bob@x (Bob)",
		"attachment; filename*0*=UTF-8''%E9%A0%98; filename*1*=%E5%8F%8E.pdf", "group: a@b, c@d;", "=?gb2312?B?1r7UuA==?=\x81\x40",
	} {
		f.Add([]byte(s), "")
	}
	f.Fuzz(func(t *testing.T, v []byte, hint string) {
		for _, s := range []string{decodeHeaderText(v, hint), parseAddress(v, hint).Name} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
			if strings.ContainsAny(s, "\r\n") {
				t.Fatalf("line break in %q", s)
			}
		}
		_, params := parseMediaHeader(v, hint)
		for k, p := range params {
			if !utf8.ValidString(k) || !utf8.ValidString(p) {
				t.Fatalf("invalid UTF-8 param %q=%q", k, p)
			}
		}
	})
}
