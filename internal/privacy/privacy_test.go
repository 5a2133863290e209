package privacy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/privacy"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// columns lists every column of every table ("table", "column").
func columns(t *testing.T, d *db.DB) [][2]string {
	t.Helper()
	var out [][2]string
	if d.Engine == db.Postgres {
		rows, err := d.R.Query(`SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c [2]string
			rows.Scan(&c[0], &c[1])
			out = append(out, c)
		}
		return out
	}
	rows, err := d.R.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		cr, err := d.R.Query(fmt.Sprintf("SELECT name FROM pragma_table_info('%s')", tb))
		if err != nil {
			t.Fatal(err)
		}
		for cr.Next() {
			var c string
			cr.Scan(&c)
			out = append(out, [2]string{tb, c})
		}
		cr.Close()
	}
	return out
}

// findPII scans every column of every table (text, and blobs and
// tsvectors as text) for each needle.
func findPII(t *testing.T, d *db.DB, needles ...string) []string {
	t.Helper()
	var found []string
	for _, c := range columns(t, d) {
		expr := fmt.Sprintf(`CAST("%s" AS TEXT)`, c[1])
		for _, n := range needles {
			var k int
			q := fmt.Sprintf(`SELECT COUNT(*) FROM "%s" WHERE %s LIKE $1`, c[0], expr)
			if err := d.R.QueryRow(q, "%"+n+"%").Scan(&k); err != nil {
				continue // e.g. a virtual table column that cannot be read
			}
			if k > 0 {
				found = append(found, fmt.Sprintf("%s.%s has %q", c[0], c[1], n))
			}
		}
	}
	return found
}

func TestExportAndErase(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		blobs, err := blob.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		idx := search.New(d)
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{idx.Hook}}
		tags := []string{"佐藤さんの紹介"}
		tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "佐藤 花子です：領収書", Body: "hanako@example.jp 宛に領収書をお願いします。電話 +81 3-1234-5678", Channel: "email", Language: "ja"},
			Supporter: supporter.NewSupporter{Name: "佐藤 花子", Email: "Hanako@example.jp", Phone: "+81 3-1234-5678", Language: "ja", Notes: "佐藤さんは毎年寄付",
				Profile: supporter.ProfileInput{FamilyName: ptr("佐藤"), GivenName: ptr("花子"), Address: ptr("東京都 佐藤ビル"), Tags: &tags}}})
		if err != nil {
			t.Fatal(err)
		}
		sid := tk.SupporterID
		staffReply, err := svc.Reply(ctx, audit.System, ticket.ReplyInput{TicketID: tk.ID, Body: "佐藤 花子 様\nhanako@example.jp に再送しました。"})
		if err != nil {
			t.Fatal(err)
		}
		subj := "佐藤 花子 様の領収書"
		if _, _, err := svc.Update(ctx, audit.System, tk.ID, ticket.Patch{Subject: &subj}); err != nil {
			t.Fatal(err)
		}
		sum, size, _ := blobs.Put(strings.NewReader("receipt for hanako"), 0)
		if _, err := ticket.AddAttachment(ctx, d.W, ticket.Attachment{MessageID: staffReply.ID, Filename: "hanako-領収書.pdf", ContentType: "application/pdf", Size: size, SHA256: sum}); err != nil {
			t.Fatal(err)
		}
		d.W.Exec(`INSERT INTO outbox (ticket_id, kind, to_addr, to_name, subject, body_text, rfc_id, created_at) VALUES ($1, 'reply', 'hanako@example.jp', '佐藤 花子', 'Re: 佐藤', '佐藤 花子 様', '<x1@steward>', 1)`, tk.ID)
		d.W.Exec(`INSERT INTO email_refs (rfc_id, ticket_id, supporter_id, direction, created_at) VALUES ('<hanako@pc>', $1, $2, 'in', 1)`, tk.ID, sid)
		supporter.SetConsent(ctx, d.W, sid, "email", true, "form")
		d.W.Exec(`INSERT INTO supporter_external_ids (source, external_id, supporter_id) VALUES ('civicrm', 'hanako-77', $1)`, sid)
		giving.Add(ctx, d.W, giving.NewDonation{SupporterID: sid, AmountMinor: 10000, Currency: "JPY", DonatedAt: time.Now(), Campaign: "年末募金"})
		if found := findPII(t, d, "佐藤", "hanako", "12345678"); len(found) == 0 {
			t.Fatal("the scan finds nothing before erasure: it is broken")
		}

		var buf bytes.Buffer
		if err := privacy.WriteExport(ctx, d, blobs, audit.System, sid, &buf); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			names[f.Name] = string(b)
		}
		js := names["supporter.json"]
		if !strings.Contains(js, "佐藤 花子") || !strings.Contains(js, "年末募金") || !strings.Contains(js, "再送しました") || len(names) != 2 {
			t.Fatalf("export: %v\n%s", len(names), js)
		}

		res, err := privacy.Erase(ctx, d, blobs, idx, audit.System, sid)
		if err != nil {
			t.Fatal(err)
		}
		if res.Tickets != 1 || res.Blobs != 1 {
			t.Fatalf("erase: %+v", res)
		}
		if found := findPII(t, d, "佐藤", "花子", "hanako", "12345678"); len(found) > 0 {
			t.Fatalf("personal data left after erasure:\n%s", strings.Join(found, "\n"))
		}
		if f, err := blobs.Open(sum); err == nil {
			f.Close()
			t.Fatal("attachment file still exists")
		}
		// Statistics stay: the ticket, its messages and the donation.
		var status string
		var msgs int
		d.R.QueryRow("SELECT status, message_count FROM tickets WHERE id = $1", tk.ID).Scan(&status, &msgs)
		if status == "" || msgs != 2 {
			t.Fatalf("ticket statistics lost: %q %d", status, msgs)
		}
		if g, _ := giving.Summarize(ctx, d.R, sid, time.Now()); g.Main().AmountMinor != 10000 {
			t.Fatal("donation lost")
		}
		if ok, _ := supporter.MayContact(ctx, d.R, sid, "email"); ok {
			t.Fatal("an erased supporter may be contacted")
		}
		for _, q := range []string{"佐藤", "hanako@example.jp"} {
			r, err := idx.Search(ctx, q, search.Options{IncludeNotes: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Items) > 0 {
				t.Fatalf("search %q still finds %d", q, len(r.Items))
			}
		}
		var n int
		d.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action IN ('supporter.export', 'supporter.erase')").Scan(&n)
		if n != 2 {
			t.Fatalf("audit entries %d", n)
		}
		_ = sql.ErrNoRows
	})
}

func ptr[T any](v T) *T { return &v }
