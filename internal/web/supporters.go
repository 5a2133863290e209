package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/panel"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

type supporterListData struct {
	Query      string
	Supporters []supporter.Supporter
	OlderURL   string
}

// supporterList lists and searches supporters (name in any script, email, phone).
func (s *Server) supporterList(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	list, next, err := supporter.List(r.Context(), s.db, supporter.ListOptions{Query: q, AfterID: after, Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := supporterListData{Query: q, Supporters: list}
	if next != 0 {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		v.Set("after", strconv.FormatInt(next, 10))
		d.OlderURL = "/supporters?" + v.Encode()
	}
	p := s.newPage(r, "supporters.title", d)
	p.Section = "supporters"
	s.renderPage(w, r, http.StatusOK, "supporters", p)
}

type supporterData struct {
	S       supporter.Supporter
	Tenure  string
	Tickets []ticket.Ticket
	Panel   panel.Panel
	Extras  supporterExtras
	// Channels for the preferred-channel select.
	Channels []string
	// Flash: merged, unmerged, erased, or erase=confirm asks again.
	Flash string
}

// supporterPage shows one supporter: profile, identities and tickets.
func (s *Server) supporterPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showSupporter(w, r, id, http.StatusOK, nil)
}

// showSupporter renders the supporter page; fe marks form fields in error.
func (s *Server) showSupporter(w http.ResponseWriter, r *http.Request, id int64, status int, fe map[string]string) {
	pn, err := panel.Load(r.Context(), s.db.R, id, 20, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sup := pn.Supporter
	tickets, err := ticket.ForSupporter(r.Context(), s.db.R, id, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &supporterData{S: sup, Tickets: tickets, Panel: pn, Channels: supporter.Channels}
	if d.Extras, err = s.loadSupporterExtras(r, id); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, f := range []string{"merged", "unmerged", "erased"} {
		if r.URL.Query().Get(f) == "1" {
			d.Flash = f
		}
	}
	if r.URL.Query().Get("erase") == "confirm" {
		d.Flash = "confirm"
	}
	p := s.newPage(r, "", d)
	p.Title = sup.Name
	if p.Title == "" {
		p.Title = sup.Email
	}
	p.Section, p.Errors = "supporters", fe
	if sup.SupporterSince != nil {
		y, m := supporter.Tenure(*sup.SupporterSince, p.Now)
		d.Tenure = p.L.Tenure(y, m)
	}
	s.renderPage(w, r, status, "supporter", p)
}
