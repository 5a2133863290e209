package supporter

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Duplicate is a supporter who may be the same person, and why.
type Duplicate struct {
	Supporter Supporter `json:"supporter"`
	// Reason: same_name_phone, same_name_email, similar_email.
	Reason string `json:"reason"`
}

// canonicalEmail folds the differences that reach one mailbox: case,
// googlemail.com, dots and +tags in Gmail addresses, +tags elsewhere.
func canonicalEmail(e string) string {
	local, domain, ok := strings.Cut(NormaliseEmail(e), "@")
	if !ok {
		return e
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	local, _, _ = strings.Cut(local, "+")
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// phoneTail is the part of a number that survives national/international
// writing: the last 9 digits.
func phoneTail(p string) string {
	p = strings.TrimPrefix(NormalisePhone(p), "+")
	if len(p) > 9 {
		p = p[len(p)-9:]
	}
	return p
}

// Duplicates suggests supporters who may be the same person as id: the
// same name and phone number (written nationally or internationally), the
// same name and mailbox name, or email addresses that reach one mailbox.
func Duplicates(ctx context.Context, q db.Querier, id int64) ([]Duplicate, error) {
	s, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	var emails, tails []string
	for _, idn := range s.Identities {
		switch idn.Kind {
		case "email":
			emails = append(emails, canonicalEmail(idn.Value))
		case "phone":
			if t := phoneTail(idn.Value); len(t) >= 7 {
				tails = append(tails, t)
			}
		}
	}
	reasons := map[int64]string{}
	var order []int64
	add := func(other int64, reason string) {
		if other == id {
			return
		}
		if _, ok := reasons[other]; !ok {
			order = append(order, other)
			reasons[other] = reason
		}
	}
	// Candidates: the same name, and anyone sharing a mailbox name or phone tail.
	type cand struct {
		id          int64
		name        string
		kind, value string
	}
	var cands []cand
	collect := func(query string, args ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c cand
			if err := rows.Scan(&c.id, &c.name, &c.kind, &c.value); err != nil {
				return err
			}
			cands = append(cands, c)
		}
		return rows.Err()
	}
	if s.Name != "" {
		if err := collect(`SELECT s.id, s.name, COALESCE(i.kind, ''), COALESCE(i.value, '') FROM supporters s
			LEFT JOIN supporter_identities i ON i.supporter_id = s.id
			WHERE s.name = $1 AND s.id <> $2 AND s.merged_into IS NULL AND s.erased_at IS NULL`, s.Name, id); err != nil {
			return nil, err
		}
	}
	for _, e := range emails {
		local, _, _ := strings.Cut(e, "@")
		if err := collect(`SELECT s.id, s.name, i.kind, i.value FROM supporter_identities i JOIN supporters s ON s.id = i.supporter_id
			WHERE i.kind = 'email' AND i.value LIKE $1 AND s.id <> $2 AND s.merged_into IS NULL LIMIT 200`, escapeLike(local)+"%", id); err != nil {
			return nil, err
		}
	}
	for _, t := range tails {
		if err := collect(`SELECT s.id, s.name, i.kind, i.value FROM supporter_identities i JOIN supporters s ON s.id = i.supporter_id
			WHERE i.kind = 'phone' AND i.value LIKE $1 AND s.id <> $2 AND s.merged_into IS NULL LIMIT 200`, "%"+t, id); err != nil {
			return nil, err
		}
	}
	for _, c := range cands {
		sameName := s.Name != "" && c.name == s.Name
		switch c.kind {
		case "email":
			ce := canonicalEmail(c.value)
			for _, e := range emails {
				if ce == e {
					add(c.id, "similar_email")
				} else if sameName && strings.Split(ce, "@")[0] == strings.Split(e, "@")[0] {
					add(c.id, "same_name_email")
				}
			}
		case "phone":
			for _, t := range tails {
				if sameName && phoneTail(c.value) == t {
					add(c.id, "same_name_phone")
				}
			}
		}
	}
	out := []Duplicate{}
	for _, oid := range order {
		o, err := Get(ctx, q, oid)
		if err != nil {
			return nil, err
		}
		out = append(out, Duplicate{Supporter: o, Reason: reasons[oid]})
	}
	return out, nil
}

// moved is what a merge changed, so that it can be undone.
type moved struct {
	Identities []int64        `json:"identities"`
	Tickets    []int64        `json:"tickets"`
	Donations  []int64        `json:"donations"`
	Messages   []int64        `json:"messages"`
	EmailRefs  []string       `json:"email_refs"`
	External   [][2]string    `json:"external"`
	TagsAdded  []string       `json:"tags_added"`
	Consent    []string       `json:"consent"`
	Filled     map[string]any `json:"filled"` // winner's column → previous value
	Notes      *string        `json:"notes,omitempty"`
}

func strs(ctx context.Context, q db.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// inList writes "($n, $n+1, …)" for ids after the given arguments.
func inList(args *[]any, vals []int64) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		*args = append(*args, v)
		fmt.Fprintf(&b, "$%d", len(*args))
	}
	b.WriteByte(')')
	return b.String()
}

