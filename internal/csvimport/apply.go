package csvimport

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

// Result says what an import did.
type Result struct {
	Kind string `json:"kind"`
	Rows int    `json:"rows"`
	// Supporters created, updated (a field changed or an identity or tag
	// was added) and unchanged.
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Donations stored, and rows already stored by an earlier import.
	Donations  int `json:"donations"`
	Duplicates int `json:"duplicates"`
	// Touched lists the supporters created or changed (for re-indexing).
	Touched []int64 `json:"-"`
}

// Apply writes a checked plan in one transaction. A plan with row errors
// writes nothing and returns ErrRows.
func Apply(ctx context.Context, d *db.DB, p *Plan, actor audit.Actor, fileName string) (Result, error) {
	res := Result{Kind: p.Kind, Rows: p.Rows}
	if len(p.Errors) > 0 {
		return res, ErrRows
	}
	if p.Kind == KindSupporters && len(p.Supporters) != p.Rows || p.Kind == KindDonations && len(p.Donations) != p.Rows {
		return res, fmt.Errorf("csvimport: a preview plan cannot be applied")
	}
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if d.Engine == db.SQLite && p.Rows > 10_000 {
			// A big import rewrites index pages many times; with room for
			// them in the cache they reach the WAL once instead of at
			// every spill. The (only) writer connection gets the usual
			// cache (db.go's cache_size) back after the commit.
			if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
				return err
			}
		}
		w := &writer{ctx: ctx, tx: tx, engine: d.Engine, source: p.Source, res: &res}
		if err := w.load(); err != nil {
			return err
		}
		var err error
		if p.Kind == KindSupporters {
			err = w.supporters(p.Supporters)
		} else {
			err = w.donations(p.Donations)
		}
		if err != nil {
			return err
		}
		if len(w.rowErrs) > 0 {
			p.Errors = w.rowErrs
			return ErrRows
		}
		return audit.Record(ctx, tx, actor, "import."+p.Kind, "import", 0, map[string]any{
			"file": fileName, "preset": p.Preset, "encoding": p.Encoding, "rows": res.Rows, "created": res.Created,
			"updated": res.Updated, "unchanged": res.Unchanged, "donations": res.Donations, "duplicates": res.Duplicates})
	})
	if d.Engine == db.SQLite && p.Rows > 10_000 {
		d.W.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -32000")
	}
	return res, err
}

type writer struct {
	ctx     context.Context
	tx      *sql.Tx
	engine  db.Engine
	source  string
	res     *Result
	ext     map[string]int64 // external id (this source) → supporter
	idents  map[string]int64 // "email:x" / "phone:y" → supporter
	rowErrs []RowError
}

func (w *writer) load() error {
	w.ext, w.idents = map[string]int64{}, map[string]int64{}
	rows, err := w.tx.QueryContext(w.ctx, "SELECT external_id, supporter_id FROM supporter_external_ids WHERE source = $1", w.source)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			rows.Close()
			return err
		}
		w.ext[k] = id
	}
	rows.Close()
	rows, err = w.tx.QueryContext(w.ctx, "SELECT kind, value, supporter_id FROM supporter_identities WHERE kind IN ('email', 'phone')")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		var id int64
		if err := rows.Scan(&k, &v, &id); err != nil {
			return err
		}
		w.idents[k+":"+v] = id
	}
	return rows.Err()
}

// pending is a supporter the import creates.
type pending struct {
	row SupporterRow
	id  int64
}

