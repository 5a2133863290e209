// Package sla keeps the organisation's service-level promises: ordered
// policies say which targets (first response, next response, progress
// update, resolution) apply to a ticket on which business calendar; due
// times are computed when a ticket's facts change and stored per ticket and
// target; River jobs scheduled at the warning and breach moments notify and
// escalate. Nothing polls a table on a clock.
package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/ticket"
)

// Target names, in the order they are shown.
const (
	FirstResponse  = "first_response"
	NextResponse   = "next_response"
	ProgressUpdate = "progress_update"
	Resolution     = "resolution"
)

// Targets in display order.
var Targets = []string{FirstResponse, NextResponse, ProgressUpdate, Resolution}

// Who a step notifies.
const (
	NotifyAssignee   = "assignee"
	NotifySupervisor = "supervisor" // the department's supervisors
	NotifyLeadership = "leadership" // the organisation's admins
)

// Step is one escalation step, AfterMinutes after the breach.
type Step struct {
	AfterMinutes int    `json:"after_minutes"`
	Notify       string `json:"notify"`
}

// Escalation says whom warnings notify and how breaches escalate.
type Escalation struct {
	Warning []string `json:"warning"`
	Breach  []Step   `json:"breach"`
}

// DefaultEscalation: warn the assignee; at breach tell the assignee, an
// hour later the department's supervisor, four hours later leadership.
func DefaultEscalation() Escalation {
	return Escalation{Warning: []string{NotifyAssignee}, Breach: []Step{
		{0, NotifyAssignee}, {60, NotifySupervisor}, {240, NotifyLeadership}}}
}

// Match lists what a policy applies to; an empty list matches anything.
type Match struct {
	Channels      []string `json:"channels"`
	Types         []string `json:"types"`
	Priorities    []string `json:"priorities"`
	DepartmentIDs []int64  `json:"department_ids"`
	Languages     []string `json:"languages"`
	// Segments of the supporter (internal/segment): any one matches.
	Segments []string `json:"segments"`
}

// Policy is one ordered SLA policy.
type Policy struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Position   int    `json:"position"`
	Active     bool   `json:"active"`
	CalendarID int64  `json:"calendar_id"`
	Match      Match  `json:"match"`
	// Targets in business minutes; nil: no such target.
	FirstResponseMinutes *int `json:"first_response_minutes"`
	// FirstResponseFromOrg uses the organisation's promise (first_reply_minutes).
	FirstResponseFromOrg  bool       `json:"first_response_from_org"`
	NextResponseMinutes   *int       `json:"next_response_minutes"`
	ProgressUpdateMinutes *int       `json:"progress_update_minutes"`
	ResolutionMinutes     *int       `json:"resolution_minutes"`
	WarningPercent        int        `json:"warning_percent"`
	PauseStatuses         []string   `json:"pause_statuses"`
	Escalation            Escalation `json:"escalation"`

	calendarVersion int64
}

// Facts of a ticket that policies match on.
type Facts struct {
	Channel, Type, Priority, Language string
	DepartmentID                      *int64
	Segments                          []string
}

// Matches reports whether the policy applies to a ticket with these facts.
func (p *Policy) Matches(f Facts) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	if !p.Active || !in(p.Match.Channels, f.Channel) || !in(p.Match.Types, f.Type) ||
		!in(p.Match.Priorities, f.Priority) || !in(p.Match.Languages, f.Language) {
		return false
	}
	if len(p.Match.DepartmentIDs) > 0 && (f.DepartmentID == nil || !slices.Contains(p.Match.DepartmentIDs, *f.DepartmentID)) {
		return false
	}
	if len(p.Match.Segments) > 0 && !slices.ContainsFunc(p.Match.Segments, func(s string) bool { return slices.Contains(f.Segments, s) }) {
		return false
	}
	return true
}

// Pauses reports whether a ticket in status st stops the policy's clocks.
func (p *Policy) Pauses(st ticket.Status) bool { return slices.Contains(p.PauseStatuses, string(st)) }

// Budget returns a target's business minutes (orgMinutes for a first
// response that follows the organisation's promise), and whether it applies.
func (p *Policy) Budget(target string, orgMinutes int) (int, bool) {
	var m *int
	switch target {
	case FirstResponse:
		if p.FirstResponseFromOrg {
			return orgMinutes, true
		}
		m = p.FirstResponseMinutes
	case NextResponse:
		m = p.NextResponseMinutes
	case ProgressUpdate:
		m = p.ProgressUpdateMinutes
	case Resolution:
		m = p.ResolutionMinutes
	}
	if m == nil {
		return 0, false
	}
	return *m, true
}

