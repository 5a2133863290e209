package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/steward-desk/steward/internal/channel/email/imappoll"
	"github.com/steward-desk/steward/internal/channel/email/mailin"
	"github.com/steward-desk/steward/internal/channel/email/smtpin"
	"github.com/steward-desk/steward/internal/channel/email/smtpout"
	"github.com/steward-desk/steward/internal/intake"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/outbox"
	"github.com/steward-desk/steward/internal/ticket"
)

// EmailConfig is the email channel's part of Config (docs/configuration.md,
// "Email").
type EmailConfig struct {
	// SMTPAddr is where Steward's own SMTP listener accepts mail; "" = off.
	SMTPAddr string
	// SMTPRelay is the default relay for mail whose mailbox has none.
	SMTPRelay string
	// SecretKey (base64, 32 bytes) encrypts mailbox credentials; "" = the
	// key in <data>/secret.key, created on first use.
	SecretKey          string
	IMAPPollInterval   time.Duration
	MaxMessageBytes    int64
	MaxAttachmentBytes int64
	// MailDomain names Message-IDs and the fallback sender when no mailbox
	// says otherwise.
	MailDomain string
}

// emailStorageFlags registers the email flags every database-touching
// command needs (the key that reads and writes mailbox credentials).
func (c *Config) emailStorageFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.SecretKey, "secret-key", env("STEWARD_SECRET_KEY", ""), "base64 32-byte key encrypting mailbox passwords; default: <data>/secret.key, created on first use (STEWARD_SECRET_KEY)")
}

// emailServeFlags registers the email flags of the serving commands.
func (c *Config) emailServeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.SMTPAddr, "smtp-addr", env("STEWARD_SMTP_ADDR", ""), "address of Steward's SMTP listener for incoming mail, e.g. 127.0.0.1:2525; empty: off (STEWARD_SMTP_ADDR)")
	fs.StringVar(&c.SMTPRelay, "smtp-relay", env("STEWARD_SMTP_RELAY", ""), "default SMTP relay for replies, smtp://[user:pass@]host:port or smtps://… (STEWARD_SMTP_RELAY)")
	fs.DurationVar(&c.IMAPPollInterval, "imap-poll-interval", envDuration("STEWARD_IMAP_POLL_INTERVAL", time.Minute), "how often to poll IMAP servers without IDLE (STEWARD_IMAP_POLL_INTERVAL)")
	c.MaxMessageBytes = envBytes("STEWARD_MAX_MESSAGE_BYTES", mailin.DefaultMaxMessageBytes)
	fs.Var((*byteSize)(&c.MaxMessageBytes), "max-message-bytes", "largest incoming message, e.g. 25MB (STEWARD_MAX_MESSAGE_BYTES)")
	c.MaxAttachmentBytes = envBytes("STEWARD_MAX_ATTACHMENT_BYTES", mailin.DefaultMaxAttachmentBytes)
	fs.Var((*byteSize)(&c.MaxAttachmentBytes), "max-attachment-bytes", "largest accepted attachment, e.g. 10MB (STEWARD_MAX_ATTACHMENT_BYTES)")
	fs.StringVar(&c.MailDomain, "mail-domain", env("STEWARD_MAIL_DOMAIN", ""), "domain for Message-IDs and the fallback sender when no mailbox applies (STEWARD_MAIL_DOMAIN)")
}

// byteSize is a flag of bytes: 26214400, 25MB, 25MiB, 512kB.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	}
	f, err := strconv.ParseFloat(num, 64)
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}[unit]
	if err != nil || mult == 0 || f <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 25MB)", s)
	}
	return int64(f * mult), nil
}

func envBytes(key string, def int64) int64 {
	if v, ok := os.LookupEnv(key); ok {
		if n, err := parseBytes(v); err == nil {
			return n
		}
	}
	return def
}

// Email is the email channel, wired: mailboxes, the way in (receiver,
// SMTP listener, IMAP poller) and the way out (outbox over SMTP relays).
type Email struct {
	Mailboxes *mailbox.Store
	Intake    *intake.Intake
	Receiver  *mailin.Receiver
	Outbox    *outbox.Outbox
	Transport *smtpout.Transport
	Poller    *imappoll.Poller
}

