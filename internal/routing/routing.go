package routing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/ticket"
)

// Rule is one ordered routing rule.
type Rule struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Position     int    `json:"position"`
	Active       bool   `json:"active"`
	Match        Match  `json:"match"`
	DepartmentID int64  `json:"department_id"`
	// SetCategory and SetPriority, when not empty, are applied too.
	SetCategory string `json:"set_category"`
	SetPriority string `json:"set_priority"`
}

// Match lists what a rule applies to; an empty list matches anything, and
// keywords match when any one appears in the subject or first message.
type Match struct {
	Channels   []string `json:"channels"`
	MailboxIDs []int64  `json:"mailbox_ids"`
	Keywords   []string `json:"keywords"`
	Categories []string `json:"categories"`
	Languages  []string `json:"languages"`
	// Segments of the supporter (internal/segment); any one matches.
	Segments []string `json:"segments"`
}

// Facts of a new ticket that rules look at.
type Facts struct {
	Channel, Category, Language string
	MailboxID                   int64
	Text                        string // subject and first message
	Segments                    []string
}

// Matches reports whether the rule applies.
func (r *Rule) Matches(f Facts) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	if !r.Active || !in(r.Match.Channels, f.Channel) || !in(r.Match.Categories, f.Category) || !in(r.Match.Languages, f.Language) {
		return false
	}
	if len(r.Match.MailboxIDs) > 0 && !slices.Contains(r.Match.MailboxIDs, f.MailboxID) {
		return false
	}
	if len(r.Match.Segments) > 0 && !slices.ContainsFunc(r.Match.Segments, func(s string) bool { return slices.Contains(f.Segments, s) }) {
		return false
	}
	if len(r.Match.Keywords) > 0 {
		text := strings.ToLower(f.Text)
		if !slices.ContainsFunc(r.Match.Keywords, func(k string) bool { return strings.Contains(text, strings.ToLower(k)) }) {
			return false
		}
	}
	return true
}

const ruleCols = `id, name, position, active, match_channels, match_mailboxes, match_keywords, match_categories, match_languages,
	match_segments, department_id, set_category, set_priority`

func split(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func scanRule(row interface{ Scan(...any) error }) (*Rule, error) {
	r := &Rule{}
	var active int
	var ch, mb, kw, cat, lang, seg string
	err := row.Scan(&r.ID, &r.Name, &r.Position, &active, &ch, &mb, &kw, &cat, &lang, &seg, &r.DepartmentID, &r.SetCategory, &r.SetPriority)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.Active = active != 0
	r.Match = Match{Channels: split(ch), Keywords: split(kw), Categories: split(cat), Languages: split(lang), Segments: split(seg), MailboxIDs: []int64{}}
	for _, s := range split(mb) {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			r.Match.MailboxIDs = append(r.Match.MailboxIDs, id)
		}
	}
	return r, nil
}

// Rules lists the rules in the order they are tried.
func Rules(ctx context.Context, q db.Querier) ([]*Rule, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+ruleCols+" FROM routing_rules ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("routing: rules: %w", err)
	}
	defer rows.Close()
	out := []*Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetRule reads one rule.
func GetRule(ctx context.Context, q db.Querier, id int64) (*Rule, error) {
	return scanRule(q.QueryRowContext(ctx, "SELECT "+ruleCols+" FROM routing_rules WHERE id = $1", id))
}

func (r *Rule) validate(ctx context.Context, q db.Querier) error {
	if r.Name = strings.TrimSpace(r.Name); r.Name == "" {
		return errs.Field("name", "required", "a rule needs a name")
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM departments WHERE id = $1", r.DepartmentID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("department_id", "invalid", "unknown department %d", r.DepartmentID)
	}
	for _, c := range r.Match.Channels {
		if !slices.Contains(ticket.Channels, c) {
			return errs.Field("match.channels", "invalid", "%q is not one of %s", c, strings.Join(ticket.Channels, ", "))
		}
	}
	for _, k := range append(append([]string{}, r.Match.Keywords...), r.Match.Categories...) {
		if strings.Contains(k, ",") {
			return errs.Field("match.keywords", "invalid", "%q: a keyword or category cannot contain a comma", k)
		}
	}
	for _, sg := range r.Match.Segments {
		if !slices.Contains(segment.All, sg) {
			return errs.Field("match.segments", "invalid", "%q is not one of %s", sg, strings.Join(segment.All, ", "))
		}
	}
	if r.SetPriority != "" && !slices.Contains(ticket.Priorities, r.SetPriority) {
		return errs.Field("set_priority", "invalid", "priority must be one of %s", strings.Join(ticket.Priorities, ", "))
	}
	return nil
}

func (r *Rule) args() []any {
	mb := make([]string, len(r.Match.MailboxIDs))
	for i, id := range r.Match.MailboxIDs {
		mb[i] = strconv.FormatInt(id, 10)
	}
	active := 0
	if r.Active {
		active = 1
	}
	j := func(l []string) string { return strings.Join(l, ",") }
	return []any{r.Name, r.Position, active, j(r.Match.Channels), j(mb), j(r.Match.Keywords), j(r.Match.Categories),
		j(r.Match.Languages), j(r.Match.Segments), r.DepartmentID, strings.TrimSpace(r.SetCategory), r.SetPriority}
}

