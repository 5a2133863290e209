package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/sla"
)

// Users carry their assignment settings; agents set their own languages
// and away status but not their working hours; admins set everything.
func TestUserAssignmentFields(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var u struct {
			Languages  []string `json:"languages"`
			Away       bool     `json:"away"`
			CalendarID *int64   `json:"calendar_id"`
		}
		f.do(req{Method: "GET", Path: "/me", Token: f.agentTok}).want(t, 200).json(t, &u)
		if len(u.Languages) != 0 || u.Away || u.CalendarID != nil {
			t.Fatalf("defaults: %+v", u)
		}
		agentPath := fmt.Sprintf("/routing/agents/%d", f.agent.ID)
		f.do(req{Method: "PUT", Path: agentPath, Token: f.agentTok, Body: map[string]any{"languages": []string{"ja"}, "away": false, "calendar_id": 1}}).want(t, 403)
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/users/%d", f.agent.ID), Token: f.adminTok,
			Body: map[string]any{"languages": []string{"zh", "en"}, "calendar_id": 1}}).want(t, 200).json(t, &u)
		if strings.Join(u.Languages, ",") != "zh,en" || u.CalendarID == nil || *u.CalendarID != 1 {
			t.Fatalf("patched: %+v", u)
		}
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/users/%d", f.agent.ID), Token: f.adminTok, Body: map[string]any{"calendar_id": 999}}).want(t, 422)
		// The agent marks themselves away; their working hours stay.
		f.do(req{Method: "PUT", Path: agentPath, Token: f.agentTok, Body: map[string]any{"languages": []string{"ja"}, "away": true}}).want(t, 200).json(t, &u)
		if !u.Away || u.CalendarID == nil || strings.Join(u.Languages, ",") != "ja" {
			t.Fatalf("own routing: %+v", u)
		}
		var list struct {
			Items []struct {
				ID   int64 `json:"id"`
				Away bool  `json:"away"`
			} `json:"items"`
		}
		f.do(req{Method: "GET", Path: "/users", Token: f.agentTok}).want(t, 200).json(t, &list)
		for _, it := range list.Items {
			if it.Away != (it.ID == f.agent.ID) {
				t.Fatalf("users list: %+v", list)
			}
		}
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/users/%d", f.agent.ID), Token: f.adminTok, Body: map[string]any{"calendar_id": nil, "away": false}}).want(t, 200).json(t, &u)
		if u.CalendarID != nil || u.Away {
			t.Fatalf("cleared: %+v", u)
		}
	})
}

func TestTemplatesAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var page struct {
			Items []sla.Template `json:"items"`
		}
		f.do(req{Method: "GET", Path: "/sla/templates", Token: f.agentTok}).want(t, 200).json(t, &page)
		if len(page.Items) != 6 {
			t.Fatalf("templates: %+v", page)
		}
		body := map[string]any{"texts": map[string]string{"ja": "{salutation}\n\n{date}までのお約束を守れず申し訳ございません。"}}
		f.do(req{Method: "PUT", Path: "/sla/templates/slip_notice", Token: f.agentTok, Body: body}).want(t, 403)
		f.do(req{Method: "PUT", Path: "/sla/templates/nonsense", Token: f.adminTok, Body: body}).want(t, 404)
		f.do(req{Method: "PUT", Path: "/sla/templates/slip_notice", Token: f.adminTok, Body: map[string]any{"texts": map[string]string{"zh": "{deadline}"}}}).want(t, 422)
		f.do(req{Method: "PUT", Path: "/sla/templates/slip_notice", Token: f.adminTok, Body: body}).want(t, 200).json(t, &page)
		for _, x := range page.Items {
			if x.Custom != (x.Language == "ja") || x.Name != sla.TemplateSlip {
				t.Fatalf("after put: %+v", page.Items)
			}
		}
	})
}
