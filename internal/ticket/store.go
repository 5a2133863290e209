package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/htmlsafe"
)

// NewTicket is the input to create a ticket with its first message.
type NewTicket struct {
	Subject      string
	Body         string
	BodyHTML     string
	Channel      string
	Type         string
	Priority     string
	Category     string
	DepartmentID *int64
	AssigneeID   *int64
	SupporterID  int64
	Language     string
	Tags         []string
	// Direction of the first message: In (the supporter wrote, the default),
	// or Note (staff logged e.g. a phone call).
	Direction    Direction
	AuthorUserID *int64
}

// direction is the first message's: In unless said otherwise.
func (n *NewTicket) direction() Direction {
	if n.Direction == "" {
		return In
	}
	return n.Direction
}

func (n *NewTicket) validate() error {
	var err error
	if n.Subject, err = validSubject(n.Subject); err != nil {
		return err
	}
	if err := validBody("body", n.Body); err != nil {
		return err
	}
	if n.Channel == "" {
		n.Channel = "web"
	}
	if !oneOf(n.Channel, Channels) {
		return errs.Field("channel", "invalid", "channel must be one of %s", strings.Join(Channels, ", "))
	}
	if n.Type == "" {
		n.Type = "inquiry"
	}
	if !oneOf(n.Type, Types) {
		return errs.Field("type", "invalid", "type must be one of %s", strings.Join(Types, ", "))
	}
	if n.Priority == "" {
		n.Priority = "normal"
	}
	if !oneOf(n.Priority, Priorities) {
		return errs.Field("priority", "invalid", "priority must be one of %s", strings.Join(Priorities, ", "))
	}
	n.Direction = n.direction()
	if n.Direction == Out {
		return errs.Field("direction", "invalid", "a ticket starts with an incoming message or a note")
	}
	if n.Tags, err = NormaliseTags(n.Tags); err != nil {
		return err
	}
	return nil
}

// Create inserts a ticket and its first message with q (a transaction).
func Create(ctx context.Context, d *db.DB, q db.Querier, n NewTicket) (Ticket, Message, error) {
	c, err := create(ctx, d, q, n)
	if err != nil {
		return Ticket{}, Message{}, err
	}
	m, err := getMessage(ctx, q, c.messageID)
	if err != nil {
		return Ticket{}, Message{}, err
	}
	t, err := Get(ctx, q, c.id)
	return t, m, err
}

// created is what create knows of the new ticket without reading it back.
type created struct {
	id, number, messageID int64
	channel               string
}

// create is Create without reading the ticket back.
func create(ctx context.Context, d *db.DB, q db.Querier, n NewTicket) (created, error) {
	if err := n.validate(); err != nil {
		return created{}, err
	}
	if n.SupporterID == 0 {
		return created{}, errs.Field("supporter", "required", "a ticket needs a supporter")
	}
	if n.DepartmentID != nil && !exists(ctx, q, "departments", *n.DepartmentID) {
		return created{}, errs.Field("department_id", "invalid", "unknown department %d", *n.DepartmentID)
	}
	if n.AssigneeID != nil && !exists(ctx, q, "users", *n.AssigneeID) {
		return created{}, errs.Field("assignee_id", "invalid", "unknown user %d", *n.AssigneeID)
	}
	if n.Direction != In && n.Direction != Out && n.Direction != Note {
		return created{}, errs.Field("direction", "invalid", "direction must be in, out or note")
	}
	if n.BodyHTML != "" {
		n.BodyHTML = htmlsafe.Sanitize(n.BodyHTML)
	}
	// The ticket row is written as AddMessage would leave it after the
	// first message (one INSERT instead of INSERT, SELECT and UPDATE): an
	// agent's first message is the first response and opens the ticket.
	now := db.Now()
	status, preview_, count := StatusNew, "", 1
	var firstResponse, lastAgent, lastSupporter any
	switch n.Direction {
	case Out:
		status, firstResponse, lastAgent = StatusOpen, now, now
	case In:
		lastSupporter = now
	}
	if n.Direction != Note {
		preview_ = preview(n.Body)
	}
	var id, number int64
	err := q.QueryRowContext(ctx, `INSERT INTO tickets (number, subject, status, status_group, priority, type, category, channel,
			department_id, assignee_id, supporter_id, language, preview, message_count, created_at, updated_at, status_changed_at,
			first_response_at, last_agent_reply_at, last_supporter_message_at)
		VALUES (`+d.NextTicketNumber()+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14, $15, $16, $17) RETURNING id, number`,
		n.Subject, status, status.Group(), n.Priority, n.Type, n.Category, n.Channel,
		n.DepartmentID, n.AssigneeID, n.SupporterID, n.Language, preview_, count, now, firstResponse, lastAgent, lastSupporter).Scan(&id, &number)
	if isForeignKeyViolation(err) {
		// Department and assignee were checked above; the supporter is the
		// one reference not checked ahead (it usually was just resolved).
		return created{}, errs.Field("supporter_id", "invalid", "unknown supporter %d", n.SupporterID)
	}
	if err != nil {
		return created{}, fmt.Errorf("ticket: create: %w", err)
	}
	for _, tag := range n.Tags {
		if _, err := q.ExecContext(ctx, "INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)", id, tag); err != nil {
			return created{}, err
		}
	}
	var author *int64
	if n.Direction == In {
		author = &n.SupporterID
	}
	var mid int64
	err = q.QueryRowContext(ctx, `INSERT INTO messages (ticket_id, direction, author_user_id, author_supporter_id, body_text, body_html, language, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		id, n.Direction, n.AuthorUserID, author, n.Body, n.BodyHTML, n.Language, now).Scan(&mid)
	if err != nil {
		return created{}, fmt.Errorf("ticket: add message: %w", err)
	}
	return created{id: id, number: number, channel: n.Channel, messageID: mid}, nil
}

