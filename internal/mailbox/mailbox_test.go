package mailbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/staff"
)

func TestParseEndpoints(t *testing.T) {
	for _, c := range []struct {
		imap    bool
		raw     string
		want    string // redacted form, "" if an error is expected
		errCode string
		tls     string
		port    int
	}{
		{true, "imap://support%40example.org:s3cret@mail.example.org/INBOX", "imap://support%40example.org:xxxxx@mail.example.org:143/INBOX", "", mailbox.TLSOpportunistic, 143},
		{true, "imaps://u:p@mail.example.org", "imaps://u:xxxxx@mail.example.org:993/INBOX", "", mailbox.TLSImplicit, 993},
		{true, "IMAP://u:p@[::1]:1143/Support?starttls=required", "imap://u:xxxxx@[::1]:1143/Support?starttls=required", "", mailbox.TLSRequired, 1143},
		{true, "imap://u:p%2Fw%3Fd@h/INBOX", "imap://u:xxxxx@h:143/INBOX", "", mailbox.TLSOpportunistic, 143},
		{true, "imap://mail.example.org/INBOX", "", "invalid", "", 0},
		{true, "pop3://u:p@h", "", "invalid", "", 0},
		{true, "", "", "required", "", 0},
		{true, "imap://u:p@h:70000", "", "invalid", "", 0},
		{true, "imaps://u:p@h?starttls=required", "", "invalid", "", 0},
		{true, "imap://u:p@h?tls=off", "", "invalid", "", 0},
		{true, "imap://u:p@h/INBOX\r\nX: y", "", "invalid", "", 0},
		{false, "smtp://relay.example.org", "smtp://relay.example.org:587", "", mailbox.TLSOpportunistic, 587},
		{false, "smtp://relay.example.org:25?starttls=required", "smtp://relay.example.org:25?starttls=required", "", mailbox.TLSRequired, 25},
		{false, "smtps://u:p@relay.example.org", "smtps://u:xxxxx@relay.example.org:465", "", mailbox.TLSImplicit, 465},
		{false, "smtp://relay/x", "", "invalid", "", 0},
		{false, "imap://u:p@h", "", "invalid", "", 0},
	} {
		var e mailbox.Endpoint
		var err error
		if c.imap {
			e, err = mailbox.ParseIMAP("imap_url", c.raw)
		} else {
			e, err = mailbox.ParseSMTP("smtp_url", c.raw)
		}
		if c.want == "" {
			inv, ok := errs.AsInvalid(err)
			if !ok || inv.Code != c.errCode || (inv.Field != "imap_url" && inv.Field != "smtp_url") {
				t.Errorf("%q: got %v, want invalid %s", c.raw, err, c.errCode)
			}
			if err != nil && strings.Contains(err.Error(), "p@") {
				t.Errorf("%q: error shows the password: %v", c.raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.raw, err)
			continue
		}
		if got := e.Redacted(); got != c.want || e.TLS != c.tls || e.Port != c.port {
			t.Errorf("%q: %s tls=%s port=%d, want %s %s %d", c.raw, got, e.TLS, e.Port, c.want, c.tls, c.port)
		}
		// The full form round-trips.
		var again mailbox.Endpoint
		if c.imap {
			again, err = mailbox.ParseIMAP("imap_url", e.String())
		} else {
			again, err = mailbox.ParseSMTP("smtp_url", e.String())
		}
		if err != nil || again != e {
			t.Errorf("%q: round trip %+v %v", c.raw, again, err)
		}
	}
}

func TestSealOpen(t *testing.T) {
	k1, _ := mailbox.ParseKey("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	k2, _ := mailbox.ParseKey(strings.Repeat("B", 43))
	if k1 == nil || k2 == nil {
		t.Fatal("keys did not parse")
	}
	s := k1.Seal("imap_url", "imap://u:hunter2@h/INBOX")
	if strings.Contains(s, "hunter2") || s == k1.Seal("imap_url", "imap://u:hunter2@h/INBOX") {
		t.Fatalf("sealed value leaks or is deterministic: %s", s)
	}
	if p, err := k1.Open("imap_url", s); err != nil || p != "imap://u:hunter2@h/INBOX" {
		t.Fatalf("open: %q %v", p, err)
	}
	if _, err := k2.Open("imap_url", s); !errors.Is(err, mailbox.ErrWrongKey) {
		t.Fatalf("other key: %v", err)
	}
	if _, err := k1.Open("smtp_url", s); err == nil {
		t.Fatal("a value moved to another column decrypted")
	}
	if _, err := mailbox.ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestKeyringCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	r := &mailbox.Keyring{File: path}
	k, err := r.Key()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	// A second process (new Keyring) reads the same key.
	k2, err := (&mailbox.Keyring{File: path}).Key()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := k2.Open("f", k.Seal("f", "x")); err != nil || p != "x" {
		t.Fatalf("second keyring: %q %v", p, err)
	}
	// A configured key wins over the file.
	if _, err := (&mailbox.Keyring{Configured: "not base64!", File: path}).Key(); err == nil {
		t.Fatal("bad configured key accepted")
	}
}

func newStore(d *db.DB, t *testing.T) *mailbox.Store {
	return &mailbox.Store{DB: d, Keys: &mailbox.Keyring{File: filepath.Join(t.TempDir(), "secret.key")}}
}

func TestStore(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(d, t)
		dept, err := staff.CreateDepartment(ctx, d.W, "寄付担当", "")
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Create(ctx, d.W, mailbox.Input{Address: " Support@Example.org ", Name: "Hope Bridge", DepartmentID: &dept.ID,
			IMAPURL: "imaps://support%40example.org:hunter2@imap.example.org/INBOX", SMTPURL: "smtp://support%40example.org:hunter2@smtp.example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Address != "support@example.org" || *m.DepartmentID != dept.ID || m.IMAPURL != "imaps://support%40example.org:xxxxx@imap.example.org:993/INBOX" {
			t.Fatalf("created %+v", m)
		}
		// The password is stored encrypted and shown nowhere.
		var raw string
		d.R.QueryRowContext(ctx, "SELECT imap_url || smtp_url FROM mailboxes WHERE id = $1", m.ID).Scan(&raw)
		js, _ := json.Marshal(m)
		if strings.Contains(raw, "hunter2") || strings.Contains(string(js), "hunter2") || !strings.HasPrefix(raw, "v1:") {
			t.Fatalf("password visible: db %q json %s", raw, js)
		}
		if e, ok := m.IMAP(); !ok || e.Password != "hunter2" || e.Username != "support@example.org" {
			t.Fatalf("IMAP endpoint %+v", e)
		}

		for _, c := range []struct {
			in    mailbox.Input
			field string
		}{
			{mailbox.Input{Address: "SUPPORT@example.org"}, "address"},
			{mailbox.Input{Address: "not an address"}, "address"},
			{mailbox.Input{Address: ""}, "address"},
			{mailbox.Input{Address: "a@example.org", IMAPURL: "imap://host/INBOX"}, "imap_url"},
			{mailbox.Input{Address: "a@example.org", SMTPURL: "ftp://host"}, "smtp_url"},
			{mailbox.Input{Address: "a@example.org", DepartmentID: ptr(int64(9999))}, "department_id"},
			{mailbox.Input{Address: "a@example.org", Name: strings.Repeat("名", 201)}, "name"},
		} {
			_, err := s.Create(ctx, d.W, c.in)
			if inv, ok := errs.AsInvalid(err); !ok || inv.Field != c.field {
				t.Errorf("%+v: got %v, want an error naming %s", c.in, err, c.field)
			}
		}

		// Saving the form back with the redacted URL keeps the password.
		if err := s.SetCheckpoint(ctx, d.W, m.ID, mailbox.Checkpoint{UIDValidity: 7, LastUID: 42}); err != nil {
			t.Fatal(err)
		}
		shown := m.IMAPURL
		m2, err := s.Update(ctx, d.W, m.ID, mailbox.Patch{IMAPURL: &shown, Name: ptr("Hope Bridge Support")})
		if err != nil {
			t.Fatal(err)
		}
		if e, _ := m2.IMAP(); e.Password != "hunter2" || m2.Name != "Hope Bridge Support" || m2.Checkpoint().LastUID != 42 {
			t.Fatalf("after redacted update: %+v %+v", e, m2.Checkpoint())
		}
		// Another folder resets the checkpoint; a new password replaces the old one.
		other := "imaps://support%40example.org:new-pass@imap.example.org/Archive"
		m3, err := s.Update(ctx, d.W, m.ID, mailbox.Patch{IMAPURL: &other, ClearDepartment: true})
		if err != nil {
			t.Fatal(err)
		}
		if e, _ := m3.IMAP(); e.Password != "new-pass" || e.Folder != "Archive" || m3.Checkpoint() != (mailbox.Checkpoint{}) || m3.DepartmentID != nil {
			t.Fatalf("after folder change: %+v %+v", e, m3)
		}
		// A redacted URL for another server does not borrow the password.
		moved := "imaps://support%40example.org:xxxxx@evil.example/INBOX"
		m4, err := s.Update(ctx, d.W, m.ID, mailbox.Patch{IMAPURL: &moved})
		if err != nil {
			t.Fatal(err)
		}
		if e, _ := m4.IMAP(); e.Password != "xxxxx" {
			t.Fatalf("password followed the URL to another host: %+v", e)
		}

		// Health.
		if err := s.RecordFetch(ctx, d.W, m.ID, errors.New("dial tcp: connection refused")); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Get(ctx, d.R, m.ID)
		if got.Health.OK || got.Health.LastError == "" {
			t.Fatalf("health after error %+v", got.Health)
		}
		s.RecordFetch(ctx, d.W, m.ID, nil)
		got, _ = s.Get(ctx, d.R, m.ID)
		if !got.Health.OK || got.Health.LastFetchAt == nil {
			t.Fatalf("health after success %+v", got.Health)
		}

		// Another key cannot read the credentials, and says so without failing the list.
		wrong := &mailbox.Store{DB: d, Keys: &mailbox.Keyring{File: filepath.Join(t.TempDir(), "other.key")}}
		list, err := wrong.List(ctx, d.R)
		if err != nil || len(list) != 1 || list[0].CredentialsError == "" {
			t.Fatalf("list with the wrong key: %+v %v", list, err)
		}
		if _, ok := list[0].IMAP(); ok {
			t.Fatal("undecryptable endpoint offered")
		}

		if _, err := s.ByAddress(ctx, d.R, "SUPPORT@EXAMPLE.ORG"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, d.W, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, d.R, m.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.Delete(ctx, d.W, m.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