func (w *writer) supporters(rows []SupporterRow) error {
	var news []*pending
	inFile := map[string]*pending{} // identity or external id → new supporter from an earlier row
	type upd struct {
		id  int64
		row SupporterRow
	}
	var updates []upd
	for _, r := range rows {
		keys := w.keys(r.ExternalID, r.Emails, r.Phones)
		var id int64
		var pend *pending
		for _, k := range keys {
			if k == "ext:" {
				continue
			}
			if id = w.lookup(k); id != 0 {
				break
			}
			if pend = inFile[k]; pend != nil {
				break
			}
		}
		// Identities owned by someone else cannot be attached.
		for _, k := range keys[1:] {
			if other := w.lookup(k); other != 0 && id != 0 && other != id || other != 0 && pend != nil {
				w.rowErrs = append(w.rowErrs, RowError{Line: r.Line, Field: "email", Message: fmt.Sprintf("%s belongs to another supporter (#%d)", k[len("email:"):], other)})
			}
		}
		switch {
		case id != 0:
			updates = append(updates, upd{id, r})
		case pend != nil:
			mergeRow(&pend.row, r)
			for _, k := range keys {
				if k != "ext:" {
					inFile[k] = pend
				}
			}
		default:
			p := &pending{row: r}
			news = append(news, p)
			for _, k := range keys {
				if k != "ext:" {
					inFile[k] = p
				}
			}
		}
	}
	if len(w.rowErrs) > 0 {
		return nil
	}
	if err := w.create(news); err != nil {
		return err
	}
	if len(updates) == 0 {
		return nil
	}
	cur, tags, err := w.current()
	if err != nil {
		return err
	}
	for _, u := range updates {
		changed, err := w.update(u.id, u.row, cur[u.id], tags[u.id])
		if err != nil {
			return err
		}
		if changed {
			w.res.Updated++
			w.res.Touched = append(w.res.Touched, u.id)
		} else {
			w.res.Unchanged++
		}
	}
	return nil
}

// keys are a row's lookup keys: "ext:<id>" first ("ext:" without an id),
// then its identities.
func (w *writer) keys(ext string, emails, phones []string) []string {
	keys := []string{"ext:" + ext}
	for _, e := range emails {
		keys = append(keys, "email:"+e)
	}
	for _, p := range phones {
		keys = append(keys, "phone:"+p)
	}
	return keys
}

func (w *writer) lookup(k string) int64 {
	if k == "ext:" {
		return 0
	}
	if len(k) > 4 && k[:4] == "ext:" {
		return w.ext[k[4:]]
	}
	return w.idents[k]
}

// mergeRow folds a later row about the same new supporter into the first.
func mergeRow(dst *SupporterRow, r SupporterRow) {
	for _, e := range r.Emails {
		if !slices.Contains(dst.Emails, e) {
			dst.Emails = append(dst.Emails, e)
		}
	}
	for _, p := range r.Phones {
		if !slices.Contains(dst.Phones, p) {
			dst.Phones = append(dst.Phones, p)
		}
	}
	for _, t := range r.Tags {
		if !slices.Contains(dst.Tags, t) {
			dst.Tags = append(dst.Tags, t)
		}
	}
	if dst.ExternalID == "" {
		dst.ExternalID = r.ExternalID
	}
}

func earliest(ts ...any) any {
	var best int64
	for _, t := range ts {
		if v, ok := t.(int64); ok && (best == 0 || v < best) {
			best = v
		}
	}
	if best == 0 {
		return nil
	}
	return best
}

var supporterCols = []string{"id", "name", "email", "language", "supporter_since", "since_manual", "member_since", "notes",
	"family_name", "given_name", "honorific", "preferred_channel", "address", "organisation", "household", "do_not_contact",
	"created_at", "updated_at"}

