package email

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusExpect is the expectation file next to each corpus .eml.
type corpusExpect struct {
	Note              string   `json:"note"`
	Subject           string   `json:"subject"`
	FromAddress       string   `json:"from_address"`
	FromName          string   `json:"from_name"`
	TextContains      []string `json:"text_contains"`
	TextNotContains   []string `json:"text_not_contains"`
	VisibleContains   []string `json:"visible_contains"`
	QuotedContains    []string `json:"quoted_contains"`
	HTMLContains      []string `json:"html_contains"`
	HTMLNotContains   []string `json:"html_not_contains"`
	Attachments       []string `json:"attachments"`
	Inline            []string `json:"inline"`
	Kind              string   `json:"kind"`
	Language          string   `json:"language"`
	BouncedMessageID  string   `json:"bounced_message_id"`
	BouncedRecipients []string `json:"bounced_recipients"`
	MessageID         string   `json:"message_id"`
	InReplyTo         string   `json:"in_reply_to"`
	To                []string `json:"to"`
	Date              string   `json:"date"`
	ParseError        bool     `json:"parse_error"`
}

func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("corpus has %d messages, want at least 40", len(files))
	}
	return files
}

func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			js, err := os.ReadFile(strings.TrimSuffix(path, ".eml") + ".json")
			if err != nil {
				t.Fatalf("missing expectation: %v", err)
			}
			var want corpusExpect
			if err := json.Unmarshal(js, &want); err != nil {
				t.Fatalf("bad expectation: %v", err)
			}
			m, err := Parse(raw, ParseOptions{MaxAttachmentBytes: 10 << 20})
			if want.ParseError {
				if _, ok := err.(*ParseError); !ok {
					t.Fatalf("want *ParseError, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkCorpus(t, m, want)
		})
	}
}

func checkCorpus(t *testing.T, m *Message, want corpusExpect) {
	t.Helper()
	if m.Subject != want.Subject {
		t.Errorf("Subject = %q, want %q", m.Subject, want.Subject)
	}
	if m.From.Address != want.FromAddress {
		t.Errorf("From.Address = %q, want %q", m.From.Address, want.FromAddress)
	}
	if m.From.Name != want.FromName {
		t.Errorf("From.Name = %q, want %q", m.From.Name, want.FromName)
	}
	for _, s := range want.TextContains {
		if !strings.Contains(m.TextBody, s) {
			t.Errorf("TextBody lacks %q; got:\n%s", s, m.TextBody)
		}
	}
	for _, s := range want.TextNotContains {
		if strings.Contains(m.TextBody, s) {
			t.Errorf("TextBody contains %q", s)
		}
	}
	visible, quoted := SplitQuoted(m.TextBody)
	for _, s := range want.VisibleContains {
		if !strings.Contains(visible, s) {
			t.Errorf("visible text lacks %q; visible:\n%s", s, visible)
		}
	}
	for _, s := range want.QuotedContains {
		if !strings.Contains(quoted, s) {
			t.Errorf("quoted text lacks %q; quoted:\n%s", s, quoted)
		}
		if strings.Contains(visible, s) {
			t.Errorf("visible text still contains quoted %q", s)
		}
	}
	for _, s := range want.HTMLContains {
		if !strings.Contains(m.HTMLBody, s) {
			t.Errorf("HTMLBody lacks %q; got:\n%s", s, m.HTMLBody)
		}
	}
	for _, s := range want.HTMLNotContains {
		if strings.Contains(strings.ToLower(m.HTMLBody), strings.ToLower(s)) {
			t.Errorf("HTMLBody contains %q; got:\n%s", s, m.HTMLBody)
		}
	}
	var names, inline []string
	for _, a := range m.Attachments {
		names = append(names, a.Filename)
		if a.Inline {
			inline = append(inline, a.Filename)
		}
		if !a.TooLarge && int64(len(a.Data)) != a.Size {
			t.Errorf("attachment %q: Size %d, len(Data) %d", a.Filename, a.Size, len(a.Data))
		}
	}
	if strings.Join(names, "|") != strings.Join(want.Attachments, "|") {
		t.Errorf("attachments = %q, want %q", names, want.Attachments)
	}
	if strings.Join(inline, "|") != strings.Join(want.Inline, "|") {
		t.Errorf("inline attachments = %q, want %q", inline, want.Inline)
	}
	if string(m.Kind) != want.Kind {
		t.Errorf("Kind = %q, want %q", m.Kind, want.Kind)
	}
	if want.Language != "" && string(m.Language) != want.Language {
		t.Errorf("Language = %q, want %q", m.Language, want.Language)
	}
	if want.Kind == "bounce" {
		if m.Bounce == nil {
			t.Fatalf("Bounce is nil")
		}
		if m.Bounce.OriginalMessageID != want.BouncedMessageID {
			t.Errorf("Bounce.OriginalMessageID = %q, want %q", m.Bounce.OriginalMessageID, want.BouncedMessageID)
		}
		if want.BouncedRecipients != nil && strings.Join(m.Bounce.Recipients, ",") != strings.Join(want.BouncedRecipients, ",") {
			t.Errorf("Bounce.Recipients = %q, want %q", m.Bounce.Recipients, want.BouncedRecipients)
		}
	}
	if want.MessageID != "" && m.MessageID != want.MessageID {
		t.Errorf("MessageID = %q, want %q", m.MessageID, want.MessageID)
	}
	if want.InReplyTo != "" && m.InReplyTo != want.InReplyTo {
		t.Errorf("InReplyTo = %q, want %q", m.InReplyTo, want.InReplyTo)
	}
	if want.To != nil {
		var got []string
		for _, a := range m.To {
			got = append(got, a.Address)
		}
		if strings.Join(got, ",") != strings.Join(want.To, ",") {
			t.Errorf("To = %q, want %q", got, want.To)
		}
	}
	if want.Date != "" {
		d, err := time.Parse(time.RFC3339, want.Date)
		if err != nil {
			t.Fatalf("bad expected date: %v", err)
		}
		if !m.Date.Equal(d) {
			t.Errorf("Date = %v, want %v", m.Date, d)
		}
	}
}
