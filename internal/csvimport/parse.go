// Package csvimport reads supporters and donations from CSV files — Steward's
// native format (docs/import.md) or CiviCRM and Salesforce NPSP exports — in
// UTF-8 (with or without BOM), UTF-16, Shift_JIS/CP932 or GBK/GB18030, and
// writes them in one transaction: every row is checked first, and a file
// with a bad row writes nothing. Importing the same file again changes
// nothing: supporters are matched by external id, email or phone, and
// donations are keyed by their external id or a hash of the row.
package csvimport

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

// Options say how to read a file.
type Options struct {
	Kind string // supporters or donations
	// Preset is native, civicrm or npsp; empty detects it from the headers.
	Preset string
	// Mapping overrides the preset: field → column header.
	Mapping map[string]string
	// Encoding forces an encoding (utf-8, utf-16, shift_jis, gb18030);
	// empty detects it.
	Encoding string
	// DefaultCurrency applies to donation rows without a currency column.
	DefaultCurrency string
	// PreviewRows, when > 0, keeps only that many parsed rows (the preview);
	// every row is still checked.
	PreviewRows int
}

// RowError is what is wrong with one row. Line counts the header as line 1.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message) }

// SupporterRow is one checked supporter row.
type SupporterRow struct {
	Line                          int
	ExternalID                    string
	Name, FamilyName, GivenName   string
	Honorific, Language, Channel  string
	Emails, Phones                []string
	Organisation, Household, Addr string
	Since, MemberSince            time.Time
	Tags                          []string
	Notes                         string
	DoNotContact                  bool
}

// DonationRow is one checked donation row.
type DonationRow struct {
	Line                int
	ExternalID          string
	SupporterExternalID string
	Email, Name         string
	AmountMinor         int64
	Currency            string
	Date                time.Time
	Campaign            string
	Recurring           bool
	PaymentMethod       string
	// Key is the idempotency key: the external id, or a hash of the row.
	Key string
}

// Plan is a parsed file: what would be imported, and every row's errors.
type Plan struct {
	Kind     string
	Preset   string
	Source   string
	Encoding string
	Headers  []string
	// Mapping is field → column header as used.
	Mapping    map[string]string
	Rows       int
	Supporters []SupporterRow
	Donations  []DonationRow
	Errors     []RowError
	// Sample is the first rows as read (for the preview table).
	Sample [][]string
}

// ErrRows means the file has bad rows; nothing was written.
var ErrRows = errors.New("csvimport: the file has rows with errors; nothing was imported")

// Parse reads and checks a whole file.
func Parse(data []byte, o Options) (*Plan, error) {
	if o.Kind != KindSupporters && o.Kind != KindDonations {
		return nil, errs.Field("kind", "invalid", "kind must be supporters or donations")
	}
	text, enc, err := Decode(data, o.Encoding)
	if err != nil {
		return nil, errs.Field("file", "invalid", "the file is not %s text", enc)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	headers, err := r.Read()
	if err != nil {
		return nil, errs.Field("file", "invalid", "no header row: %v", err)
	}
	if len(headers) == 1 && strings.Count(headers[0], "\t") > 0 {
		// Excel's "Unicode text" is tab-separated.
		r = csv.NewReader(strings.NewReader(text))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = '\t', -1, true
		headers, _ = r.Read()
	}
	p := &Plan{Kind: o.Kind, Encoding: enc, Headers: headers, Mapping: map[string]string{}}
	preset, ok := Presets[o.Preset]
	if !ok {
		if o.Preset != "" {
			return nil, errs.Field("preset", "invalid", "preset must be native, civicrm or npsp")
		}
		preset = detectPreset(o.Kind, headers)
	}
	p.Preset, p.Source = preset.Name, preset.Source
	cols := mapColumns(preset, o.Kind, headers)
	for field, header := range o.Mapping {
		if header == "" {
			delete(cols, field)
			continue
		}
		found := false
		for i, h := range headers {
			if normHeader(h) == normHeader(header) {
				cols[field], found = i, true
				break
			}
		}
		if !found {
			return nil, errs.Field("mapping."+field, "unknown", "no column %q", header)
		}
	}
	for f, i := range cols {
		p.Mapping[f] = headers[i]
	}
	if err := p.checkMapping(cols); err != nil {
		return nil, err
	}
	seen := map[string]int{} // donation content hash → occurrences
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.Errors = append(p.Errors, RowError{Line: pe.Line, Field: "file", Message: pe.Err.Error()})
				if len(p.Errors) > 1000 {
					break
				}
				continue
			}
			return nil, err
		}
		if blank(rec) {
			continue
		}
		p.Rows++
		if len(p.Sample) < 10 {
			p.Sample = append(p.Sample, rec)
		}
		get := func(f string) string {
			if i, ok := cols[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if o.Kind == KindSupporters {
			row, rerr := supporterRow(line, get, preset)
			if rerr != nil {
				p.Errors = append(p.Errors, *rerr)
			} else if o.PreviewRows == 0 || len(p.Supporters) < o.PreviewRows {
				p.Supporters = append(p.Supporters, row)
			}
		} else {
			row, rerr := donationRow(line, get, preset, o.DefaultCurrency, seen)
			if rerr != nil {
				p.Errors = append(p.Errors, *rerr)
			} else if o.PreviewRows == 0 || len(p.Donations) < o.PreviewRows {
				p.Donations = append(p.Donations, row)
			}
		}
	}
	return p, nil
}