func (w *writer) create(news []*pending) error {
	if len(news) == 0 {
		return nil
	}
	ids, err := reserveIDs(w.ctx, w.tx, w.engine, len(news))
	if err != nil {
		return err
	}
	now := db.Now()
	sup := newInserter(w.ctx, w.tx, w.engine, "supporters", supporterCols, "")
	idn := newInserter(w.ctx, w.tx, w.engine, "supporter_identities", []string{"supporter_id", "kind", "value", "created_at"}, "ON CONFLICT DO NOTHING")
	ext := newInserter(w.ctx, w.tx, w.engine, "supporter_external_ids", []string{"source", "external_id", "supporter_id"}, "ON CONFLICT DO NOTHING")
	tag := newInserter(w.ctx, w.tx, w.engine, "supporter_tags", []string{"supporter_id", "tag"}, "ON CONFLICT DO NOTHING")
	idn.parent, ext.parent, tag.parent = sup, sup, sup
	for i, p := range news {
		p.id = ids[i]
		r := p.row
		email := ""
		if len(r.Emails) > 0 {
			email = r.Emails[0]
		}
		since, member := db.Millis(r.Since), db.Millis(r.MemberSince)
		if err := sup.add(p.id, r.Name, email, r.Language, earliest(since, member), since, member, r.Notes,
			r.FamilyName, r.GivenName, r.Honorific, channel(r.Channel), r.Addr, r.Organisation, r.Household, boolInt(r.DoNotContact), now, now); err != nil {
			return err
		}
		for _, e := range r.Emails {
			if err := idn.add(p.id, "email", e, now); err != nil {
				return err
			}
			w.idents["email:"+e] = p.id
		}
		for _, ph := range r.Phones {
			if err := idn.add(p.id, "phone", ph, now); err != nil {
				return err
			}
			w.idents["phone:"+ph] = p.id
		}
		if r.ExternalID != "" {
			if err := ext.add(w.source, r.ExternalID, p.id); err != nil {
				return err
			}
			w.ext[r.ExternalID] = p.id
		}
		for _, t := range r.Tags {
			if err := tag.add(p.id, t); err != nil {
				return err
			}
		}
		w.res.Touched = append(w.res.Touched, p.id)
	}
	for _, b := range []*inserter{sup, idn, ext, tag} {
		if err := b.close(); err != nil {
			return err
		}
	}
	w.res.Created += len(news)
	return nil
}

