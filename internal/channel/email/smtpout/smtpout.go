// Package smtpout delivers Steward's outgoing mail (agent replies,
// acknowledgements, notices) through each mailbox's SMTP relay: it is the
// email channel's outbox.Transport.
//
// The relay of a mail is its mailbox's SMTP URL; a mailbox without one, and
// a ticket without a mailbox (created in the UI or the API), use the default
// relay (--smtp-relay). The From address is the mailbox's, named after the
// mailbox (or the organisation); a ticket without a mailbox speaks through
// the oldest mailbox, or support@<mail domain> when there is none.
//
// Errors: a 5xx answer to RCPT or DATA (the relay refuses this message or
// recipient) is outbox.Permanent and the mail is marked failed. Everything
// else — the relay unreachable, 4xx answers, and 5xx answers to EHLO, AUTH
// or MAIL, which are configuration problems an admin can fix — is retried
// with River's backoff.
package smtpout

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/outbox"
)

// Transport sends outbox mail over SMTP.
type Transport struct {
	DB        *db.DB
	Mailboxes *mailbox.Store
	// Blobs holds the raw mail Steward received; the Thread-Index of the
	// message a reply answers is read from it.
	Blobs *blob.Store
	// DefaultRelay (--smtp-relay) serves mailboxes without an SMTP URL and
	// tickets without a mailbox; "" means none.
	DefaultRelay string
	// Domain (--mail-domain) names the sender when no mailbox exists
	// (support@Domain) and is the EHLO name when set.
	Domain string
	// Timeout bounds one delivery (default one minute).
	Timeout time.Duration
	// TLSConfig is used for TLS and STARTTLS (nil: system roots).
	TLSConfig *tls.Config
	Log       *slog.Logger
	// Now is overridable in tests.
	Now func() time.Time
}

var _ outbox.Transport = (*Transport)(nil)

// Sender returns the From address of a mailbox (0 or a deleted mailbox:
// the default one).
func (t *Transport) Sender(ctx context.Context, mailboxID int64) (outbox.Address, error) {
	m, ok, err := t.mailbox(ctx, mailboxID)
	if err != nil {
		return outbox.Address{}, err
	}
	name := t.orgName(ctx)
	if !ok {
		if t.Domain == "" {
			return outbox.Address{}, errors.New("no mailbox to send from: add one (steward mailbox add) or set --mail-domain")
		}
		return outbox.Address{Name: name, Address: "support@" + t.Domain}, nil
	}
	if m.Name != "" {
		name = m.Name
	}
	return outbox.Address{Name: name, Address: m.Address}, nil
}

func (t *Transport) mailbox(ctx context.Context, id int64) (mailbox.Mailbox, bool, error) {
	if id != 0 {
		m, err := t.Mailboxes.Get(ctx, t.DB.R, id)
		if err == nil {
			return m, true, nil
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return m, false, err
		}
	}
	return t.Mailboxes.Default(ctx, t.DB.R)
}

func (t *Transport) orgName(ctx context.Context) string {
	s, err := org.Get(ctx, t.DB.R)
	if err != nil || strings.TrimSpace(s.Name) == "" {
		return "Steward"
	}
	return s.Name
}

func (t *Transport) log() *slog.Logger {
	if t.Log != nil {
		return t.Log
	}
	return slog.Default()
}

// Send delivers m through its mailbox's relay.
func (t *Transport) Send(ctx context.Context, m outbox.Mail) error {
	relay, err := t.relay(ctx, m.From.Address)
	if err != nil {
		return err
	}
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	raw, err := Build(m, t.threadIndex(ctx, m, now), now)
	if err != nil {
		return &outbox.Permanent{Err: err}
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = t.deliver(ctx, relay, m.From.Address, m.To.Address, raw)
	if err != nil {
		t.log().Warn("mail not delivered", "relay", relay.Redacted(), "to", m.To.Address, "message_id", m.MessageID, "err", err)
		return err
	}
	t.log().Debug("mail delivered", "relay", relay.Redacted(), "to", m.To.Address, "message_id", m.MessageID)
	return nil
}

// relay picks the SMTP endpoint for mail from address.
func (t *Transport) relay(ctx context.Context, from string) (mailbox.Endpoint, error) {
	m, err := t.Mailboxes.ByAddress(ctx, t.DB.R, from)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return mailbox.Endpoint{}, err
	}
	if err == nil {
		if e, ok := m.SMTP(); ok {
			return e, nil
		}
		if m.CredentialsError != "" && m.SMTPURL != "" {
			return mailbox.Endpoint{}, fmt.Errorf("mailbox %s: %s", m.Address, m.CredentialsError)
		}
	}
	if t.DefaultRelay == "" {
		return mailbox.Endpoint{}, fmt.Errorf("no SMTP relay for %s: give the mailbox an SMTP URL or set --smtp-relay", from)
	}
	e, err := mailbox.ParseSMTP("smtp_relay", t.DefaultRelay)
	if err != nil {
		return e, fmt.Errorf("--smtp-relay: %w", err)
	}
	return e, nil
}

// stageError says which step of the SMTP dialogue failed.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return "smtp " + e.stage + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

