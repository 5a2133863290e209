// Package imappoll fetches mail from each mailbox's IMAP folder and hands it
// to the receiver, one goroutine per mailbox.
//
// # What counts as handled
//
// The checkpoint in the mailboxes row (UIDVALIDITY and the last committed
// UID) is the truth: after each message is committed, the poller marks it
// \Seen and $Steward on the server and then advances the checkpoint. A crash
// anywhere in between refetches the message, and intake, idempotent on the
// Message-ID, turns the second delivery into a no-op. Messages are never
// moved or deleted: the folder stays a complete archive people can still
// read in their mail client, and \Seen tells them Steward has it.
//
//   - First sync of a mailbox (no checkpoint yet): only messages that are
//     not \Seen (and not $Steward) are taken; mail read before Steward was
//     connected is taken as handled by people. The checkpoint then jumps to
//     the end of the folder.
//   - Afterwards every message with a UID above the checkpoint is taken,
//     read or not (someone may read it in webmail before the next poll).
//   - UIDVALIDITY changed (the folder was rebuilt or migrated): everything
//     without $Steward is fetched again; intake drops what it already has.
//
// A message intake keeps failing on (three attempts while the database
// answers) is quarantined with its raw bytes, so one bad message cannot
// hold up the folder; a message over the size limit is quarantined with
// its first bytes (the original stays on the server).
//
// # Waiting
//
// With IDLE the poller wakes as soon as the server announces new mail (and
// re-syncs every IdleRefresh anyway); without it, it polls every Interval.
// Connection failures are retried with exponential backoff, and every sync
// and failure is recorded as the mailbox's health.
//
// # Several nodes
//
// On PostgreSQL each mailbox is polled by one node at a time: the poller
// holds a session-level advisory lock on a dedicated connection for the
// length of its IMAP session, and other nodes retry every Interval, taking
// over when the holder dies. SQLite has one node.
package imappoll

import (
	"context"
	"crypto/tls"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"

	"github.com/steward-desk/steward/internal/channel/email/mailin"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/mailbox"
)

// FlagSteward marks messages Steward has committed.
const FlagSteward imap.Flag = "$Steward"

// lockClass is the first key of the per-mailbox advisory locks.
const lockClass = 7429010

// Poller fetches mail for every mailbox with an IMAP URL.
type Poller struct {
	DB        *db.DB
	Mailboxes *mailbox.Store
	Receiver  *mailin.Receiver
	// Interval: polling without IDLE, re-reading the mailbox list, and
	// retrying another node's lock (default one minute).
	Interval time.Duration
	// IdleRefresh: the longest IDLE before a re-sync (default 5 minutes).
	IdleRefresh time.Duration
	// NoIdle polls every Interval even when the server offers IDLE (for
	// servers whose IDLE notifications are unreliable).
	NoIdle bool
	// BatchSize: messages per FETCH (default 50).
	BatchSize int
	// MaxBackoff bounds the wait between failed connections (default 5 minutes).
	MaxBackoff time.Duration
	// TLSConfig for imaps and STARTTLS (nil: system roots).
	TLSConfig *tls.Config
	Log       *slog.Logger

	refresh chan struct{}
	once    sync.Once
}

func (p *Poller) init() {
	p.once.Do(func() { p.refresh = make(chan struct{}, 1) })
}

func (p *Poller) interval() time.Duration {
	if p.Interval > 0 {
		return p.Interval
	}
	return time.Minute
}