// CreateRule validates and stores a rule.
func CreateRule(ctx context.Context, q db.Querier, r *Rule) (*Rule, error) {
	if err := r.validate(ctx, q); err != nil {
		return nil, err
	}
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO routing_rules (name, position, active, match_channels, match_mailboxes, match_keywords,
		match_categories, match_languages, match_segments, department_id, set_category, set_priority, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`, append(r.args(), db.Now())...).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("routing: create rule: %w", err)
	}
	return GetRule(ctx, q, id)
}

// UpdateRule validates and saves a rule.
func UpdateRule(ctx context.Context, q db.Querier, r *Rule) (*Rule, error) {
	if err := r.validate(ctx, q); err != nil {
		return nil, err
	}
	res, err := q.ExecContext(ctx, `UPDATE routing_rules SET name = $1, position = $2, active = $3, match_channels = $4,
		match_mailboxes = $5, match_keywords = $6, match_categories = $7, match_languages = $8, match_segments = $9,
		department_id = $10, set_category = $11, set_priority = $12, updated_at = $13 WHERE id = $14`, append(r.args(), db.Now(), r.ID)...)
	if err != nil {
		return nil, fmt.Errorf("routing: update rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.ErrNotFound
	}
	return GetRule(ctx, q, r.ID)
}

// SetCategoryOwner makes a department own a category (0 releases it).
func SetCategoryOwner(ctx context.Context, q db.Querier, category string, departmentID int64) error {
	category = strings.TrimSpace(category)
	if category == "" {
		return errs.Field("category", "required", "a category is required")
	}
	if departmentID == 0 {
		_, err := q.ExecContext(ctx, "DELETE FROM department_categories WHERE category = $1", category)
		return err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO department_categories (category, department_id) VALUES ($1, $2)
		ON CONFLICT (category) DO UPDATE SET department_id = EXCLUDED.department_id`, category, departmentID)
	return err
}

// SetStrategy sets how a department assigns its tickets.
func SetStrategy(ctx context.Context, q db.Querier, departmentID int64, strategy string) error {
	if !slices.Contains(Strategies, strategy) {
		return errs.Field("strategy", "invalid", "strategy must be one of %s", strings.Join(Strategies, ", "))
	}
	_, err := q.ExecContext(ctx, `INSERT INTO department_routing (department_id, strategy) VALUES ($1, $2)
		ON CONFLICT (department_id) DO UPDATE SET strategy = EXCLUDED.strategy`, departmentID, strategy)
	return err
}

// Router routes new tickets (a ticket.Hook) and transfers tickets.
type Router struct {
	DB   *db.DB
	Live live.Broker
	// Now is the clock for working hours (tests fix it); nil means time.Now.
	Now func() time.Time
}

func (rt *Router) now() time.Time {
	if rt.Now != nil {
		return rt.Now()
	}
	return time.Now()
}

// Hook routes a ticket when it is created without a department or an
// assignee: the first matching rule (else the category's owner) gives the
// department, whose strategy picks the agent. It runs inside the creating
// transaction, before the SLA hook, so policies see the department.
func (rt *Router) Hook(ctx context.Context, tx *sql.Tx, e live.Event) error {
	if e.Type != "ticket.created" || e.TicketID == 0 {
		return nil
	}
	var f Facts
	var dept, assignee, mailbox sql.NullInt64
	var subject string
	var supporterID int64
	err := tx.QueryRowContext(ctx, `SELECT t.channel, t.category, t.language, t.mailbox_id, t.department_id, t.assignee_id, t.subject,
		t.supporter_id, COALESCE((SELECT m.body_text FROM messages m WHERE m.ticket_id = t.id ORDER BY m.id LIMIT 1), '')
		FROM tickets t WHERE t.id = $1`, e.TicketID).Scan(&f.Channel, &f.Category, &f.Language, &mailbox, &dept, &assignee, &subject,
		&supporterID, &f.Text)
	if err != nil {
		return fmt.Errorf("routing: facts: %w", err)
	}
	if assignee.Valid {
		return nil // someone chose already
	}
	f.MailboxID = mailbox.Int64
	f.Text = subject + "\n" + f.Text
	var p ticket.Patch
	detail := map[string]any{}
	if !dept.Valid {
		rules, err := Rules(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if len(r.Match.Segments) > 0 && f.Segments == nil {
				// Segments cost a giving summary: read them only for a rule that asks.
				if f.Segments, err = segment.Of(ctx, tx, supporterID); err != nil {
					return err
				}
				if f.Segments == nil {
					f.Segments = []string{}
				}
			}
			if r.Matches(f) {
				dept = sql.NullInt64{Int64: r.DepartmentID, Valid: true}
				detail["rule_id"] = r.ID
				if r.SetCategory != "" && f.Category == "" {
					p.Category = &r.SetCategory
				}
				if r.SetPriority != "" {
					p.Priority = &r.SetPriority
				}
				break
			}
		}
		if !dept.Valid && f.Category != "" {
			err := tx.QueryRowContext(ctx, "SELECT department_id FROM department_categories WHERE category = $1", f.Category).Scan(&dept)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if dept.Valid {
				detail["category"] = f.Category
			}
		}
		if !dept.Valid {
			return nil
		}
		p.DepartmentID = &dept.Int64
	}
	agent, err := assignIn(ctx, tx, dept.Int64, f.Language, rt.now())
	if err != nil {
		return err
	}
	if agent != 0 {
		p.AssigneeID = &agent
	} else {
		detail["unassigned"] = "nobody_available"
	}
	_, changes, err := ticket.Update(ctx, tx, e.TicketID, p)
	if err != nil || len(changes) == 0 {
		return err
	}
	for _, c := range changes {
		detail[c.Field] = c.To
	}
	return audit.Record(ctx, tx, audit.Actor{Name: "routing"}, "ticket.route", "ticket", e.TicketID, detail)
}

