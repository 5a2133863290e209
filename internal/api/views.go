package api

// The JSON shapes the API returns. They are written out here, field by field,
// rather than reusing the capability structs, so that a field added inside
// Steward never leaks into the API by accident; openapi.json documents each.

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// timeLayout is RFC 3339 in UTC with exactly three fractional digits, so
// times are fixed-width and sort as strings.
const timeLayout = "2006-01-02T15:04:05.000Z"

// stamp is a time as the API shows it (storage keeps milliseconds).
func stamp(t time.Time) string { return t.UTC().Format(timeLayout) }

func stampPtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := stamp(*t)
	return &s
}

type supporterRef struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type ticketJSON struct {
	ID              int64        `json:"id"`
	Number          int64        `json:"number"`
	Subject         string       `json:"subject"`
	Status          string       `json:"status"`
	Priority        string       `json:"priority"`
	Type            string       `json:"type"`
	Category        string       `json:"category"`
	Channel         string       `json:"channel"`
	Language        string       `json:"language"`
	Tags            []string     `json:"tags"`
	DepartmentID    *int64       `json:"department_id"`
	AssigneeID      *int64       `json:"assignee_id"`
	Supporter       supporterRef `json:"supporter"`
	Preview         string       `json:"preview"`
	MessageCount    int          `json:"message_count"`
	CreatedAt       string       `json:"created_at"`
	UpdatedAt       string       `json:"updated_at"`
	FirstResponseAt *string      `json:"first_response_at"`
	ResolvedAt      *string      `json:"resolved_at"`
}

type ticketDetailJSON struct {
	ticketJSON
	Messages []messageJSON `json:"messages"`
}

type messageJSON struct {
	ID           int64            `json:"id"`
	TicketID     int64            `json:"ticket_id"`
	Direction    string           `json:"direction"`
	AuthorName   string           `json:"author_name"`
	AuthorUserID *int64           `json:"author_user_id"`
	BodyText     string           `json:"body_text"`
	BodyHTML     string           `json:"body_html"`
	Language     string           `json:"language"`
	CreatedAt    string           `json:"created_at"`
	Attachments  []attachmentJSON `json:"attachments"`
}

type attachmentJSON struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

func ticketView(t ticket.Ticket) ticketJSON {
	tags := t.Tags
	if tags == nil {
		tags = []string{}
	}
	return ticketJSON{
		ID: t.ID, Number: t.Number, Subject: t.Subject, Status: string(t.Status), Priority: t.Priority,
		Type: t.Type, Category: t.Category, Channel: t.Channel, Language: t.Language, Tags: tags,
		DepartmentID: t.DepartmentID, AssigneeID: t.AssigneeID,
		Supporter: supporterRef{ID: t.SupporterID, Name: t.SupporterName, Email: t.SupporterEmail},
		Preview:   t.Preview, MessageCount: t.MessageCount,
		CreatedAt: stamp(t.CreatedAt), UpdatedAt: stamp(t.UpdatedAt),
		FirstResponseAt: stampPtr(t.FirstResponseAt), ResolvedAt: stampPtr(t.ResolvedAt),
	}
}

func messageView(base string, m ticket.Message) messageJSON {
	out := messageJSON{
		ID: m.ID, TicketID: m.TicketID, Direction: string(m.Direction), AuthorName: m.AuthorName,
		AuthorUserID: m.AuthorUserID, BodyText: m.BodyText, BodyHTML: m.BodyHTML, Language: m.Language,
		CreatedAt: stamp(m.CreatedAt), Attachments: []attachmentJSON{},
	}
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{
			ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
			URL: fmt.Sprintf("%s/attachments/%d", base, a.ID),
		})
	}
	return out
}

// basePath is the path the API is mounted at ("/api/v1" in Steward), worked
// out from the request so attachment URLs are right wherever it is mounted.
func basePath(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.RoutePath == "" {
		return ""
	}
	p := r.URL.Path
	if r.URL.RawPath != "" {
		p = r.URL.RawPath
	}
	if !strings.HasSuffix(p, rctx.RoutePath) {
		return ""
	}
	return strings.TrimSuffix(p, rctx.RoutePath)
}

type identityJSON struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type supporterJSON struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	Email          string  `json:"email"`
	Language       string  `json:"language"`
	SupporterSince *string `json:"supporter_since"`
	Notes          string  `json:"notes"`
	CreatedAt      string  `json:"created_at"`
	supporterExtraJSON
}

type supporterDetailJSON struct {
	supporterJSON
	Identities    []identityJSON `json:"identities"`
	RecentTickets []ticketJSON   `json:"recent_tickets"`
}

func supporterView(s supporter.Supporter) supporterJSON {
	return supporterJSON{ID: s.ID, Name: s.Name, Email: s.Email, Language: s.Language,
		SupporterSince: stampPtr(s.SupporterSince), Notes: s.Notes, CreatedAt: stamp(s.CreatedAt), supporterExtraJSON: supporterExtraView(s)}
}

func supporterDetailView(s supporter.Supporter, recent []ticket.Ticket) supporterDetailJSON {
	out := supporterDetailJSON{supporterJSON: supporterView(s), Identities: []identityJSON{}, RecentTickets: []ticketJSON{}}
	for _, idn := range s.Identities {
		out.Identities = append(out.Identities, identityJSON{Kind: idn.Kind, Value: idn.Value})
	}
	for _, t := range recent {
		out.RecentTickets = append(out.RecentTickets, ticketView(t))
	}
	return out
}

type userJSON struct {
	ID            int64   `json:"id"`
	Email         string  `json:"email"`
	Name          string  `json:"name"`
	Role          string  `json:"role"`
	Language      string  `json:"language"`
	Active        bool    `json:"active"`
	DepartmentIDs []int64 `json:"department_ids"`
	// Assignment: languages answered in (empty: any), away, and working
	// hours as a business calendar (null: always on shift).
	Languages  []string `json:"languages"`
	Away       bool     `json:"away"`
	CalendarID *int64   `json:"calendar_id"`
}

func userView(u staff.User, a routing.Agent) userJSON {
	ids := u.DepartmentIDs
	if ids == nil {
		ids = []int64{}
	}
	langs := a.Languages
	if langs == nil {
		langs = []string{}
	}
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Language: u.Language,
		Active: u.Active, DepartmentIDs: ids, Languages: langs, Away: a.Away, CalendarID: a.CalendarID}
}

type departmentJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Members     int    `json:"members"`
}

func departmentView(d staff.Department) departmentJSON {
	return departmentJSON{ID: d.ID, Name: d.Name, Description: d.Description, Members: d.Members}
}

type settingsJSON struct {
	Name              string   `json:"name"`
	TimeZone          string   `json:"time_zone"`
	Languages         []string `json:"languages"`
	DefaultLanguage   string   `json:"default_language"`
	FirstReplyMinutes int      `json:"first_reply_minutes"`
	ServiceScope      string   `json:"service_scope"`
}

func settingsView(s org.Settings) settingsJSON {
	langs := s.Languages
	if langs == nil {
		langs = []string{}
	}
	return settingsJSON{Name: s.Name, TimeZone: s.TimeZone, Languages: langs, DefaultLanguage: s.DefaultLanguage,
		FirstReplyMinutes: s.FirstReplyMinutes, ServiceScope: s.ServiceScope}
}

// page is the envelope of every list: next_cursor is null on the last page.
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func newPage[T any](items []T, next string) page[T] {
	if items == nil {
		items = []T{}
	}
	p := page[T]{Items: items}
	if next != "" {
		p.NextCursor = &next
	}
	return p
}
