// Package ticket holds conversations with supporters: tickets, their
// messages (incoming, outgoing, internal notes), attachments and tags, and
// the inbox views over them.
package ticket

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/errs"
)

// Status of a ticket.
type Status string

const (
	StatusNew                  Status = "new"
	StatusOpen                 Status = "open"
	StatusPending              Status = "pending"
	StatusPendingInvestigation Status = "pending-investigation"
	StatusResolved             Status = "resolved"
	StatusClosed               Status = "closed"
)

// Statuses in workflow order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusPendingInvestigation, StatusResolved, StatusClosed}

// Group collapses a status into the three groups inbox views are built on.
func (s Status) Group() string {
	switch s {
	case StatusNew, StatusOpen:
		return "open"
	case StatusPending, StatusPendingInvestigation:
		return "pending"
	default:
		return "done"
	}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return oneOf(string(s), Statuses) }

// Priorities, types and channels.
var (
	Priorities = []string{"low", "normal", "high", "urgent"}
	Types      = []string{"inquiry", "complaint", "feedback", "other"}
	Channels   = []string{"email", "phone", "web", "chat", "social", "form", "api"}
)

func oneOf[T ~string](v string, list []T) bool {
	for _, x := range list {
		if string(x) == v {
			return true
		}
	}
	return false
}

// Direction of a message.
type Direction string

const (
	In   Direction = "in"   // from the supporter
	Out  Direction = "out"  // a reply to the supporter
	Note Direction = "note" // internal, staff only
)

// Ticket is one conversation.
type Ticket struct {
	ID              int64      `json:"id"`
	Number          int64      `json:"number"`
	Subject         string     `json:"subject"`
	Status          Status     `json:"status"`
	Priority        string     `json:"priority"`
	Type            string     `json:"type"`
	Category        string     `json:"category"`
	Channel         string     `json:"channel"`
	DepartmentID    *int64     `json:"department_id"`
	AssigneeID      *int64     `json:"assignee_id"`
	SupporterID     int64      `json:"supporter_id"`
	Language        string     `json:"language"`
	Tags            []string   `json:"tags"`
	Preview         string     `json:"preview"`
	MessageCount    int        `json:"message_count"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	FirstResponseAt *time.Time `json:"first_response_at"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	// SLADueAt is the earliest running SLA due time (internal/sla keeps it).
	SLADueAt *time.Time `json:"-"`

	// Joined for display in lists.
	SupporterName  string `json:"-"`
	SupporterEmail string `json:"-"`
	AssigneeName   string `json:"-"`
	DepartmentName string `json:"-"`
}

// Message is one entry in a conversation.
type Message struct {
	ID                int64        `json:"id"`
	TicketID          int64        `json:"ticket_id"`
	Direction         Direction    `json:"direction"`
	AuthorUserID      *int64       `json:"author_user_id,omitempty"`
	AuthorSupporterID *int64       `json:"author_supporter_id,omitempty"`
	AuthorName        string       `json:"author_name"`
	BodyText          string       `json:"body_text"`
	BodyHTML          string       `json:"body_html,omitempty"`
	Language          string       `json:"language,omitempty"`
	CreatedAt         time.Time    `json:"created_at"`
	Attachments       []Attachment `json:"attachments"`
}

// Attachment is a file on a message; its bytes live in the blob store.
type Attachment struct {
	ID          int64  `json:"id"`
	MessageID   int64  `json:"message_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Limits on what a ticket may hold.
const (
	MaxSubjectRunes = 500
	MaxBodyBytes    = 1 << 20
	MaxTags         = 30
	MaxTagRunes     = 50
)

func validSubject(s string) (string, error) {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, s))
	if s == "" {
		return "", errs.Field("subject", "required", "a subject is required")
	}
	if len([]rune(s)) > MaxSubjectRunes {
		return "", errs.Field("subject", "too_long", "at most %d characters", MaxSubjectRunes)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", errs.Field("subject", "invalid", "control characters are not allowed")
		}
	}
	return s, nil
}

func validBody(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return errs.Field(field, "required", "the message is empty")
	}
	if len(s) > MaxBodyBytes {
		return errs.Field(field, "too_long", "at most %d bytes", MaxBodyBytes)
	}
	if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
		return errs.Field(field, "invalid", "the message contains NUL characters or invalid UTF-8")
	}
	return nil
}

// NormaliseTags trims, lowercases, de-duplicates and checks tags.
func NormaliseTags(tags []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if len([]rune(t)) > MaxTagRunes || strings.ContainsAny(t, " ,\t\r\n") {
			return nil, errs.Field("tags", "invalid", "a tag is one word of at most %d characters: %q", MaxTagRunes, t)
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, errs.Field("tags", "too_many", "at most %d tags", MaxTags)
	}
	return out, nil
}

// preview makes the one-line excerpt shown in lists.
func preview(text string) string {
	f := strings.Fields(text)
	s := strings.Join(f, " ")
	r := []rune(s)
	if len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}
