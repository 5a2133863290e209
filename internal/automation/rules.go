package automation

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/ticket"
)

// numericFields take numbers (gte/lte compare them).
var numericFields = append(slices.Clone(TimeFields), "supporter.since_days", "supporter.gift_count", "supporter.giving_total")

// MaxTimeHours bounds a time rule's threshold (ten years).
const MaxTimeHours = 87_600

// Validate checks a rule before it is saved. Errors name the field:
// "name", "event", "conditions.2" (the second condition), "actions.1"…
func (r *Rule) Validate() error {
	if r.Name = strings.TrimSpace(r.Name); r.Name == "" {
		return errs.Field("name", "required", "a rule needs a name")
	}
	if utf8.RuneCountInString(r.Name) > 200 {
		return errs.Field("name", "too_long", "at most 200 characters")
	}
	if !slices.Contains(Events, r.Event) {
		return errs.Field("event", "invalid", "event must be one of %s", strings.Join(Events, ", "))
	}
	for i, c := range r.Conditions {
		field := fmt.Sprintf("conditions.%d", i+1)
		if !slices.Contains(Fields, c.Field) {
			return errs.Field(field, "invalid", "condition %d: field one of %s", i+1, strings.Join(Fields, ", "))
		}
		if !slices.Contains(Ops, c.Op) {
			return errs.Field(field, "invalid", "condition %d: op one of %s", i+1, strings.Join(Ops, ", "))
		}
		if c.Field == "sla_target" {
			if err := checkSLATarget(r.Event, c, i+1); err != nil {
				return err
			}
		}
		if numericOps[c.Op] {
			if !slices.Contains(numericFields, c.Field) {
				return errs.Field(field, "invalid", "condition %d: %s compares numbers; %s is not one", i+1, c.Op, c.Field)
			}
			if _, err := strconv.ParseFloat(strings.TrimSpace(c.Value), 64); err != nil {
				return errs.Field(field, "invalid", "condition %d: a number is required", i+1)
			}
		}
	}
	if r.Event == Time {
		if _, hours, ok := r.anchor(); !ok {
			return errs.Field("conditions", "required", "a time rule needs a condition \"hours_since_… gte N\" (whole hours, 1 to %d)", MaxTimeHours)
		} else if hours < 1 || hours > MaxTimeHours {
			return errs.Field("conditions", "invalid", "hours must be between 1 and %d", MaxTimeHours)
		}
	}
	if len(r.Actions) == 0 {
		return errs.Field("actions", "required", "a rule needs at least one action")
	}
	if r.WebhookSecret != "" && (len(r.WebhookSecret) < 16 || len(r.WebhookSecret) > 200) {
		return errs.Field("webhook_secret", "invalid", "a webhook secret has 16 to 200 characters")
	}
	for i, a := range r.Actions {
		if err := a.validate(i + 1); err != nil {
			return err
		}
	}
	return nil
}

// checkSLATarget allows sla_target on SLA events only, compared with the
// names of SLA targets.
func checkSLATarget(event string, c Condition, i int) error {
	field := fmt.Sprintf("conditions.%d", i)
	if !isSLAEvent(event) {
		return errs.Field(field, "invalid", "condition %d: sla_target applies to %s and %s rules only", i, SLAWarning, SLABreach)
	}
	var vals []string
	switch c.Op {
	case "eq", "ne":
		vals = []string{strings.TrimSpace(c.Value)}
	case "in":
		vals = strings.Split(c.Value, ",")
	case "empty", "not_empty", "contains", "not_contains":
		return nil
	}
	for _, v := range vals {
		if !slices.Contains(sla.Targets, strings.TrimSpace(v)) {
			return errs.Field(field, "invalid", "condition %d: sla_target is one of %s", i, strings.Join(sla.Targets, ", "))
		}
	}
	return nil
}

// anchor is a time rule's moment and threshold: its first condition
// "hours_since_… gte N" with a whole number.
func (r *Rule) anchor() (field string, hours int, ok bool) {
	for _, c := range r.Conditions {
		if slices.Contains(TimeFields, c.Field) && c.Op == "gte" {
			n, err := strconv.Atoi(strings.TrimSpace(c.Value))
			if err != nil {
				continue
			}
			return c.Field, n, true
		}
	}
	return "", 0, false
}

func (a Action) validate(i int) error {
	field := fmt.Sprintf("actions.%d", i)
	if !slices.Contains(ActionTypes, a.Type) {
		return errs.Field(field, "invalid", "action %d: type one of %s", i, strings.Join(ActionTypes, ", "))
	}
	switch a.Type {
	case "set_priority":
		if !slices.Contains(ticket.Priorities, a.Value) {
			return errs.Field(field, "invalid", "action %d: priority one of %s", i, strings.Join(ticket.Priorities, ", "))
		}
	case "set_status":
		if !ticket.Status(a.Value).Valid() {
			return errs.Field(field, "invalid", "action %d: unknown status %q", i, a.Value)
		}
	case "set_type":
		if !slices.Contains(ticket.Types, a.Value) {
			return errs.Field(field, "invalid", "action %d: type one of %s", i, strings.Join(ticket.Types, ", "))
		}
	case "assign", "set_department", "send_canned_reply":
		if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil {
			return errs.Field(field, "invalid", "action %d: an id is required", i)
		}
	case "notify":
		if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil && a.Value != NotifyAssignee && a.Value != NotifySupervisor {
			return errs.Field(field, "invalid", "action %d: assignee, supervisor or a user id", i)
		}
	case "webhook":
		if err := checkWebhookURL(a.Value); err != nil {
			return errs.Field(field, "invalid", "action %d: %v", i, err)
		}
	case "add_tag", "remove_tag", "add_note":
		if strings.TrimSpace(a.Value) == "" {
			return errs.Field(field, "required", "action %d: a value is required", i)
		}
	}
	return nil
}