// NewMessage is the input to AddMessage.
type NewMessage struct {
	TicketID          int64
	Direction         Direction
	AuthorUserID      *int64
	AuthorSupporterID *int64
	BodyText          string
	BodyHTML          string
	Language          string
	// KeepStatus leaves the ticket's status alone (automatic replies such as
	// out-of-office notices must not reopen a resolved ticket).
	KeepStatus bool
}

// AddMessage appends a message and moves the ticket along: a first reply
// stamps first_response_at and opens a new ticket; a supporter writing again
// reopens a pending or resolved one. It stamps when the supporter last wrote
// or staff last replied, and when the status changed (time rules count from these).
func AddMessage(ctx context.Context, q db.Querier, n NewMessage) (Message, error) {
	if err := validBody("body", n.BodyText); err != nil {
		return Message{}, err
	}
	if n.Direction != In && n.Direction != Out && n.Direction != Note {
		return Message{}, errs.Field("direction", "invalid", "direction must be in, out or note")
	}
	if n.BodyHTML != "" {
		n.BodyHTML = htmlsafe.Sanitize(n.BodyHTML)
	}
	var status Status
	var firstResponse sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT status, first_response_at FROM tickets WHERE id = $1", n.TicketID).Scan(&status, &firstResponse)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, errs.ErrNotFound
	}
	if err != nil {
		return Message{}, err
	}
	now := db.Now()
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO messages (ticket_id, direction, author_user_id, author_supporter_id, body_text, body_html, language, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		n.TicketID, n.Direction, n.AuthorUserID, n.AuthorSupporterID, n.BodyText, n.BodyHTML, n.Language, now).Scan(&id)
	if err != nil {
		return Message{}, fmt.Errorf("ticket: add message: %w", err)
	}
	newStatus := status
	set := []string{"updated_at = $1", "message_count = message_count + 1"}
	args := []any{now}
	switch n.Direction {
	case Out:
		set = append(set, "last_agent_reply_at = $1")
		if !firstResponse.Valid {
			set = append(set, "first_response_at = $1")
		}
		if status == StatusNew {
			newStatus = StatusOpen
		}
	case In:
		set = append(set, "last_supporter_message_at = $1")
		if status.Group() != "open" && !n.KeepStatus {
			newStatus = StatusOpen
			set = append(set, "resolved_at = NULL")
		}
	}
	if n.Direction != Note {
		args = append(args, preview(n.BodyText))
		set = append(set, fmt.Sprintf("preview = $%d", len(args)))
	}
	if newStatus != status {
		args = append(args, newStatus, newStatus.Group())
		set = append(set, fmt.Sprintf("status = $%d, status_group = $%d", len(args)-1, len(args)), "status_changed_at = $1")
	}
	args = append(args, n.TicketID)
	if _, err := q.ExecContext(ctx, "UPDATE tickets SET "+strings.Join(set, ", ")+fmt.Sprintf(" WHERE id = $%d", len(args)), args...); err != nil {
		return Message{}, err
	}
	return getMessage(ctx, q, id)
}