// newEmail builds the channel and registers the outbox worker; it runs
// before the River client is created (workers must be registered first).
func newEmail(ctx context.Context, a *App) (*Email, error) {
	cfg := a.Cfg
	secret, err := a.DB.Secret(ctx, "reply_token")
	if err != nil {
		return nil, err
	}
	keys := &mailbox.Keyring{Configured: cfg.SecretKey, File: filepath.Join(cfg.DataDir, "secret.key"), Log: a.Log}
	if cfg.SecretKey != "" { // a bad key should stop the start, not the first mailbox
		if _, err := keys.Key(); err != nil {
			return nil, err
		}
	}
	e := &Email{Mailboxes: &mailbox.Store{DB: a.DB, Keys: keys}}
	domain := cfg.MailDomain
	if domain == "" {
		if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") {
			domain = h
		}
	}
	e.Outbox = &outbox.Outbox{DB: a.DB, Blobs: a.Blobs, Live: a.Live, TokenSecret: secret, Domain: domain}
	e.Intake = &intake.Intake{DB: a.DB, Blobs: a.Blobs, Live: a.Live, TokenSecret: secret,
		Followups: []intake.Followup{mailin.Followup, e.Outbox.AckFollowup, e.Outbox.RejectedFilesFollowup}}
	e.Receiver = &mailin.Receiver{DB: a.DB, Blobs: a.Blobs, Intake: e.Intake, Log: a.Log,
		MaxMessageBytes: cfg.MaxMessageBytes, MaxAttachmentBytes: cfg.MaxAttachmentBytes}
	e.Transport = &smtpout.Transport{DB: a.DB, Mailboxes: e.Mailboxes, Blobs: a.Blobs, DefaultRelay: cfg.SMTPRelay, Domain: cfg.MailDomain, Log: a.Log}
	if cfg.SMTPRelay != "" {
		if _, err := mailbox.ParseSMTP("smtp-relay", cfg.SMTPRelay); err != nil {
			return nil, fmt.Errorf("--smtp-relay: %w", err)
		}
	}
	e.Poller = &imappoll.Poller{DB: a.DB, Mailboxes: e.Mailboxes, Receiver: e.Receiver, Interval: cfg.IMAPPollInterval, Log: a.Log}
	outbox.Register(a.Workers, e.Outbox, e.Transport)
	return e, nil
}

// wire connects the channel to the queue and the ticket service, once both
// exist: agent replies (ticket.Service hooks) queue mail, and inbound mail
// runs the same hooks as staff changes (search indexing and the like).
func (e *Email) wire(a *App) {
	e.Outbox.Jobs = a.Jobs
	e.Intake.Hooks = append([]ticket.Hook(nil), a.Tickets.Hooks...)
	e.Intake.Warm = a.Tickets.Warm
	a.Tickets.Hooks = append(a.Tickets.Hooks, e.Outbox.ReplyHook)
	// A slipped follow-up tells the supporter through the outbox.
	a.SLA.Mailer = e.Outbox
}

// Start runs the SMTP listener (when --smtp-addr is set) and the IMAP
// pollers until ctx ends; the returned stop waits for them.
func (e *Email) Start(ctx context.Context, a *App) (stop func(context.Context) error, err error) {
	var wg sync.WaitGroup
	var srv *smtpin.Server
	if a.Cfg.SMTPAddr != "" {
		ln, err := net.Listen("tcp", a.Cfg.SMTPAddr)
		if err != nil {
			return nil, fmt.Errorf("--smtp-addr: %w", err)
		}
		srv = &smtpin.Server{Receiver: e.Receiver, Mailboxes: e.Mailboxes, DB: a.DB, Domain: e.Outbox.Domain,
			MaxMessageBytes: a.Cfg.MaxMessageBytes, Log: a.Log}
		wg.Go(func() {
			if err := srv.Serve(ln); err != nil {
				a.Log.Error("smtp listener stopped", "err", err)
			}
		})
		a.Log.Info("smtp listener accepting mail for configured mailboxes", "addr", ln.Addr().String())
	}
	pctx, cancel := context.WithCancel(ctx)
	wg.Go(func() { e.Poller.Run(pctx) })
	return func(sctx context.Context) error {
		var err error
		if srv != nil {
			err = srv.Shutdown(sctx)
		}
		cancel()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-sctx.Done():
			err = errors.Join(err, errors.New("email: pollers did not stop in time"))
		}
		return err
	}, nil
}
