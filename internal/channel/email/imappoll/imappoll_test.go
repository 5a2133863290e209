package imappoll_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/steward-desk/steward/internal/channel/email/imappoll"
	"github.com/steward-desk/steward/internal/channel/email/mailin/mailintest"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/mailbox"
)

type imapUser struct{ mailintest.IMAPUser }

func newIMAPUser(t *testing.T) imapUser { return imapUser{mailintest.NewIMAPUser(t)} }

func (u imapUser) url() string { return u.URL() }

func (u imapUser) deliver(t *testing.T, raw string, seen bool) { u.Deliver(t, raw, seen) }

func (u imapUser) deliverAt(t *testing.T, raw string, seen bool, at time.Time) {
	u.DeliverAt(t, raw, seen, at)
}

// flags returns every message's flags by UID.
func (u imapUser) flags(t *testing.T) map[imap.UID][]imap.Flag {
	t.Helper()
	c, err := imapclient.DialInsecure(u.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(u.Name, "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[imap.UID][]imap.Flag{}
	for _, b := range bufs {
		out[b.UID] = b.Flags
	}
	return out
}

// clearStewardFlags forgets that Steward ever saw the folder's messages.
func (u imapUser) clearStewardFlags(t *testing.T) {
	t.Helper()
	c, err := imapclient.DialInsecure(u.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Login(u.Name, "secret").Wait()
	c.Select("INBOX", nil).Wait()
	var all imap.SeqSet
	all.AddRange(1, 0)
	if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imappoll.FlagSteward}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
}

func msg(id, from, subject, body string) string {
	return fmt.Sprintf("From: %s\nTo: support@example.org\nMessage-ID: <%s>\nSubject: %s\nContent-Type: text/plain; charset=utf-8\n\n%s\n", from, id, subject, body)
}

// running is a poller started in the background.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func start(k *mailintest.Desk, p *imappoll.Poller) running {
	ctx, cancel := context.WithCancel(context.Background())
	r := running{cancel, make(chan struct{})}
	go func() { p.Run(ctx); close(r.done) }()
	return r
}

func (r running) stop() { r.cancel(); <-r.done }

func poller(k *mailintest.Desk) *imappoll.Poller {
	return &imappoll.Poller{DB: k.DB, Mailboxes: k.Mailboxes, Receiver: k.Receiver, Interval: 300 * time.Millisecond, IdleRefresh: 2 * time.Second, BatchSize: 3}
}

func waitCount(t *testing.T, k *mailintest.Desk, want int, query string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := k.Count(t, query, args...)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, want %d", query, n, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPollerStoresMarksAndResumes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		u := newIMAPUser(t)
		k := mailintest.New(t, d, mailintest.Options{})
		mb := k.AddMailbox(t, mailbox.Input{Address: "support@example.org", IMAPURL: u.url()})

		u.deliverAt(t, msg("old-read@example.net", "old@example.net", "read before Steward", "handled by a person"), true, time.Now().AddDate(0, -1, 0))
		for i := 1; i <= 3; i++ {
			u.deliver(t, msg(fmt.Sprintf("m%d@example.net", i), fmt.Sprintf("s%d@example.net", i), "寄付について", "お問い合わせです"), false)
		}
		u.deliver(t, "\x00\x01\x02 this is not a mail message", false)

		r := start(k, poller(k))
		waitCount(t, k, 3, "SELECT COUNT(*) FROM messages")
		waitCount(t, k, 1, "SELECT COUNT(*) FROM quarantine WHERE mailbox_id = $1", mb.ID)
		if n := k.Count(t, "SELECT COUNT(*) FROM inbound_keys WHERE source_key = 'old-read@example.net'"); n != 0 {
			t.Fatal("a message read before Steward was connected was imported")
		}
		// Every committed message is marked; the one read before stays as it was.
		waitFor(t, func() bool {
			marked := 0
			for _, f := range u.flags(t) {
				if slices.Contains(f, imappoll.FlagSteward) && slices.Contains(f, imap.FlagSeen) {
					marked++
				}
			}
			return marked == 4
		})
		waitFor(t, func() bool {
			m, _ := k.Mailboxes.Get(ctx, d.R, mb.ID)
			return m.Checkpoint().LastUID == 5 && m.Checkpoint().UIDValidity != 0 && m.Health.LastFetchAt != nil && m.Health.OK
		})

		// New mail while the poller idles arrives at once, read or not.
		u.deliver(t, msg("m4@example.net", "s4@example.net", "new", "hello"), false)
		u.deliver(t, msg("m5@example.net", "s5@example.net", "read in webmail first", "hello"), true)
		waitCount(t, k, 5, "SELECT COUNT(*) FROM messages")
		waitFor(t, func() bool {
			m, _ := k.Mailboxes.Get(ctx, d.R, mb.ID)
			return m.Checkpoint().LastUID == 7
		})
		r.stop()

		// A restarted poller takes nothing twice.
		u.deliver(t, msg("m6@example.net", "s6@example.net", "while stopped", "hello"), false)
		r = start(k, poller(k))
		waitCount(t, k, 6, "SELECT COUNT(*) FROM messages")
		time.Sleep(time.Second)
		r.stop()
		if n := k.Count(t, "SELECT COUNT(*) FROM messages"); n != 6 {
			t.Fatalf("%d messages after a restart, want 6", n)
		}

		// UIDVALIDITY changed and Steward's marks lost: everything is fetched again, and nothing is stored twice.
		u.clearStewardFlags(t)
		m, _ := k.Mailboxes.Get(ctx, d.R, mb.ID)
		real := m.Checkpoint()
		k.Mailboxes.SetCheckpoint(ctx, d.W, mb.ID, mailbox.Checkpoint{UIDValidity: real.UIDValidity + 1, LastUID: 99})
		r = start(k, poller(k))
		waitFor(t, func() bool {
			m, _ := k.Mailboxes.Get(ctx, d.R, mb.ID)
			return m.Checkpoint() == real
		})
		r.stop()
		if n := k.Count(t, "SELECT COUNT(*) FROM messages"); n != 6 {
			t.Fatalf("%d messages after a UIDVALIDITY change, want 6", n)
		}
		if n := k.Count(t, "SELECT COUNT(*) FROM quarantine"); n != 1 {
			t.Fatalf("%d quarantine rows after a rescan, want 1", n)
		}
	})
}