// moveRows sets col = to on the rows of table with the given ids.
func moveRows(ctx context.Context, q db.Querier, table, col string, to int64, rowIDs []int64) error {
	for lo := 0; lo < len(rowIDs); lo += 500 {
		args := []any{to}
		list := inList(&args, rowIDs[lo:min(lo+500, len(rowIDs))])
		if _, err := q.ExecContext(ctx, "UPDATE "+table+" SET "+col+" = $1 WHERE id IN "+list, args...); err != nil {
			return err
		}
	}
	return nil
}

// Merge folds loser into winner in q (a transaction): every identity,
// ticket, message, donation, tag, external id, consent and note moves to
// the winner; the winner's empty profile fields take the loser's values;
// the loser stays as a record pointing at the winner. It is audited and
// returns the merge id for Undo.
func Merge(ctx context.Context, q db.Querier, actor audit.Actor, winnerID, loserID int64) (int64, error) {
	if winnerID == loserID {
		return 0, errs.Field("loser_id", "self", "a supporter cannot be merged into itself")
	}
	w, err := Get(ctx, q, winnerID)
	if err != nil {
		return 0, err
	}
	l, err := Get(ctx, q, loserID)
	if err != nil {
		return 0, err
	}
	if w.MergedInto != 0 || l.MergedInto != 0 || w.ErasedAt != nil || l.ErasedAt != nil {
		return 0, fmt.Errorf("%w: merged or erased supporters cannot be merged", errs.ErrConflict)
	}
	var m moved
	if m.Identities, err = db.QueryInts(ctx, q, "SELECT id FROM supporter_identities WHERE supporter_id = $1", loserID); err != nil {
		return 0, err
	}
	if m.Tickets, err = db.QueryInts(ctx, q, "SELECT id FROM tickets WHERE supporter_id = $1", loserID); err != nil {
		return 0, err
	}
	if m.Donations, err = db.QueryInts(ctx, q, "SELECT id FROM donations WHERE supporter_id = $1", loserID); err != nil {
		return 0, err
	}
	if m.Messages, err = db.QueryInts(ctx, q, "SELECT id FROM messages WHERE author_supporter_id = $1", loserID); err != nil {
		return 0, err
	}
	if m.EmailRefs, err = strs(ctx, q, "SELECT rfc_id FROM email_refs WHERE supporter_id = $1", loserID); err != nil {
		return 0, err
	}
	for _, mv := range []struct {
		table, col string
		rows       []int64
	}{{"supporter_identities", "supporter_id", m.Identities}, {"tickets", "supporter_id", m.Tickets},
		{"donations", "supporter_id", m.Donations}, {"messages", "author_supporter_id", m.Messages}} {
		if err := moveRows(ctx, q, mv.table, mv.col, winnerID, mv.rows); err != nil {
			return 0, err
		}
	}
	if _, err := q.ExecContext(ctx, "UPDATE email_refs SET supporter_id = $1 WHERE supporter_id = $2", winnerID, loserID); err != nil {
		return 0, err
	}
	ext, err := q.QueryContext(ctx, "SELECT source, external_id FROM supporter_external_ids WHERE supporter_id = $1", loserID)
	if err != nil {
		return 0, err
	}
	for ext.Next() {
		var k [2]string
		if err := ext.Scan(&k[0], &k[1]); err != nil {
			ext.Close()
			return 0, err
		}
		m.External = append(m.External, k)
	}
	ext.Close()
	if _, err := q.ExecContext(ctx, "UPDATE supporter_external_ids SET supporter_id = $1 WHERE supporter_id = $2", winnerID, loserID); err != nil {
		return 0, err
	}
	for _, t := range l.Tags {
		r, err := q.ExecContext(ctx, "INSERT INTO supporter_tags (supporter_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING", winnerID, t)
		if err != nil {
			return 0, err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.TagsAdded = append(m.TagsAdded, t)
		}
	}
	if m.Consent, err = strs(ctx, q, `SELECT channel FROM supporter_consent l WHERE supporter_id = $1
		AND NOT EXISTS (SELECT 1 FROM supporter_consent w WHERE w.supporter_id = $2 AND w.channel = l.channel)`, loserID, winnerID); err != nil {
		return 0, err
	}
	for _, ch := range m.Consent {
		if _, err := q.ExecContext(ctx, `INSERT INTO supporter_consent (supporter_id, channel, granted, source, updated_at)
			SELECT $1, channel, granted, source, updated_at FROM supporter_consent WHERE supporter_id = $2 AND channel = $3`, winnerID, loserID, ch); err != nil {
			return 0, err
		}
	}
	// Empty fields of the winner take the loser's values; notes are joined.
	m.Filled = map[string]any{}
	for _, f := range []struct{ col, w, l string }{{"name", w.Name, l.Name}, {"email", w.Email, l.Email}, {"language", w.Language, l.Language},
		{"family_name", w.FamilyName, l.FamilyName}, {"given_name", w.GivenName, l.GivenName}, {"honorific", w.Honorific, l.Honorific},
		{"preferred_channel", w.PreferredChannel, l.PreferredChannel}, {"address", w.Address, l.Address},
		{"organisation", w.Organisation, l.Organisation}, {"household", w.Household, l.Household}} {
		if f.w == "" && f.l != "" {
			m.Filled[f.col] = ""
			if _, err := q.ExecContext(ctx, "UPDATE supporters SET "+f.col+" = $1 WHERE id = $2", f.l, winnerID); err != nil {
				return 0, err
			}
		}
	}
	for _, f := range []struct {
		col  string
		w, l *timeVal
	}{{"since_manual", tv(w.SinceManual), tv(l.SinceManual)}, {"member_since", tv(w.MemberSince), tv(l.MemberSince)}} {
		if f.l != nil && (f.w == nil || f.l.ms < f.w.ms) {
			var prev any
			if f.w != nil {
				prev = f.w.ms
			}
			m.Filled[f.col] = prev
			if _, err := q.ExecContext(ctx, "UPDATE supporters SET "+f.col+" = $1 WHERE id = $2", f.l.ms, winnerID); err != nil {
				return 0, err
			}
		}
	}
	if l.DoNotContact && !w.DoNotContact {
		m.Filled["do_not_contact"] = 0
		if _, err := q.ExecContext(ctx, "UPDATE supporters SET do_not_contact = 1 WHERE id = $1", winnerID); err != nil {
			return 0, err
		}
	}
	if l.Notes != "" {
		prev := w.Notes
		m.Notes = &prev
		notes := strings.TrimSpace(w.Notes + "\n\n" + l.Notes)
		if _, err := q.ExecContext(ctx, "UPDATE supporters SET notes = $1 WHERE id = $2", notes, winnerID); err != nil {
			return 0, err
		}
	}
	now := db.Now()
	if _, err := q.ExecContext(ctx, "UPDATE supporters SET merged_into = $1, updated_at = $2 WHERE id = $3", winnerID, now, loserID); err != nil {
		return 0, err
	}
	if _, err := q.ExecContext(ctx, "UPDATE supporters SET updated_at = $1 WHERE id = $2", now, winnerID); err != nil {
		return 0, err
	}
	if err := RefreshSince(ctx, q, winnerID); err != nil {
		return 0, err
	}
	js, _ := json.Marshal(m)
	var mergeID int64
	if err := q.QueryRowContext(ctx, "INSERT INTO supporter_merges (winner_id, loser_id, moved, merged_at) VALUES ($1, $2, $3, $4) RETURNING id",
		winnerID, loserID, string(js), now).Scan(&mergeID); err != nil {
		return 0, err
	}
	detail := map[string]any{"merge_id": mergeID, "winner_id": winnerID, "loser_id": loserID, "identities": len(m.Identities),
		"tickets": len(m.Tickets), "donations": len(m.Donations)}
	if err := audit.Record(ctx, q, actor, "supporter.merge", "supporter", winnerID, detail); err != nil {
		return 0, err
	}
	return mergeID, audit.Record(ctx, q, actor, "supporter.merged_into", "supporter", loserID, detail)
}

