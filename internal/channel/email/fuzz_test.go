package email

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
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
		low := strings.ToLower(m.HTMLBody)
		if strings.Contains(low, "<script") || strings.Contains(low, "javascript:") {
			t.Errorf("HTMLBody not sanitised: %q", m.HTMLBody)
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
