package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// fixture is a Steward database with an admin and an agent, each with a real
// API token, and the API mounted at /api/v1 as the application mounts it.
type fixture struct {
	t        *testing.T
	d        *db.DB
	srv      *Server
	root     http.Handler
	blobs    *blob.Store
	admin    staff.User
	agent    staff.User
	adminTok string
	agentTok string
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	blobs, err := blob.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, d: d, blobs: blobs}
	f.admin, f.adminTok = f.user("admin@example.org", "Admin Ada", staff.Admin)
	f.agent, f.agentTok = f.user("aiko@example.org", "山田 愛子", staff.Agent)
	f.srv = New(Deps{DB: d, Tickets: &ticket.Service{DB: d}, Blobs: blobs,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	root := chi.NewRouter()
	root.Mount("/api/v1", f.srv.Handler())
	f.root = root
	return f
}

// user makes a user with an API token.
func (f *fixture) user(email, name string, role staff.Role) (staff.User, string) {
	f.t.Helper()
	ctx := context.Background()
	u, err := staff.CreateUser(ctx, f.d.W, staff.NewUser{Email: email, Name: name, Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	tok, err := auth.CreateAPIToken(ctx, f.d.W, u.ID, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return u, tok
}

type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// req is one API call. Body is sent as JSON unless it is a string or []byte
// (sent as is); ContentType defaults to application/json when there is a body.
type req struct {
	Method, Path, Token string
	Body                any
	ContentType         string
	Header              map[string]string
}

// do sends r and checks the response against the OpenAPI document: its status
// must be documented for the operation and its JSON body must match the
// documented schema exactly (no undocumented fields).
func (f *fixture) do(r req) *response {
	f.t.Helper()
	var body io.Reader
	if r.Body != nil {
		switch b := r.Body.(type) {
		case string:
			body = strings.NewReader(b)
		case []byte:
			body = bytes.NewReader(b)
		default:
			data, err := json.Marshal(b)
			if err != nil {
				f.t.Fatal(err)
			}
			body = bytes.NewReader(data)
		}
		if r.ContentType == "" {
			r.ContentType = "application/json"
		}
	}
	hr := httptest.NewRequest(r.Method, "/api/v1"+r.Path, body)
	if r.ContentType != "" && r.ContentType != "-" {
		hr.Header.Set("Content-Type", r.ContentType)
	}
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.root.ServeHTTP(rec, hr)
	res := &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	checkAgainstDoc(f.t, f.srv, r.Method, strings.SplitN(r.Path, "?", 2)[0], res)
	return res
}

// json decodes the body into v, failing the test on error.
func (r *response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// want fails unless the status is code.
func (r *response) want(t *testing.T, code int) *response {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d: %s", r.Code, code, r.Body)
	}
	return r
}

// apiErr is the decoded error body.
type apiErr struct {
	Error struct {
		Code, Field, Reason, Message string
	}
}

func (r *response) err(t *testing.T) apiErr {
	t.Helper()
	var e apiErr
	r.json(t, &e)
	return e
}

// counts reads the row counts of every table a request could write.
func counts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"tickets", "messages", "ticket_tags", "attachments", "supporters", "supporter_identities",
		"users", "user_departments", "departments", "audit_log"} {
		var n int
		if err := d.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func sameCounts(a, b map[string]int) string {
	var diff []string
	for k, v := range a {
		if b[k] != v {
			diff = append(diff, fmt.Sprintf("%s %d→%d", k, v, b[k]))
		}
	}
	return strings.Join(diff, ", ")
}

// The shapes tests decode responses into.
type ticketOut struct {
	ID           int64    `json:"id"`
	Number       int64    `json:"number"`
	Subject      string   `json:"subject"`
	Status       string   `json:"status"`
	Priority     string   `json:"priority"`
	Type         string   `json:"type"`
	Channel      string   `json:"channel"`
	Tags         []string `json:"tags"`
	DepartmentID *int64   `json:"department_id"`
	AssigneeID   *int64   `json:"assignee_id"`
	Supporter    struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"supporter"`
	CreatedAt       string       `json:"created_at"`
	UpdatedAt       string       `json:"updated_at"`
	FirstResponseAt *string      `json:"first_response_at"`
	Messages        []messageOut `json:"messages"`
}

type messageOut struct {
	ID          int64  `json:"id"`
	Direction   string `json:"direction"`
	AuthorName  string `json:"author_name"`
	BodyText    string `json:"body_text"`
	CreatedAt   string `json:"created_at"`
	Attachments []struct {
		ID          int64  `json:"id"`
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		URL         string `json:"url"`
	} `json:"attachments"`
}

type ticketPageOut struct {
	Items      []ticketOut `json:"items"`
	NextCursor *string     `json:"next_cursor"`
}

func newRecorder(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}
