package web

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

var ticketNumber = regexp.MustCompile(`^#?\s*([0-9]{1,12})$`)

// searchPageSize is how many tickets one page of results shows (a
// variable so that tests can page through a few).
var searchPageSize = 25

// searchData is the results page.
type searchData struct {
	Query string
	Type  string
	// Recent: sorted most recently changed first instead of by relevance.
	Recent bool
	// Chips are the filters of the query, as typed (status:open,
	// -tag:spam), each with the link that searches without it.
	Chips []searchChip
	Hits  []searchHit
	// MoreURL fetches the next page; RecentURL and RelevanceURL switch the order.
	MoreURL, RecentURL, RelevanceURL string
	Capped                           bool
	// Error explains a query that cannot run (a bad filter or cursor).
	Error string
	// NextPage says this is not the first page.
	NextPage bool
	// CanShare: the agent may share a saved search; SaveError names the
	// field of the save form that was wrong ("name" or "query").
	CanShare  bool
	SaveError string
}

// searchChip is one filter of the query, removable.
type searchChip struct {
	Label, RemoveURL string
}

// searchHit is one result. Snippet is the index's HTML (escaped text with
// <mark>); it is the only field rendered unescaped.
type searchHit struct {
	search.Hit
	Snippet template.HTML
	URL     string
}

// search jumps to a ticket by number ("#42" or "42") or shows the tickets
// and supporters matching the query, best first.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := strings.TrimSpace(v.Get("q"))
	if m := ticketNumber.FindStringSubmatch(q); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if t, err := ticket.GetByNumber(r.Context(), s.db.R, n); err == nil {
			http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
			return
		}
	}
	d := searchData{Query: q, Type: v.Get("type"), Recent: v.Get("sort") == search.SortRecent}
	if d.Type != search.TypeTicket && d.Type != search.TypeSupporter {
		d.Type = ""
	}
	cursor := v.Get("cursor")
	d.NextPage = cursor != ""
	status := http.StatusOK
	if q != "" {
		for _, c := range search.Chips(q) {
			u := url.Values{"q": {c.Without}}
			if d.Recent {
				u.Set("sort", search.SortRecent)
			}
			if d.Type != "" {
				u.Set("type", d.Type)
			}
			remove := "/search?" + u.Encode()
			if strings.TrimSpace(c.Without) == "" {
				remove = "/search"
			}
			d.Chips = append(d.Chips, searchChip{Label: c.Label, RemoveURL: remove})
		}
		o := search.Options{Type: d.Type, IncludeNotes: true, Limit: searchPageSize, Cursor: cursor, Sort: search.SortRelevance}
		if d.Recent {
			o.Sort = search.SortRecent
		}
		if sess := currentSession(r); sess != nil {
			o.UserID = sess.User.ID
		}
		res, err := s.searchIdx.Search(r.Context(), q, o)
		if inv, ok := errs.AsInvalid(err); ok {
			d.Error = inv.Message
			status = http.StatusUnprocessableEntity
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Hits = searchHits(res.Items)
		d.Capped = res.Capped
		link := func(sort, cursor string) string {
			u := url.Values{"q": {q}}
			if d.Type != "" {
				u.Set("type", d.Type)
			}
			if sort == search.SortRecent {
				u.Set("sort", sort)
			}
			if cursor != "" {
				u.Set("cursor", cursor)
			}
			return "/search?" + u.Encode()
		}
		sort := o.Sort
		if res.NextCursor != "" {
			d.MoreURL = link(sort, res.NextCursor)
		}
		d.RecentURL, d.RelevanceURL = link(search.SortRecent, ""), link(search.SortRelevance, "")
	}
	if sess := currentSession(r); sess != nil {
		d.CanShare = sess.User.Role.AtLeast(staff.Supervisor)
	}
	if e := v.Get("save_error"); e == "name" || e == "query" {
		d.SaveError = e
	}
	p := s.newPage(r, "search.title", d)
	s.renderPage(w, r, status, "search", p)
}
