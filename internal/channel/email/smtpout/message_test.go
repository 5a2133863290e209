package smtpout_test

import (
	"bytes"
	"io"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/channel/email"
	"github.com/steward-desk/steward/internal/channel/email/smtpout"
	"github.com/steward-desk/steward/internal/outbox"
)

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func TestBuildEncodesAndThreads(t *testing.T) {
	m := outbox.Mail{
		From:          outbox.Address{Name: "ひだまり基金", Address: "info@hidamari.example.org"},
		To:            outbox.Address{Name: "佐藤 花子", Address: "hanako@example.jp"},
		Subject:       "Re: 寄付金の領収書について、再発行のお願いと住所変更のご連絡（至急ではありません） [#1042]",
		Text:          "佐藤様\n\n領収書を再発行いたしました。\n\n[ref:t1.abc.def]",
		MessageID:     "steward.t1.abc.def@hidamari.example.org",
		InReplyTo:     "CAF=abc@mail.gmail.com",
		References:    []string{"CAF=abc@mail.gmail.com", "steward.t1.xyz.uvw@hidamari.example.org"},
		AutoSubmitted: true,
		Language:      "ja",
	}
	raw, err := smtpout.Build(m, "AQHbPqN5", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line of %d bytes", len(line))
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("8-bit byte in %q", line)
			}
		}
		if line == "" {
			break
		}
	}
	if !strings.Contains(string(raw), "Subject: =?UTF-8?b?") && !strings.Contains(string(raw), "Subject: =?UTF-8?B?") {
		t.Fatalf("subject not RFC 2047 encoded:\n%s", raw)
	}
	p, err := email.Parse(raw, email.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != m.Subject || p.From.Name != "ひだまり基金" || p.From.Address != m.From.Address || p.MessageID != m.MessageID || p.InReplyTo != m.InReplyTo ||
		len(p.References) != 2 || !strings.Contains(p.TextBody, "領収書を再発行") {
		t.Fatalf("round trip: %+v", p)
	}
	if p.Headers.AutoSubmitted != "auto-replied" || p.Kind != email.KindAutoReply {
		t.Fatalf("acknowledgement not marked: %q %s", p.Headers.AutoSubmitted, p.Kind)
	}
	if p.Header("Thread-Index") != "AQHbPqN5" || p.Header("MIME-Version") != "1.0" || p.Header("Date") == "" {
		t.Fatalf("headers: %q %q %q", p.Header("Thread-Index"), p.Header("MIME-Version"), p.Header("Date"))
	}
	if !strings.Contains(string(raw), "Content-Transfer-Encoding: base64") {
		t.Fatal("Japanese text not base64")
	}
	// Latin text is quoted-printable, and a reply by a person is not Auto-Submitted.
	m.Text, m.AutoSubmitted, m.Subject = "Dear Jane,\n\nThank you — we’ll send it today.", false, "Re: receipt [#7]"
	raw, _ = smtpout.Build(m, "", now)
	if !strings.Contains(string(raw), "quoted-printable") || strings.Contains(string(raw), "Auto-Submitted") || !strings.Contains(string(raw), "Subject: Re: receipt [#7]\r\n") {
		t.Fatalf("latin reply:\n%s", raw)
	}
}

