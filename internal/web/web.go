// Package web is the agent UI: server-rendered pages (html/template + htmx),
// embedded static assets, sessions and CSRF protection, role checks, and the
// Server-Sent Events stream that keeps inboxes live.
//
// Every route is declared once in routes(), with the least role it needs;
// the wrapper built from that table authenticates, authorises and checks the
// CSRF token before any handler runs.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// Deps is what the UI needs from the application.
type Deps struct {
	DB      *db.DB
	Tickets *ticket.Service
	Live    live.Broker
	Blobs   *blob.Store
	Log     *slog.Logger
	// SecureCookies marks the session cookie Secure (set it behind HTTPS).
	SecureCookies bool
	// SLA sets follow-up timers; nil reads SLA status only.
	SLA *sla.Service
	// Mailboxes stores the support addresses (it holds the secret key for
	// their credentials); nil means one without a key.
	Mailboxes *mailbox.Store
	// MailboxesChanged is called after a mailbox was added, changed or
	// removed (the IMAP poller's Refresh); nil does nothing.
	MailboxesChanged func()
	// Search is the full-text index behind GET /search; nil means a
	// read-only index of DB, kept current by the application's ticket hooks.
	Search *search.Index
	// Presence is who is on which ticket; nil means a table of the server's
	// own that follows Live's presence events.
	Presence *live.Presence
}

// Server serves the agent UI.
type Server struct {
	db      *db.DB
	tickets *ticket.Service
	live    live.Broker
	blobs   *blob.Store
	log     *slog.Logger
	secure  bool
	tpl     *templates
	handler http.Handler

	// mboxes are the mailboxes; onMbox is Deps.MailboxesChanged.
	mboxes *mailbox.Store
	onMbox func()
	// heartbeat is the SSE keep-alive interval (tests shorten it).
	heartbeat time.Duration
	// now is the clock (tests may fix it).
	now func() time.Time
	sla *sla.Service
	// searchIdx answers GET /search.
	searchIdx *search.Index
	// presence is who is viewing or writing on which ticket, on every node.
	presence *live.Presence
}

// New builds the UI server. It panics if the embedded templates do not parse,
// which a test catches long before a release.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Tickets == nil {
		d.Tickets = &ticket.Service{DB: d.DB, Live: d.Live}
	}
	s := &Server{
		db: d.DB, tickets: d.Tickets, live: d.Live, blobs: d.Blobs, log: d.Log, secure: d.SecureCookies,
		tpl: mustParseTemplates(), heartbeat: 25 * time.Second, now: time.Now, sla: d.SLA,
	}
	s.mboxes, s.onMbox = d.Mailboxes, d.MailboxesChanged
	if s.mboxes == nil {
		s.mboxes = &mailbox.Store{DB: s.db}
	}
	s.searchIdx = d.Search
	if s.searchIdx == nil && s.db != nil {
		s.searchIdx = search.New(s.db)
	}
	s.presence = d.Presence
	if s.presence == nil {
		s.presence = live.NewPresence()
		if s.live != nil {
			// Until the broker closes (shutdown).
			s.presence.Follow(context.Background(), s.live)
		}
	}
	s.handler = s.buildHandler()
	return s
}

// Handler is the UI, to be mounted at "/".
func (s *Server) Handler() http.Handler { return s.handler }

// route is one entry of the route table.
type route struct {
	pattern string // net/http pattern with method, e.g. "GET /tickets/{id}"
	// role is the least role allowed; "" means public (no session needed).
	role    staff.Role
	handler func(http.ResponseWriter, *http.Request)
}