func channel(c string) string {
	if slices.Contains(supporter.Channels, c) {
		return c
	}
	return ""
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// currentRow is what an update compares with.
type currentRow struct {
	name, language, family, given, honorific, channel, address, org, household, notes string
	since, member                                                                     sql.NullInt64
	dnc                                                                               int
}

func (w *writer) current() (map[int64]currentRow, map[int64][]string, error) {
	cur := map[int64]currentRow{}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT id, name, language, family_name, given_name, honorific, preferred_channel, address,
		organisation, household, notes, since_manual, member_since, do_not_contact FROM supporters`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id int64
		var c currentRow
		if err := rows.Scan(&id, &c.name, &c.language, &c.family, &c.given, &c.honorific, &c.channel, &c.address, &c.org, &c.household,
			&c.notes, &c.since, &c.member, &c.dnc); err != nil {
			rows.Close()
			return nil, nil, err
		}
		cur[id] = c
	}
	rows.Close()
	tags := map[int64][]string{}
	rows, err = w.tx.QueryContext(w.ctx, "SELECT supporter_id, tag FROM supporter_tags")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, nil, err
		}
		tags[id] = append(tags[id], t)
	}
	return cur, tags, rows.Err()
}

// update applies the non-empty fields of a row that differ, and adds
// identities, tags and the external id the supporter lacks.
func (w *writer) update(id int64, r SupporterRow, c currentRow, tags []string) (bool, error) {
	changed := false
	set := func(col string, v any) error {
		changed = true
		_, err := w.tx.ExecContext(w.ctx, "UPDATE supporters SET "+col+" = $1, updated_at = $2 WHERE id = $3", v, db.Now(), id)
		return err
	}
	for _, f := range []struct{ col, old, new string }{{"name", c.name, r.Name}, {"language", c.language, r.Language},
		{"family_name", c.family, r.FamilyName}, {"given_name", c.given, r.GivenName}, {"honorific", c.honorific, r.Honorific},
		{"preferred_channel", c.channel, channel(r.Channel)}, {"address", c.address, r.Addr}, {"organisation", c.org, r.Organisation},
		{"household", c.household, r.Household}, {"notes", c.notes, r.Notes}} {
		if f.new != "" && f.new != f.old {
			if err := set(f.col, f.new); err != nil {
				return false, err
			}
		}
	}
	since := false
	for _, f := range []struct {
		col string
		old sql.NullInt64
		new any
	}{{"since_manual", c.since, db.Millis(r.Since)}, {"member_since", c.member, db.Millis(r.MemberSince)}} {
		if v, ok := f.new.(int64); ok && (!f.old.Valid || f.old.Int64 != v) {
			if err := set(f.col, v); err != nil {
				return false, err
			}
			since = true
		}
	}
	if r.DoNotContact && c.dnc == 0 {
		if err := set("do_not_contact", 1); err != nil {
			return false, err
		}
	}
	now := db.Now()
	for _, k := range w.keys(r.ExternalID, r.Emails, r.Phones)[1:] {
		if w.idents[k] == id {
			continue
		}
		kind, value := "email", k[len("email:"):]
		if k[:6] == "phone:" {
			kind, value = "phone", k[len("phone:"):]
		}
		if _, err := w.tx.ExecContext(w.ctx, "INSERT INTO supporter_identities (supporter_id, kind, value, created_at) VALUES ($1, $2, $3, $4)", id, kind, value, now); err != nil {
			return false, err
		}
		w.idents[k] = id
		changed = true
	}
	if r.ExternalID != "" && w.ext[r.ExternalID] == 0 {
		if _, err := w.tx.ExecContext(w.ctx, "INSERT INTO supporter_external_ids (source, external_id, supporter_id) VALUES ($1, $2, $3)", w.source, r.ExternalID, id); err != nil {
			return false, err
		}
		w.ext[r.ExternalID] = id
		changed = true
	}
	for _, t := range r.Tags {
		if !slices.Contains(tags, t) {
			if err := supporter.AddTag(w.ctx, w.tx, id, t); err != nil {
				return false, err
			}
			changed = true
		}
	}
	if since {
		if err := supporter.RefreshSince(w.ctx, w.tx, id); err != nil {
			return false, err
		}
	}
	return changed, nil
}

func (w *writer) donations(rows []DonationRow) error {
	var news []*pending
	byEmail := map[string]*pending{}
	sids := make([]int64, len(rows))
	pend := make([]*pending, len(rows))
	for i, r := range rows {
		if r.SupporterExternalID != "" {
			sids[i] = w.ext[r.SupporterExternalID]
		}
		if sids[i] == 0 && r.Email != "" {
			sids[i] = w.idents["email:"+r.Email]
		}
		if sids[i] != 0 {
			continue
		}
		if r.Email == "" {
			w.rowErrs = append(w.rowErrs, RowError{Line: r.Line, Field: "supporter_external_id",
				Message: fmt.Sprintf("no supporter has the id %q; import supporters first or add an email column", r.SupporterExternalID)})
			continue
		}
		p := byEmail[r.Email]
		if p == nil {
			p = &pending{row: SupporterRow{Line: r.Line, Name: r.Name, Emails: []string{r.Email}, ExternalID: r.SupporterExternalID}}
			byEmail[r.Email] = p
			news = append(news, p)
		}
		pend[i] = p
	}
	if len(w.rowErrs) > 0 {
		return nil
	}
	if err := w.create(news); err != nil {
		return err
	}
	now := db.Now()
	ins := newInserter(w.ctx, w.tx, w.engine, "donations", []string{"supporter_id", "amount_minor", "currency", "donated_at", "campaign",
		"recurring", "payment_method", "source", "source_key", "created_at"}, "ON CONFLICT (source, source_key) DO NOTHING")
	touched := map[int64]bool{}
	for i, r := range rows {
		sid := sids[i]
		if sid == 0 {
			sid = pend[i].id
		}
		touched[sid] = true
		if err := ins.add(sid, r.AmountMinor, r.Currency, r.Date.UnixMilli(), r.Campaign, boolInt(r.Recurring), r.PaymentMethod,
			giving.SourceImport, w.source+":"+r.Key, now); err != nil {
			return err
		}
	}
	if err := ins.close(); err != nil {
		return err
	}
	w.res.Donations = int(ins.affected)
	w.res.Duplicates = len(rows) - w.res.Donations
	if w.res.Donations == 0 {
		return nil
	}
	if len(touched) > 2000 {
		return supporter.RefreshSinceWithGifts(w.ctx, w.tx)
	}
	for id := range touched {
		if err := supporter.RefreshSince(w.ctx, w.tx, id); err != nil {
			return err
		}
	}
	return nil
}
