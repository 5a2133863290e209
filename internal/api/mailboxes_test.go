package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/ticket"
)

// withMailboxes rebuilds the fixture's API with a keyed mailbox store and
// counts the poller refreshes.
func withMailboxes(t *testing.T, f *fixture) (*mailbox.Store, *atomic.Int32) {
	t.Helper()
	key, err := mailbox.NewKey(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	store := &mailbox.Store{DB: f.d, Keys: key}
	var refreshed atomic.Int32
	f.srv = New(Deps{DB: f.d, Tickets: &ticket.Service{DB: f.d}, Blobs: f.blobs,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Mailboxes: store, MailboxesChanged: func() { refreshed.Add(1) }})
	root := chi.NewRouter()
	root.Mount("/api/v1", f.srv.Handler())
	f.root = root
	return store, &refreshed
}

type mailboxOut struct {
	ID           int64  `json:"id"`
	Address      string `json:"address"`
	Name         string `json:"name"`
	DepartmentID *int64 `json:"department_id"`
	IMAPURL      string `json:"imap_url"`
	SMTPURL      string `json:"smtp_url"`
	Health       struct {
		LastFetchAt *string `json:"last_fetch_at"`
		LastError   string  `json:"last_error"`
		LastErrorAt *string `json:"last_error_at"`
		OK          bool    `json:"ok"`
	} `json:"health"`
}

func TestMailboxesAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		store, refreshed := withMailboxes(t, f)
		ctx := context.Background()

		res := f.do(req{Method: "POST", Path: "/mailboxes", Token: f.adminTok, Body: map[string]any{
			"address": "Support@Example.org", "name": "サポート窓口",
			"imap_url": "imaps://support:imap-s3cret@imap.example.org/INBOX",
			"smtp_url": "smtp://support:smtp-s3cret@smtp.example.org:587"}}).want(t, 201)
		if strings.Contains(string(res.Body), "s3cret") {
			t.Fatalf("password echoed: %s", res.Body)
		}
		var m mailboxOut
		res.json(t, &m)
		if m.Address != "support@example.org" || m.Name != "サポート窓口" || !strings.Contains(m.IMAPURL, "xxxxx") || !strings.Contains(m.SMTPURL, "xxxxx") {
			t.Fatalf("created %+v", m)
		}
		if res.Header.Get("Location") != fmt.Sprintf("/api/v1/mailboxes/%d", m.ID) {
			t.Errorf("Location %q", res.Header.Get("Location"))
		}
		if refreshed.Load() != 1 {
			t.Errorf("poller refreshed %d times", refreshed.Load())
		}

		// Health: a failed fetch shows as not OK with its error.
		if err := store.RecordFetch(ctx, d.W, m.ID, errors.New("dial tcp: connection refused")); err != nil {
			t.Fatal(err)
		}
		var list struct{ Items []mailboxOut }
		res = f.do(req{Method: "GET", Path: "/mailboxes", Token: f.adminTok}).want(t, 200)
		res.json(t, &list)
		if strings.Contains(string(res.Body), "s3cret") {
			t.Fatalf("password listed: %s", res.Body)
		}
		if len(list.Items) != 1 || list.Items[0].Health.OK || list.Items[0].Health.LastError != "dial tcp: connection refused" ||
			list.Items[0].Health.LastErrorAt == nil || list.Items[0].Health.LastFetchAt != nil {
			t.Fatalf("list %+v", list.Items)
		}
		if err := store.RecordFetch(ctx, d.W, m.ID, nil); err != nil {
			t.Fatal(err)
		}
		f.do(req{Method: "GET", Path: "/mailboxes", Token: f.adminTok}).want(t, 200).json(t, &list)
		if !list.Items[0].Health.OK || list.Items[0].Health.LastFetchAt == nil {
			t.Fatalf("after a good fetch %+v", list.Items[0].Health)
		}

		// The redacted URL sent back keeps the password; null removes SMTP.
		res = f.do(req{Method: "PATCH", Path: fmt.Sprintf("/mailboxes/%d", m.ID), Token: f.adminTok, Body: map[string]any{
			"name": "Support", "imap_url": m.IMAPURL, "smtp_url": nil, "department_id": nil}}).want(t, 200)
		res.json(t, &m)
		if m.Name != "Support" || m.SMTPURL != "" || strings.Contains(string(res.Body), "s3cret") {
			t.Fatalf("patched %s", res.Body)
		}
		got, err := store.Get(ctx, d.R, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := got.IMAP(); !ok || e.Password != "imap-s3cret" {
			t.Fatalf("password not kept: %+v", e)
		}

		// Validation names the field; a duplicate address is a conflict.
		e := f.do(req{Method: "POST", Path: "/mailboxes", Token: f.adminTok, Body: map[string]any{
			"address": "help@example.org", "imap_url": "ftp://imap.example.org/INBOX"}}).want(t, 422).err(t)
		if e.Error.Field != "imap_url" {
			t.Errorf("error %+v", e)
		}
		e = f.do(req{Method: "PATCH", Path: fmt.Sprintf("/mailboxes/%d", m.ID), Token: f.adminTok, Body: map[string]any{
			"smtp_url": "imap://x@y"}}).want(t, 422).err(t)
		if e.Error.Field != "smtp_url" {
			t.Errorf("error %+v", e)
		}
		e = f.do(req{Method: "POST", Path: "/mailboxes", Token: f.adminTok, Body: map[string]any{"address": "SUPPORT@example.org"}}).want(t, 409).err(t)
		if e.Error.Code != "conflict" || e.Error.Field != "address" {
			t.Errorf("error %+v", e)
		}
		f.do(req{Method: "PATCH", Path: "/mailboxes/99999", Token: f.adminTok, Body: map[string]any{"name": "x"}}).want(t, 404)

		// Agents may not see or change mailboxes.
		f.do(req{Method: "GET", Path: "/mailboxes", Token: f.agentTok}).want(t, 403)
		f.do(req{Method: "POST", Path: "/mailboxes", Token: f.agentTok, Body: map[string]any{"address": "x@example.org"}}).want(t, 403)
		f.do(req{Method: "DELETE", Path: fmt.Sprintf("/mailboxes/%d", m.ID), Token: f.agentTok}).want(t, 403)

		f.do(req{Method: "DELETE", Path: fmt.Sprintf("/mailboxes/%d", m.ID), Token: f.adminTok}).want(t, 204)
		f.do(req{Method: "DELETE", Path: fmt.Sprintf("/mailboxes/%d", m.ID), Token: f.adminTok}).want(t, 404)
		if refreshed.Load() != 3 {
			t.Errorf("poller refreshed %d times, want 3", refreshed.Load())
		}
	})
}