// routes is the whole UI. Method-less patterns are not used, so the mux
// answers 405 with an Allow header for a wrong method.
func (s *Server) routes() []route {
	return []route{
		{"GET /static/", "", s.static},
		{"GET /login", "", s.loginPage},
		{"POST /login", "", s.loginSubmit},
		{"POST /logout", staff.Agent, s.logout},

		{"GET /{$}", staff.Agent, s.home},
		{"GET /inbox", staff.Agent, s.inbox},
		{"GET /inbox/regions", staff.Agent, s.inboxRegions},
		{"GET /search", staff.Agent, s.search},
		{"GET /search/instant", staff.Agent, s.searchInstant},
		{"POST /saved-searches", staff.Agent, s.savedSearchCreate},
		{"POST /saved-searches/{id}", staff.Agent, s.savedSearchUpdate},
		{"POST /saved-searches/{id}/delete", staff.Agent, s.savedSearchDelete},
		{"GET /events", staff.Agent, s.events},
		{"POST /preferences/language", staff.Agent, s.setLanguage},
		{"POST /preferences/away", staff.Agent, s.setAway},

		{"GET /tickets/{id}", staff.Agent, s.ticketPage},
		{"GET /tickets/{id}/messages", staff.Agent, s.ticketMessages},
		{"GET /tickets/{id}/messages/{mid}/html", staff.Agent, s.messageHTML},
		{"POST /tickets/{id}/reply", staff.Agent, s.ticketReply},
		{"POST /tickets/{id}/update", staff.Agent, s.ticketUpdate},
		{"POST /tickets/{id}/followup", staff.Agent, s.ticketFollowup},
		{"GET /tickets/{id}/presence", staff.Agent, s.presenceList},
		{"POST /tickets/{id}/presence", staff.Agent, s.presenceBeat},
		{"GET /tickets/{id}/macro-preview", staff.Agent, s.macroPreview},
		{"POST /tickets/{id}/macro", staff.Agent, s.macroApply},
		{"GET /attachments/{id}", staff.Agent, s.attachment},

		{"GET /supporters", staff.Agent, s.supporterList},
		{"GET /supporters/{id}", staff.Agent, s.supporterPage},
		{"POST /supporters/{id}", staff.Agent, s.supporterSave},
		{"POST /supporters/{id}/merge", staff.Supervisor, s.supporterMerge},
		{"POST /merges/{id}/undo", staff.Supervisor, s.mergeUndo},
		{"POST /supporters/{id}/contact", staff.Agent, s.supporterContact},
		{"GET /supporters/{id}/export", staff.Admin, s.supporterExport},
		{"POST /supporters/{id}/erase", staff.Admin, s.supporterErase},

		{"GET /admin", staff.Admin, s.adminHome},
		{"GET /admin/users", staff.Admin, s.adminUsers},
		{"POST /admin/users", staff.Admin, s.adminUserCreate},
		{"GET /admin/users/{id}", staff.Admin, s.adminUserPage},
		{"POST /admin/users/{id}", staff.Admin, s.adminUserUpdate},
		{"GET /admin/departments", staff.Admin, s.adminDepartments},
		{"POST /admin/departments", staff.Admin, s.adminDepartmentCreate},
		{"POST /admin/departments/{id}", staff.Admin, s.adminDepartmentUpdate},
		{"POST /admin/departments/{id}/routing", staff.Admin, s.adminDepartmentRouting},
		{"GET /admin/macros", staff.Admin, s.adminMacros},
		{"POST /admin/macros", staff.Admin, s.adminMacroSave},
		{"POST /admin/macros/{id}", staff.Admin, s.adminMacroSave},
		{"POST /admin/macros/{id}/delete", staff.Admin, s.adminMacroDelete},
		{"GET /admin/import", staff.Admin, s.adminImport},
		{"POST /admin/import", staff.Admin, s.adminImportUpload},
		{"POST /admin/import/run", staff.Admin, s.adminImportRun},
		{"GET /admin/sla", staff.Admin, s.adminSLA},
		{"POST /admin/sla/calendars", staff.Admin, s.adminCalendarSave},
		{"POST /admin/sla/calendars/{id}", staff.Admin, s.adminCalendarSave},
		{"POST /admin/sla/policies", staff.Admin, s.adminPolicySave},
		{"POST /admin/sla/policies/{id}", staff.Admin, s.adminPolicySave},
		{"POST /admin/sla/rules", staff.Admin, s.adminRuleSave},
		{"POST /admin/sla/rules/{id}", staff.Admin, s.adminRuleSave},
		{"POST /admin/sla/templates/{name}", staff.Admin, s.adminTemplateSave},
		{"GET /admin/automation", staff.Admin, s.adminAutomation},
		{"POST /admin/automation", staff.Admin, s.adminAutomationSave},
		{"POST /admin/automation/dry-run", staff.Admin, s.adminAutomationDryRun},
		{"POST /admin/automation/{id}", staff.Admin, s.adminAutomationSave},
		{"POST /admin/automation/{id}/active", staff.Admin, s.adminAutomationActive},
		{"POST /admin/automation/{id}/move", staff.Admin, s.adminAutomationMove},
		{"POST /admin/automation/{id}/delete", staff.Admin, s.adminAutomationDelete},
		{"GET /admin/settings", staff.Admin, s.adminSettings},
		{"POST /admin/settings", staff.Admin, s.adminSettingsUpdate},
		{"GET /admin/mailboxes", staff.Admin, s.adminMailboxes},
		{"POST /admin/mailboxes", staff.Admin, s.adminMailboxSave},
		{"POST /admin/mailboxes/{id}", staff.Admin, s.adminMailboxSave},
		{"POST /admin/mailboxes/{id}/delete", staff.Admin, s.adminMailboxDelete},
		{"GET /admin/quarantine", staff.Admin, s.adminQuarantine},
		{"GET /admin/quarantine/{id}/raw", staff.Admin, s.adminQuarantineRaw},
		{"POST /admin/quarantine/{id}/resolve", staff.Admin, s.adminQuarantineResolve},
	}
}

