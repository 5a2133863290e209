package smtpout

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/emersion/go-message/mail"

	"github.com/steward-desk/steward/internal/outbox"
)

// Build renders m as an RFC 5322 message: UTF-8 text/plain (quoted-printable
// for mostly-Latin text, base64 for CJK), attachments as multipart/mixed,
// RFC 2047 encoded subject and names, threading headers, and for machine
// mail (acknowledgements, notices) Auto-Submitted: auto-replied.
//
// Header injection is impossible: control characters (CR and LF above all)
// in names and the subject become spaces, addresses must parse as a single
// bare address, and message identifiers with characters outside
// printable ASCII are dropped.
func Build(m outbox.Mail, threadIndex string, now time.Time) ([]byte, error) {
	from, err := cleanAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("From: %w", err)
	}
	to, err := cleanAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("To: %w", err)
	}
	// go-message writes fields last-set first: collect them in the usual
	// order and set them backwards.
	var fields [][2]string
	add := func(k, v string) { fields = append(fields, [2]string{k, v}) }
	var h gomail.Header
	h.SetDate(now)
	add("Date", h.Get("Date"))
	h.SetAddressList("From", []*gomail.Address{from})
	add("From", h.Get("From"))
	h.SetAddressList("To", []*gomail.Address{to})
	add("To", h.Get("To"))
	add("Subject", encodeText(cleanText(m.Subject)))
	id := cleanID(m.MessageID)
	if id == "" {
		return nil, fmt.Errorf("Message-ID %q is not usable", m.MessageID)
	}
	add("Message-ID", "<"+id+">")
	if id := cleanID(m.InReplyTo); id != "" {
		add("In-Reply-To", "<"+id+">")
	}
	var refs []string
	for _, r := range m.References {
		if id := cleanID(r); id != "" {
			refs = append(refs, "<"+id+">")
		}
	}
	if len(refs) > 0 {
		add("References", strings.Join(refs, " "))
	}
	if threadIndex != "" {
		add("Thread-Index", threadIndex)
	}
	if m.AutoSubmitted {
		// RFC 3834; the Microsoft header keeps Exchange from answering with
		// out-of-office notices of its own.
		add("Auto-Submitted", "auto-replied")
		add("X-Auto-Response-Suppress", "All")
	}
	if l := m.Language; l == "en" || l == "ja" || l == "zh" {
		add("Content-Language", l)
	}
	add("MIME-Version", "1.0")
	text := toCRLF(m.Text)
	if len(m.Attachments) == 0 {
		add("Content-Type", "text/plain; charset=utf-8")
		add("Content-Transfer-Encoding", transferEncoding(text))
	}
	h = gomail.Header{}
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i][0], fields[i][1])
	}

	var buf bytes.Buffer
	if len(m.Attachments) == 0 {
		w, err := gomail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, text); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	var th gomail.InlineHeader
	th.Set("Content-Type", "text/plain; charset=utf-8")
	th.Set("Content-Transfer-Encoding", transferEncoding(text))
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(tw, text); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeAttachment(mw *gomail.Writer, a outbox.Attachment) error {
	if a.Open == nil {
		return fmt.Errorf("attachment %q has no content", a.Filename)
	}
	r, err := a.Open()
	if err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	defer r.Close()
	var ah gomail.AttachmentHeader
	ct := "application/octet-stream"
	if t, _, err := mime.ParseMediaType(a.ContentType); err == nil && strings.Count(t, "/") == 1 && !strings.HasPrefix(t, "multipart/") {
		ct = t
	}
	ah.Set("Content-Type", ct)
	name := cleanText(a.Filename)
	if name == "" {
		name = "attachment"
	}
	ah.SetFilename(name)
	w, err := mw.CreateAttachment(ah)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	return w.Close()
}

// cleanText makes a header text one safe line: control characters (CR, LF,
// NUL, …) become spaces, runs of spaces one, invalid UTF-8 is replaced.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// cleanAddress checks that a is one bare address and cleans its name.
func cleanAddress(a outbox.Address) (*gomail.Address, error) {
	addr := strings.TrimSpace(a.Address)
	p, err := mail.ParseAddress(addr)
	if err != nil || p.Address != addr || p.Name != "" {
		return nil, fmt.Errorf("%q is not an email address", a.Address)
	}
	return &gomail.Address{Name: cleanText(a.Name), Address: addr}, nil
}

// encodeText RFC 2047-encodes s when it is not plain ASCII (B encoding:
// shorter than Q for Japanese and Chinese).
func encodeText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return mime.BEncoding.Encode("UTF-8", s)
		}
	}
	return s
}

// cleanID returns a Message-ID (without brackets) if it is safe to write in
// a header, else "".
func cleanID(id string) string {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	if id == "" || len(id) > 500 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return ""
		}
	}
	return id
}

// transferEncoding is quoted-printable for mostly-ASCII text (readable in
// the raw) and base64 otherwise (a third the size of QP for CJK).
func transferEncoding(s string) string {
	non := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			non++
		}
	}
	if non*5 > len(s) {
		return "base64"
	}
	return "quoted-printable"
}

func toCRLF(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}