// AddAttachment records a stored blob on a message.
func AddAttachment(ctx context.Context, q db.Querier, a Attachment) (Attachment, error) {
	err := q.QueryRowContext(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.MessageID, a.Filename, a.ContentType, a.Size, a.SHA256, db.Now()).Scan(&a.ID)
	return a, err
}

// GetAttachment reads one attachment record.
func GetAttachment(ctx context.Context, q db.Querier, id int64) (Attachment, int64, error) {
	var a Attachment
	var ticketID int64
	err := q.QueryRowContext(ctx, `SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256, m.ticket_id
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1`, id).
		Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return a, 0, errs.ErrNotFound
	}
	return a, ticketID, err
}

const ticketCols = `t.id, t.number, t.subject, t.status, t.priority, t.type, t.category, t.channel, t.department_id, t.assignee_id,
	t.supporter_id, t.language, t.preview, t.message_count, t.created_at, t.updated_at, t.first_response_at, t.resolved_at,
	s.name, s.email, COALESCE(u.name, ''), COALESCE(d.name, ''), t.sla_due_at`

// ticketTagsCol reads a ticket's tags with its row (tags hold no spaces:
// NormaliseTags).
const ticketTagsCol = `COALESCE((SELECT string_agg(g.tag, ' ' ORDER BY g.tag) FROM ticket_tags g WHERE g.ticket_id = t.id), '')`

const ticketJoins = ` JOIN supporters s ON s.id = t.supporter_id
	LEFT JOIN users u ON u.id = t.assignee_id LEFT JOIN departments d ON d.id = t.department_id`

const ticketFrom = " FROM tickets t" + ticketJoins

// scanTicket scans ticketCols and then any extra columns into extra.
func scanTicket(row interface{ Scan(...any) error }, extra ...any) (Ticket, error) {
	var t Ticket
	var dept, assignee, first, resolved, due sql.NullInt64
	var created, updated int64
	err := row.Scan(append([]any{&t.ID, &t.Number, &t.Subject, &t.Status, &t.Priority, &t.Type, &t.Category, &t.Channel, &dept, &assignee,
		&t.SupporterID, &t.Language, &t.Preview, &t.MessageCount, &created, &updated, &first, &resolved,
		&t.SupporterName, &t.SupporterEmail, &t.AssigneeName, &t.DepartmentName, &due}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.ErrNotFound
	}
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = db.Time(created), db.Time(updated)
	if dept.Valid {
		t.DepartmentID = &dept.Int64
	}
	if assignee.Valid {
		t.AssigneeID = &assignee.Int64
	}
	if first.Valid {
		v := db.Time(first.Int64)
		t.FirstResponseAt = &v
	}
	if resolved.Valid {
		v := db.Time(resolved.Int64)
		t.ResolvedAt = &v
	}
	if due.Valid {
		v := db.Time(due.Int64)
		t.SLADueAt = &v
	}
	t.Tags = []string{}
	return t, nil
}

// Get reads one ticket with its tags.
func Get(ctx context.Context, q db.Querier, id int64) (Ticket, error) {
	var tags string
	row := q.QueryRowContext(ctx, "SELECT "+ticketCols+", "+ticketTagsCol+ticketFrom+" WHERE t.id = $1", id)
	t, err := scanTicket(row, &tags)
	if err != nil {
		return t, err
	}
	t.Tags = strings.Fields(tags)
	return t, nil
}

// GetByNumber reads a ticket by its human number.
func GetByNumber(ctx context.Context, q db.Querier, number int64) (Ticket, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT id FROM tickets WHERE number = $1", number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, errs.ErrNotFound
	}
	if err != nil {
		return Ticket{}, err
	}
	return Get(ctx, q, id)
}

