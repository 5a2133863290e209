// Package privacy answers a supporter's data requests: Export writes
// everything Steward holds about them (JSON and their attachments, one zip
// archive); Erase removes their personal data while keeping what the
// organisation's statistics need (tickets with their status, channel,
// times and counts; donations' amounts and dates). Both are audited, and
// the audit entries carry no personal data.
package privacy

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Reindexer updates the search index after an erasure (search.Index's
// SupporterChanged): the erased text must leave the index too.
type Reindexer interface {
	SupporterChanged(ctx context.Context, q db.Querier, id int64) error
}

// exportTicket is a ticket with its conversation, as exported.
type exportTicket struct {
	ticket.Ticket
	Messages []ticket.Message `json:"messages"`
}

// Export is the JSON document of an export.
type Export struct {
	ExportedAt time.Time           `json:"exported_at"`
	Supporter  supporter.Supporter `json:"supporter"`
	Consent    []supporter.Consent `json:"consent"`
	Donations  []giving.Donation   `json:"donations"`
	Tickets    []exportTicket      `json:"tickets"`
	Files      map[string]string   `json:"files"` // attachment id → path in the archive
}

// WriteExport writes the archive (supporter.json and attachments/…) to w
// and records the export in the audit log. Internal notes are the
// organisation's, not the supporter's, and are left out.
func WriteExport(ctx context.Context, d *db.DB, blobs *blob.Store, actor audit.Actor, id int64, w io.Writer) error {
	q := d.R
	s, err := supporter.Get(ctx, q, id)
	if err != nil {
		return err
	}
	ex := Export{ExportedAt: time.Now().UTC(), Supporter: s, Files: map[string]string{}}
	if ex.Consent, err = supporter.Consents(ctx, q, id); err != nil {
		return err
	}
	if ex.Donations, err = giving.ForSupporter(ctx, q, id, 0); err != nil {
		return err
	}
	tickets, err := ticket.ForSupporter(ctx, q, id, 100000)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, t := range tickets {
		msgs, err := ticket.Messages(ctx, q, t.ID, false)
		if err != nil {
			return err
		}
		ex.Tickets = append(ex.Tickets, exportTicket{Ticket: t, Messages: msgs})
		for _, m := range msgs {
			for _, a := range m.Attachments {
				name := path.Join("attachments", fmt.Sprintf("%d-%s", a.ID, safeName(a.Filename)))
				if blobs == nil {
					continue
				}
				f, err := blobs.Open(a.SHA256)
				if err != nil {
					continue // a missing blob is reported by its absence in files
				}
				fw, err := zw.Create(name)
				if err == nil {
					_, err = io.Copy(fw, f)
				}
				f.Close()
				if err != nil {
					return err
				}
				ex.Files[fmt.Sprint(a.ID)] = name
			}
		}
	}
	fw, err := zw.Create("supporter.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(fw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ex); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return audit.Record(ctx, d.W, actor, "supporter.export", "supporter", id,
		map[string]any{"tickets": len(ex.Tickets), "donations": len(ex.Donations), "files": len(ex.Files)})
}

func safeName(n string) string {
	n = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, n)
	if n == "" || n == "." || n == ".." {
		n = "file"
	}
	return n
}

// Erased is what Erase did.
type Erased struct {
	Tickets  int `json:"tickets"`
	Messages int `json:"messages"`
	Blobs    int `json:"blobs"`
}

// Erase removes a supporter's personal data in one transaction: profile,
// identities, tags, external ids and consent records; the text of their
// tickets and of every message on them (replies quote and address them),
// attachment names and files, raw mail, outgoing mail, threading
// references and the audit details of those tickets. Ticket rows keep
// their status, channel, department, times and counts, and donations their
// amounts and dates, so reports still add up. The supporter stays as an
// erased, do-not-contact record. idx, if not nil, re-indexes search in the
// same transaction.
func Erase(ctx context.Context, d *db.DB, blobs *blob.Store, idx Reindexer, actor audit.Actor, id int64) (Erased, error) {
	var res Erased
	var files []string
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		s, err := supporter.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if s.MergedInto != 0 {
			return fmt.Errorf("%w: erase the supporter this one was merged into (#%d)", errs.ErrConflict, s.MergedInto)
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE supporters SET name = '', email = '', notes = '', family_name = '', given_name = '',
			honorific = '', preferred_channel = '', address = '', organisation = '', household = '', do_not_contact = 1,
			erased_at = $1, updated_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		for _, q := range []string{
			"DELETE FROM supporter_identities WHERE supporter_id = $1",
			"DELETE FROM supporter_tags WHERE supporter_id = $1",
			"DELETE FROM supporter_external_ids WHERE supporter_id = $1",
			"DELETE FROM supporter_consent WHERE supporter_id = $1",
			// Merged-away records of the same person hold their old profile.
			`UPDATE supporters SET name = '', email = '', notes = '', family_name = '', given_name = '', honorific = '', address = '',
				organisation = '', household = '', erased_at = ` + fmt.Sprint(now) + ` WHERE merged_into = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		tickets := `SELECT id FROM tickets WHERE supporter_id = $1`
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets WHERE supporter_id = $1", id).Scan(&res.Tickets); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE ticket_id IN ("+tickets+")", id).Scan(&res.Messages); err != nil {
			return err
		}
		// Files to delete after commit: attachments and raw mail of these
		// tickets that nothing else refers to.
		rows, err := tx.QueryContext(ctx, `SELECT sha256 FROM attachments WHERE message_id IN (SELECT id FROM messages WHERE ticket_id IN (`+tickets+`))
			UNION SELECT raw_sha256 FROM messages WHERE raw_sha256 <> '' AND ticket_id IN (`+tickets+`)`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sum string
			if err := rows.Scan(&sum); err != nil {
				rows.Close()
				return err
			}
			files = append(files, sum)
		}
		rows.Close()
		for _, q := range []string{
			"UPDATE tickets SET subject = '', preview = '' WHERE supporter_id = $1",
			"UPDATE messages SET body_text = '', body_html = '', from_addr = '', raw_sha256 = '' WHERE ticket_id IN (" + tickets + ")",
			"UPDATE attachments SET filename = '', sha256 = '' WHERE message_id IN (SELECT id FROM messages WHERE ticket_id IN (" + tickets + "))",
			"UPDATE outbox SET to_addr = '', to_name = '', subject = '', body_text = '', in_reply_to = '', refs = '', last_error = '' WHERE ticket_id IN (" + tickets + ")",
			"DELETE FROM email_refs WHERE ticket_id IN (" + tickets + ") OR supporter_id = $1",
			"DELETE FROM inbound_keys WHERE ticket_id IN (" + tickets + ")",
			"UPDATE audit_log SET detail = '{\"erased\":true}' WHERE object_type = 'ticket' AND object_id IN (" + tickets + ")",
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("privacy: erase: %w", err)
			}
		}
		if idx != nil {
			if err := idx.SupporterChanged(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, "supporter.erase", "supporter", id,
			map[string]any{"tickets": res.Tickets, "messages": res.Messages})
	})
	if err != nil {
		return res, err
	}
	// After commit: remove files no other row refers to.
	for _, sum := range files {
		if sum == "" || blobs == nil {
			continue
		}
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM attachments WHERE sha256 = $1) + (SELECT COUNT(*) FROM messages WHERE raw_sha256 = $1)`, sum).Scan(&n); err != nil {
			return res, err
		}
		if n == 0 {
			if err := blobs.Remove(sum); err != nil {
				return res, err
			}
			res.Blobs++
		}
	}
	return res, nil
}
