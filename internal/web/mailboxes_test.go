package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/mailbox"
)

// keyedMailboxes gives the fixture's UI a mailbox store with a secret key
// and counts the poller refreshes.
func keyedMailboxes(t *testing.T, f *fixture) (*mailbox.Store, *atomic.Int32) {
	t.Helper()
	key, err := mailbox.NewKey(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	store := &mailbox.Store{DB: f.db, Keys: key}
	var n atomic.Int32
	f.srv.mboxes, f.srv.onMbox = store, func() { n.Add(1) }
	return store, &n
}

func TestAdminMailboxes(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		store, refreshed := keyedMailboxes(t, f)
		ctx := context.Background()
		admin := f.login("admin@example.org")

		page := admin.get("/admin/users")
		mustContain(t, page.body, `href="/admin/mailboxes"`, `href="/admin/quarantine"`)
		mustContain(t, admin.get("/admin/mailboxes").body, "No mailboxes yet.")

		res := admin.post("/admin/mailboxes", url.Values{"address": {"support@example.org"}, "name": {"Supporter care"},
			"imap_url": {"imaps://support:imap-s3cret@imap.example.org/INBOX"}, "smtp_url": {"smtp://support:smtp-s3cret@smtp.example.org:587"},
			"department_id": {strconv.FormatInt(f.dept.ID, 10)}}, true)
		if res.status != http.StatusSeeOther || refreshed.Load() != 1 {
			t.Fatalf("create: %d, refreshed %d: %s", res.status, refreshed.Load(), res.body)
		}
		m, err := store.ByAddress(ctx, f.db.R, "support@example.org")
		if err != nil {
			t.Fatal(err)
		}

		// The list shows health in words and never a password.
		if err := store.RecordFetch(ctx, f.db.W, m.ID, errors.New("LOGIN failed: bad credentials")); err != nil {
			t.Fatal(err)
		}
		page = admin.get("/admin/mailboxes")
		mustContain(t, page.body, "support@example.org", "Donor care", "Failing", "LOGIN failed: bad credentials", "Never")
		mustNotContain(t, page.body, "s3cret")
		if err := store.RecordFetch(ctx, f.db.W, m.ID, nil); err != nil {
			t.Fatal(err)
		}
		mustContain(t, admin.get("/admin/mailboxes").body, ">OK<")
		mustContain(t, f.login("admin@example.org").get("/admin/mailboxes").body, "Supporter care")

		// The edit form shows the URLs redacted; saving them back keeps the passwords.
		page = admin.get(fmt.Sprintf("/admin/mailboxes?edit=%d", m.ID))
		mustContain(t, page.body, "imaps://support:xxxxx@imap.example.org", "smtp://support:xxxxx@smtp.example.org:587")
		mustNotContain(t, page.body, "s3cret")
		res = admin.post(fmt.Sprintf("/admin/mailboxes/%d", m.ID), url.Values{"address": {"support@example.org"}, "name": {"Care team"},
			"imap_url": {"imaps://support:xxxxx@imap.example.org/INBOX"}, "smtp_url": {"smtp://support:xxxxx@smtp.example.org:587"}}, true)
		if res.status != http.StatusSeeOther {
			t.Fatalf("update: %d %s", res.status, res.body)
		}
		m, _ = store.Get(ctx, f.db.R, m.ID)
		if e, ok := m.IMAP(); !ok || e.Password != "imap-s3cret" {
			t.Errorf("IMAP password not kept: %+v", e)
		}
		if e, ok := m.SMTP(); !ok || e.Password != "smtp-s3cret" {
			t.Errorf("SMTP password not kept: %+v", e)
		}
		if m.Name != "Care team" || m.DepartmentID != nil {
			t.Errorf("updated %+v", m)
		}

		// Errors sit next to their field; a typed password is not echoed.
		res = admin.post("/admin/mailboxes", url.Values{"address": {"help@example.org"}, "imap_url": {"ftp://help:typed-s3cret@imap.example.org/INBOX"}}, true)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad URL: %d", res.status)
		}
		mustContain(t, res.body, `id="imap_url-error"`, `aria-invalid="true" aria-describedby="imap_url-error`, `value="help@example.org"`)
		mustNotContain(t, res.body, "typed-s3cret")
		res = admin.post("/admin/mailboxes", url.Values{"address": {"SUPPORT@example.org"}}, true)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("duplicate: %d", res.status)
		}
		mustContain(t, res.body, `id="address-error"`, "There is already a mailbox for this address.")

		// Agents get nothing.
		agent := f.login("agent@example.org")
		if r := agent.get("/admin/mailboxes"); r.status != http.StatusForbidden {
			t.Errorf("agent list: %d", r.status)
		}
		if r := agent.post(fmt.Sprintf("/admin/mailboxes/%d/delete", m.ID), nil, true); r.status != http.StatusForbidden {
			t.Errorf("agent delete: %d", r.status)
		}

		if r := admin.post(fmt.Sprintf("/admin/mailboxes/%d/delete", m.ID), nil, true); r.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.status)
		}
		if _, err := store.Get(ctx, f.db.R, m.ID); err == nil {
			t.Error("mailbox still there")
		}
		if refreshed.Load() != 3 {
			t.Errorf("refreshed %d times, want 3", refreshed.Load())
		}
	})
}

func TestAdminQuarantine(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		keyedMailboxes(t, f)
		raw := []byte("garbage without any header\r\n")
		sum, n, err := f.blobs.Put(bytes.NewReader(raw), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := f.db.W.QueryRow(`INSERT INTO quarantine (mailbox_id, source, raw_sha256, size, reason, received_at)
			VALUES (NULL, 'imap', $1, $2, 'no header fields', $3) RETURNING id`, sum, n, db.Now()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		admin := f.login("admin@example.org")
		page := admin.get("/admin/quarantine")
		mustContain(t, page.body, "no header fields", "imap", fmt.Sprintf(`href="/admin/quarantine/%d/raw"`, id),
			fmt.Sprintf(`action="/admin/quarantine/%d/resolve"`, id))

		res := admin.get(fmt.Sprintf("/admin/quarantine/%d/raw", id))
		if res.status != http.StatusOK || res.body != string(raw) || res.header.Get("Content-Type") != "message/rfc822" ||
			res.header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="quarantine-%d.eml"`, id) {
			t.Fatalf("raw: %d %v %q", res.status, res.header, res.body)
		}
		if r := admin.get("/admin/quarantine/99999/raw"); r.status != http.StatusSeeOther {
			t.Errorf("missing raw: %d", r.status)
		}

		agent := f.login("agent@example.org")
		if r := agent.get(fmt.Sprintf("/admin/quarantine/%d/raw", id)); r.status != http.StatusForbidden {
			t.Errorf("agent raw: %d", r.status)
		}
		if r := agent.post(fmt.Sprintf("/admin/quarantine/%d/resolve", id), nil, true); r.status != http.StatusForbidden {
			t.Errorf("agent resolve: %d", r.status)
		}

		if r := admin.post(fmt.Sprintf("/admin/quarantine/%d/resolve", id), nil, true); r.status != http.StatusSeeOther {
			t.Fatalf("resolve: %d", r.status)
		}
		mustContain(t, admin.get("/admin/quarantine").body, "No quarantined mail.")
		mustContain(t, admin.get("/admin/quarantine?all=1").body, "no header fields", "Resolved")
		if r := admin.post("/admin/quarantine/99999/resolve", nil, true); r.status != http.StatusNotFound {
			t.Errorf("resolve missing: %d", r.status)
		}
	})
}
