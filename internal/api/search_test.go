package api

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/ticket"
)

// searchFixture is a fixture whose ticket service keeps the search index
// current, as the application's does.
func searchFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := newFixture(t, d)
	idx := search.New(d)
	f.srv = New(Deps{DB: d, Tickets: &ticket.Service{DB: d, Hooks: []ticket.Hook{idx.Hook}}, Blobs: f.blobs,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Search: idx})
	root := chi.NewRouter()
	root.Mount("/api/v1", f.srv.Handler())
	f.root = root
	return f
}

type searchPageOut struct {
	Items []struct {
		Type      string  `json:"type"`
		ID        int64   `json:"id"`
		Title     string  `json:"title"`
		Snippet   string  `json:"snippet"`
		Score     float64 `json:"score"`
		Number    *int64  `json:"number"`
		Status    *string `json:"status"`
		UpdatedAt string  `json:"updated_at"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Capped     bool    `json:"capped"`
}

func (f *fixture) search(t *testing.T, params string) searchPageOut {
	t.Helper()
	var out searchPageOut
	f.do(req{Method: "GET", Path: "/search?" + params, Token: f.agentTok}).want(t, http.StatusOK).json(t, &out)
	return out
}

func TestSearch(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := searchFixture(t, d)
		var ja, zh ticketOut
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
			"subject": jaSubject, "body": jaBody, "channel": "email",
			"supporter": map[string]any{"name": "佐藤 花子", "email": "hanako.sato@example.jp", "language": "ja"},
		}}).want(t, http.StatusCreated).json(t, &ja)
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
			"subject": zhSubject, "body": zhBody,
			"supporter": map[string]any{"name": "王芳", "email": "wang.fang@example.cn", "language": "zh"},
		}}).want(t, http.StatusCreated).json(t, &zh)
		// The Chinese ticket is resolved; the Japanese one stays new.
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/tickets/%d", zh.ID), Token: f.agentTok,
			Body: map[string]any{"status": "resolved"}}).want(t, http.StatusOK)

		ticketIDs := func(p searchPageOut) []int64 {
			var ids []int64
			for _, h := range p.Items {
				if h.Type == "ticket" {
					ids = append(ids, h.ID)
				}
			}
			return ids
		}

		// A two-character Japanese word, as a ticket search.
		p := f.search(t, "type=ticket&q="+url.QueryEscape("領収"))
		if ids := ticketIDs(p); len(ids) != 1 || ids[0] != ja.ID {
			t.Fatalf("領収 found %v, want [%d]: %+v", ids, ja.ID, p)
		}
		h := p.Items[0]
		if h.Number == nil || *h.Number != ja.Number || h.Status == nil || *h.Status != "new" || h.Title != jaSubject {
			t.Errorf("hit %+v", h)
		}
		if !strings.Contains(h.Snippet, "<mark>") {
			t.Errorf("snippet %q has no <mark>", h.Snippet)
		}

		// The traditional form finds the simplified text; two characters.
		p = f.search(t, "q="+url.QueryEscape("收據"))
		if ids := ticketIDs(p); len(ids) != 1 || ids[0] != zh.ID {
			t.Fatalf("收據 found %v, want [%d]", ids, zh.ID)
		}

		// A supporter by e-mail address.
		p = f.search(t, "type=supporter&q="+url.QueryEscape("hanako.sato@example.jp"))
		if len(p.Items) == 0 || p.Items[0].Type != "supporter" || p.Items[0].ID != ja.Supporter.ID {
			t.Fatalf("supporter search: %+v", p)
		}
		if p.Items[0].Number != nil || p.Items[0].Status != nil {
			t.Errorf("supporter hit has ticket fields: %+v", p.Items[0])
		}

		// A status filter.
		if ids := ticketIDs(f.search(t, "q="+url.QueryEscape("status:resolved"))); len(ids) != 1 || ids[0] != zh.ID {
			t.Errorf("status:resolved found %v, want [%d]", ids, zh.ID)
		}
		if ids := ticketIDs(f.search(t, "q="+url.QueryEscape("收据 status:new"))); len(ids) != 0 {
			t.Errorf("收据 status:new found %v", ids)
		}

		// Paging: three more tickets mention 領収書; two per page.
		for i := range 3 {
			f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
				"subject": fmt.Sprintf("領収書の再発行 %d", i), "body": "領収書をもう一度送ってください。",
				"supporter": map[string]any{"email": "hanako.sato@example.jp"},
			}}).want(t, http.StatusCreated)
		}
		for _, sort := range []string{"relevance", "recent"} {
			seen := map[int64]bool{}
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 3 {
					t.Fatalf("%s: paging does not end", sort)
				}
				params := "type=ticket&limit=2&sort=" + sort + "&q=" + url.QueryEscape("領収書")
				if cursor != "" {
					params += "&cursor=" + url.QueryEscape(cursor)
				}
				p := f.search(t, params)
				if len(p.Items) > 2 {
					t.Fatalf("%s: page of %d", sort, len(p.Items))
				}
				for _, id := range ticketIDs(p) {
					if seen[id] {
						t.Errorf("%s: ticket %d on two pages", sort, id)
					}
					seen[id] = true
				}
				if p.NextCursor == nil {
					break
				}
				cursor = *p.NextCursor
			}
			if len(seen) != 4 {
				t.Errorf("%s: paged through %d tickets, want 4", sort, len(seen))
			}
		}

		// Mistakes are a 422 naming the parameter.
		for params, field := range map[string]string{
			"q=" + url.QueryEscape("status:bogus"): "q",
			"q=":                                   "q",
			"q=x&cursor=%21%21":                    "cursor",
			"q=x&type=donation":                    "type",
			"q=x&sort=oldest":                      "sort",
			"q=x&limit=0":                          "limit",
			"q=x&limit=101":                        "limit",
		} {
			res := f.do(req{Method: "GET", Path: "/search?" + params, Token: f.agentTok}).want(t, http.StatusUnprocessableEntity)
			if e := res.err(t); e.Error.Code != "invalid" || e.Error.Field != field {
				t.Errorf("%s: %+v, want field %s", params, e, field)
			}
		}
		f.do(req{Method: "GET", Path: "/search?q=x&page=2", Token: f.agentTok}).want(t, http.StatusBadRequest)

		// No token.
		f.do(req{Method: "GET", Path: "/search?q=x"}).want(t, http.StatusUnauthorized)
	})
}
