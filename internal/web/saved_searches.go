package web

import (
	"database/sql"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// Search as you type, and saved searches as inbox views.

// instantLimit is how many hits the header's instant results show.
const instantLimit = 8

// savedCountCap bounds a saved search's count in the views list ("99+"):
// counting reads that many of its newest matches, so the inbox stays fast
// with several saved searches.
const savedCountCap = 99

// instantData is the header box's drop-down.
type instantData struct {
	Query  string
	Hits   []searchHit
	Jump   *ticket.Ticket // the ticket whose number was typed
	AllURL string
	Error  string
}

// searchInstant answers the header box as the agent types (htmx, after a
// pause, never during IME composition: see app.js): a few hits with
// highlighted snippets and a link to every result.
func (s *Server) searchInstant(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := instantData{Query: q, AllURL: "/search?" + url.Values{"q": {q}}.Encode()}
	if q != "" {
		if m := ticketNumber.FindStringSubmatch(q); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			if t, err := ticket.GetByNumber(r.Context(), s.db.R, n); err == nil {
				d.Jump = &t
			}
		}
		o := search.Options{IncludeNotes: true, Limit: instantLimit, UserID: currentSession(r).User.ID}
		res, err := s.searchIdx.Search(r.Context(), q, o)
		if inv, ok := errs.AsInvalid(err); ok {
			d.Error = inv.Message
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Hits = searchHits(res.Items)
	}
	s.execute(w, r, http.StatusOK, "search", "instant", s.newPage(r, "", d))
}

// searchHits links hits to their pages; the snippet is the index's HTML
// (escaped text with <mark>).
func searchHits(items []search.Hit) []searchHit {
	out := make([]searchHit, 0, len(items))
	for _, h := range items {
		sh := searchHit{Hit: h, Snippet: template.HTML(h.Snippet)}
		if h.Type == search.TypeSupporter {
			sh.URL = "/supporters/" + strconv.FormatInt(h.ID, 10)
		} else {
			sh.URL = "/tickets/" + strconv.FormatInt(h.ID, 10)
		}
		out = append(out, sh)
	}
	return out
}

func viewerOf(r *http.Request) search.Viewer {
	u := currentSession(r).User
	return search.Viewer{UserID: u.ID, Role: u.Role}
}

// savedForm reads a saved search form; a missing checkbox is "not shared".
func savedForm(r *http.Request, withQuery bool) search.SavedInput {
	name := r.PostFormValue("name")
	in := search.SavedInput{Name: &name}
	if withQuery {
		q := r.PostFormValue("q")
		in.Query = &q
	}
	if r.PostForm.Has("shared_field") {
		shared := r.PostFormValue("shared") == "1"
		in.Shared = &shared
	}
	return in
}

// savedSearchCreate saves the search on the results page and opens it as an
// inbox view; a bad name or query re-renders the results with the error.
func (s *Server) savedSearchCreate(w http.ResponseWriter, r *http.Request) {
	in := savedForm(r, true)
	var saved search.SavedSearch
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if saved, err = s.searchIdx.CreateSaved(r.Context(), tx, viewerOf(r), in, s.now()); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "saved_search.create", "saved_search", saved.ID, map[string]any{"name": saved.Name, "shared": saved.Shared})
	})
	if _, ok := errs.AsInvalid(err); ok {
		u := url.Values{"q": {r.PostFormValue("q")}, "save_error": {errorField(err)}}
		http.Redirect(w, r, "/search?"+u.Encode(), http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox?search="+strconv.FormatInt(saved.ID, 10), http.StatusSeeOther)
}

// savedSearchUpdate renames (and shares or unshares) a saved search.
func (s *Server) savedSearchUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	in := savedForm(r, false)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		saved, err := s.searchIdx.UpdateSaved(r.Context(), tx, viewerOf(r), id, in, s.now())
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "saved_search.update", "saved_search", id, map[string]any{"name": saved.Name, "shared": saved.Shared})
	})
	target := "/inbox?search=" + strconv.FormatInt(id, 10)
	if _, ok := errs.AsInvalid(err); ok {
		http.Redirect(w, r, target+"&save_error="+errorField(err), http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// savedSearchDelete deletes a saved search and goes back to the inbox.
func (s *Server) savedSearchDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := search.DeleteSaved(r.Context(), tx, viewerOf(r), id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "saved_search.delete", "saved_search", id, nil)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}

// errorField is "name" or "query", whichever a validation error names.
func errorField(err error) string {
	if inv, ok := errs.AsInvalid(err); ok && inv.Field == "name" {
		return "name"
	}
	return "query"
}

// savedViews lists the saved searches the agent sees, with capped counts,
// for the views region. A saved search whose query no longer runs (a
// department renamed away) shows without a count.
func (s *Server) savedViews(r *http.Request, current int64) ([]viewLink, *search.SavedSearch, error) {
	list, err := search.ListSaved(r.Context(), s.db.R, viewerOf(r))
	if err != nil {
		return nil, nil, err
	}
	var out []viewLink
	var cur *search.SavedSearch
	me := currentSession(r).User.ID // is:mine in a shared search is the viewer's, as in its list
	for i, sv := range list {
		n, capped, err := s.searchIdx.Count(r.Context(), sv.Query, search.Options{UserID: me, IncludeNotes: true}, savedCountCap)
		if _, bad := errs.AsInvalid(err); err != nil && !bad {
			return nil, nil, err
		}
		v := viewLink{Name: sv.Name, URL: "/inbox?search=" + strconv.FormatInt(sv.ID, 10), Count: n, Capped: capped,
			CapText: strconv.Itoa(savedCountCap) + "+", Current: sv.ID == current, Shared: sv.Shared, NoCount: err != nil}
		out = append(out, v)
		if sv.ID == current {
			cur = &list[i]
		}
	}
	return out, cur, nil
}

// savedList fills the list region with a saved search's tickets, newest
// first, a keyset page at a time.
func (s *Server) savedList(r *http.Request, d *inboxData, sv *search.SavedSearch) error {
	u := currentSession(r).User
	ids, next, err := s.searchIdx.Matches(r.Context(), sv.Query, search.Options{UserID: u.ID, IncludeNotes: true,
		Limit: 50, Cursor: d.List.Cursor})
	if _, bad := errs.AsInvalid(err); bad && d.List.Cursor != "" {
		d.List.Cursor = ""
		ids, next, err = s.searchIdx.Matches(r.Context(), sv.Query, search.Options{UserID: u.ID, IncludeNotes: true, Limit: 50})
	}
	if inv, bad := errs.AsInvalid(err); bad {
		d.SavedError = inv.Message
		err = nil
	}
	if err != nil {
		return err
	}
	if d.Tickets, err = ticket.ListByIDs(r.Context(), s.db.R, ids); err != nil {
		return err
	}
	d.Saved = sv
	d.CanShare = u.Role.AtLeast(staff.Supervisor)
	if next != "" {
		older := d.List
		older.Cursor = next
		d.OlderURL = "/inbox?" + older.Q()
	}
	if d.List.Cursor != "" {
		d.NewestURL = "/inbox?" + d.List.query(false).Encode()
	}
	return nil
}
