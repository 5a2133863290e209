package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/staff"
)

// searchHitJSON is one ticket or supporter found by GET /search.
type searchHitJSON struct {
	Type  string `json:"type"`
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// Snippet is HTML: escaped text with the matches in <mark>…</mark>.
	Snippet   string  `json:"snippet"`
	Score     float64 `json:"score"`
	Number    *int64  `json:"number"`
	Status    *string `json:"status"`
	UpdatedAt string  `json:"updated_at"`
}

type searchPageJSON struct {
	Items      []searchHitJSON `json:"items"`
	NextCursor *string         `json:"next_cursor"`
	Capped     bool            `json:"capped"`
}

// search runs a full-text search of tickets and supporters. Every API
// user is staff, so internal notes are searched too.
func (s *Server) runSearch(w http.ResponseWriter, r *http.Request, me staff.User) error {
	if s.search == nil {
		return errors.New("api: no search index")
	}
	q, err := query(r, "q", "type", "cursor", "limit", "sort")
	if err != nil {
		return err
	}
	o := search.Options{Type: q["type"], UserID: me.ID, IncludeNotes: true, Cursor: q["cursor"], Sort: q["sort"]}
	if l := q["limit"]; l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > search.MaxLimit {
			return invalid("limit", "invalid", "limit must be a whole number from 1 to "+strconv.Itoa(search.MaxLimit))
		}
		o.Limit = n
	}
	res, err := s.search.Search(r.Context(), q["q"], o)
	if err != nil {
		return err
	}
	out := searchPageJSON{Items: make([]searchHitJSON, 0, len(res.Items)), Capped: res.Capped}
	if res.NextCursor != "" {
		out.NextCursor = &res.NextCursor
	}
	for _, h := range res.Items {
		v := searchHitJSON{Type: h.Type, ID: h.ID, Title: h.Title, Snippet: h.Snippet, Score: h.Score,
			UpdatedAt: stamp(h.UpdatedAt)}
		if h.Type == search.TypeTicket {
			n, st := h.Number, h.Status
			v.Number, v.Status = &n, &st
		}
		out.Items = append(out.Items, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
