package supporter

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Channels a supporter may prefer, and consent is kept for.
var Channels = []string{"email", "phone", "sms", "post", "social", "chat"}

// Profile is what Steward knows about a supporter beyond name and email.
type Profile struct {
	FamilyName string `json:"family_name"`
	GivenName  string `json:"given_name"`
	// Honorific is how to address them: Ms, Mr, Dr (en); 先生, 女士 (zh);
	// empty means the language's default (様 in Japanese).
	Honorific        string     `json:"honorific"`
	PreferredChannel string     `json:"preferred_channel"`
	Address          string     `json:"address"`
	Organisation     string     `json:"organisation"`
	Household        string     `json:"household"`
	SinceManual      *time.Time `json:"-"`
	MemberSince      *time.Time `json:"member_since"`
	DoNotContact     bool       `json:"do_not_contact"`
	// MergedInto is the survivor's id when this supporter was merged away.
	MergedInto int64      `json:"merged_into,omitempty"`
	ErasedAt   *time.Time `json:"erased_at,omitempty"`
	Tags       []string   `json:"tags"`

	scanManual, scanMember, scanMerged, scanErased sql.NullInt64
	scanDNC                                        int
}

const profileCols = "family_name, given_name, honorific, preferred_channel, address, organisation, household, since_manual, member_since, do_not_contact, merged_into, erased_at"

func (p *Profile) scanDest() []any {
	return []any{&p.FamilyName, &p.GivenName, &p.Honorific, &p.PreferredChannel, &p.Address, &p.Organisation, &p.Household,
		&p.scanManual, &p.scanMember, &p.scanDNC, &p.scanMerged, &p.scanErased}
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := db.Time(v.Int64)
	return &t
}

func (p *Profile) finishScan() {
	p.SinceManual, p.MemberSince, p.ErasedAt = timePtr(p.scanManual), timePtr(p.scanMember), timePtr(p.scanErased)
	p.MergedInto, p.DoNotContact = p.scanMerged.Int64, p.scanDNC != 0
	p.Tags = []string{}
}

// loadExtras reads the supporter's tags.
func loadExtras(ctx context.Context, q db.Querier, s *Supporter) error {
	rows, err := q.QueryContext(ctx, "SELECT tag FROM supporter_tags WHERE supporter_id = $1 ORDER BY tag", s.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		s.Tags = append(s.Tags, t)
	}
	return rows.Err()
}

// ProfileInput changes profile fields; nil fields stay as they are.
type ProfileInput struct {
	FamilyName, GivenName, Honorific, PreferredChannel *string
	Address, Organisation, Household                   *string
	// MemberSince: a non-nil zero time clears it.
	MemberSince *time.Time
	// Tags, when not nil, replaces the supporter's tags.
	Tags *[]string
}

func (in ProfileInput) empty() bool {
	return in.FamilyName == nil && in.GivenName == nil && in.Honorific == nil && in.PreferredChannel == nil &&
		in.Address == nil && in.Organisation == nil && in.Household == nil && in.MemberSince == nil && in.Tags == nil
}

// text checks one free-text field.
func text(field string, v *string, maxRunes int, multiline bool) error {
	if v == nil {
		return nil
	}
	*v = strings.TrimSpace(*v)
	if !utf8.ValidString(*v) || utf8.RuneCountInString(*v) > maxRunes {
		return errs.Field(field, "too_long", "at most %d characters", maxRunes)
	}
	for _, r := range *v {
		if r == 0 || unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return errs.Field(field, "invalid", "control characters are not allowed")
		}
	}
	return nil
}

// NormaliseTag trims and lowercases a tag (CJK is unchanged).
func NormaliseTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

