// Package smtpin is Steward's own SMTP listener (serve --smtp-addr): mail
// forwarded by the organisation's MTA, or delivered straight in, for any
// configured mailbox address.
//
// It is meant to sit behind the organisation's MTA (Postfix relay_transport,
// an Exchange connector, a forwarding rule) or on loopback, not on the open
// Internet: it does no SPF/DKIM checks, no spam filtering, no TLS and no
// AUTH. It accepts only recipients that are configured mailboxes (550 for
// anything else) and answers 250 only after the message was committed (as a
// ticket message, a duplicate, a recorded bounce or in quarantine), so the
// sending MTA keeps a message it got no 250 for and tries again: a database
// failure answers 451, a message over the size limit 552.
//
// The raw message is stored exactly as received, without a Received
// header, so a redelivery of a message without a Message-ID has the same
// bytes and the same synthesised Message-ID.
package smtpin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/steward-desk/steward/internal/channel/email/mailin"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/mailbox"
)

// Server accepts mail for Steward's mailboxes.
type Server struct {
	Receiver  *mailin.Receiver
	Mailboxes *mailbox.Store
	DB        *db.DB
	// Domain is announced in the greeting and EHLO (default "steward").
	Domain string
	// MaxMessageBytes: larger messages are refused with 552 (default: the
	// receiver's limit, 25 MB).
	MaxMessageBytes int64
	// StoreTimeout bounds the time from the end of DATA to the answer
	// (default one minute); past it the answer is 451.
	StoreTimeout time.Duration
	Log          *slog.Logger

	srv *smtp.Server
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	srv.Domain = s.Domain
	if srv.Domain == "" {
		srv.Domain = "steward"
	}
	srv.MaxMessageBytes = s.MaxMessageBytes
	if srv.MaxMessageBytes <= 0 {
		srv.MaxMessageBytes = mailin.DefaultMaxMessageBytes
		if s.Receiver != nil && s.Receiver.MaxMessageBytes > 0 {
			srv.MaxMessageBytes = s.Receiver.MaxMessageBytes
		}
	}
	srv.MaxRecipients = 100
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = logAdapter{s.log()}
	s.srv = srv
	err := srv.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting, lets sessions finish until ctx ends, then
// closes what is left (their senders retry: nothing unanswered was acknowledged).
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	if ctx.Err() != nil {
		s.srv.Close()
		return nil
	}
	return err
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// SMTP replies.
var (
	errUnknownRecipient = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	errTryLater         = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local problem, please try again later"}
	errNoRecipient      = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "No valid recipients"}
)

type session struct {
	s      *Server
	remote string
	from   string
	target *mailin.Target
	rcpts  int
}

func (ss *session) Reset() {
	ss.from, ss.target, ss.rcpts = "", nil, 0
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.Reset()
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := ss.s.lookup(ctx, to)
	if errors.Is(err, errs.ErrNotFound) {
		ss.s.log().Info("smtp: recipient refused", "rcpt", to, "remote", ss.remote)
		return errUnknownRecipient
	}
	if err != nil {
		ss.s.log().Error("smtp: recipient lookup failed", "rcpt", to, "err", err)
		return errTryLater
	}
	if ss.target == nil {
		t := mailin.TargetOf(m, "smtp")
		ss.target = &t
	}
	ss.rcpts++
	return nil
}

// lookup finds the mailbox for an address, also with a +tag
// (support+event@example.org is support@example.org).
func (s *Server) lookup(ctx context.Context, addr string) (mailbox.Mailbox, error) {
	m, err := s.Mailboxes.ByAddress(ctx, s.DB.R, addr)
	if !errors.Is(err, errs.ErrNotFound) {
		return m, err
	}
	local, domain, ok := strings.Cut(addr, "@")
	if base, _, tagged := strings.Cut(local, "+"); ok && tagged {
		return s.Mailboxes.ByAddress(ctx, s.DB.R, base+"@"+domain)
	}
	return m, err
}

func (ss *session) Data(r io.Reader) error {
	if ss.target == nil {
		return errNoRecipient
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			ss.s.log().Info("smtp: message refused", "from", ss.from, "remote", ss.remote, "reason", se.Message)
			return se // 552 for a message over the limit
		}
		return errTryLater
	}
	timeout := ss.s.StoreTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := ss.s.Receiver.Receive(ctx, raw, *ss.target)
	if err != nil {
		ss.s.log().Error("smtp: message not stored; answered 451", "from", ss.from, "remote", ss.remote, "size", len(raw), "err", err)
		return errTryLater
	}
	ss.s.log().Debug("smtp: message accepted", "from", ss.from, "mailbox_id", ss.target.MailboxID, "ticket_id", res.TicketID,
		"duplicate", res.Duplicate, "quarantined", res.Quarantined, "size", len(raw))
	return nil
}

// logAdapter sends go-smtp's own error log to slog.
type logAdapter struct{ l *slog.Logger }

func (a logAdapter) Printf(format string, v ...any) {
	a.l.Warn("smtp server", "detail", fmt.Sprintf(format, v...))
}
func (a logAdapter) Println(v ...any) {
	a.l.Warn("smtp server", "detail", strings.TrimSpace(fmt.Sprintln(v...)))
}