func setTags(ctx context.Context, q db.Querier, id int64, tags []string) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM ticket_tags WHERE ticket_id = $1", id); err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := q.ExecContext(ctx, "INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)", id, tag); err != nil {
			return err
		}
	}
	return nil
}

const messageCols = `m.id, m.ticket_id, m.direction, m.author_user_id, m.author_supporter_id,
	COALESCE(u.name, s.name, ''), m.body_text, m.body_html, m.language, m.created_at`

const messageFrom = ` FROM messages m LEFT JOIN users u ON u.id = m.author_user_id LEFT JOIN supporters s ON s.id = m.author_supporter_id`

// extraColumn scans one more column after the ones a scan function reads.
type extraColumn struct {
	row   interface{ Scan(...any) error }
	extra any
}

func (e extraColumn) Scan(dest ...any) error { return e.row.Scan(append(dest, e.extra)...) }

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var user, sup sql.NullInt64
	var created int64
	err := row.Scan(&m.ID, &m.TicketID, &m.Direction, &user, &sup, &m.AuthorName, &m.BodyText, &m.BodyHTML, &m.Language, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.ErrNotFound
	}
	if user.Valid {
		m.AuthorUserID = &user.Int64
	}
	if sup.Valid {
		m.AuthorSupporterID = &sup.Int64
	}
	m.CreatedAt = db.Time(created)
	m.Attachments = []Attachment{}
	return m, err
}

// GetMessage reads one message (without attachments).
func GetMessage(ctx context.Context, q db.Querier, id int64) (Message, error) {
	return getMessage(ctx, q, id)
}

func getMessage(ctx context.Context, q db.Querier, id int64) (Message, error) {
	return scanMessage(q.QueryRowContext(ctx, "SELECT "+messageCols+messageFrom+" WHERE m.id = $1", id))
}