func (in *ProfileInput) validate() error {
	for _, f := range []struct {
		name string
		v    *string
		n    int
		ml   bool
	}{{"family_name", in.FamilyName, 100, false}, {"given_name", in.GivenName, 100, false}, {"honorific", in.Honorific, 20, false},
		{"address", in.Address, 500, true}, {"organisation", in.Organisation, 200, false}, {"household", in.Household, 200, false}} {
		if err := text("supporter."+f.name, f.v, f.n, f.ml); err != nil {
			return err
		}
	}
	if in.PreferredChannel != nil {
		*in.PreferredChannel = strings.TrimSpace(*in.PreferredChannel)
		if *in.PreferredChannel != "" && !slices.Contains(Channels, *in.PreferredChannel) {
			return errs.Field("supporter.preferred_channel", "invalid", "one of %s", strings.Join(Channels, ", "))
		}
	}
	if in.Tags != nil {
		var tags []string
		for _, t := range *in.Tags {
			t = NormaliseTag(t)
			if t == "" {
				continue
			}
			if utf8.RuneCountInString(t) > 50 || strings.ContainsFunc(t, unicode.IsControl) {
				return errs.Field("supporter.tags", "invalid", "a tag is at most 50 characters")
			}
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		if len(tags) > 50 {
			return errs.Field("supporter.tags", "too_many", "at most 50 tags")
		}
		*in.Tags = tags
	}
	return nil
}

// setProfile writes the non-nil fields of in.
func setProfile(ctx context.Context, q db.Querier, id int64, in ProfileInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	set := func(col string, v any) error {
		_, err := q.ExecContext(ctx, "UPDATE supporters SET "+col+" = $1, updated_at = $2 WHERE id = $3", v, db.Now(), id)
		return err
	}
	for _, f := range []struct {
		col string
		v   *string
	}{{"family_name", in.FamilyName}, {"given_name", in.GivenName}, {"honorific", in.Honorific}, {"preferred_channel", in.PreferredChannel},
		{"address", in.Address}, {"organisation", in.Organisation}, {"household", in.Household}} {
		if f.v != nil {
			if err := set(f.col, *f.v); err != nil {
				return err
			}
		}
	}
	if in.MemberSince != nil {
		if err := set("member_since", db.Millis(*in.MemberSince)); err != nil {
			return err
		}
	}
	if in.Tags != nil {
		if _, err := q.ExecContext(ctx, "DELETE FROM supporter_tags WHERE supporter_id = $1", id); err != nil {
			return err
		}
		for _, t := range *in.Tags {
			if _, err := q.ExecContext(ctx, "INSERT INTO supporter_tags (supporter_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING", id, t); err != nil {
				return err
			}
		}
	}
	return RefreshSince(ctx, q, id)
}

// AddTag tags a supporter (no-op when already tagged).
func AddTag(ctx context.Context, q db.Querier, id int64, tag string) error {
	tag = NormaliseTag(tag)
	if tag == "" {
		return errs.Field("tag", "required", "a tag is required")
	}
	_, err := q.ExecContext(ctx, "INSERT INTO supporter_tags (supporter_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING", id, tag)
	return err
}

// refreshSinceSQL sets supporter_since to the earliest of the manual value,
// membership and the first gift.
const refreshSinceSQL = `UPDATE supporters SET supporter_since = (
	SELECT MIN(v) FROM (
		SELECT supporters.since_manual AS v
		UNION ALL SELECT supporters.member_since
		UNION ALL SELECT MIN(d.donated_at) FROM donations d WHERE d.supporter_id = supporters.id
	) earliest)`

// RefreshSince recomputes a supporter's supporter_since.
func RefreshSince(ctx context.Context, q db.Querier, id int64) error {
	_, err := q.ExecContext(ctx, refreshSinceSQL+" WHERE id = $1", id)
	return err
}

// RefreshSinceWithGifts recomputes supporter_since of every supporter who
// has a donation (after a bulk import).
func RefreshSinceWithGifts(ctx context.Context, q db.Querier) error {
	_, err := q.ExecContext(ctx, refreshSinceSQL+" WHERE id IN (SELECT supporter_id FROM donations)")
	return err
}