// checkWebhookURL allows absolute http and https URLs only.
func checkWebhookURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2000 {
		return errors.New("an absolute http:// or https:// URL is required")
	}
	return nil
}

// checkRefs checks what the actions name exists: the macro, the user, the department.
func checkRefs(ctx context.Context, q db.Querier, r *Rule) error {
	for i, a := range r.Actions {
		table := map[string]string{"assign": "users", "set_department": "departments", "send_canned_reply": "macros", "notify": "users"}[a.Type]
		id, err := strconv.ParseInt(a.Value, 10, 64)
		if table == "" || err != nil {
			continue
		}
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id = $1", id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Field(fmt.Sprintf("actions.%d", i+1), "unknown", "action %d: no such %s %d", i+1, strings.TrimSuffix(table, "s"), id)
		}
	}
	return nil
}

// NewWebhookSecret returns a random signing secret.
func NewWebhookSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

func (r *Rule) hasWebhook() bool {
	return slices.ContainsFunc(r.Actions, func(a Action) bool { return a.Type == "webhook" })
}

const ruleCols = "id, name, position, active, event, conditions, actions, webhook_secret, updated_at"

func scanRule(row interface{ Scan(...any) error }) (*Rule, error) {
	r := &Rule{}
	var active int
	var conds, acts string
	err := row.Scan(&r.ID, &r.Name, &r.Position, &active, &r.Event, &conds, &acts, &r.WebhookSecret, &r.version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.Active = active != 0
	if err := json.Unmarshal([]byte(conds), &r.Conditions); err != nil {
		return nil, fmt.Errorf("automation: rule %d conditions: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(acts), &r.Actions); err != nil {
		return nil, fmt.Errorf("automation: rule %d actions: %w", r.ID, err)
	}
	if r.Conditions == nil {
		r.Conditions = []Condition{}
	}
	if r.Actions == nil {
		r.Actions = []Action{}
	}
	for _, c := range r.Conditions {
		r.needs |= needOf(c.Field)
	}
	return r, nil
}

// Rules lists the rules in the order they run.
func Rules(ctx context.Context, q db.Querier) ([]*Rule, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+ruleCols+" FROM automation_rules ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("automation: rules: %w", err)
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
	return scanRule(q.QueryRowContext(ctx, "SELECT "+ruleCols+" FROM automation_rules WHERE id = $1", id))
}

// SaveRule validates and creates (ID 0) or updates a rule. A rule with a
// webhook and no secret gets one. Saving a time rule restarts its reading
// (from Lookback ago): tickets it already fired for are not fired again.
func SaveRule(ctx context.Context, q db.Querier, r *Rule) (*Rule, error) {
	if r.Conditions == nil {
		r.Conditions = []Condition{}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if err := checkRefs(ctx, q, r); err != nil {
		return nil, err
	}
	if r.hasWebhook() && r.WebhookSecret == "" {
		r.WebhookSecret = NewWebhookSecret()
	}
	conds, _ := json.Marshal(r.Conditions)
	acts, _ := json.Marshal(r.Actions)
	now := db.Now()
	if r.ID == 0 {
		err := q.QueryRowContext(ctx, `INSERT INTO automation_rules (name, position, active, event, conditions, actions, webhook_secret, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			r.Name, r.Position, boolInt(r.Active), r.Event, string(conds), string(acts), r.WebhookSecret, now).Scan(&r.ID)
		if err != nil {
			return nil, fmt.Errorf("automation: create rule: %w", err)
		}
		return GetRule(ctx, q, r.ID)
	}
	res, err := q.ExecContext(ctx, `UPDATE automation_rules SET name = $1, position = $2, active = $3, event = $4, conditions = $5,
		actions = $6, webhook_secret = $7, updated_at = $8, time_cursor_at = NULL, time_cursor_id = NULL WHERE id = $9`,
		r.Name, r.Position, boolInt(r.Active), r.Event, string(conds), string(acts), r.WebhookSecret, now, r.ID)
	if err != nil {
		return nil, fmt.Errorf("automation: update rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.ErrNotFound
	}
	return GetRule(ctx, q, r.ID)
}

// SetActive switches a rule on or off.
func SetActive(ctx context.Context, q db.Querier, id int64, active bool) error {
	res, err := q.ExecContext(ctx, "UPDATE automation_rules SET active = $1, updated_at = $2 WHERE id = $3", boolInt(active), db.Now(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// DeleteRule removes a rule. Its time-rule firings and webhook calls go with
// it (ON DELETE CASCADE): a call not yet delivered is not sent, as it could
// no longer be signed. What the rule did stays in the tickets' audit log.
// Every node's cached rules notice (the count changes).
func DeleteRule(ctx context.Context, q db.Querier, id int64) error {
	res, err := q.ExecContext(ctx, "DELETE FROM automation_rules WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("automation: delete rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// Move moves a rule one place earlier (by -1) or later (by 1) in the order
// and renumbers every rule's position 10, 20, 30…
func Move(ctx context.Context, q db.Querier, id int64, by int) error {
	rs, err := Rules(ctx, q)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(rs, func(r *Rule) bool { return r.ID == id })
	if i < 0 {
		return errs.ErrNotFound
	}
	if j := i + by; j >= 0 && j < len(rs) && by != 0 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	now := db.Now()
	for k, r := range rs {
		if r.Position == (k+1)*10 {
			continue
		}
		if _, err := q.ExecContext(ctx, "UPDATE automation_rules SET position = $1, updated_at = $2 WHERE id = $3", (k+1)*10, now, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