func (p *Plan) checkMapping(cols map[string]int) error {
	has := func(f string) bool { _, ok := cols[f]; return ok }
	if p.Kind == KindSupporters {
		if !has("name") && !has("family_name") && !has("given_name") && !has("email") && !has("phone") {
			return errs.Field("mapping", "required", "map a name, email or phone column (headers: %s)", strings.Join(p.Headers, ", "))
		}
		return nil
	}
	var missing []string
	for _, f := range []string{"amount", "date"} {
		if !has(f) {
			missing = append(missing, f)
		}
	}
	if !has("supporter_external_id") && !has("email") {
		missing = append(missing, "supporter_external_id or email")
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return errs.Field("mapping", "required", "map columns for %s (headers: %s)", strings.Join(missing, ", "), strings.Join(p.Headers, ", "))
	}
	return nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func supporterRow(line int, get func(string) string, preset Preset) (SupporterRow, *RowError) {
	bad := func(field, msg string) (SupporterRow, *RowError) {
		return SupporterRow{}, &RowError{Line: line, Field: field, Message: msg}
	}
	row := SupporterRow{Line: line, ExternalID: get("external_id"), Name: get("name"), FamilyName: get("family_name"),
		GivenName: get("given_name"), Honorific: get("honorific"), Organisation: get("organisation"), Household: get("household"),
		Addr: get("address"), Notes: get("notes"), Channel: strings.ToLower(get("preferred_channel"))}
	lang, ok := language(get("language"))
	if !ok {
		return bad("language", "language must be en, ja or zh (or English, 日本語, 中文)")
	}
	row.Language = lang
	if row.Name == "" {
		row.Name = supporter.DisplayName(row.FamilyName, row.GivenName, lang)
	}
	for _, f := range []string{"email", "email2"} {
		if v := get(f); v != "" {
			e := supporter.NormaliseEmail(v)
			if !supporter.ValidEmail(e) {
				return bad(f, fmt.Sprintf("%q is not an email address", v))
			}
			row.Emails = append(row.Emails, e)
		}
	}
	for _, f := range []string{"phone", "phone2"} {
		if v := get(f); v != "" {
			ph := supporter.NormalisePhone(v)
			if len(strings.TrimPrefix(ph, "+")) < 5 || len(ph) > 16 {
				return bad(f, fmt.Sprintf("%q is not a phone number", v))
			}
			row.Phones = append(row.Phones, ph)
		}
	}
	if row.Name == "" && len(row.Emails) == 0 && len(row.Phones) == 0 {
		return bad("name", "a name, email or phone is required")
	}
	if len([]rune(row.Name)) > 200 {
		return bad("name", "at most 200 characters")
	}
	var err error
	if row.Since, err = parseDate(get("supporter_since"), preset.MonthFirst); err != nil {
		return bad("supporter_since", err.Error())
	}
	if row.MemberSince, err = parseDate(get("member_since"), preset.MonthFirst); err != nil {
		return bad("member_since", err.Error())
	}
	if v := get("tags"); v != "" {
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '、' || r == '，' || r == '|' }) {
			if t = supporter.NormaliseTag(t); t != "" {
				row.Tags = append(row.Tags, t)
			}
		}
	}
	row.DoNotContact = truthy(get("do_not_contact"))
	return row, nil
}