const policyCols = `p.id, p.name, p.position, p.active, p.calendar_id, p.match_channels, p.match_types, p.match_priorities,
	p.match_departments, p.match_languages, p.match_segments, p.first_response_minutes, p.first_response_org,
	p.next_response_minutes, p.progress_update_minutes, p.resolution_minutes, p.warning_percent, p.pause_statuses,
	p.escalation, c.version`

const policyFrom = ` FROM sla_policies p JOIN business_calendars c ON c.id = p.calendar_id`

func scanPolicy(row interface{ Scan(...any) error }) (*Policy, error) {
	p := &Policy{}
	var active, fromOrg int
	var ch, ty, pr, dep, lang, seg, pause, esc string
	var fr, nr, pu, res sql.NullInt64
	err := row.Scan(&p.ID, &p.Name, &p.Position, &active, &p.CalendarID, &ch, &ty, &pr, &dep, &lang, &seg,
		&fr, &fromOrg, &nr, &pu, &res, &p.WarningPercent, &pause, &esc, &p.calendarVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.Active, p.FirstResponseFromOrg = active != 0, fromOrg != 0
	p.Match = Match{Channels: split(ch), Types: split(ty), Priorities: split(pr), Languages: split(lang), Segments: split(seg), DepartmentIDs: []int64{}}
	for _, s := range split(dep) {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			p.Match.DepartmentIDs = append(p.Match.DepartmentIDs, id)
		}
	}
	p.FirstResponseMinutes, p.NextResponseMinutes = intPtr(fr), intPtr(nr)
	p.ProgressUpdateMinutes, p.ResolutionMinutes = intPtr(pu), intPtr(res)
	p.PauseStatuses = split(pause)
	p.Escalation = DefaultEscalation()
	if esc != "" {
		if err := json.Unmarshal([]byte(esc), &p.Escalation); err != nil {
			return nil, fmt.Errorf("sla: policy %d escalation: %w", p.ID, err)
		}
	}
	if p.Escalation.Warning == nil {
		p.Escalation.Warning = []string{}
	}
	if p.Escalation.Breach == nil {
		p.Escalation.Breach = []Step{}
	}
	return p, nil
}

