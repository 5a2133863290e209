package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/staff"
)

// public marks a route that needs no token.
const public staff.Role = ""

// handler serves one route for an authenticated user (the zero User on
// public routes). A returned error becomes the JSON error response.
type handler func(w http.ResponseWriter, r *http.Request, me staff.User) error

// route is one row of the route table: who may call what.
type route struct {
	method  string
	pattern string
	// role is the least role that may call the route; public needs no token.
	role   staff.Role
	handle handler
}

// routes is the whole API. Patterns are relative to the mount point. The
// OpenAPI document names each route's role as x-min-role; TestOpenAPIMatchesRoutes
// fails when the two disagree.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/openapi.json", public, s.openAPI},
		{"GET", "/me", staff.Agent, s.getMe},

		{"GET", "/tickets", staff.Agent, s.listTickets},
		{"POST", "/tickets", staff.Agent, s.createTicket},
		{"GET", "/tickets/{id}", staff.Agent, s.getTicket},
		{"PATCH", "/tickets/{id}", staff.Agent, s.patchTicket},
		{"POST", "/tickets/{id}/messages", staff.Agent, s.createMessage},
		{"POST", "/tickets/{id}/followup", staff.Agent, s.promiseFollowup},
		{"POST", "/tickets/{id}/transfer", staff.Agent, s.transferTicket},
		{"GET", "/attachments/{id}", staff.Agent, s.getAttachment},
		{"GET", "/search", staff.Agent, s.runSearch},
		{"GET", "/saved-searches", staff.Agent, s.listSavedSearches},
		{"POST", "/saved-searches", staff.Agent, s.createSavedSearch},
		{"GET", "/saved-searches/{id}", staff.Agent, s.getSavedSearch},
		{"PATCH", "/saved-searches/{id}", staff.Agent, s.patchSavedSearch},
		{"DELETE", "/saved-searches/{id}", staff.Agent, s.deleteSavedSearch},
		{"GET", "/saved-searches/{id}/tickets", staff.Agent, s.savedSearchTickets},

		{"GET", "/supporters", staff.Agent, s.listSupporters},
		{"POST", "/supporters", staff.Agent, s.createSupporter},
		{"GET", "/supporters/{id}", staff.Agent, s.getSupporter},
		{"PATCH", "/supporters/{id}", staff.Agent, s.patchSupporter},
		{"POST", "/supporters/{id}/identities", staff.Agent, s.addIdentity},
		{"GET", "/supporters/{id}/donations", staff.Agent, s.listDonations},
		{"POST", "/supporters/{id}/donations", staff.Supervisor, s.createDonation},
		{"GET", "/supporters/{id}/timeline", staff.Agent, s.timeline},
		{"GET", "/supporters/{id}/duplicates", staff.Agent, s.duplicates},
		{"POST", "/supporters/{id}/merge", staff.Supervisor, s.merge},
		{"POST", "/merges/{id}/undo", staff.Supervisor, s.undoMerge},
		{"GET", "/supporters/{id}/consent", staff.Agent, s.getConsent},
		{"PUT", "/supporters/{id}/consent/{channel}", staff.Agent, s.putConsent},
		{"GET", "/supporters/{id}/export", staff.Admin, s.exportSupporter},
		{"POST", "/supporters/{id}/erase", staff.Admin, s.eraseSupporter},
		{"GET", "/segments", staff.Agent, s.listSegments},
		{"GET", "/macros", staff.Agent, s.listMacros},
		{"POST", "/macros", staff.Admin, s.saveMacro},
		{"GET", "/macros/{id}", staff.Agent, s.getMacro},
		{"PUT", "/macros/{id}", staff.Admin, s.saveMacro},
		{"DELETE", "/macros/{id}", staff.Admin, s.deleteMacro},
		{"GET", "/macros/{id}/render", staff.Agent, s.renderMacro},
		{"PUT", "/settings/stripe", staff.Admin, s.putStripe},
		{"GET", "/mailboxes", staff.Admin, s.listMailboxes},
		{"POST", "/mailboxes", staff.Admin, s.createMailbox},
		{"PATCH", "/mailboxes/{id}", staff.Admin, s.patchMailbox},
		{"DELETE", "/mailboxes/{id}", staff.Admin, s.deleteMailbox},
		{"GET", "/quarantine", staff.Admin, s.listQuarantine},
		{"GET", "/quarantine/{id}/raw", staff.Admin, s.getQuarantineRaw},
		{"POST", "/quarantine/{id}/resolve", staff.Admin, s.resolveQuarantine},

		{"GET", "/users", staff.Agent, s.listUsers},
		{"POST", "/users", staff.Admin, s.createUser},
		{"PATCH", "/users/{id}", staff.Admin, s.patchUser},
		{"GET", "/departments", staff.Agent, s.listDepartments},
		{"POST", "/departments", staff.Admin, s.createDepartment},
		{"PATCH", "/departments/{id}", staff.Admin, s.patchDepartment},

		{"GET", "/settings", staff.Agent, s.getSettings},
		{"PATCH", "/settings", staff.Admin, s.patchSettings},

		{"GET", "/sla/calendars", staff.Agent, s.listCalendars},
		{"POST", "/sla/calendars", staff.Admin, s.createCalendar},
		{"GET", "/sla/calendars/{id}", staff.Agent, s.getCalendar},
		{"PATCH", "/sla/calendars/{id}", staff.Admin, s.patchCalendar},
		{"POST", "/sla/calendars/{id}/holidays/import", staff.Admin, s.importHolidays},
		{"GET", "/sla/policies", staff.Agent, s.listPolicies},
		{"POST", "/sla/policies", staff.Admin, s.createPolicy},
		{"GET", "/sla/policies/{id}", staff.Agent, s.getPolicy},
		{"PATCH", "/sla/policies/{id}", staff.Admin, s.patchPolicy},
		{"GET", "/sla/templates", staff.Agent, s.listTemplates},
		{"PUT", "/sla/templates/{name}", staff.Admin, s.putTemplate},
		{"GET", "/routing/rules", staff.Agent, s.listRoutingRules},
		{"POST", "/routing/rules", staff.Admin, s.createRoutingRule},
		{"PATCH", "/routing/rules/{id}", staff.Admin, s.patchRoutingRule},
		{"PUT", "/routing/departments/{id}", staff.Admin, s.putDepartmentRouting},
		{"PUT", "/routing/agents/{id}", staff.Agent, s.putAgentRouting},
		{"GET", "/automation/rules", staff.Agent, s.listAutomationRules},
		{"POST", "/automation/rules", staff.Admin, s.createAutomationRule},
		{"PATCH", "/automation/rules/{id}", staff.Admin, s.patchAutomationRule},
		{"DELETE", "/automation/rules/{id}", staff.Admin, s.deleteAutomationRule},
		{"GET", "/automation/rules/{id}/webhooks", staff.Admin, s.listAutomationWebhooks},
		{"POST", "/automation/dry-run", staff.Supervisor, s.automationDryRun},
	}
}

