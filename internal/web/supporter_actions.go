package web

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/privacy"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/supporter"
)

// Supporter page actions: merge a suggested duplicate (and undo it),
// do-not-contact, export and erase.

// supporterExtras is what the supporter page shows beyond the panel.
type supporterExtras struct {
	Duplicates []supporter.Duplicate
	LastMerge  *supporter.MergeInfo
	Consents   []supporter.Consent
}

func (s *Server) loadSupporterExtras(r *http.Request, id int64) (supporterExtras, error) {
	var x supporterExtras
	var err error
	if x.Duplicates, err = supporter.Duplicates(r.Context(), s.db.R, id); err != nil {
		return x, err
	}
	if m, err := supporter.LastMerge(r.Context(), s.db.R, id); err == nil {
		x.LastMerge = &m
	} else if !errors.Is(err, errs.ErrNotFound) {
		return x, err
	}
	x.Consents, err = supporter.Consents(r.Context(), s.db.R, id)
	return x, err
}

func (s *Server) supporterMerge(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	loser, err := strconv.ParseInt(r.PostFormValue("loser_id"), 10, 64)
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := supporter.Merge(r.Context(), tx, actor(r), id, loser); err != nil {
			return err
		}
		idx := search.New(s.db)
		if err := idx.SupporterChanged(r.Context(), tx, id); err != nil {
			return err
		}
		return idx.SupporterChanged(r.Context(), tx, loser)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/supporters/%d?merged=1", id), http.StatusSeeOther)
}

func (s *Server) mergeUndo(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	var mi supporter.MergeInfo
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if mi, err = supporter.Undo(r.Context(), tx, actor(r), id); err != nil {
			return err
		}
		idx := search.New(s.db)
		if err := idx.SupporterChanged(r.Context(), tx, mi.WinnerID); err != nil {
			return err
		}
		return idx.SupporterChanged(r.Context(), tx, mi.LoserID)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/supporters/%d?unmerged=1", mi.WinnerID), http.StatusSeeOther)
}

func (s *Server) supporterContact(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	on := r.PostFormValue("do_not_contact") == "1"
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := supporter.SetDoNotContact(r.Context(), tx, id, on); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "supporter.do_not_contact", "supporter", id, map[string]any{"on": on})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/supporters/%d", id), http.StatusSeeOther)
}

func (s *Server) supporterExport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := supporter.Get(r.Context(), s.db.R, id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="supporter-%d.zip"`, id))
	if err := privacy.WriteExport(r.Context(), s.db, s.blobs, actor(r), id, w); err != nil {
		s.log.Error("web: export", "supporter", id, "err", err)
	}
}

func (s *Server) supporterErase(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if r.PostFormValue("confirm") != "erase" {
		http.Redirect(w, r, fmt.Sprintf("/supporters/%d?erase=confirm", id), http.StatusSeeOther)
		return
	}
	if _, err := privacy.Erase(r.Context(), s.db, s.blobs, search.New(s.db), actor(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/supporters/%d?erased=1", id), http.StatusSeeOther)
}

// supporterSave changes a supporter's profile from the supporter page.
func (s *Server) supporterSave(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := func(k string) *string { v := r.PostFormValue(k); return &v }
	tags := splitTags(r.PostFormValue("tags"))
	p := supporter.Patch{Name: f("name"), Language: f("language"), Notes: f("notes"), Profile: &supporter.ProfileInput{
		FamilyName: f("family_name"), GivenName: f("given_name"), Honorific: f("honorific"), PreferredChannel: f("preferred_channel"),
		Address: f("address"), Organisation: f("organisation"), Household: f("household"), Tags: &tags}}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := supporter.Update(r.Context(), tx, id, p); err != nil {
			return err
		}
		if err := search.New(s.db).SupporterChanged(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "supporter.update", "supporter", id, nil)
	})
	if _, bad := errs.AsInvalid(err); bad {
		pg := s.newPage(r, "", nil)
		fe, _ := fieldErrors(pg, err, map[string]string{"supporter.name": "name", "supporter.tags": "tags", "supporter.family_name": "family_name",
			"supporter.given_name": "given_name", "supporter.honorific": "honorific", "supporter": "name"})
		s.showSupporter(w, r, id, http.StatusUnprocessableEntity, fe)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/supporters/%d", id), http.StatusSeeOther)
}