type timeVal struct{ ms int64 }

func tv(t *time.Time) *timeVal {
	if t == nil {
		return nil
	}
	return &timeVal{t.UnixMilli()}
}

// MergeInfo is a recorded merge.
type MergeInfo struct {
	ID       int64 `json:"id"`
	WinnerID int64 `json:"winner_id"`
	LoserID  int64 `json:"loser_id"`
	Undone   bool  `json:"undone"`
}

// GetMerge reads a merge.
func GetMerge(ctx context.Context, q db.Querier, id int64) (MergeInfo, string, error) {
	var mi MergeInfo
	var js string
	var undone sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT id, winner_id, loser_id, moved, undone_at FROM supporter_merges WHERE id = $1", id).
		Scan(&mi.ID, &mi.WinnerID, &mi.LoserID, &js, &undone)
	if errors.Is(err, sql.ErrNoRows) {
		return mi, "", errs.ErrNotFound
	}
	mi.Undone = undone.Valid
	return mi, js, err
}

// LastMerge returns the newest merge into winnerID that is not undone.
func LastMerge(ctx context.Context, q db.Querier, winnerID int64) (MergeInfo, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT id FROM supporter_merges WHERE winner_id = $1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1", winnerID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return MergeInfo{}, errs.ErrNotFound
	}
	if err != nil {
		return MergeInfo{}, err
	}
	mi, _, err := GetMerge(ctx, q, id)
	return mi, err
}