// TestPollingWithoutIdle: with IDLE off the poller finds new mail on its
// next poll.
func TestPollingWithoutIdle(t *testing.T) {
	d := dbtest.OpenSQLite(t)
	u := newIMAPUser(t)
	k := mailintest.New(t, d, mailintest.Options{})
	k.AddMailbox(t, mailbox.Input{Address: "support@example.org", IMAPURL: u.url()})
	p := poller(k)
	p.NoIdle = true
	r := start(k, p)
	defer r.stop()
	u.deliver(t, msg("poll1@example.net", "a@example.net", "first", "hello"), false)
	waitCount(t, k, 1, "SELECT COUNT(*) FROM messages")
	u.deliver(t, msg("poll2@example.net", "b@example.net", "second", "hello"), false)
	waitCount(t, k, 2, "SELECT COUNT(*) FROM messages")
}

// TestPoisonMessageIsQuarantined: a message intake fails on every time (here
// a trigger refuses it) is quarantined after a few tries; later mail flows.
func TestPoisonMessageIsQuarantined(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		u := newIMAPUser(t)
		k := mailintest.New(t, d, mailintest.Options{})
		k.AddMailbox(t, mailbox.Input{Address: "support@example.org", IMAPURL: u.url()})
		var err error
		if d.Engine == db.Postgres {
			_, err = d.W.ExecContext(ctx, `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.body_text LIKE '%POISON%' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$;
				CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poison();`)
		} else {
			_, err = d.W.ExecContext(ctx, `CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.body_text LIKE '%POISON%'
				BEGIN SELECT RAISE(ABORT, 'poisoned'); END`)
		}
		if err != nil {
			t.Fatal(err)
		}
		u.deliver(t, msg("p1@example.net", "a@example.net", "bad", "POISON"), false)
		u.deliver(t, msg("p2@example.net", "b@example.net", "good", "fine"), false)
		p := poller(k)
		p.MaxBackoff = 500 * time.Millisecond
		r := start(k, p)
		defer r.stop()
		waitCount(t, k, 1, "SELECT COUNT(*) FROM quarantine WHERE reason LIKE 'intake failed%'")
		waitCount(t, k, 1, "SELECT COUNT(*) FROM inbound_keys WHERE source_key = 'p2@example.net'")
	})
}

func TestPollerRecordsLoginErrors(t *testing.T) {
	d := dbtest.OpenSQLite(t)
	ctx := context.Background()
	u := newIMAPUser(t)
	k := mailintest.New(t, d, mailintest.Options{})
	mb := k.AddMailbox(t, mailbox.Input{Address: "support@example.org", IMAPURL: strings.Replace(u.url(), ":secret@", ":wrong@", 1)})
	r := start(k, poller(k))
	defer r.stop()
	waitFor(t, func() bool {
		m, _ := k.Mailboxes.Get(ctx, d.R, mb.ID)
		return !m.Health.OK && strings.Contains(m.Health.LastError, "login") && !strings.Contains(m.Health.LastError, "wrong")
	})
}

// TestOnePollerPerMailbox runs two nodes on one PostgreSQL database: one
// polls at a time, the other takes over when it stops, nothing is stored twice.
func TestOnePollerPerMailbox(t *testing.T) {
	ctx := context.Background()
	d1 := dbtest.OpenPostgres(t)
	u := newIMAPUser(t)
	k1 := mailintest.New(t, d1, mailintest.Options{})
	mb := k1.AddMailbox(t, mailbox.Input{Address: "support@example.org", IMAPURL: u.url()})
	for i := 0; i < 20; i++ {
		u.deliver(t, msg(fmt.Sprintf("n%d@example.net", i), fmt.Sprintf("n%d@example.net", i), "two nodes", "hello"), false)
	}
	r1 := start(k1, poller(k1))
	r2 := start(k1, poller(k1))
	waitCount(t, k1, 20, "SELECT COUNT(*) FROM messages")
	var locks int
	d1.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7429010 AND objid = $1 AND granted", mb.ID).Scan(&locks)
	if locks != 1 {
		t.Fatalf("%d pollers hold the mailbox's lock", locks)
	}
	r1.stop()
	for i := 20; i < 25; i++ {
		u.deliver(t, msg(fmt.Sprintf("n%d@example.net", i), fmt.Sprintf("n%d@example.net", i), "after failover", "hello"), false)
	}
	waitCount(t, k1, 25, "SELECT COUNT(*) FROM messages")
	r2.stop()
	if n := k1.Count(t, "SELECT COUNT(*) FROM messages"); n != 25 {
		t.Fatalf("%d messages, want 25", n)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