// assignIn picks an agent in a department by its strategy and moves the
// round-robin cursor; 0 when nobody is available (away, off shift).
func assignIn(ctx context.Context, tx *sql.Tx, deptID int64, lang string, now time.Time) (int64, error) {
	strategy, last := RoundRobin, int64(0)
	err := tx.QueryRowContext(ctx, "SELECT strategy, last_user_id FROM department_routing WHERE department_id = $1", deptID).Scan(&strategy, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if strategy == Manual {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT u.id, COALESCE(r.languages, ''), COALESCE(r.away, 0), COALESCE(r.calendar_id, 0),
		(SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status_group IN ('open', 'pending'))
		FROM users u JOIN user_departments ud ON ud.user_id = u.id LEFT JOIN user_routing r ON r.user_id = u.id
		WHERE ud.department_id = $1 AND u.active = $2 ORDER BY u.id`, deptID, true)
	if err != nil {
		return 0, err
	}
	var cands []Candidate
	var cals []int64
	for rows.Next() {
		var c Candidate
		var langs string
		var away int
		var cal int64
		if err := rows.Scan(&c.UserID, &langs, &away, &cal, &c.Load); err != nil {
			rows.Close()
			return 0, err
		}
		c.Languages, c.Away = split(langs), away != 0
		cands = append(cands, c)
		cals = append(cals, cal)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sh := shifts{ctx: ctx, q: tx, now: now}
	for i := range cands {
		on, err := sh.on(cals[i])
		if err != nil {
			return 0, err
		}
		cands[i].OffShift = !on
	}
	id := Pick(strategy, cands, lang, last)
	if id == 0 {
		return 0, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO department_routing (department_id, strategy, last_user_id) VALUES ($1, $2, $3)
		ON CONFLICT (department_id) DO UPDATE SET last_user_id = EXCLUDED.last_user_id`, deptID, strategy, id)
	return id, err
}

// Transfer moves a ticket to another department with an internal note
// saying why, and assigns it there by the department's strategy. hooks are
// the ticket hooks to run (SLA, search).
func (rt *Router) Transfer(ctx context.Context, actor audit.Actor, ticketID, deptID int64, note string, hooks []ticket.Hook) (ticket.Ticket, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return ticket.Ticket{}, errs.Field("note", "required", "say why the ticket is transferred")
	}
	var t ticket.Ticket
	err := rt.DB.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, "SELECT name FROM departments WHERE id = $1", deptID).Scan(&name); errors.Is(err, sql.ErrNoRows) {
			return errs.Field("department_id", "invalid", "unknown department %d", deptID)
		} else if err != nil {
			return err
		}
		cur, err := ticket.Get(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		lang := cur.Language
		p := ticket.Patch{DepartmentID: &deptID, ClearAssignee: true}
		agent, err := assignIn(ctx, tx, deptID, lang, rt.now())
		if err != nil {
			return err
		}
		if agent != 0 {
			p.ClearAssignee, p.AssigneeID = false, &agent
		}
		if t, _, err = ticket.Update(ctx, tx, ticketID, p); err != nil {
			return err
		}
		var author *int64
		if actor.UserID != 0 {
			author = &actor.UserID
		}
		m, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: ticketID, Direction: ticket.Note, AuthorUserID: author,
			BodyText: "→ " + name + ": " + note})
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, "ticket.transfer", "ticket", ticketID, map[string]any{
			"department_id": deptID, "assignee_id": agent, "message_id": m.ID}); err != nil {
			return err
		}
		e := live.Event{Type: "ticket.updated", TicketID: ticketID, ActorID: actor.UserID}
		for _, h := range hooks {
			if err := h(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && rt.Live != nil {
		rt.Live.Publish(ctx, live.Event{Type: "ticket.updated", TicketID: ticketID, ActorID: actor.UserID})
	}
	return t, err
}
