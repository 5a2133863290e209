package mailintest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// IMAPUser is a private Dovecot mailbox of the test environment
// (STEWARD_TEST_IMAP_ANYUSER_DOMAIN), filled by writing into its maildir.
type IMAPUser struct {
	Addr, Name, Maildir string
	uid, gid            int
}

// NewIMAPUser creates a fresh mailbox (logging in once makes Dovecot create
// its maildir), or skips the test when there is no Dovecot.
func NewIMAPUser(t testing.TB) IMAPUser {
	t.Helper()
	addr := Need(t, "STEWARD_TEST_IMAP_ADDR")
	domain := Need(t, "STEWARD_TEST_IMAP_ANYUSER_DOMAIN")
	root := Need(t, "STEWARD_TEST_MAILDIR_ROOT")
	tn := strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name()))
	name := fmt.Sprintf("inbox-%s-%d@%s", tn, time.Now().UnixNano(), domain)
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(name, "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()
	c.Close()
	st, err := os.Stat(root)
	if err != nil {
		t.Fatal(err)
	}
	sys := st.Sys().(*syscall.Stat_t)
	u := IMAPUser{Addr: addr, Name: name, Maildir: filepath.Join(root, name, "Maildir"), uid: int(sys.Uid), gid: int(sys.Gid)}
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(filepath.Join(u.Maildir, "new")); err == nil {
			return u
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("Dovecot did not create %s", u.Maildir)
	return u
}

// URL is the mailbox's imap:// URL (password "secret").
func (u IMAPUser) URL() string {
	return "imap://" + strings.Replace(u.Name, "@", "%40", 1) + ":secret@" + u.Addr + "/INBOX"
}

var deliveries atomic.Int64

// Deliver drops a message into the maildir as an MTA would; seen files it
// as already read. LF line endings become CRLF.
func (u IMAPUser) Deliver(t testing.TB, raw string, seen bool) {
	t.Helper()
	u.DeliverAt(t, raw, seen, time.Now())
}

// DeliverAt delivers a message that arrived at a given time (Dovecot takes a
// maildir file's mtime as its INTERNALDATE).
func (u IMAPUser) DeliverAt(t testing.TB, raw string, seen bool, at time.Time) {
	t.Helper()
	name := fmt.Sprintf("%d.%d.steward", time.Now().UnixNano(), deliveries.Add(1))
	tmp := filepath.Join(u.Maildir, "tmp", name)
	if err := os.WriteFile(tmp, []byte(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Lchown(tmp, u.uid, u.gid)
	os.Chtimes(tmp, at, at)
	dst := filepath.Join(u.Maildir, "new", name)
	if seen {
		dst = filepath.Join(u.Maildir, "cur", name+":2,S")
	}
	if err := os.Rename(tmp, dst); err != nil {
		t.Fatal(err)
	}
}
