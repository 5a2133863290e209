package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

const testPassword = "correct horse battery"

// fixture is a running UI with an admin, an agent, a supporter and a ticket.
type fixture struct {
	t       *testing.T
	db      *db.DB
	srv     *Server
	http    *httptest.Server
	broker  *live.Local
	tickets *ticket.Service
	blobs   *blob.Store
	admin   staff.User
	agent   staff.User
	dept    staff.Department
	ticket  ticket.Ticket
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, db: d, broker: live.NewLocal()}
	f.tickets = &ticket.Service{DB: d, Live: f.broker}
	var err error
	if f.blobs, err = blob.New(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	hash := testHash()
	if f.dept, err = staff.CreateDepartment(ctx, d.W, "Donor care", ""); err != nil {
		t.Fatal(err)
	}
	if f.admin, err = staff.CreateUser(ctx, d.W, staff.NewUser{Email: "admin@example.org", Name: "Ada Admin", Role: staff.Admin, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if f.agent, err = staff.CreateUser(ctx, d.W, staff.NewUser{Email: "agent@example.org", Name: "Aiko Agent", Role: staff.Agent,
		PasswordHash: hash, DepartmentIDs: []int64{f.dept.ID}}); err != nil {
		t.Fatal(err)
	}
	f.ticket = f.createTicket("領収書が届きません", "先月の寄付の領収書がまだ届いていません。", "sato@example.jp", "佐藤 花子", "ja")
	f.srv = New(Deps{DB: d, Tickets: f.tickets, Live: f.broker, Blobs: f.blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.srv.heartbeat = 200 * time.Millisecond
	f.http = httptest.NewUnstartedServer(f.srv.Handler())
	// A write timeout like production's: the event stream must outlive it.
	f.http.Config.WriteTimeout = 3 * time.Second
	f.http.Start()
	t.Cleanup(f.http.Close)
	return f
}

func (f *fixture) createTicket(subject, body, email, name, lang string) ticket.Ticket {
	f.t.Helper()
	since := time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC)
	tk, err := f.tickets.Create(context.Background(), audit.System, ticket.CreateInput{
		NewTicket: ticket.NewTicket{Subject: subject, Body: body, Channel: "email", Language: lang},
		Supporter: supporter.NewSupporter{Name: name, Email: email, Language: lang, SupporterSince: since},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return tk
}

// client is a browser-like client: a cookie jar, no automatic redirects.
type client struct {
	f    *fixture
	c    *http.Client
	csrf string
}

func (f *fixture) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs in and learns the CSRF token from a page's meta tag.
func (f *fixture) login(email string) *client {
	f.t.Helper()
	c := f.anon()
	res := c.post("/login", url.Values{"email": {email}, "password": {testPassword}}, false)
	if res.status != http.StatusSeeOther {
		f.t.Fatalf("login %s: status %d: %s", email, res.status, res.body)
	}
	page := c.get("/inbox")
	m := regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`).FindStringSubmatch(page.body)
	if m == nil {
		f.t.Fatalf("no csrf meta tag in inbox page")
	}
	c.csrf = m[1]
	return c
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.f.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

func (c *client) get(path string, headers ...string) response {
	req, _ := http.NewRequest(http.MethodGet, c.f.http.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// post sends a form; withCSRF adds the session's token as a field.
func (c *client) post(path string, form url.Values, withCSRF bool, headers ...string) response {
	if form == nil {
		form = url.Values{}
	}
	if withCSRF {
		form.Set(CSRFField, c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.f.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("response lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, bads ...string) {
	t.Helper()
	for _, b := range bads {
		if strings.Contains(body, b) {
			t.Errorf("response contains %q", b)
		}
	}
}

func engines(t *testing.T, fn func(t *testing.T, f *fixture)) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) { fn(t, newFixture(t, d)) })
}

type sqlTx = sql.Tx

func supportersNew(email string) supporter.NewSupporter { return supporter.NewSupporter{Email: email} }

// testHash hashes testPassword once per test binary (argon2id is slow on purpose).
var testHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})
