package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/sla"
)

func TestSLAConfigurationAndTicketJSON(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		svc := &sla.Service{DB: d}
		f.srv.tickets.Hooks = append(f.srv.tickets.Hooks, svc.Hook)

		// Calendars: create, change, import holidays.
		res := f.do(req{Method: "POST", Path: "/sla/calendars", Token: f.adminTok, Body: map[string]any{
			"name": "Tokyo office", "time_zone": "Asia/Tokyo",
			"hours": map[string]any{"mon": []string{"09:00-12:00", "13:00-18:00"}, "fri": []string{"22:00-02:00"}}}})
		if res.Code != 201 {
			t.Fatalf("create calendar: %d %s", res.Code, res.Body)
		}
		var cal struct {
			ID       int64
			Hours    map[string][]string
			Holidays []map[string]string
			Version  int64
		}
		res.json(t, &cal)
		if cal.Hours["fri"][0] != "22:00-26:00" || len(cal.Hours) != 2 {
			t.Fatalf("hours: %v", cal.Hours)
		}
		if res := f.do(req{Method: "POST", Path: "/sla/calendars", Token: f.agentTok, Body: map[string]any{"name": "x"}}); res.Code != 403 {
			t.Fatalf("agent may not add calendars: %d", res.Code)
		}
		if res := f.do(req{Method: "POST", Path: "/sla/calendars", Token: f.adminTok, Body: map[string]any{"name": "x", "time_zone": "Mars/Base", "hours": map[string]any{"mon": []string{"09:00-17:00"}}}}); res.Code != 422 {
			t.Fatalf("bad time zone: %d %s", res.Code, res.Body)
		}
		path := fmt.Sprintf("/sla/calendars/%d", cal.ID)
		res = f.do(req{Method: "PATCH", Path: path, Token: f.adminTok, Body: map[string]any{"holidays": []map[string]string{{"date": "2026-11-23", "name": "勤労感謝の日"}}}})
		if res.Code != 200 {
			t.Fatalf("patch: %d %s", res.Code, res.Body)
		}
		ics := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:元日\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		res = f.do(req{Method: "POST", Path: path + "/holidays/import", Token: f.adminTok, Body: map[string]any{"ics": ics}})
		res.json(t, &cal)
		if res.Code != 200 || len(cal.Holidays) != 2 || cal.Holidays[1]["name"] != "元日" || cal.Version != 3 {
			t.Fatalf("import: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "GET", Path: "/sla/calendars", Token: f.agentTok}); res.Code != 200 {
			t.Fatalf("list calendars: %d", res.Code)
		}

		// Policies: the default exists; add one for urgent tickets.
		res = f.do(req{Method: "GET", Path: "/sla/policies", Token: f.agentTok})
		var pols struct{ Items []sla.Policy }
		res.json(t, &pols)
		if len(pols.Items) != 1 || !pols.Items[0].FirstResponseFromOrg {
			t.Fatalf("default policy: %s", res.Body)
		}
		res = f.do(req{Method: "POST", Path: "/sla/policies", Token: f.adminTok, Body: map[string]any{
			"name": "Urgent", "position": 1, "match": map[string]any{"priorities": []string{"urgent"}},
			"first_response_minutes": 60, "resolution_minutes": 480}})
		if res.Code != 201 {
			t.Fatalf("create policy: %d %s", res.Code, res.Body)
		}
		var pol sla.Policy
		res.json(t, &pol)
		res = f.do(req{Method: "PATCH", Path: fmt.Sprintf("/sla/policies/%d", pol.ID), Token: f.adminTok, Body: map[string]any{"resolution_minutes": nil}})
		res.json(t, &pol)
		if res.Code != 200 || pol.ResolutionMinutes != nil || *pol.FirstResponseMinutes != 60 {
			t.Fatalf("patch policy: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "POST", Path: "/sla/policies", Token: f.adminTok, Body: map[string]any{"name": "x", "match": map[string]any{"types": []string{"rant"}}}}); res.Code != 422 {
			t.Fatalf("bad type: %d %s", res.Code, res.Body)
		}

		// Tickets carry their targets; sort=due puts the urgent one first.
		mk := func(priority string) int64 {
			res := f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
				"subject": "help " + priority, "body": "please", "priority": priority, "supporter": map[string]any{"email": "s@example.org"}}})
			if res.Code != 201 {
				t.Fatalf("create ticket: %d %s", res.Code, res.Body)
			}
			var tk struct {
				ID  int64
				SLA map[string]struct {
					DueAt time.Time `json:"due_at"`
					State string
				}
			}
			res.json(t, &tk)
			if tk.SLA["first_response"].State != "ok" || len(tk.SLA) != 1 {
				t.Fatalf("ticket sla: %s", res.Body)
			}
			return tk.ID
		}
		normal := mk("normal")
		urgent := mk("urgent")
		res = f.do(req{Method: "GET", Path: "/tickets?sort=due&limit=1", Token: f.agentTok})
		var page struct {
			Items []struct {
				ID  int64
				SLA map[string]any
			}
			NextCursor string `json:"next_cursor"`
		}
		res.json(t, &page)
		if res.Code != 200 || len(page.Items) != 1 || page.Items[0].ID != urgent || page.Items[0].SLA["first_response"] == nil {
			t.Fatalf("due soonest: %s", res.Body)
		}
		res = f.do(req{Method: "GET", Path: "/tickets?sort=due&limit=1&cursor=" + page.NextCursor, Token: f.agentTok})
		res.json(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != normal {
			t.Fatalf("second page: %s", res.Body)
		}
		if res := f.do(req{Method: "GET", Path: "/tickets?sort=soon", Token: f.agentTok}); res.Code != 422 {
			t.Fatalf("bad sort: %d", res.Code)
		}

		// Pending investigation with a promised follow-up.
		when := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		res = f.do(req{Method: "POST", Path: fmt.Sprintf("/tickets/%d/followup", normal), Token: f.agentTok, Body: map[string]any{"followup_at": when.Format(time.RFC3339)}})
		var tk struct {
			Status   string
			Messages []struct{ Direction string }
			Followup struct {
				DueAt time.Time `json:"due_at"`
			}
		}
		res.json(t, &tk)
		if res.Code != 200 || tk.Status != "pending-investigation" || !tk.Followup.DueAt.Equal(when) || tk.Messages[len(tk.Messages)-1].Direction != "out" {
			t.Fatalf("followup: %d %s", res.Code, res.Body)
		}
		if res := f.do(req{Method: "POST", Path: fmt.Sprintf("/tickets/%d/followup", normal), Token: f.agentTok, Body: map[string]any{"followup_at": "2001-01-01T00:00:00Z"}}); res.Code != 422 {
			t.Fatalf("past follow-up: %d", res.Code)
		}
	})
}
