package api

import (
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// Saved searches: a member of staff's named queries, which the UI shows as
// inbox views. Another's private search is a 404, as if it did not exist;
// a shared one that the caller may read but not change is a 403.

type savedSearchJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Query     string `json:"query"`
	Shared    bool   `json:"shared"`
	OwnerID   int64  `json:"owner_id"`
	OwnerName string `json:"owner_name"`
	Editable  bool   `json:"editable"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func savedView(s search.SavedSearch) savedSearchJSON {
	return savedSearchJSON{ID: s.ID, Name: s.Name, Query: s.Query, Shared: s.Shared, OwnerID: s.OwnerID,
		OwnerName: s.OwnerName, Editable: s.Editable, CreatedAt: stamp(s.CreatedAt), UpdatedAt: stamp(s.UpdatedAt)}
}

type savedListJSON struct {
	Items []savedSearchJSON `json:"items"`
}

// savedBody is the body of POST (name and query required) and PATCH.
type savedBody struct {
	Name   Optional[string] `json:"name"`
	Query  Optional[string] `json:"query"`
	Shared Optional[bool]   `json:"shared"`
}

func viewer(me staff.User) search.Viewer { return search.Viewer{UserID: me.ID, Role: me.Role} }

func (s *Server) listSavedSearches(w http.ResponseWriter, r *http.Request, me staff.User) error {
	if _, err := query(r); err != nil {
		return err
	}
	list, err := search.ListSaved(r.Context(), s.db.R, viewer(me))
	if err != nil {
		return err
	}
	out := savedListJSON{Items: make([]savedSearchJSON, 0, len(list))}
	for _, v := range list {
		out.Items = append(out.Items, savedView(v))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createSavedSearch(w http.ResponseWriter, r *http.Request, me staff.User) error {
	if s.search == nil {
		return errors.New("api: no search index")
	}
	var b savedBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		set  bool
		null bool
	}{{"name", b.Name.Set, b.Name.Null}, {"query", b.Query.Set, b.Query.Null}} {
		if !f.set || f.null {
			return invalid(f.name, "required", f.name+" is required")
		}
	}
	if err := b.Shared.notNull("shared"); err != nil {
		return err
	}
	var saved search.SavedSearch
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		saved, err = s.search.CreateSaved(r.Context(), tx, viewer(me), search.SavedInput{Name: b.Name.Ptr(), Query: b.Query.Ptr(), Shared: b.Shared.Ptr()}, time.Now())
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "saved_search.create", "saved_search", saved.ID, map[string]any{"name": saved.Name, "shared": saved.Shared})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, savedView(saved))
	return nil
}

func (s *Server) getSavedSearch(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "saved search")
	if err != nil {
		return err
	}
	saved, err := search.GetSaved(r.Context(), s.db.R, viewer(me), id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("saved search")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, savedView(saved))
	return nil
}

func (s *Server) patchSavedSearch(w http.ResponseWriter, r *http.Request, me staff.User) error {
	if s.search == nil {
		return errors.New("api: no search index")
	}
	id, err := pathID(r, "saved search")
	if err != nil {
		return err
	}
	var b savedBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		null bool
	}{{"name", b.Name.Null}, {"query", b.Query.Null}, {"shared", b.Shared.Null}} {
		if f.null {
			return invalid(f.name, "null", f.name+" may not be null")
		}
	}
	var saved search.SavedSearch
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		saved, err = s.search.UpdateSaved(r.Context(), tx, viewer(me), id, search.SavedInput{Name: b.Name.Ptr(), Query: b.Query.Ptr(), Shared: b.Shared.Ptr()}, time.Now())
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "saved_search.update", "saved_search", id, map[string]any{"name": saved.Name, "shared": saved.Shared})
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("saved search")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, savedView(saved))
	return nil
}

func (s *Server) deleteSavedSearch(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "saved search")
	if err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := search.DeleteSaved(r.Context(), tx, viewer(me), id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "saved_search.delete", "saved_search", id, nil)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("saved search")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// savedSearchTickets lists the tickets a saved search matches, most
// recently changed first, a keyset page at a time (the inbox view).
func (s *Server) savedSearchTickets(w http.ResponseWriter, r *http.Request, me staff.User) error {
	if s.search == nil {
		return errors.New("api: no search index")
	}
	id, err := pathID(r, "saved search")
	if err != nil {
		return err
	}
	q, err := query(r, "cursor", "limit")
	if err != nil {
		return err
	}
	limit, err := limitParam(q)
	if err != nil {
		return err
	}
	if limit > search.MaxLimit {
		return invalid("limit", "invalid", "limit must be a whole number from 1 to 100")
	}
	saved, err := search.GetSaved(r.Context(), s.db.R, viewer(me), id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("saved search")
	}
	if err != nil {
		return err
	}
	ids, next, err := s.search.Matches(r.Context(), saved.Query, search.Options{UserID: me.ID, IncludeNotes: true,
		Limit: limit, Cursor: q["cursor"]})
	if err != nil {
		return err
	}
	ts, err := ticket.ListByIDs(r.Context(), s.db.R, ids)
	if err != nil {
		return err
	}
	items, err := s.listWithSLA(r, ts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(items, next))
	return nil
}
