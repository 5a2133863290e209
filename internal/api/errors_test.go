package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/staff"
)

// TestErrors sends one request of every error class and checks the status,
// the error body (code and field) and that nothing was stored.
func TestErrors(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var tk ticketOut
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{
			"subject": jaSubject, "body": jaBody, "supporter": map[string]any{"email": "hanako.sato@example.jp"},
		}}).want(t, http.StatusCreated).json(t, &tk)
		var sup struct{ ID int64 }
		f.do(req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{"name": "王芳", "email": "wang.fang@example.cn"}}).
			want(t, http.StatusCreated).json(t, &sup)

		inactive, inactiveTok := f.user("gone@example.org", "Former Staff", staff.Agent)
		off := false
		if _, err := staff.UpdateUser(context.Background(), d.W, inactive.ID, staff.UserPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}

		valid := func() map[string]any {
			return map[string]any{"subject": zhSubject, "body": zhBody, "supporter": map[string]any{"name": "李明", "email": "li.ming@example.cn"}}
		}
		with := func(k string, v any) map[string]any {
			b := valid()
			b[k] = v
			return b
		}
		withSupporter := func(k string, v any) map[string]any {
			b := valid()
			b["supporter"].(map[string]any)[k] = v
			return b
		}
		ticketPath := fmt.Sprintf("/tickets/%d", tk.ID)
		big := `{"subject":"big","body":"` + strings.Repeat("寄", MaxBodyBytes/3+10) + `","supporter":{"email":"big@example.org"}}`

		cases := []struct {
			name   string
			r      req
			status int
			code   string
			field  string
		}{
			{"no token", req{Method: "POST", Path: "/tickets", Body: valid()}, 401, "unauthenticated", ""},
			{"bad token", req{Method: "POST", Path: "/tickets", Token: "stw_forged", Body: valid()}, 401, "unauthenticated", ""},
			{"not a steward token", req{Method: "GET", Path: "/me", Token: "hunter2"}, 401, "unauthenticated", ""},
			{"basic auth", req{Method: "GET", Path: "/me", Header: map[string]string{"Authorization": "Basic YWRtaW46YWRtaW4="}}, 401, "unauthenticated", ""},
			{"inactive user", req{Method: "GET", Path: "/me", Token: inactiveTok}, 401, "unauthenticated", ""},
			{"agent on admin route", req{Method: "POST", Path: "/users", Token: f.agentTok, Body: map[string]any{"email": "new@example.org", "name": "New"}}, 403, "forbidden", ""},

			{"malformed JSON", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: `{"subject": "x",`}, 400, "bad_request", ""},
			{"JSON with trailing data", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: `{"subject":"x","body":"y","supporter":{"email":"a@example.org"}} {}`}, 400, "bad_request", ""},
			{"array body", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: `[]`}, 400, "bad_request", ""},
			{"empty body", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: ``}, 400, "bad_request", ""},
			{"invalid UTF-8", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: []byte("{\"subject\":\"\xff\xfe\",\"body\":\"x\"}")}, 400, "bad_request", ""},
			{"unknown field", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("subjet", "typo")}, 400, "unknown_field", "subjet"},
			{"unknown nested field", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: withSupporter("nmae", "typo")}, 400, "unknown_field", "supporter.nmae"},
			{"field in the wrong case", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("Subject", "x")}, 400, "unknown_field", "Subject"},
			{"unknown patch field", req{Method: "PATCH", Path: ticketPath, Token: f.agentTok, Body: `{"assignee":null}`}, 400, "unknown_field", "assignee"},
			{"unknown query parameter", req{Method: "GET", Path: "/tickets?asignee=me", Token: f.agentTok}, 400, "unknown_parameter", "asignee"},

			{"too large", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: big}, 413, "too_large", ""},
			{"no content type", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: valid(), ContentType: "-"}, 415, "unsupported_media_type", ""},
			{"form content type", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: "subject=x", ContentType: "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
			{"non-UTF-8 charset", req{Method: "PATCH", Path: ticketPath, Token: f.agentTok, Body: `{"status":"open"}`, ContentType: "application/json; charset=shift_jis"}, 415, "unsupported_media_type", ""},

			{"invalid supporter email", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: withSupporter("email", "not-an-email")}, 422, "invalid", "supporter.email"},
			{"empty subject", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("subject", "   ")}, 422, "invalid", "subject"},
			{"empty body text", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("body", "")}, 422, "invalid", "body"},
			{"no supporter", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{"subject": "x", "body": "y"}}, 422, "invalid", "supporter"},
			{"unknown supporter_id", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{"subject": "x", "body": "y", "supporter_id": 999999}}, 422, "invalid", "supporter_id"},
			{"bad priority", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("priority", "asap")}, 422, "invalid", "priority"},
			{"tags not an array", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("tags", "receipt")}, 422, "invalid", "tags"},
			{"tag not a string", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("tags", []any{"ok", 7})}, 422, "invalid", "tags[1]"},
			{"tag with a space", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("tags", []string{"two words"})}, 422, "invalid", "tags"},
			{"id as a string", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("department_id", "1")}, 422, "invalid", "department_id"},
			{"unknown department", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("department_id", 4242)}, 422, "invalid", "department_id"},
			{"unknown assignee", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("assignee_id", 4242)}, 422, "invalid", "assignee_id"},
			{"inactive assignee", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("assignee_id", inactive.ID)}, 422, "invalid", "assignee_id"},
			{"NUL in a body", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: with("body", "a\x00b")}, 422, "invalid", "body"},
			{"number too big", req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: `{"subject":"x","body":"y","department_id":99999999999999999999}`}, 422, "invalid", "department_id"},
			{"null subject in patch", req{Method: "PATCH", Path: ticketPath, Token: f.agentTok, Body: `{"subject":null}`}, 422, "invalid", "subject"},
			{"unknown status in patch", req{Method: "PATCH", Path: ticketPath, Token: f.agentTok, Body: `{"status":"done"}`}, 422, "invalid", "status"},
			{"assign to nobody known", req{Method: "PATCH", Path: ticketPath, Token: f.agentTok, Body: `{"assignee_id":4242}`}, 422, "invalid", "assignee_id"},
			{"reply with bad status", req{Method: "POST", Path: ticketPath + "/messages", Token: f.agentTok, Body: `{"body":"ok","status":"done"}`}, 422, "invalid", "status"},
			{"empty reply", req{Method: "POST", Path: ticketPath + "/messages", Token: f.agentTok, Body: `{"body":" \n "}`}, 422, "invalid", "body"},
			{"bad status filter", req{Method: "GET", Path: "/tickets?status=done", Token: f.agentTok}, 422, "invalid", "status"},
			{"bad limit", req{Method: "GET", Path: "/tickets?limit=0", Token: f.agentTok}, 422, "invalid", "limit"},
			{"bad cursor", req{Method: "GET", Path: "/tickets?cursor=%21%21", Token: f.agentTok}, 422, "invalid", "cursor"},
			{"bad assignee filter", req{Method: "GET", Path: "/tickets?assignee=someone", Token: f.agentTok}, 422, "invalid", "assignee"},
			{"supporter email on /supporters", req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{"email": "@"}}, 422, "invalid", "email"},
			{"bad supporter_since", req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{"name": "X", "supporter_since": "last year"}}, 422, "invalid", "supporter_since"},
			{"short password", req{Method: "POST", Path: "/users", Token: f.adminTok, Body: map[string]any{"email": "n@example.org", "name": "N", "password": "short"}}, 422, "invalid", "password"},
			{"user in an unknown department", req{Method: "POST", Path: "/users", Token: f.adminTok, Body: map[string]any{"email": "n@example.org", "name": "N", "department_ids": []int{4242}}}, 422, "invalid", "department_ids"},
			{"bad time zone", req{Method: "PATCH", Path: "/settings", Token: f.adminTok, Body: map[string]any{"time_zone": "Mars/Olympus"}}, 422, "invalid", "time_zone"},
			{"default language not offered", req{Method: "PATCH", Path: "/settings", Token: f.adminTok, Body: map[string]any{"languages": []string{"ja"}, "default_language": "en"}}, 422, "invalid", "default_language"},

			{"unknown ticket", req{Method: "GET", Path: "/tickets/999999", Token: f.agentTok}, 404, "not_found", ""},
			{"non-numeric ticket id", req{Method: "GET", Path: "/tickets/abc", Token: f.agentTok}, 404, "not_found", ""},
			{"zero ticket id", req{Method: "GET", Path: "/tickets/0", Token: f.agentTok}, 404, "not_found", ""},
			{"reply to unknown ticket", req{Method: "POST", Path: "/tickets/999999/messages", Token: f.agentTok, Body: `{"body":"hello"}`}, 404, "not_found", ""},
			{"patch unknown ticket", req{Method: "PATCH", Path: "/tickets/999999", Token: f.agentTok, Body: `{"status":"open"}`}, 404, "not_found", ""},
			{"unknown supporter", req{Method: "GET", Path: "/supporters/999999", Token: f.agentTok}, 404, "not_found", ""},
			{"unknown attachment", req{Method: "GET", Path: "/attachments/999999", Token: f.agentTok}, 404, "not_found", ""},
			{"unknown user", req{Method: "PATCH", Path: "/users/999999", Token: f.adminTok, Body: `{"name":"X"}`}, 404, "not_found", ""},
			{"unknown endpoint", req{Method: "GET", Path: "/nothing-here", Token: f.agentTok}, 404, "not_found", ""},
			{"method not allowed", req{Method: "DELETE", Path: ticketPath, Token: f.agentTok}, 405, "method_not_allowed", ""},

			{"duplicate supporter email", req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{"name": "另一个人", "email": "Wang.Fang@example.cn"}}, 409, "conflict", ""},
			{"duplicate user email", req{Method: "POST", Path: "/users", Token: f.adminTok, Body: map[string]any{"email": "AIKO@example.org", "name": "Twin"}}, 409, "conflict", ""},
			{"demote the last admin", req{Method: "PATCH", Path: fmt.Sprintf("/users/%d", f.admin.ID), Token: f.adminTok, Body: `{"role":"agent"}`}, 409, "conflict", ""},
			{"deactivate the last admin", req{Method: "PATCH", Path: fmt.Sprintf("/users/%d", f.admin.ID), Token: f.adminTok, Body: `{"active":false}`}, 409, "conflict", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, d)
				res := f.do(c.r)
				if res.Code != c.status {
					t.Fatalf("status %d, want %d: %s", res.Code, c.status, res.Body)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				e := res.err(t)
				if e.Error.Code != c.code || e.Error.Field != c.field || e.Error.Message == "" {
					t.Errorf("error %+v, want code %q field %q", e.Error, c.code, c.field)
				}
				if c.status == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("401 without WWW-Authenticate: Bearer")
				}
				if c.status == 405 && res.Header.Get("Allow") != "GET, PATCH" {
					t.Errorf("Allow %q", res.Header.Get("Allow"))
				}
				if diff := sameCounts(before, counts(t, d)); diff != "" {
					t.Errorf("the failed request stored something: %s", diff)
				}
			})
		}
	})
}