// Messages returns a ticket's conversation, oldest first, with attachments.
// Internal notes are included only when withNotes is true.
func Messages(ctx context.Context, q db.Querier, ticketID int64, withNotes bool) ([]Message, error) {
	// Whether any message has attachments rides along, so that the usual
	// ticket without any costs no second query.
	query := "SELECT " + messageCols + ", EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id)" + messageFrom + " WHERE m.ticket_id = $1"
	if !withNotes {
		query += " AND m.direction <> 'note'"
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY m.id", ticketID)
	if err != nil {
		return nil, err
	}
	var out []Message
	index := map[int64]int{}
	attached := false
	for rows.Next() {
		var has bool
		m, err := scanMessage(extraColumn{rows, &has})
		if err != nil {
			rows.Close()
			return nil, err
		}
		attached = attached || has
		index[m.ID] = len(out)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil || !attached {
		return out, err
	}
	arows, err := q.QueryContext(ctx, `SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1 ORDER BY a.id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer arows.Close()
	for arows.Next() {
		var a Attachment
		if err := arows.Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256); err != nil {
			return nil, err
		}
		if i, ok := index[a.MessageID]; ok {
			out[i].Attachments = append(out[i].Attachments, a)
		}
	}
	return out, arows.Err()
}

// Patch changes some fields of a ticket; nil fields stay. ClearDepartment and
// ClearAssignee unset those.
type Patch struct {
	Subject         *string
	Status          *Status
	Priority        *string
	Type            *string
	Category        *string
	DepartmentID    *int64
	ClearDepartment bool
	AssigneeID      *int64
	ClearAssignee   bool
	Tags            *[]string
}

// Change is one field that a patch changed, for the audit log and live events.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Update applies a patch with q and returns the ticket and what changed.
func Update(ctx context.Context, q db.Querier, id int64, p Patch) (Ticket, []Change, error) {
	t, err := Get(ctx, q, id)
	if err != nil {
		return t, nil, err
	}
	var changes []Change
	set, args := []string{}, []any{}
	add := func(field string, from, to any) {
		changes = append(changes, Change{field, from, to})
		args = append(args, to)
		set = append(set, fmt.Sprintf("%s = $%d", field, len(args)))
	}
	if p.Subject != nil {
		s, err := validSubject(*p.Subject)
		if err != nil {
			return t, nil, err
		}
		if s != t.Subject {
			add("subject", t.Subject, s)
		}
	}
	if p.Status != nil && *p.Status != t.Status {
		if !p.Status.Valid() {
			return t, nil, errs.Field("status", "invalid", "unknown status %q", *p.Status)
		}
		add("status", t.Status, *p.Status)
		args = append(args, p.Status.Group(), db.Now())
		set = append(set, fmt.Sprintf("status_group = $%d, status_changed_at = $%d", len(args)-1, len(args)))
		if p.Status.Group() == "done" && t.ResolvedAt == nil {
			args = append(args, db.Now())
			set = append(set, fmt.Sprintf("resolved_at = $%d", len(args)))
		} else if p.Status.Group() != "done" {
			set = append(set, "resolved_at = NULL")
		}
	}
	if p.Priority != nil && *p.Priority != t.Priority {
		if !oneOf(*p.Priority, Priorities) {
			return t, nil, errs.Field("priority", "invalid", "priority must be one of %s", strings.Join(Priorities, ", "))
		}
		add("priority", t.Priority, *p.Priority)
	}
	if p.Type != nil && *p.Type != t.Type {
		if !oneOf(*p.Type, Types) {
			return t, nil, errs.Field("type", "invalid", "type must be one of %s", strings.Join(Types, ", "))
		}
		add("type", t.Type, *p.Type)
	}
	if p.Category != nil && strings.TrimSpace(*p.Category) != t.Category {
		c := strings.TrimSpace(*p.Category)
		if len([]rune(c)) > 100 {
			return t, nil, errs.Field("category", "too_long", "at most 100 characters")
		}
		add("category", t.Category, c)
	}
	if p.ClearDepartment && t.DepartmentID != nil {
		add("department_id", *t.DepartmentID, nil)
	} else if p.DepartmentID != nil && (t.DepartmentID == nil || *t.DepartmentID != *p.DepartmentID) {
		if !exists(ctx, q, "departments", *p.DepartmentID) {
			return t, nil, errs.Field("department_id", "invalid", "unknown department %d", *p.DepartmentID)
		}
		add("department_id", ptrVal(t.DepartmentID), *p.DepartmentID)
	}
	if p.ClearAssignee && t.AssigneeID != nil {
		add("assignee_id", *t.AssigneeID, nil)
	} else if p.AssigneeID != nil && (t.AssigneeID == nil || *t.AssigneeID != *p.AssigneeID) {
		if !exists(ctx, q, "users", *p.AssigneeID) {
			return t, nil, errs.Field("assignee_id", "invalid", "unknown user %d", *p.AssigneeID)
		}
		add("assignee_id", ptrVal(t.AssigneeID), *p.AssigneeID)
	}
	if p.Tags != nil {
		tags, err := NormaliseTags(*p.Tags)
		if err != nil {
			return t, nil, err
		}
		if strings.Join(tags, ",") != strings.Join(t.Tags, ",") || len(tags) != len(t.Tags) {
			if err := setTags(ctx, q, id, tags); err != nil {
				return t, nil, err
			}
			changes = append(changes, Change{"tags", t.Tags, tags})
		}
	}
	if len(changes) == 0 {
		return t, nil, nil
	}
	args = append(args, db.Now())
	set = append(set, fmt.Sprintf("updated_at = $%d", len(args)))
	args = append(args, id)
	if _, err := q.ExecContext(ctx, "UPDATE tickets SET "+strings.Join(set, ", ")+fmt.Sprintf(" WHERE id = $%d", len(args)), args...); err != nil {
		return t, nil, err
	}
	t, err = Get(ctx, q, id)
	return t, changes, err
}

func ptrVal(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func isForeignKeyViolation(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "FOREIGN KEY constraint failed") || strings.Contains(err.Error(), "SQLSTATE 23503"))
}

// exists checks a row by id in a fixed table name (never user input).
func exists(ctx context.Context, q db.Querier, table string, id int64) bool {
	var n int
	q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id = $1", id).Scan(&n)
	return n > 0
}

// ForSupporter lists a supporter's tickets, newest first.
func ForSupporter(ctx context.Context, q db.Querier, supporterID int64, limit int) ([]Ticket, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+ticketCols+ticketFrom+" WHERE t.supporter_id = $1 ORDER BY t.created_at DESC, t.id DESC LIMIT $2", supporterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
