package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/panel"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// listState is the inbox list an agent is looking at, carried in the query
// string so a ticket page keeps its list and every link is shareable.
type listState struct {
	View         ticket.View
	Status       ticket.Status
	DepartmentID int64
	Cursor       string
	Sort         string // "due": due soonest first
	// Saved is the saved search shown as the list (its id), or 0.
	Saved int64
}

func parseListState(q url.Values) listState {
	ls := listState{View: ticket.View(q.Get("view")), Status: ticket.Status(q.Get("status")), Cursor: q.Get("cursor")}
	valid := false
	for _, v := range ticket.Views {
		if v == ls.View {
			valid = true
		}
	}
	if !valid {
		ls.View = ticket.ViewMine
	}
	if !ls.Status.Valid() {
		ls.Status = ""
	}
	ls.DepartmentID, _ = strconv.ParseInt(q.Get("department"), 10, 64)
	if q.Get("sort") == "due" {
		ls.Sort = "due"
	}
	if id, err := strconv.ParseInt(q.Get("search"), 10, 64); err == nil && id > 0 {
		ls.Saved = id
	}
	return ls
}

// Query is the list state as a query string (without the cursor unless asked).
func (ls listState) query(withCursor bool) url.Values {
	q := url.Values{}
	if ls.Saved != 0 {
		q.Set("search", strconv.FormatInt(ls.Saved, 10))
		if withCursor && ls.Cursor != "" {
			q.Set("cursor", ls.Cursor)
		}
		return q
	}
	q.Set("view", string(ls.View))
	if ls.Status != "" {
		q.Set("status", string(ls.Status))
	}
	if ls.DepartmentID != 0 {
		q.Set("department", strconv.FormatInt(ls.DepartmentID, 10))
	}
	if ls.Sort != "" {
		q.Set("sort", ls.Sort)
	}
	if withCursor && ls.Cursor != "" {
		q.Set("cursor", ls.Cursor)
	}
	return q
}

// Q is the list query string for links that keep the list (with its page).
func (ls listState) Q() string { return ls.query(true).Encode() }

// QS is Q for a link's query part: html/template would escape its = and &
// as a single value (url.Values.Encode leaves nothing else to escape).
func (ls listState) QS() template.URL { return template.URL(ls.Q()) }

// viewLink is one entry of the views region.
type viewLink struct {
	View    ticket.View
	Label   string // message id
	Count   int
	Capped  bool
	Current bool
	Key     string // keyboard shortcut letter after "g", if any
	// Saved searches: the name as the agent wrote it, the link, the text
	// shown when the count is capped, shared with everyone, no count (the
	// query no longer runs).
	Name, URL, CapText string
	Shared, NoCount    bool
}

// inboxData fills the views and list regions; Ticket fills the other two.
type inboxData struct {
	List        listState
	ViewLabel   string // message id of the current view
	Views       []viewLink
	Tickets     []ticket.Ticket
	Next        string
	OlderURL    string
	NewestURL   string
	Departments []staff.Department
	Statuses    []ticket.Status
	OpenID      int64
	Ticket      *ticketData
	SLA         map[int64]sla.Status // by ticket id
	// SavedViews are the agent's saved searches (and those shared) with
	// counts; Saved is the one shown as the list, if any.
	SavedViews []viewLink
	Saved      *search.SavedSearch
	// SavedError explains a saved search whose query cannot run.
	SavedError string
	// CanShare: the agent may share saved searches (supervisors, admins).
	CanShare bool
}

var viewLabels = map[ticket.View]string{
	ticket.ViewMine: "view.mine", ticket.ViewUnassigned: "view.unassigned", ticket.ViewDepartments: "view.departments",
	ticket.ViewOpen: "view.open", ticket.ViewPending: "view.pending", ticket.ViewResolved: "view.resolved",
}

var viewKeys = map[ticket.View]string{ticket.ViewMine: "i", ticket.ViewUnassigned: "u", ticket.ViewOpen: "a"}