// Undo reverses a merge: what moved goes back to the loser, what was
// filled in on the winner is restored, and the loser is a supporter again.
func Undo(ctx context.Context, q db.Querier, actor audit.Actor, mergeID int64) (MergeInfo, error) {
	mi, js, err := GetMerge(ctx, q, mergeID)
	if err != nil {
		return mi, err
	}
	if mi.Undone {
		return mi, fmt.Errorf("%w: the merge was already undone", errs.ErrConflict)
	}
	var m moved
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return mi, err
	}
	for _, mv := range []struct {
		table, col string
		rows       []int64
	}{{"supporter_identities", "supporter_id", m.Identities}, {"tickets", "supporter_id", m.Tickets},
		{"donations", "supporter_id", m.Donations}, {"messages", "author_supporter_id", m.Messages}} {
		if err := moveRows(ctx, q, mv.table, mv.col, mi.LoserID, mv.rows); err != nil {
			return mi, err
		}
	}
	for _, rfc := range m.EmailRefs {
		if _, err := q.ExecContext(ctx, "UPDATE email_refs SET supporter_id = $1 WHERE rfc_id = $2", mi.LoserID, rfc); err != nil {
			return mi, err
		}
	}
	for _, k := range m.External {
		if _, err := q.ExecContext(ctx, "UPDATE supporter_external_ids SET supporter_id = $1 WHERE source = $2 AND external_id = $3", mi.LoserID, k[0], k[1]); err != nil {
			return mi, err
		}
	}
	for _, t := range m.TagsAdded {
		if _, err := q.ExecContext(ctx, "DELETE FROM supporter_tags WHERE supporter_id = $1 AND tag = $2", mi.WinnerID, t); err != nil {
			return mi, err
		}
	}
	for _, ch := range m.Consent {
		if _, err := q.ExecContext(ctx, "DELETE FROM supporter_consent WHERE supporter_id = $1 AND channel = $2", mi.WinnerID, ch); err != nil {
			return mi, err
		}
	}
	for col, prev := range m.Filled {
		if f, ok := prev.(float64); ok {
			prev = int64(f)
		}
		if _, err := q.ExecContext(ctx, "UPDATE supporters SET "+col+" = $1 WHERE id = $2", prev, mi.WinnerID); err != nil {
			return mi, err
		}
	}
	if m.Notes != nil {
		if _, err := q.ExecContext(ctx, "UPDATE supporters SET notes = $1 WHERE id = $2", *m.Notes, mi.WinnerID); err != nil {
			return mi, err
		}
	}
	now := db.Now()
	if _, err := q.ExecContext(ctx, "UPDATE supporters SET merged_into = NULL, updated_at = $1 WHERE id = $2", now, mi.LoserID); err != nil {
		return mi, err
	}
	if _, err := q.ExecContext(ctx, "UPDATE supporter_merges SET undone_at = $1 WHERE id = $2", now, mergeID); err != nil {
		return mi, err
	}
	for _, id := range []int64{mi.WinnerID, mi.LoserID} {
		if err := RefreshSince(ctx, q, id); err != nil {
			return mi, err
		}
	}
	mi.Undone = true
	detail := map[string]any{"merge_id": mergeID, "winner_id": mi.WinnerID, "loser_id": mi.LoserID}
	if err := audit.Record(ctx, q, actor, "supporter.merge_undo", "supporter", mi.WinnerID, detail); err != nil {
		return mi, err
	}
	return mi, audit.Record(ctx, q, actor, "supporter.merge_undo", "supporter", mi.LoserID, detail)
}
