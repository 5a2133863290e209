package api

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// recentTickets is how many of a supporter's tickets GET /supporters/{id} shows.
const recentTickets = 20

// parseSince reads a supporter_since value: a date (2019-04-01) or an
// RFC 3339 time.
func parseSince(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, invalid(field, "invalid", field+" must be a date (2019-04-01) or an RFC 3339 time")
}

// toNew checks the body and converts it; prefix is how error fields are named
// ("supporter." inside a ticket, "" on /supporters).
func (b *newSupporterBody) toNew(prefix string) (supporter.NewSupporter, error) {
	n := supporter.NewSupporter{Name: b.Name, Email: b.Email, Phone: b.Phone, Language: b.Language, Notes: b.Notes}
	if b.SupporterSince != "" {
		t, err := parseSince(prefix+"supporter_since", b.SupporterSince)
		if err != nil {
			return n, err
		}
		n.SupporterSince = t
	}
	return n, nil
}

// topLevel renames the supporter package's "supporter.x" error fields to "x"
// for the /supporters endpoints, whose bodies are the supporter itself.
func topLevel(err error) error {
	v, ok := errs.AsInvalid(err)
	if !ok {
		return err
	}
	field := strings.TrimPrefix(v.Field, "supporter.")
	if field == "supporter" {
		field = "name"
	}
	return invalid(field, v.Code, v.Message)
}

func (s *Server) listSupporters(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	q, err := query(r, "q", "cursor", "limit")
	if err != nil {
		return err
	}
	o := supporter.ListOptions{Query: q["q"]}
	if o.Limit, err = limitParam(q); err != nil {
		return err
	}
	if c := q["cursor"]; c != "" {
		if o.AfterID, err = strconv.ParseInt(c, 10, 64); err != nil || o.AfterID <= 0 {
			return invalid("cursor", "invalid", "malformed cursor")
		}
	}
	list, next, err := supporter.List(r.Context(), s.db, o)
	if err != nil {
		return err
	}
	items := make([]supporterJSON, 0, len(list))
	for _, sp := range list {
		v := supporterView(sp)
		if err := enrich(r.Context(), s.db.R, &v); err != nil {
			return err
		}
		items = append(items, v)
	}
	cursor := ""
	if next != 0 {
		cursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, newPage(items, cursor))
	return nil
}

func (s *Server) createSupporter(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b newSupporterBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	n, err := b.toNew("")
	if err != nil {
		return err
	}
	var sp supporter.Supporter
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if sp, err = supporter.Create(r.Context(), tx, n); err != nil {
			return topLevel(err)
		}
		return audit.Record(r.Context(), tx, actor(me), "supporter.create", "supporter", sp.ID, nil)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/supporters/%d", basePath(r), sp.ID))
	writeJSON(w, http.StatusCreated, supporterDetailView(sp, nil))
	return nil
}

func (s *Server) getSupporter(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	out, err := s.supporterDetail(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) supporterDetail(ctx context.Context, id int64) (supporterDetailJSON, error) {
	sp, err := supporter.Get(ctx, s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return supporterDetailJSON{}, notFound("supporter")
	}
	if err != nil {
		return supporterDetailJSON{}, err
	}
	recent, err := ticket.ForSupporter(ctx, s.db.R, id, recentTickets)
	if err != nil {
		return supporterDetailJSON{}, err
	}
	out := supporterDetailView(sp, recent)
	return out, enrich(ctx, s.db.R, &out.supporterJSON)
}

type supporterPatchBody struct {
	Name           Optional[string] `json:"name"`
	Language       Optional[string] `json:"language"`
	Notes          Optional[string] `json:"notes"`
	SupporterSince Optional[string] `json:"supporter_since"`
	// Profile fields (see profile in supporter_profile.go); null clears text.
	FamilyName       Optional[string]   `json:"family_name"`
	GivenName        Optional[string]   `json:"given_name"`
	Honorific        Optional[string]   `json:"honorific"`
	PreferredChannel Optional[string]   `json:"preferred_channel"`
	Address          Optional[string]   `json:"address"`
	Organisation     Optional[string]   `json:"organisation"`
	Household        Optional[string]   `json:"household"`
	MemberSince      Optional[string]   `json:"member_since"`
	Tags             Optional[[]string] `json:"tags"`
	DoNotContact     Optional[bool]     `json:"do_not_contact"`
}

// patchSupporter changes a supporter's profile. Null clears name, language
// and notes; supporter_since can be changed but not cleared.
func (s *Server) patchSupporter(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	var b supporterPatchBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if err := b.SupporterSince.notNull("supporter_since"); err != nil {
		return err
	}
	var p supporter.Patch
	empty := ""
	for _, f := range []struct {
		o   Optional[string]
		dst **string
	}{{b.Name, &p.Name}, {b.Language, &p.Language}, {b.Notes, &p.Notes}} {
		if f.o.Null {
			*f.dst = &empty
		} else {
			*f.dst = f.o.Ptr()
		}
	}
	if v := b.SupporterSince.Ptr(); v != nil {
		t, err := parseSince("supporter_since", *v)
		if err != nil {
			return err
		}
		p.SupporterSince = &t
	}
	if p.Profile, err = b.profile(); err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := supporter.Update(r.Context(), tx, id, p); err != nil {
			return topLevel(err)
		}
		if v := b.DoNotContact.Ptr(); v != nil {
			if err := supporter.SetDoNotContact(r.Context(), tx, id, *v); err != nil {
				return err
			}
		}
		return audit.Record(r.Context(), tx, actor(me), "supporter.update", "supporter", id, nil)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("supporter")
	}
	if err != nil {
		return err
	}
	out, err := s.supporterDetail(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
