package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/staff"
)

type savedOut struct {
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

// Saved searches over the API: create, list, rename, list tickets by keyset
// pages, and the access rules — another's private search is a 404 for every
// verb, a shared one a 403 to change unless one owns it or is an admin, and
// only supervisors and admins share.
func TestSavedSearchesAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := searchFixture(t, d)
		_, otherTok := f.user("ken@example.org", "Ken", staff.Agent)
		_, supTok := f.user("sue@example.org", "Sue", staff.Supervisor)
		var ids []int64
		for i := range 3 {
			var tk ticketOut
			f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
				"subject": fmt.Sprintf("領収書の再発行 %d", i), "body": "寄付金の領収書が届いていません。", "channel": "email",
				"supporter": map[string]any{"name": "佐藤 花子", "email": "hanako.sato@example.jp"},
			}}).want(t, http.StatusCreated).json(t, &tk)
			ids = append(ids, tk.ID)
		}
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
			"subject": "Gift Aid", "body": "Please add Gift Aid.", "supporter": map[string]any{"email": "x@example.org"},
		}}).want(t, http.StatusCreated)

		var mine savedOut
		f.do(req{Method: "POST", Path: "/saved-searches", Token: f.agentTok,
			Body: map[string]any{"name": "領収書", "query": "領収 is:open status:new"}}).want(t, http.StatusCreated).json(t, &mine)
		if mine.Name != "領収書" || mine.Shared || !mine.Editable {
			t.Fatalf("created %+v", mine)
		}
		// Validation and the right to share.
		if e := f.do(req{Method: "POST", Path: "/saved-searches", Token: f.agentTok,
			Body: map[string]any{"name": "x", "query": "status:sleeping"}}).want(t, 422).err(t); e.Error.Field != "query" {
			t.Errorf("bad query: %+v", e)
		}
		if e := f.do(req{Method: "POST", Path: "/saved-searches", Token: f.agentTok,
			Body: map[string]any{"query": "x"}}).want(t, 422).err(t); e.Error.Field != "name" {
			t.Errorf("no name: %+v", e)
		}
		f.do(req{Method: "POST", Path: "/saved-searches", Token: f.agentTok,
			Body: map[string]any{"name": "x", "query": "x", "shared": true}}).want(t, http.StatusForbidden)
		var shared savedOut
		f.do(req{Method: "POST", Path: "/saved-searches", Token: supTok,
			Body: map[string]any{"name": "Gift Aid", "query": "gift", "shared": true}}).want(t, http.StatusCreated).json(t, &shared)

		// Lists: the owner's first, then shared ones.
		var list struct{ Items []savedOut }
		f.do(req{Method: "GET", Path: "/saved-searches", Token: f.agentTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 2 || list.Items[0].ID != mine.ID || list.Items[1].ID != shared.ID || list.Items[1].Editable {
			t.Errorf("agent's list %+v", list.Items)
		}
		f.do(req{Method: "GET", Path: "/saved-searches", Token: otherTok}).want(t, 200).json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != shared.ID {
			t.Errorf("other agent's list %+v", list.Items)
		}

		// Another's private search does not exist for anyone else, admins included.
		p := fmt.Sprintf("/saved-searches/%d", mine.ID)
		for _, tok := range []string{otherTok, f.adminTok} {
			f.do(req{Method: "GET", Path: p, Token: tok}).want(t, http.StatusNotFound)
			f.do(req{Method: "GET", Path: p + "/tickets", Token: tok}).want(t, http.StatusNotFound)
			f.do(req{Method: "PATCH", Path: p, Token: tok, Body: map[string]any{"name": "x"}}).want(t, http.StatusNotFound)
			f.do(req{Method: "DELETE", Path: p, Token: tok}).want(t, http.StatusNotFound)
		}
		// A shared one: readable by all, changed by its owner or an admin.
		sp := fmt.Sprintf("/saved-searches/%d", shared.ID)
		f.do(req{Method: "GET", Path: sp, Token: otherTok}).want(t, http.StatusOK)
		f.do(req{Method: "PATCH", Path: sp, Token: otherTok, Body: map[string]any{"name": "x"}}).want(t, http.StatusForbidden)
		f.do(req{Method: "DELETE", Path: sp, Token: otherTok}).want(t, http.StatusForbidden)
		var renamed savedOut
		f.do(req{Method: "PATCH", Path: sp, Token: f.adminTok, Body: map[string]any{"name": "Gift Aid（共有）"}}).want(t, 200).json(t, &renamed)
		if renamed.Name != "Gift Aid（共有）" || renamed.Query != "gift" || !renamed.Shared {
			t.Errorf("admin renamed %+v", renamed)
		}
		f.do(req{Method: "PATCH", Path: p, Token: f.agentTok, Body: map[string]any{"shared": true}}).want(t, http.StatusForbidden)
		f.do(req{Method: "PATCH", Path: p, Token: f.agentTok, Body: map[string]any{"name": nil}}).want(t, 422)
		f.do(req{Method: "PATCH", Path: p, Token: f.agentTok, Body: map[string]any{"name": "領収書（新規）"}}).want(t, 200).json(t, &renamed)
		if renamed.Name != "領収書（新規）" || renamed.Query != mine.Query {
			t.Errorf("owner renamed %+v", renamed)
		}

		// Its tickets, newest first, in keyset pages.
		var got []int64
		path := p + "/tickets?limit=2"
		for range 5 {
			var page struct {
				Items      []ticketOut
				NextCursor *string `json:"next_cursor"`
			}
			f.do(req{Method: "GET", Path: path, Token: f.agentTok}).want(t, 200).json(t, &page)
			for _, tk := range page.Items {
				got = append(got, tk.ID)
			}
			if page.NextCursor == nil {
				break
			}
			path = p + "/tickets?limit=2&cursor=" + *page.NextCursor
		}
		if len(got) != 3 || got[0] != ids[2] || got[1] != ids[1] || got[2] != ids[0] {
			t.Errorf("tickets %v, want %v newest first", got, ids)
		}
		f.do(req{Method: "GET", Path: p + "/tickets?limit=101", Token: f.agentTok}).want(t, 422)

		f.do(req{Method: "DELETE", Path: p, Token: f.agentTok}).want(t, http.StatusNoContent)
		f.do(req{Method: "GET", Path: p, Token: f.agentTok}).want(t, http.StatusNotFound)
		f.do(req{Method: "DELETE", Path: sp, Token: f.adminTok}).want(t, http.StatusNoContent)
	})
}