func split(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// Policies lists every policy in the order they are tried.
func Policies(ctx context.Context, q db.Querier) ([]*Policy, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+policyCols+policyFrom+" ORDER BY p.position, p.id")
	if err != nil {
		return nil, fmt.Errorf("sla: policies: %w", err)
	}
	defer rows.Close()
	out := []*Policy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetPolicy reads one policy.
func GetPolicy(ctx context.Context, q db.Querier, id int64) (*Policy, error) {
	return scanPolicy(q.QueryRowContext(ctx, "SELECT "+policyCols+policyFrom+" WHERE p.id = $1", id))
}

// Validate checks a policy before it is saved.
func (p *Policy) Validate(ctx context.Context, q db.Querier) error {
	if p.Name = strings.TrimSpace(p.Name); p.Name == "" {
		return errs.Field("name", "required", "a policy needs a name")
	}
	if len([]rune(p.Name)) > 200 {
		return errs.Field("name", "too_long", "at most 200 characters")
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM business_calendars WHERE id = $1", p.CalendarID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("calendar_id", "invalid", "unknown calendar %d", p.CalendarID)
	}
	check := func(field string, list, allowed []string) error {
		for _, v := range list {
			if !slices.Contains(allowed, v) {
				return errs.Field(field, "invalid", "%q is not one of %s", v, strings.Join(allowed, ", "))
			}
		}
		return nil
	}
	statuses := make([]string, len(ticket.Statuses))
	for i, s := range ticket.Statuses {
		statuses[i] = string(s)
	}
	if err := errors.Join(check("match.channels", p.Match.Channels, ticket.Channels), check("match.types", p.Match.Types, ticket.Types),
		check("match.priorities", p.Match.Priorities, ticket.Priorities), check("match.segments", p.Match.Segments, segment.All),
		check("pause_statuses", p.PauseStatuses, statuses)); err != nil {
		var inv *errs.Invalid
		errors.As(err, &inv)
		return inv
	}
	for _, m := range []struct {
		field string
		v     *int
	}{{"first_response_minutes", p.FirstResponseMinutes}, {"next_response_minutes", p.NextResponseMinutes},
		{"progress_update_minutes", p.ProgressUpdateMinutes}, {"resolution_minutes", p.ResolutionMinutes}} {
		if m.v != nil && (*m.v < 1 || *m.v > 60*24*365) {
			return errs.Field(m.field, "invalid", "between 1 minute and a year")
		}
	}
	if p.WarningPercent == 0 {
		p.WarningPercent = 75
	}
	if p.WarningPercent < 1 || p.WarningPercent > 99 {
		return errs.Field("warning_percent", "invalid", "between 1 and 99")
	}
	if len(p.Escalation.Warning) == 0 && len(p.Escalation.Breach) == 0 {
		p.Escalation = DefaultEscalation()
	}
	who := []string{NotifyAssignee, NotifySupervisor, NotifyLeadership}
	if err := check("escalation.warning", p.Escalation.Warning, who); err != nil {
		return err
	}
	for i, s := range p.Escalation.Breach {
		if !slices.Contains(who, s.Notify) {
			return errs.Field("escalation.breach", "invalid", "step %d: notify must be one of %s", i+1, strings.Join(who, ", "))
		}
		if s.AfterMinutes < 0 || (i > 0 && s.AfterMinutes < p.Escalation.Breach[i-1].AfterMinutes) {
			return errs.Field("escalation.breach", "invalid", "step %d: after_minutes must not be negative or before the previous step", i+1)
		}
	}
	return nil
}

func (p *Policy) args() []any {
	deps := make([]string, len(p.Match.DepartmentIDs))
	for i, d := range p.Match.DepartmentIDs {
		deps[i] = strconv.FormatInt(d, 10)
	}
	esc, _ := json.Marshal(p.Escalation)
	active, fromOrg := 0, 0
	if p.Active {
		active = 1
	}
	if p.FirstResponseFromOrg {
		fromOrg = 1
	}
	j := func(l []string) string { return strings.Join(l, ",") }
	return []any{p.Name, p.Position, active, p.CalendarID, j(p.Match.Channels), j(p.Match.Types), j(p.Match.Priorities),
		j(deps), j(p.Match.Languages), j(p.Match.Segments), nullInt(p.FirstResponseMinutes), fromOrg,
		nullInt(p.NextResponseMinutes), nullInt(p.ProgressUpdateMinutes), nullInt(p.ResolutionMinutes),
		p.WarningPercent, j(p.PauseStatuses), string(esc)}
}

// CreatePolicy validates and stores a new policy.
func CreatePolicy(ctx context.Context, q db.Querier, p *Policy) (*Policy, error) {
	if err := p.Validate(ctx, q); err != nil {
		return nil, err
	}
	now := db.Now()
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO sla_policies (name, position, active, calendar_id, match_channels, match_types,
		match_priorities, match_departments, match_languages, match_segments, first_response_minutes, first_response_org,
		next_response_minutes, progress_update_minutes, resolution_minutes, warning_percent, pause_statuses, escalation,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
		RETURNING id`, append(p.args(), now)...).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("sla: create policy: %w", err)
	}
	return GetPolicy(ctx, q, id)
}

// UpdatePolicy validates and saves a policy.
func UpdatePolicy(ctx context.Context, q db.Querier, p *Policy) (*Policy, error) {
	if err := p.Validate(ctx, q); err != nil {
		return nil, err
	}
	res, err := q.ExecContext(ctx, `UPDATE sla_policies SET name = $1, position = $2, active = $3, calendar_id = $4,
		match_channels = $5, match_types = $6, match_priorities = $7, match_departments = $8, match_languages = $9,
		match_segments = $10, first_response_minutes = $11, first_response_org = $12, next_response_minutes = $13,
		progress_update_minutes = $14, resolution_minutes = $15, warning_percent = $16, pause_statuses = $17,
		escalation = $18, updated_at = $19 WHERE id = $20`, append(p.args(), db.Now(), p.ID)...)
	if err != nil {
		return nil, fmt.Errorf("sla: update policy: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.ErrNotFound
	}
	return GetPolicy(ctx, q, p.ID)
}