func donationRow(line int, get func(string) string, preset Preset, defCurrency string, seen map[string]int) (DonationRow, *RowError) {
	bad := func(field, msg string) (DonationRow, *RowError) {
		return DonationRow{}, &RowError{Line: line, Field: field, Message: msg}
	}
	row := DonationRow{Line: line, ExternalID: get("external_id"), SupporterExternalID: get("supporter_external_id"),
		Name: get("name"), Campaign: get("campaign"), PaymentMethod: get("payment_method"), Recurring: truthy(get("recurring"))}
	if e := get("email"); e != "" {
		row.Email = supporter.NormaliseEmail(e)
		if !supporter.ValidEmail(row.Email) {
			return bad("email", fmt.Sprintf("%q is not an email address", e))
		}
	}
	if row.SupporterExternalID == "" && row.Email == "" {
		return bad("supporter_external_id", "a supporter id or email is required")
	}
	row.Currency = strings.ToUpper(get("currency"))
	if row.Currency == "" {
		row.Currency = strings.ToUpper(defCurrency)
	}
	if !giving.ValidCurrency(row.Currency) {
		if row.Currency == "" {
			return bad("currency", "no currency: add a currency column or choose a default currency")
		}
		return bad("currency", fmt.Sprintf("%q is not an ISO 4217 currency code", row.Currency))
	}
	amt, err := giving.ParseAmount(get("amount"), row.Currency)
	if err != nil {
		v, _ := errs.AsInvalid(err)
		return bad("amount", v.Message)
	}
	if amt == 0 {
		return bad("amount", "amount must not be zero")
	}
	row.AmountMinor = amt
	if row.Date, err = parseDate(get("date"), preset.MonthFirst); err != nil {
		return bad("date", err.Error())
	}
	if row.Date.IsZero() {
		return bad("date", "a date is required")
	}
	if row.ExternalID != "" {
		row.Key = "id:" + row.ExternalID
	} else {
		// Identical rows are distinct gifts: the occurrence number is part of the key.
		content := strings.Join([]string{row.SupporterExternalID, row.Email, strconv.FormatInt(row.AmountMinor, 10), row.Currency,
			row.Date.Format(time.RFC3339), row.Campaign, strconv.FormatBool(row.Recurring), row.PaymentMethod}, "\x1f")
		seen[content]++
		sum := sha256.Sum256([]byte(content + "\x1f" + strconv.Itoa(seen[content])))
		row.Key = "row:" + hex.EncodeToString(sum[:16])
	}
	return row, nil
}

// language reads a language as exports write it.
func language(v string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return "", true
	case "en", "en_us", "en_gb", "en-us", "en-gb", "english", "英語", "英语":
		return "en", true
	case "ja", "ja_jp", "ja-jp", "japanese", "日本語", "日语":
		return "ja", true
	case "zh", "zh_cn", "zh-cn", "zh-hans", "zh_tw", "zh-tw", "zh-hant", "chinese", "中文", "中国語", "简体中文", "繁體中文":
		return "zh", true
	}
	return "", false
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "n", "f", "いいえ", "否", "无", "なし", "one-off", "one off", "単発", "单次":
		return false
	}
	return true
}

var dateLayouts = []string{time.DateOnly, "2006/01/02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日",
	time.DateTime, "2006/01/02 15:04:05", "2006/1/2 15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", time.RFC3339}

// parseDate reads the dates exports contain; a date without a zone is UTC.
// Slashed dates with the year last are D/M/YYYY, or M/D/YYYY for US-locale
// presets (Salesforce).
func parseDate(v string, monthFirst bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	v = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		if r == '／' {
			return '/'
		}
		return r
	}, v)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), nil
		}
	}
	if date, _, _ := strings.Cut(v, " "); bytes.Count([]byte(date), []byte("/")) == 2 {
		layout := "2/1/2006"
		if monthFirst {
			layout = "1/2/2006"
		}
		if t, err := time.Parse(layout, date); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use 2026-11-25)", v)
}