// loadInbox reads the views with counts and one page of the list.
func (s *Server) loadInbox(r *http.Request, ls listState) (*inboxData, error) {
	sess := currentSession(r)
	ctx := r.Context()
	counts, err := ticket.CountViews(ctx, s.db.R, sess.User.ID, sess.User.DepartmentIDs)
	if err != nil {
		return nil, err
	}
	d := &inboxData{List: ls, Statuses: ticket.Statuses, ViewLabel: viewLabels[ls.View]}
	for _, v := range ticket.Views {
		d.Views = append(d.Views, viewLink{View: v, Label: viewLabels[v], Count: counts[v], Capped: counts[v] >= ticket.CountCap,
			Current: v == ls.View && ls.Saved == 0, Key: viewKeys[v]})
	}
	saved, cur, err := s.savedViews(r, ls.Saved)
	if err != nil {
		return nil, err
	}
	d.SavedViews = saved
	if ls.Saved != 0 {
		if cur == nil {
			return nil, errs.ErrNotFound // another's private search, or none
		}
		if err := s.savedList(r, d, cur); err != nil {
			return nil, err
		}
		if d.SLA, err = s.slaStatus(ctx, d.Tickets); err != nil {
			return nil, err
		}
		d.Departments, err = staff.ListDepartments(ctx, s.db.R)
		return d, err
	}
	f := ticket.Filter{View: ls.View, UserID: sess.User.ID, DepartmentIDs: sess.User.DepartmentIDs, Status: ls.Status,
		DepartmentID: ls.DepartmentID, Cursor: ls.Cursor, Limit: 50, Sort: ls.Sort}
	d.Tickets, d.Next, err = ticket.List(ctx, s.db.R, f)
	if _, bad := errs.AsInvalid(err); bad && ls.Cursor != "" {
		// A mangled cursor shows the first page rather than an error.
		f.Cursor, d.List.Cursor = "", ""
		d.Tickets, d.Next, err = ticket.List(ctx, s.db.R, f)
	}
	if err != nil {
		return nil, err
	}
	if d.SLA, err = s.slaStatus(ctx, d.Tickets); err != nil {
		return nil, err
	}
	if d.Next != "" {
		older := ls
		older.Cursor = d.Next
		d.OlderURL = "/inbox?" + older.Q()
	}
	if ls.Cursor != "" {
		d.NewestURL = "/inbox?" + ls.query(false).Encode()
	}
	if d.Departments, err = staff.ListDepartments(ctx, s.db.R); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadInbox(r, parseListState(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, viewLabels[d.List.View], d)
	if d.Saved != nil {
		p.Title = d.Saved.Name
	}
	p.Section = "inbox"
	s.renderPage(w, r, http.StatusOK, "inbox", p)
}

// inboxRegions re-renders the views and list regions only; the live script
// asks for it when an event says tickets changed.
func (s *Server) inboxRegions(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadInbox(r, parseListState(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.OpenID, _ = strconv.ParseInt(r.URL.Query().Get("open"), 10, 64)
	s.execute(w, r, http.StatusOK, "inbox", "regions", s.newPage(r, "", d))
}

// pathID reads a numeric path value; anything else is a 404.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// ticketData fills the conversation and supporter regions.
type ticketData struct {
	T           ticket.Ticket
	Messages    []ticket.Message
	LastID      int64
	Supporter   supporter.Supporter
	Tenure      string
	Panel       panel.Panel
	Macros      []macro.Macro
	Others      []ticket.Ticket
	Users       []staff.User
	Departments []staff.Department
	Statuses    []ticket.Status
	Priorities  []string
	Types       []string
	Tags        string
	Saved       bool
	// Composer keeps a draft that failed validation.
	Draft     string
	DraftNote bool
	// Stale says messages arrived after the agent's page was drawn; the
	// composer asks before sending ("traffic cop").
	Stale bool
	// SLA targets of the ticket and what the SLA timers did (internal/web/sla.go).
	SLA        sla.Status
	SLAHistory []audit.Entry
	Followup   *sla.Followup
	// Props keeps property values that failed validation.
	Props map[string]string
	// Presence is who else is viewing or writing (internal/web/presence.go).
	Presence presenceData
}

func (s *Server) loadTicket(r *http.Request, id int64) (*ticketData, error) {
	ctx := r.Context()
	t, err := ticket.Get(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	d := &ticketData{T: t, Statuses: ticket.Statuses, Priorities: ticket.Priorities, Types: ticket.Types, Tags: strings.Join(t.Tags, ", ")}
	if d.Messages, err = ticket.Messages(ctx, s.db.R, id, true); err != nil {
		return nil, err
	}
	if n := len(d.Messages); n > 0 {
		d.LastID = d.Messages[n-1].ID
	}
	if d.Panel, err = panel.Load(ctx, s.db.R, t.SupporterID, 10, s.now()); err != nil {
		return nil, err
	}
	if err := s.loadSLA(ctx, d); err != nil {
		return nil, err
	}
	d.Supporter = d.Panel.Supporter
	lang := t.Language
	if lang == "" {
		lang = d.Supporter.Language
	}
	if d.Macros, err = macro.List(ctx, s.db.R, lang); err != nil {
		return nil, err
	}
	others, err := ticket.ForSupporter(ctx, s.db.R, t.SupporterID, 11)
	if err != nil {
		return nil, err
	}
	for _, o := range others {
		if o.ID != t.ID && len(d.Others) < 10 {
			d.Others = append(d.Others, o)
		}
	}
	if d.Users, err = staff.ListUsers(ctx, s.db.R); err != nil {
		return nil, err
	}
	if d.Departments, err = staff.ListDepartments(ctx, s.db.R); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showTicket(w, r, id, http.StatusOK, func(td *ticketData) { td.Saved = r.URL.Query().Get("saved") == "1" }, nil)
}

// showTicket renders the four-region page with a ticket open; adjust may
// change the ticket data (drafts, errors) and errors marks form fields.
func (s *Server) showTicket(w http.ResponseWriter, r *http.Request, id int64, status int, adjust func(*ticketData), errors map[string]string) {
	td, err := s.loadTicket(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if adjust != nil {
		adjust(td)
	}
	td.Presence = s.others(r, id)
	ls := parseListState(r.URL.Query())
	if r.Method == http.MethodPost {
		if q, err := url.ParseQuery(r.PostFormValue("list")); err == nil {
			ls = parseListState(q)
		}
	}
	d, err := s.loadInbox(r, ls)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.OpenID, d.Ticket = id, td
	p := s.newPage(r, "", d)
	p.Title = td.T.Subject
	p.Section = "inbox"
	p.Errors = errors
	if td.Supporter.SupporterSince != nil {
		y, m := supporter.Tenure(*td.Supporter.SupporterSince, p.Now)
		td.Tenure = p.L.Tenure(y, m)
	}
	s.renderPage(w, r, status, "inbox", p)
}

// ticketMessages renders the messages after a given id, for the live script
// to append to an open conversation.
func (s *Server) ticketMessages(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if _, err := ticket.Get(r.Context(), s.db.R, id); err != nil {
		s.fail(w, r, err)
		return
	}
	msgs, err := ticket.Messages(r.Context(), s.db.R, id, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var fresh []ticket.Message
	for _, m := range msgs {
		if m.ID > after {
			fresh = append(fresh, m)
		}
	}
	s.execute(w, r, http.StatusOK, "inbox", "messages", s.newPage(r, "", fresh))
}
