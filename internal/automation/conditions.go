package automation

import (
	"slices"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/ticket"
)

// Condition compares a fact about the ticket (or its supporter) with a value.
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"` // eq, ne, in, contains, not_contains, empty, not_empty, gte, lte
	Value string `json:"value"`
}

// Fields conditions may name, in three groups (and the SLA event's target): the ticket's own fields
// (always at hand), hours since a moment of the ticket, and the supporter's
// fields. The last two are read only when a rule that is being evaluated
// names them, so rules that do not pay nothing for them.
var (
	TicketFields = []string{"status", "priority", "type", "category", "channel", "language", "tags", "subject", "body",
		"department_id", "assignee_id", "direction"}
	// TimeFields are whole hours since the ticket was created, its status
	// last changed, the supporter last wrote, staff last replied (empty
	// when that never happened). A time rule counts from one of them.
	TimeFields = []string{"hours_since_created", "hours_since_status_change", "hours_since_supporter_message", "hours_since_agent_reply"}
	// SupporterFields: language; tags and segments (lists: eq/ne/in test
	// membership); since_days (days since they became a supporter);
	// gift_count; giving_total in major units of giving_currency, their main
	// currency (lifetime totals are never added across currencies).
	SupporterFields = []string{"supporter.language", "supporter.tags", "supporter.segments", "supporter.since_days",
		"supporter.gift_count", "supporter.giving_total", "supporter.giving_currency"}

	// SLAFields describe the SLA event a rule runs for: sla_target is the
	// target that reached its warning or due moment (first_response,
	// next_response, progress_update, resolution). Only sla.warning and
	// sla.breach rules may name it.
	SLAFields = []string{"sla_target"}

	Fields = slices.Concat(TicketFields, TimeFields, SupporterFields, SLAFields)
	Ops    = []string{"eq", "ne", "in", "contains", "not_contains", "empty", "not_empty", "gte", "lte"}
)

// listFields hold comma-separated lists: eq, ne and in test membership.
var listFields = map[string]bool{"tags": true, "supporter.tags": true, "supporter.segments": true}

// numericOps compare numbers; a missing or non-numeric fact never holds.
var numericOps = map[string]bool{"gte": true, "lte": true}

// Facts are what conditions look at: the ticket's fields, for message
// events the message, and (loaded on demand) time and supporter facts.
type Facts map[string]string

// FactsOf builds the ticket facts of a ticket (and the message body and direction).
func FactsOf(t ticket.Ticket, body, direction string) Facts {
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	return Facts{"status": string(t.Status), "priority": t.Priority, "type": t.Type, "category": t.Category, "channel": t.Channel,
		"language": t.Language, "tags": strings.Join(t.Tags, ","), "subject": t.Subject, "body": body,
		"department_id": id(t.DepartmentID), "assignee_id": id(t.AssigneeID), "direction": direction}
}

// Holds reports whether a condition holds.
func (c Condition) Holds(f Facts) bool {
	v := f[c.Field]
	list := listFields[c.Field]
	member := func(x string) bool { return v != "" && slices.Contains(strings.Split(v, ","), x) }
	switch c.Op {
	case "eq":
		if list {
			return member(c.Value)
		}
		return v == c.Value
	case "ne":
		if list {
			return !member(c.Value)
		}
		return v != c.Value
	case "in":
		for _, x := range strings.Split(c.Value, ",") {
			x = strings.TrimSpace(x)
			if (list && member(x)) || (!list && x == v) {
				return true
			}
		}
		return false
	case "contains":
		return strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
	case "not_contains":
		return !strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
	case "empty":
		return v == ""
	case "not_empty":
		return v != ""
	case "gte", "lte":
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(strings.TrimSpace(c.Value), 64)
		if v == "" || err1 != nil || err2 != nil {
			return false
		}
		if c.Op == "gte" {
			return a >= b
		}
		return a <= b
	}
	return false
}

// needs says which groups of facts a rule's conditions name.
type needs uint8

const (
	needTime needs = 1 << iota
	needSupporter
	needSupporterTags
	needGiving
)

func needOf(field string) needs {
	switch {
	case slices.Contains(TimeFields, field):
		return needTime
	case field == "supporter.tags":
		return needSupporterTags
	case field == "supporter.segments":
		return needSupporterTags | needGiving
	case field == "supporter.gift_count", field == "supporter.giving_total", field == "supporter.giving_currency":
		return needGiving
	case strings.HasPrefix(field, "supporter."):
		return needSupporter
	}
	return 0
}
