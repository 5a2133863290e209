package api

import (
	"context"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/supporter"
)

// supporterExtraJSON is the profile, giving and segments part of a
// supporter's JSON (embedded in supporterJSON).
type supporterExtraJSON struct {
	FamilyName       string     `json:"family_name"`
	GivenName        string     `json:"given_name"`
	Honorific        string     `json:"honorific"`
	PreferredChannel string     `json:"preferred_channel"`
	Address          string     `json:"address"`
	Organisation     string     `json:"organisation"`
	Household        string     `json:"household"`
	MemberSince      *string    `json:"member_since"`
	DoNotContact     bool       `json:"do_not_contact"`
	MergedInto       *int64     `json:"merged_into"`
	Tags             []string   `json:"tags"`
	Giving           givingJSON `json:"giving"`
	Segments         []string   `json:"segments"`
}

type totalJSON struct {
	Currency    string `json:"currency"`
	Amount      string `json:"amount"`
	AmountMinor int64  `json:"amount_minor"`
	Count       int    `json:"count"`
}

// givingJSON summarises a supporter's gifts. lifetime_total is a decimal
// string in the main currency (the one with most gifts); totals has every
// currency, never added together.
type givingJSON struct {
	LifetimeTotal string      `json:"lifetime_total"`
	Currency      *string     `json:"currency"`
	FirstGiftAt   *string     `json:"first_gift_at"`
	LastGiftAt    *string     `json:"last_gift_at"`
	GiftCount     int         `json:"gift_count"`
	Recurring     bool        `json:"recurring"`
	Totals        []totalJSON `json:"totals"`
}

func givingView(g giving.Summary) givingJSON {
	out := givingJSON{LifetimeTotal: "0", GiftCount: g.GiftCount, Recurring: g.Recurring, Totals: []totalJSON{}}
	if g.GiftCount == 0 {
		return out
	}
	main := g.Main()
	out.LifetimeTotal = giving.Decimal(main.AmountMinor, main.Currency)
	out.Currency = &main.Currency
	out.FirstGiftAt, out.LastGiftAt = stampPtr(&g.FirstGiftAt), stampPtr(&g.LastGiftAt)
	for _, t := range g.Totals {
		out.Totals = append(out.Totals, totalJSON{Currency: t.Currency, Amount: giving.Decimal(t.AmountMinor, t.Currency), AmountMinor: t.AmountMinor, Count: t.Count})
	}
	return out
}

func supporterExtraView(s supporter.Supporter) supporterExtraJSON {
	out := supporterExtraJSON{FamilyName: s.FamilyName, GivenName: s.GivenName, Honorific: s.Honorific,
		PreferredChannel: s.PreferredChannel, Address: s.Address, Organisation: s.Organisation, Household: s.Household,
		MemberSince: stampPtr(s.MemberSince), DoNotContact: s.DoNotContact, Tags: s.Tags,
		Giving: givingView(giving.Summary{}), Segments: []string{}}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if s.MergedInto != 0 {
		id := s.MergedInto
		out.MergedInto = &id
	}
	return out
}

// enrich adds the derived facts (giving, segments) to a supporter's JSON.
func enrich(ctx context.Context, q db.Querier, v *supporterJSON) error {
	now := time.Now()
	g, err := giving.Summarize(ctx, q, v.ID, now)
	if err != nil {
		return err
	}
	v.Giving = givingView(g)
	v.Segments = segment.From(g, v.Tags, now)
	return nil
}

// profile is the profile part of a PATCH /supporters/{id} body.
func (b supporterPatchBody) profile() (*supporter.ProfileInput, error) {
	var in supporter.ProfileInput
	any := false
	empty := ""
	for _, f := range []struct {
		o   Optional[string]
		dst **string
	}{{b.FamilyName, &in.FamilyName}, {b.GivenName, &in.GivenName}, {b.Honorific, &in.Honorific}, {b.PreferredChannel, &in.PreferredChannel},
		{b.Address, &in.Address}, {b.Organisation, &in.Organisation}, {b.Household, &in.Household}} {
		if f.o.Null {
			*f.dst, any = &empty, true
		} else if v := f.o.Ptr(); v != nil {
			*f.dst, any = v, true
		}
	}
	if b.MemberSince.Set {
		var t time.Time
		if !b.MemberSince.Null {
			var err error
			if t, err = parseSince("member_since", b.MemberSince.Value); err != nil {
				return nil, err
			}
		}
		in.MemberSince, any = &t, true
	}
	if b.Tags.Set {
		tags := []string{}
		if !b.Tags.Null {
			tags = b.Tags.Value
		}
		in.Tags, any = &tags, true
	}
	if !any {
		return nil, nil
	}
	return &in, nil
}