func (p *Poller) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Refresh makes Run re-read the mailbox list now (call it after a mailbox
// was added, changed or removed).
func (p *Poller) Refresh() {
	p.init()
	select {
	case p.refresh <- struct{}{}:
	default:
	}
}

type worker struct {
	key    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Run polls until ctx ends, then waits for the mailbox goroutines to stop.
func (p *Poller) Run(ctx context.Context) error {
	p.init()
	workers := map[int64]*worker{}
	stop := func(id int64) {
		w := workers[id]
		w.cancel()
		<-w.done
		delete(workers, id)
	}
	defer func() {
		for id := range workers {
			stop(id)
		}
	}()
	t := time.NewTicker(p.interval())
	defer t.Stop()
	for {
		list, err := p.Mailboxes.List(ctx, p.DB.R)
		if err != nil && ctx.Err() == nil {
			p.log().Error("imap: cannot list mailboxes", "err", err)
		}
		if err == nil {
			seen := map[int64]bool{}
			for _, m := range list {
				if _, ok := m.IMAP(); !ok {
					continue
				}
				seen[m.ID] = true
				key := m.IMAPURL // redacted: changes with server, user, folder
				if w, ok := workers[m.ID]; ok && w.key == key {
					continue
				} else if ok {
					stop(m.ID)
				}
				wctx, cancel := context.WithCancel(ctx)
				w := &worker{key: key, cancel: cancel, done: make(chan struct{})}
				workers[m.ID] = w
				go func(id int64) {
					defer close(w.done)
					p.pollMailbox(wctx, id)
				}(m.ID)
			}
			for id := range workers {
				if !seen[id] {
					stop(id)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-p.refresh:
		}
	}
}

// pollMailbox keeps one mailbox fetched until ctx ends.
func (p *Poller) pollMailbox(ctx context.Context, id int64) {
	backoff := time.Second
	maxBackoff := p.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = 5 * time.Minute
	}
	// Failures per UID outlive sessions: a message that breaks intake ends
	// the session, and the count must reach the quarantine threshold.
	failures := map[imap.UID]int{}
	for ctx.Err() == nil {
		lock, err := p.lock(ctx, id)
		if err != nil {
			if ctx.Err() == nil {
				p.log().Error("imap: advisory lock", "mailbox_id", id, "err", err)
			}
			sleep(ctx, backoff)
			continue
		}
		if lock == nil { // another node polls this mailbox
			sleep(ctx, p.interval())
			continue
		}
		s := &session{p: p, id: id, lock: lock, failures: failures}
		err = s.run(ctx)
		lock.release()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.log().Warn("imap: session ended", "mailbox_id", id, "err", err, "retry_in", backoff)
			p.Mailboxes.RecordFetch(context.WithoutCancel(ctx), p.DB.W, id, err)
			if !sleep(ctx, backoff) {
				return
			}
			if s.synced { // the session worked for a while: start again gently
				backoff = time.Second
			} else {
				backoff = min(backoff*2, maxBackoff)
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// mailboxLock is a held advisory lock (or the no-op lock on SQLite).
type mailboxLock struct {
	conn *sql.Conn
	id   int64
}

// lock takes the mailbox's advisory lock; nil, nil when another node has it.
func (p *Poller) lock(ctx context.Context, id int64) (*mailboxLock, error) {
	if p.DB.Engine != db.Postgres {
		return &mailboxLock{}, nil
	}
	conn, err := p.DB.W.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockClass, int32(id)).Scan(&got); err != nil {
		conn.Close()
		return nil, err
	}
	if !got {
		conn.Close()
		return nil, nil
	}
	return &mailboxLock{conn: conn, id: id}, nil
}

// alive reports whether the lock is still held (its connection answers).
func (l *mailboxLock) alive(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	if err := l.conn.PingContext(ctx); err != nil {
		return fmt.Errorf("lost the mailbox lock: %w", err)
	}
	return nil
}

func (l *mailboxLock) release() {
	if l.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, $2)", lockClass, int32(l.id)); err != nil {
		// Never return a connection that may still hold the lock to the pool.
		l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	l.conn.Close()
}

// dial connects and logs in as e says.
func (p *Poller) dial(e mailbox.Endpoint, opts *imapclient.Options) (*imapclient.Client, error) {
	opts.WordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}
	opts.Dialer = &net.Dialer{Timeout: 30 * time.Second}
	if p.TLSConfig != nil {
		opts.TLSConfig = p.TLSConfig.Clone()
	} else {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	opts.TLSConfig.ServerName = e.Host
	var c *imapclient.Client
	var err error
	encrypted := true
	switch e.TLS {
	case mailbox.TLSImplicit:
		c, err = imapclient.DialTLS(e.Addr(), opts)
	case mailbox.TLSRequired:
		c, err = imapclient.DialStartTLS(e.Addr(), opts)
	default:
		// STARTTLS when offered: the client cannot upgrade a greeted
		// connection, so look at the capabilities and dial again.
		if c, err = imapclient.DialInsecure(e.Addr(), opts); err == nil {
			if c.Caps().Has(imap.CapStartTLS) {
				c.Close()
				c, err = imapclient.DialStartTLS(e.Addr(), opts)
			} else {
				encrypted = false
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", e.Addr(), err)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("connect %s: %w", e.Addr(), err)
	}
	if !encrypted && !isLoopback(e.Host) {
		c.Close()
		return nil, errors.New("refusing to send the IMAP password over an unencrypted connection: use imaps:// or a server that offers STARTTLS")
	}
	if err := c.Login(e.Username, e.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", e.Username, err)
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// session is one IMAP connection's worth of polling.
type session struct {
	p        *Poller
	id       int64
	lock     *mailboxLock
	c        *imapclient.Client
	sel      *imap.SelectData
	target   mailin.Target
	cp       mailbox.Checkpoint
	flags    []imap.Flag
	newMail  chan struct{}
	failures map[imap.UID]int
	synced   bool
	// lastFetch is when the mailbox was last fetched before this session.
	lastFetch *time.Time
}

func (s *session) run(ctx context.Context) error {
	m, err := s.p.Mailboxes.Get(ctx, s.p.DB.R, s.id)
	if err != nil {
		return err
	}
	e, ok := m.IMAP()
	if !ok {
		if m.CredentialsError != "" {
			return errors.New(m.CredentialsError)
		}
		return errors.New("the mailbox has no IMAP URL")
	}
	s.target = mailin.TargetOf(m, "imap:"+m.Address)
	s.cp = m.Checkpoint()
	s.lastFetch = m.Health.LastFetchAt
	s.newMail = make(chan struct{}, 1)
	opts := &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case s.newMail <- struct{}{}:
				default:
				}
			}
		},
	}}
	if s.c, err = s.p.dial(e, opts); err != nil {
		return err
	}
	defer s.c.Close()
	stop := context.AfterFunc(ctx, func() { s.c.Close() })
	defer stop()
	if s.sel, err = s.c.Select(e.Folder, nil).Wait(); err != nil {
		return fmt.Errorf("select %s: %w", e.Folder, err)
	}
	s.flags = []imap.Flag{imap.FlagSeen}
	if slices.Contains(s.sel.PermanentFlags, imap.FlagWildcard) || slices.Contains(s.sel.PermanentFlags, FlagSteward) {
		s.flags = append(s.flags, FlagSteward)
	}
	idle := s.c.Caps().Has(imap.CapIdle) && !s.p.NoIdle
	for {
		if err := s.lock.alive(ctx); err != nil {
			return err
		}
		if err := s.sync(ctx); err != nil {
			return err
		}
		s.synced = true
		if err := s.p.Mailboxes.RecordFetch(ctx, s.p.DB.W, s.id, nil); err != nil {
			return err
		}
		if idle {
			if err := s.idle(ctx); err != nil {
				return err
			}
		} else if !sleep(ctx, s.p.interval()) {
			return nil
		} else if err := s.c.Noop().Wait(); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// idle waits for new mail, the refresh time or the end of ctx.
func (s *session) idle(ctx context.Context) error {
	refresh := s.p.IdleRefresh
	if refresh <= 0 {
		refresh = 5 * time.Minute
	}
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	t := time.NewTimer(refresh)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-s.newMail:
	case <-s.c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	if err := cmd.Wait(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("idle: %w", err)
	}
	return nil
}

// sync takes every message the checkpoint says is new.
func (s *session) sync(ctx context.Context) error {
	uidv := s.sel.UIDValidity
	var criteria imap.SearchCriteria
	first := s.cp.UIDValidity == 0
	switch {
	case first:
		criteria.NotFlag = []imap.Flag{imap.FlagSeen}
	case s.cp.UIDValidity != uidv:
		s.p.log().Warn("imap: UIDVALIDITY changed; fetching again what Steward has not marked", "mailbox_id", s.id,
			"old", s.cp.UIDValidity, "new", uidv)
		s.cp = mailbox.Checkpoint{UIDValidity: uidv}
		if err := s.p.Mailboxes.SetCheckpoint(ctx, s.p.DB.W, s.id, s.cp); err != nil {
			return err
		}
		// Unread mail, and anything that arrived since shortly before the
		// last fetch; older read mail Steward never had stays with people,
		// as on the first sync.
		recent := imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}
		if s.lastFetch != nil {
			criteria.Or = [][2]imap.SearchCriteria{{recent, {Since: s.lastFetch.Add(-48 * time.Hour)}}}
		} else {
			criteria = recent
		}
		fallthrough
	default:
		var set imap.UIDSet
		set.AddRange(imap.UID(s.cp.LastUID+1), 0)
		criteria.UID = []imap.UIDSet{set}
	}
	if slices.Contains(s.flags, FlagSteward) {
		criteria.NotFlag = append(criteria.NotFlag, FlagSteward)
	}
	data, err := s.c.UIDSearch(&criteria, nil).Wait()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	var uids []imap.UID
	for _, u := range data.AllUIDs() {
		if first || uint32(u) > s.cp.LastUID { // "n:*" always matches the last message
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	var highest uint32
	if len(uids) > 0 {
		highest = uint32(uids[len(uids)-1])
	}
	batch := s.p.BatchSize
	if batch <= 0 {
		batch = 50
	}
	for len(uids) > 0 {
		n := min(batch, len(uids))
		if err := s.fetch(ctx, uids[:n], !first); err != nil {
			return err
		}
		uids = uids[n:]
	}
	if first {
		// Everything up to here is handled: new or taken by people before Steward.
		next := uint32(s.sel.UIDNext)
		last := max(s.cp.LastUID, highest)
		if next > 0 {
			last = max(last, next-1)
		}
		s.cp = mailbox.Checkpoint{UIDValidity: uidv, LastUID: last}
		if err := s.p.Mailboxes.SetCheckpoint(ctx, s.p.DB.W, s.id, s.cp); err != nil {
			return err
		}
	}
	return nil
}

// fetch receives a batch of messages in UID order.
func (s *session) fetch(ctx context.Context, uids []imap.UID, advance bool) error {
	limit := s.p.Receiver.MaxMessageBytes
	if limit <= 0 {
		limit = mailin.DefaultMaxMessageBytes
	}
	sizes, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("fetch sizes: %w", err)
	}
	var normal, large []imap.UID
	for _, b := range sizes {
		if b.RFC822Size > limit {
			large = append(large, b.UID)
		} else {
			normal = append(normal, b.UID)
		}
	}
	raws := map[imap.UID][]byte{}
	for _, part := range []struct {
		uids    []imap.UID
		section *imap.FetchItemBodySection
	}{
		{normal, &imap.FetchItemBodySection{Peek: true}},
		{large, &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: limit}}},
	} {
		if len(part.uids) == 0 {
			continue
		}
		bufs, err := s.c.Fetch(imap.UIDSetNum(part.uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{part.section}}).Collect()
		if err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
		for _, b := range bufs {
			if len(b.BodySection) > 0 {
				raws[b.UID] = b.BodySection[0].Bytes
			}
		}
	}
	isLarge := map[imap.UID]int64{}
	for _, b := range sizes {
		if b.RFC822Size > limit {
			isLarge[b.UID] = b.RFC822Size
		}
	}
	for _, uid := range uids {
		raw, ok := raws[uid]
		if !ok {
			continue // expunged meanwhile
		}
		var err error
		if size, big := isLarge[uid]; big {
			_, err = s.p.Receiver.Quarantine(ctx, raw, s.target,
				fmt.Sprintf("message too large: %d bytes (limit %d); the first %d bytes are kept, the whole message stays in the IMAP folder", size, limit, len(raw)))
		} else {
			err = s.receive(ctx, uid, raw)
		}
		if err != nil {
			return err
		}
		if err := s.c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: s.flags}, nil).Close(); err != nil {
			// Committed all the same: the checkpoint below is what counts.
			s.p.log().Warn("imap: cannot mark a message", "mailbox_id", s.id, "uid", uid, "err", err)
		}
		if advance && uint32(uid) > s.cp.LastUID {
			s.cp.LastUID = uint32(uid)
			if err := s.p.Mailboxes.SetCheckpoint(ctx, s.p.DB.W, s.id, s.cp); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxAttempts is how often intake may fail on one message (while the
// database answers) before the message is quarantined.
const maxAttempts = 3

// receive hands one message to the receiver; a message that keeps failing
// is quarantined so that the rest of the folder moves on.
func (s *session) receive(ctx context.Context, uid imap.UID, raw []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic while receiving: %v", r)
		}
		if err == nil {
			delete(s.failures, uid)
			return
		}
		s.failures[uid]++
		if s.failures[uid] < maxAttempts || ctx.Err() != nil || s.p.DB.Ping(ctx) != nil {
			err = fmt.Errorf("uid %d: %w", uid, err)
			return
		}
		reason := fmt.Sprintf("intake failed %d times: %v", s.failures[uid], err)
		if _, qerr := s.p.Receiver.Quarantine(ctx, raw, s.target, reason); qerr != nil {
			err = fmt.Errorf("uid %d: %w", uid, qerr)
			return
		}
		delete(s.failures, uid)
		err = nil
	}()
	_, err = s.p.Receiver.Receive(ctx, raw, s.target)
	return err
}