func (s *Server) router() *chi.Mux {
	mux := chi.NewRouter()
	mux.Use(requestID, s.recoverer)
	mux.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no such API endpoint"})
	})
	mux.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		if allow := s.allowed(r); allow != "" {
			w.Header().Set("Allow", allow)
		}
		s.fail(w, r, &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Message: fmt.Sprintf("%s is not allowed here", r.Method)})
	})
	for _, rt := range s.routes() {
		mux.Method(rt.method, rt.pattern, s.wrap(rt))
	}
	return mux
}

// allowed lists the methods the route table offers for the request's path.
func (s *Server) allowed(r *http.Request) string {
	path := r.URL.Path
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		path = rctx.RoutePath
	}
	var out []string
	for _, rt := range s.routes() {
		if !slices.Contains(out, rt.method) && s.mux.Match(chi.NewRouteContext(), rt.method, path) {
			out = append(out, rt.method)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// wrap authenticates the caller and checks the route's role before calling it.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		var me staff.User
		if rt.role != public {
			var err error
			if me, err = s.authenticate(r); err != nil {
				s.fail(w, r, err)
				return
			}
			if !me.Role.AtLeast(rt.role) {
				s.fail(w, r, &apiError{Status: http.StatusForbidden, Code: "forbidden",
					Message: fmt.Sprintf("this needs the %s role; you are %s", rt.role, me.Role)})
				return
			}
		}
		if err := rt.handle(w, r, me); err != nil {
			s.fail(w, r, err)
		}
	})
}

var errNoToken = &apiError{Status: http.StatusUnauthorized, Code: "unauthenticated",
	Message: "send an API token as Authorization: Bearer <token>"}

var errBadToken = &apiError{Status: http.StatusUnauthorized, Code: "unauthenticated",
	Message: "the API token is unknown, revoked or belongs to an inactive user"}

// authenticate resolves the bearer token to its user.
func (s *Server) authenticate(r *http.Request) (staff.User, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if h == "" {
		return staff.User{}, errNoToken
	}
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return staff.User{}, errNoToken
	}
	u, err := auth.UserByAPIToken(r.Context(), s.db, token)
	if errors.Is(err, auth.ErrUnauthenticated) {
		return staff.User{}, errBadToken
	}
	if err != nil {
		return staff.User{}, fmt.Errorf("api: authenticate: %w", err)
	}
	if !u.Active {
		return staff.User{}, errBadToken
	}
	return u, nil
}

// actor is how the audit log names the caller.
func actor(me staff.User) audit.Actor { return audit.Actor{UserID: me.ID, Name: me.Name} }

// requestID reuses the id an outer middleware gave the request, or makes one,
// and echoes it so a caller can quote it when reporting a failure.
func requestID(next http.Handler) http.Handler {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(middleware.RequestIDHeader, middleware.GetReqID(r.Context()))
		next.ServeHTTP(w, r)
	})
	withID := middleware.RequestID(echo)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if middleware.GetReqID(r.Context()) != "" {
			echo.ServeHTTP(w, r)
			return
		}
		withID.ServeHTTP(w, r)
	})
}

// recoverer turns a panic in a handler into a logged 500 JSON error.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.fail(w, r, fmt.Errorf("api: panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