type quarantinedOut struct {
	ID         int64   `json:"id"`
	MailboxID  *int64  `json:"mailbox_id"`
	Source     string  `json:"source"`
	Size       int64   `json:"size"`
	Reason     string  `json:"reason"`
	ReceivedAt string  `json:"received_at"`
	ResolvedAt *string `json:"resolved_at"`
}

func TestQuarantineAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withMailboxes(t, f)
		raw := []byte("\x00\x01 not a message at all\r\n")
		sum, n, err := f.blobs.Put(bytes.NewReader(raw), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := d.W.QueryRow(`INSERT INTO quarantine (mailbox_id, source, raw_sha256, size, reason, received_at)
			VALUES (NULL, 'smtp', $1, $2, 'no header fields', $3) RETURNING id`, sum, n, db.Now()).Scan(&id); err != nil {
			t.Fatal(err)
		}

		var list struct{ Items []quarantinedOut }
		f.do(req{Method: "GET", Path: "/quarantine", Token: f.adminTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].Source != "smtp" || list.Items[0].Size != int64(len(raw)) ||
			list.Items[0].Reason != "no header fields" || list.Items[0].MailboxID != nil || list.Items[0].ResolvedAt != nil {
			t.Fatalf("list %+v", list.Items)
		}
		f.do(req{Method: "GET", Path: "/quarantine?all=maybe", Token: f.adminTok}).want(t, 422)
		f.do(req{Method: "GET", Path: "/quarantine", Token: f.agentTok}).want(t, 403)

		res := f.do(req{Method: "GET", Path: fmt.Sprintf("/quarantine/%d/raw", id), Token: f.adminTok}).want(t, 200)
		if !bytes.Equal(res.Body, raw) || res.Header.Get("Content-Type") != "message/rfc822" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("raw %q %v", res.Body, res.Header)
		}
		f.do(req{Method: "GET", Path: fmt.Sprintf("/quarantine/%d/raw", id), Token: f.agentTok}).want(t, 403)
		f.do(req{Method: "GET", Path: "/quarantine/99999/raw", Token: f.adminTok}).want(t, 404)

		f.do(req{Method: "POST", Path: fmt.Sprintf("/quarantine/%d/resolve", id), Token: f.agentTok}).want(t, 403)
		var q quarantinedOut
		f.do(req{Method: "POST", Path: fmt.Sprintf("/quarantine/%d/resolve", id), Token: f.adminTok}).want(t, 200).json(t, &q)
		if q.ResolvedAt == nil {
			t.Fatalf("resolved %+v", q)
		}
		f.do(req{Method: "POST", Path: "/quarantine/99999/resolve", Token: f.adminTok}).want(t, 404)
		f.do(req{Method: "GET", Path: "/quarantine", Token: f.adminTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("resolved still listed: %+v", list.Items)
		}
		f.do(req{Method: "GET", Path: "/quarantine?all=true", Token: f.adminTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ResolvedAt == nil {
			t.Fatalf("all %+v", list.Items)
		}
	})
}