func TestBuildPreventsHeaderInjection(t *testing.T) {
	m := outbox.Mail{
		From:       outbox.Address{Name: "Desk\r\nBcc: boss@example.org", Address: "desk@example.org"},
		To:         outbox.Address{Name: "Eve\nBcc: victim@example.net\r\n\r\nbody", Address: "eve@example.net"},
		Subject:    "hello\r\nBcc: victim@example.net\r\nX-Evil: 1",
		Text:       "text",
		MessageID:  "steward.t1.a.b@example.org",
		InReplyTo:  "x@y>\r\nBcc: <victim@example.net",
		References: []string{"ok@example.net", "bad id@example.net", "evil@x\r\nBcc: v@example.net"},
	}
	raw, err := smtpout.Build(m, "", now)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Bcc", "X-Evil"} {
		if v := msg.Header[h]; len(v) > 0 {
			t.Fatalf("injected %s header: %v\n%s", h, v, raw)
		}
	}
	if len(msg.Header["To"]) != 1 || len(msg.Header["From"]) != 1 {
		t.Fatalf("address headers: %v", msg.Header)
	}
	if refs := msg.Header.Get("References"); refs != "<ok@example.net>" || msg.Header.Get("In-Reply-To") != "" {
		t.Fatalf("unsafe identifiers kept: %q %q", refs, msg.Header.Get("In-Reply-To"))
	}
	body, _ := io.ReadAll(msg.Body)
	if strings.TrimSpace(string(body)) != "text" {
		t.Fatalf("body %q", body)
	}
	// Addresses that are not one bare address are refused outright.
	for _, bad := range []string{"a@example.net\r\nBcc: v@example.net", "a@example.net, b@example.net", "Eve <e@example.net>"} {
		m.To = outbox.Address{Address: bad}
		if _, err := smtpout.Build(m, "", now); err == nil {
			t.Errorf("To %q accepted", bad)
		}
	}
}

func TestBuildAttachments(t *testing.T) {
	m := outbox.Mail{
		From: outbox.Address{Address: "desk@example.org"}, To: outbox.Address{Address: "a@example.net"},
		Subject: "receipt", Text: "attached", MessageID: "m1@example.org",
		Attachments: []outbox.Attachment{
			{Filename: "領収書 2026.pdf", ContentType: "application/pdf", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("%PDF-1.4")), nil }},
			{Filename: "evil\r\nname.txt", ContentType: "text/html; charset=\"x\r\ny\"", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x")), nil }},
		},
	}
	raw, err := smtpout.Build(m, "", now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := email.Parse(raw, email.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attachments) != 2 || p.Attachments[0].Filename != "領収書 2026.pdf" || string(p.Attachments[0].Data) != "%PDF-1.4" ||
		p.Attachments[1].Filename != "evil name.txt" || p.TextBody != "attached" {
		t.Fatalf("attachments: %+v text %q", p.Attachments, p.TextBody)
	}
}

func TestThreadIndex(t *testing.T) {
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	head := smtpout.NewThreadIndex("example.org/42", start)
	if len(head) != 22 || head[0] != 1 {
		t.Fatalf("header block %x", head)
	}
	if again := smtpout.NewThreadIndex("example.org/42", start); !bytes.Equal(again, head) {
		t.Fatal("the same ticket gave two conversation indexes")
	}
	if other := smtpout.NewThreadIndex("example.org/43", start); bytes.Equal(other[6:], head[6:]) {
		t.Fatal("two tickets share a GUID")
	}
	reply := smtpout.ExtendThreadIndex(head, start.Add(5*24*time.Hour))
	if len(reply) != 27 || !bytes.Equal(reply[:22], head) {
		t.Fatalf("child block: %x", reply)
	}
	// The child block holds the time since the header (code 0: units of 2^18 × 100 ns).
	v := uint64(reply[22])<<24 | uint64(reply[23])<<16 | uint64(reply[24])<<8 | uint64(reply[25])
	if v>>31 != 0 {
		t.Fatal("short delta used the long code")
	}
	got := time.Duration((v&0x7fffffff)<<18) * 100
	if d := got - 5*24*time.Hour; d < -10*time.Second || d > 10*time.Second {
		t.Fatalf("child delta %v, want about 5 days", got)
	}
	// An Outlook index from a supporter is extended, not replaced.
	outlook := smtpout.EncodeThreadIndex(head)
	idx, ok := smtpout.ParseThreadIndex(outlook)
	if !ok || !bytes.Equal(idx, head) {
		t.Fatal("parse")
	}
	for _, bad := range []string{"", "not base64!", "AQID", smtpout.EncodeThreadIndex(append(head, 1, 2))} {
		if _, ok := smtpout.ParseThreadIndex(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
