package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/i18n"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
)

//go:embed templates
var templateFS embed.FS

// templates holds one template set per page: the layout, every partial and
// that page's "content". Partials can also be executed alone as fragments.
type templates struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	// pair hands a partial both the page (for T, When…) and an item.
	"pair": func(p *Page, v any) itemCtx { return itemCtx{P: p, V: v} },
	// langTag maps a stored language (en, ja, zh) to a lang attribute value.
	"langTag": i18n.Tag,
	"join":    strings.Join,
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"initial": func(name string) string {
		for _, r := range strings.TrimSpace(name) {
			return strings.ToUpper(string(r))
		}
		return "?"
	},
	"hasInt": func(list []int64, v int64) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
	"humanSize": humanSize,
	"asset":     assetURL,
	"langName":  i18n.Name,
	"msgLang":   messageLang,
	"inList": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
	"formatMoney": giving.Format,
}

// itemCtx is what pair builds.
type itemCtx struct {
	P *Page
	V any
}

func mustParseTemplates() *templates {
	t, err := parseTemplates()
	if err != nil {
		panic(err)
	}
	return t
}

func parseTemplates() (*templates, error) {
	pages, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := &templates{pages: map[string]*template.Template{}}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", p, err)
		}
		out.pages[name] = t
	}
	return out, nil
}

// Page is the data of every template: the agent, their language, the
// organisation's settings and this page's own data.
type Page struct {
	L     *i18n.Localizer
	User  *staff.User
	CSRF  string
	Org   org.Settings
	Loc   *time.Location
	Now   time.Time
	Title string
	// Section is the header tab to mark current: inbox, supporters, admin.
	Section string
	// Path is the request URI, for the language menu to come back to.
	Path string
	// Errors maps form field names to translated messages.
	Errors map[string]string
	Data   any
	// Away is whether the agent has marked themselves away (the header's toggle).
	Away bool
}

// T translates a message id; args are key/value pairs.
func (p *Page) T(id string, args ...any) string { return p.L.T(id, args...) }

// N translates a plural message.
func (p *Page) N(id string, n int, args ...any) string { return p.L.N(id, n, args...) }

// HTMLLang is the <html lang> value.
func (p *Page) HTMLLang() string { return i18n.Tag(p.L.Lang) }

// When renders a relative time in a <time> element whose title is the exact
// time in the organisation's zone.
func (p *Page) When(t time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`,
		t.UTC().Format(time.RFC3339), html.EscapeString(i18n.Exact(t, p.Loc)), html.EscapeString(p.L.Ago(t, p.Now, p.Loc))))
}

// DateTime renders an absolute date and time in the organisation's zone.
func (p *Page) DateTime(t time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`,
		t.UTC().Format(time.RFC3339), html.EscapeString(i18n.Exact(t, p.Loc)), html.EscapeString(p.L.DateTime(t, p.Loc))))
}

// Date renders a date in the organisation's zone.
func (p *Page) Date(t time.Time) string { return p.L.Date(t, p.Loc) }

// Err is the translated error of a form field ("" when none).
func (p *Page) Err(field string) string { return p.Errors[field] }

// Languages lists the UI languages for menus.
func (p *Page) Languages() []langOption {
	var out []langOption
	for _, l := range i18n.Languages {
		out = append(out, langOption{Code: l, Name: i18n.Name(l), Tag: i18n.Tag(l)})
	}
	return out
}

type langOption struct{ Code, Name, Tag string }

// newPage builds the common page data for a request.
func (s *Server) newPage(r *http.Request, title string, data any) *Page {
	p := &Page{Now: s.now(), Data: data, Path: r.URL.RequestURI()}
	if r.Method != http.MethodGet {
		p.Path = "/inbox"
	}
	settings, err := org.Get(r.Context(), s.db.R)
	if err != nil {
		s.log.Warn("web: org settings", "err", err)
		settings = org.Settings{Name: "Steward", TimeZone: "UTC", DefaultLanguage: "en"}
	}
	p.Org = settings
	p.Loc = settings.Location()
	userLang := ""
	if sess := currentSession(r); sess != nil {
		u := sess.User
		p.User = &u
		p.CSRF = sess.CSRF
		userLang = u.Language
		if a, err := routing.GetAgent(r.Context(), s.db.R, u.ID); err == nil {
			p.Away = a.Away
		}
	}
	p.L = i18n.For(i18n.Negotiate(userLang, r.Header.Get("Accept-Language"), settings.DefaultLanguage))
	if title != "" {
		p.Title = p.L.T(title)
	}
	return p
}

// render executes a page's layout with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	s.renderPage(w, r, status, page, s.newPage(r, title, data))
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, page string, p *Page) {
	s.execute(w, r, status, page, "layout", p)
}

// execute runs one named template of a page's set into a buffer first, so a
// template error becomes a 500 instead of half a page.
func (s *Server) execute(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	t, ok := s.tpl.pages[page]
	if !ok {
		s.serverError(w, r, fmt.Errorf("web: no page %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("web: template", "page", page, "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "HX-Request")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorData struct {
	Status  int
	Message string // message id
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isHTMX(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		p := s.newPage(r, "", nil)
		fmt.Fprintln(w, p.T(msg))
		return
	}
	s.render(w, r, status, "error", msg, errorData{Status: status, Message: msg})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	// A signed-in agent gets the header with the 404, a stranger the bare page.
	if sess, err := s.session(r); err == nil {
		r = r.WithContext(contextWithSession(r, sess))
	}
	s.errorPage(w, r, http.StatusNotFound, "error.not_found")
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	s.errorPage(w, r, http.StatusForbidden, msg)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, "error.internal")
}

// fail maps a capability error to the right page: not found → 404,
// forbidden → 403, anything else → 500. Validation errors are handled by the
// form handlers themselves (they re-render with the field marked).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errs.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, errs.ErrForbidden):
		s.forbidden(w, r, "error.forbidden")
	default:
		s.serverError(w, r, err)
	}
}

// fieldErrors turns a validation error into field → translated message, with
// aliases mapping capability field names to form field names. ok is false
// when err is not a validation or conflict error.
func fieldErrors(p *Page, err error, aliases map[string]string) (map[string]string, bool) {
	if inv, ok := errs.AsInvalid(err); ok {
		field := inv.Field
		if a, ok := aliases[field]; ok {
			field = a
		}
		msg := "validation." + inv.Code
		if !p.L.Has(msg) {
			msg = "validation.invalid"
		}
		return map[string]string{field: p.T(msg)}, true
	}
	return nil, false
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func humanSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.0f KB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1024/1024)
	}
}
