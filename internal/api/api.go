// Package api is Steward's REST API v1: JSON over HTTP for staff tools and
// integrations, authenticated with bearer API tokens.
//
// The API is a thin surface over the capability packages (ticket, supporter,
// staff, org): handlers decode and check the request, call one capability
// function (which runs one transaction), and turn typed errors into HTTP
// status codes. Every route, with the least role it needs, is listed in one
// table (routes.go); the OpenAPI document (openapi.json, embedded and served at
// /openapi.json) describes exactly those routes, and a test keeps the two in step.
package api

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/ticket"
)

// Deps are what the API needs from the application.
type Deps struct {
	DB      *db.DB
	Tickets *ticket.Service
	// Blobs holds attachment bytes; without it GET /attachments/{id} fails.
	Blobs *blob.Store
	// Log receives request failures; nil means slog.Default().
	Log *slog.Logger
	// SLA schedules recalculation after calendar and policy changes; nil
	// means a read-only service (no timers).
	SLA *sla.Service
	// Routing transfers tickets between departments.
	Routing *routing.Router
	// Mailboxes stores the support addresses (it holds the secret key for
	// their credentials); nil means one without a key.
	Mailboxes *mailbox.Store
	// MailboxesChanged is called after a mailbox was added, changed or
	// removed (the IMAP poller's Refresh); nil does nothing.
	MailboxesChanged func()
	// Search is the full-text index (GET /search); nil means a read-only
	// index of DB, kept current by whoever owns the ticket hooks.
	Search *search.Index
}

// Server serves the API.
type Server struct {
	db      *db.DB
	tickets *ticket.Service
	blobs   *blob.Store
	log     *slog.Logger
	mux     *chi.Mux
	sla     *sla.Service
	routing *routing.Router
	mboxes  *mailbox.Store
	onMbox  func() // Deps.MailboxesChanged
	search  *search.Index
}

// New builds the API server and its routes.
func New(d Deps) *Server {
	s := &Server{db: d.DB, tickets: d.Tickets, blobs: d.Blobs, log: d.Log, sla: d.SLA, routing: d.Routing, search: d.Search}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.db == nil && s.tickets != nil {
		s.db = s.tickets.DB
	}
	if s.search == nil && s.db != nil {
		s.search = search.New(s.db)
	}
	s.mboxes, s.onMbox = d.Mailboxes, d.MailboxesChanged
	if s.mboxes == nil {
		s.mboxes = &mailbox.Store{DB: s.db}
	}
	s.mux = s.router()
	return s
}

// Handler returns the API's handler. Its routes are relative to where it is
// mounted (Steward mounts it with chi at /api/v1, which strips the prefix).
func (s *Server) Handler() http.Handler { return s.mux }
