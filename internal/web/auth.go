package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/staff"
)

// CookieName is the session cookie.
const CookieName = "steward_session"

// CSRFField and CSRFHeader carry the synchronizer token in forms and in
// htmx/fetch requests.
const (
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

var errNoSession = errors.New("web: no session")

type sessionKey struct{}

// session is the signed-in agent of a request.
type session struct {
	User  staff.User
	token string
	CSRF  string
}

// currentSession returns the request's session (nil on public routes).
func currentSession(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// session resolves the cookie to an active user.
func (s *Server) session(r *http.Request) (*session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, errNoSession
	}
	u, err := auth.UserBySession(r.Context(), s.db, c.Value)
	if errors.Is(err, auth.ErrUnauthenticated) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	return &session{User: u, token: c.Value, CSRF: csrfToken(c.Value)}, nil
}

// csrfToken derives the synchronizer token from the session secret itself:
// HMAC-SHA256 keyed with the session token. Every node computes the same
// token without shared state, it changes with every login, and knowing it
// reveals nothing about the session token.
func csrfToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("steward csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF checks the token from the X-CSRF-Token header or the csrf form
// field in constant time.
func (s *Server) validCSRF(r *http.Request, sess *session) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && hmac.Equal([]byte(got), []byte(sess.CSRF))
}

// maxFormBytes bounds a form post (a reply body is at most 1 MiB).
const maxFormBytes = 2 << 20

// isHTMX reports whether the request came from htmx or our own fetch calls.
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" || r.Header.Get("X-Requested-With") == "fetch"
}

// unauthenticated sends a page request to the login page and an htmx/fetch
// request a 401 (with HX-Redirect so htmx goes to the login page).
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if isHTMX(r) || r.URL.Path == "/events" {
		w.Header().Set("HX-Redirect", "/login")
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	next := ""
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		next = "?next=" + urlQueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, "/login"+next, http.StatusSeeOther)
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

type loginForm struct {
	Email string
	Next  string
	Error string // message id
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if sess, err := s.session(r); err == nil && sess != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/inbox"), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "login.title", loginForm{Next: r.URL.Query().Get("next")})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	form := loginForm{Email: email, Next: r.PostFormValue("next")}
	if email == "" || password == "" {
		form.Error = "login.error.required"
		s.render(w, r, http.StatusUnprocessableEntity, "login", "login.title", form)
		return
	}
	u, err := auth.Login(r.Context(), s.db, email, password, clientIP(r))
	switch {
	case errors.Is(err, auth.ErrThrottled):
		form.Error = "login.error.throttled"
		s.render(w, r, http.StatusTooManyRequests, "login", "login.title", form)
		return
	case errors.Is(err, auth.ErrBadCredentials):
		form.Error = "login.error.bad_credentials"
		s.render(w, r, http.StatusUnauthorized, "login", "login.title", form)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	tok, err := auth.CreateSession(r.Context(), s.db.W, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, tok, 0)
	s.log.Info("web: login", "user_id", u.ID)
	http.Redirect(w, r, localPath(form.Next, "/inbox"), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess := currentSession(r)
	if err := auth.DeleteSession(r.Context(), s.db.W, sess.token); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// clientIP is the peer address. Steward does not trust X-Forwarded-For here:
// a proxy in front must be configured to pass the address by other means.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// localPath returns p if it is a path on this site, else def; it stops
// open redirects such as "//evil.example" or "/\evil.example".
func localPath(p, def string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return def
	}
	return p
}

func contextWithSession(r *http.Request, s *session) context.Context {
	return context.WithValue(r.Context(), sessionKey{}, s)
}