func (t *Transport) deliver(ctx context.Context, e mailbox.Endpoint, from, to string, raw []byte) error {
	fail := func(stage string, err error) error {
		se := &stageError{stage, err}
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) && smtpErr.Code >= 500 && (stage == "RCPT" || stage == "DATA") {
			return &outbox.Permanent{Err: se}
		}
		return se
	}
	tlsConf := t.tlsConfig(e.Host)
	hello := t.helloName(from)
	c, encrypted, err := t.connect(ctx, e, hello, tlsConf)
	if err != nil {
		return fail("connect", err)
	}
	defer c.Close()
	if e.Username != "" {
		if !encrypted && !isLoopback(e.Host) {
			return fail("AUTH", errors.New("refusing to send the relay password over an unencrypted connection: use smtps:// or a relay that offers STARTTLS"))
		}
		var a sasl.Client
		switch {
		case c.SupportsAuth("PLAIN"):
			a = sasl.NewPlainClient("", e.Username, e.Password)
		case c.SupportsAuth("LOGIN"):
			a = sasl.NewLoginClient(e.Username, e.Password)
		default:
			return fail("AUTH", errors.New("the relay offers neither AUTH PLAIN nor LOGIN"))
		}
		if err := c.Auth(a); err != nil {
			return fail("AUTH", err)
		}
	}
	var opts *smtp.MailOptions
	if !isASCII(from) || !isASCII(to) {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return &outbox.Permanent{Err: fmt.Errorf("the relay cannot send to or from an internationalised address (%s) without SMTPUTF8", to)}
		}
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(from, opts); err != nil {
		return fail("MAIL", err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return fail("RCPT", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return fail("DATA", err)
	}
	c.Quit() // delivered: a failing QUIT changes nothing
	return nil
}

// connect opens an SMTP session on e, encrypted as its URL says: implicit
// TLS, STARTTLS required, or STARTTLS when the relay offers it (go-smtp
// cannot upgrade a session it has already greeted, so that case asks on
// one connection and upgrades on a second).
func (t *Transport) connect(ctx context.Context, e mailbox.Endpoint, hello string, tlsConf *tls.Config) (*smtp.Client, bool, error) {
	dial := func() (net.Conn, error) {
		d := net.Dialer{Timeout: 30 * time.Second}
		var conn net.Conn
		var err error
		if e.TLS == mailbox.TLSImplicit {
			conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsConf}).DialContext(ctx, "tcp", e.Addr())
		} else {
			conn, err = d.DialContext(ctx, "tcp", e.Addr())
		}
		if err != nil {
			return nil, err
		}
		if dl, ok := ctx.Deadline(); ok {
			conn.SetDeadline(dl)
		}
		context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
		return conn, nil
	}
	conn, err := dial()
	if err != nil {
		return nil, false, err
	}
	if e.TLS != mailbox.TLSRequired {
		c := smtp.NewClient(conn)
		if err := c.Hello(hello); err != nil {
			c.Close()
			return nil, false, fmt.Errorf("EHLO: %w", err)
		}
		offered, _ := c.Extension("STARTTLS")
		if e.TLS == mailbox.TLSImplicit || !offered {
			return c, e.TLS == mailbox.TLSImplicit, nil
		}
		c.Quit()
		c.Close()
		if conn, err = dial(); err != nil {
			return nil, false, err
		}
	}
	c, err := smtp.NewClientStartTLS(conn, tlsConf)
	if err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("STARTTLS: %w", err)
	}
	if err := c.Hello(hello); err != nil {
		c.Close()
		return nil, false, fmt.Errorf("EHLO: %w", err)
	}
	return c, true, nil
}

func (t *Transport) tlsConfig(host string) *tls.Config {
	var c *tls.Config
	if t.TLSConfig != nil {
		c = t.TLSConfig.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	return c
}

// helloName is the EHLO argument: the mail domain, else the sender's domain.
func (t *Transport) helloName(from string) string {
	if t.Domain != "" {
		return t.Domain
	}
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// threadIndex is the Thread-Index for m: the index of the message it
// answers extended by one reply, or a new index for the ticket's
// conversation (derived from the ticket, so all its mail shares it).
func (t *Transport) threadIndex(ctx context.Context, m outbox.Mail, now time.Time) string {
	if m.InReplyTo != "" && t.Blobs != nil {
		var sum string
		err := t.DB.R.QueryRowContext(ctx, `SELECT m.raw_sha256 FROM email_refs r JOIN messages m ON m.id = r.message_id
			WHERE r.rfc_id = $1 AND r.direction = 'in'`, m.InReplyTo).Scan(&sum)
		if err == nil && sum != "" {
			if v := t.headerOfBlob(sum, "Thread-Index"); v != "" {
				if idx, ok := ParseThreadIndex(v); ok {
					return EncodeThreadIndex(ExtendThreadIndex(idx, now))
				}
			}
		}
	}
	var ticketID, created int64
	err := t.DB.R.QueryRowContext(ctx, `SELECT t.id, t.created_at FROM email_refs r JOIN tickets t ON t.id = r.ticket_id WHERE r.rfc_id = $1`,
		m.MessageID).Scan(&ticketID, &created)
	if errors.Is(err, sql.ErrNoRows) || err != nil {
		return ""
	}
	_, domain, _ := strings.Cut(m.MessageID, "@")
	head := NewThreadIndex(domain+"/"+strconv.FormatInt(ticketID, 10), db.Time(created))
	return EncodeThreadIndex(ExtendThreadIndex(head, now))
}

// headerOfBlob reads one header field of a stored raw message.
func (t *Transport) headerOfBlob(sum, name string) string {
	f, err := t.Blobs.Open(sum)
	if err != nil {
		return ""
	}
	defer f.Close()
	head, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	if i := bytes.Index(head, []byte("\n\r\n")); i >= 0 {
		head = head[:i+1]
	} else if i := bytes.Index(head, []byte("\n\n")); i >= 0 {
		head = head[:i+1]
	}
	h, _ := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(head), strings.NewReader("\r\n")))).ReadMIMEHeader()
	return strings.TrimSpace(h.Get(name))
}