// Routes lists the route table as pattern → least role ("" = public), for
// documentation and tests.
func (s *Server) Routes() map[string]staff.Role {
	out := map[string]staff.Role{}
	for _, r := range s.routes() {
		out[r.pattern] = r.role
	}
	return out
}

func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.guard(rt))
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.forbidden(w, r, "error.cross_origin")
	}))
	return s.securityHeaders(cop.Handler(s.notFoundPages(mux)))
}

// notFoundPages lets the mux answer (so wrong methods get its 405 with an
// Allow header) but replaces its plain-text 404 with the UI's 404 page.
func (s *Server) notFoundPages(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&notFoundProbe{ResponseWriter: w, s: s, r: r}, r)
	})
}

// notFoundProbe turns a 404 written by the mux into the 404 page and drops
// the mux's own body; any other status passes through.
type notFoundProbe struct {
	http.ResponseWriter
	s        *Server
	r        *http.Request
	replaced bool
}

func (p *notFoundProbe) WriteHeader(code int) {
	if code == http.StatusNotFound && !p.replaced {
		p.replaced = true
		p.Header().Del("Content-Type")
		p.s.notFound(p.ResponseWriter, p.r)
		return
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *notFoundProbe) Write(b []byte) (int, error) {
	if p.replaced {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}

// guard wraps a handler with authentication, the role check and, for
// state-changing requests, the CSRF token check.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.role == "" {
			rt.handler(w, r)
			return
		}
		sess, err := s.session(r)
		if err != nil {
			if !errors.Is(err, errNoSession) {
				s.serverError(w, r, err)
				return
			}
			s.unauthenticated(w, r)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess))
		if !sess.User.Role.AtLeast(rt.role) {
			s.forbidden(w, r, "error.forbidden")
			return
		}
		if !safeMethod(r.Method) {
			// Parse the (bounded) form here, whichever way the token came,
			// so handlers can rely on r.PostForm.
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.errorPage(w, r, http.StatusRequestEntityTooLarge, "validation.too_long")
				return
			}
			if !s.validCSRF(r, sess) {
				s.forbidden(w, r, "error.csrf")
				return
			}
		}
		rt.handler(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// contentSecurityPolicy allows only this origin's scripts, styles and frames;
// no inline script or style anywhere.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data: cid:; style-src 'self'; script-src 'self'; " +
	"frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}
