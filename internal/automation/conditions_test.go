package automation

import (
	"errors"
	"testing"

	"github.com/steward-desk/steward/internal/errs"
)

func TestConditionHolds(t *testing.T) {
	f := Facts{"status": "pending", "priority": "high", "tags": "receipt,vip", "subject": "領収書の再発行",
		"language": "ja", "assignee_id": "", "hours_since_status_change": "73", "hours_since_agent_reply": "",
		"supporter.segments": "monthly,major", "supporter.tags": "", "supporter.giving_total": "120000",
		"supporter.giving_currency": "JPY", "supporter.since_days": "400", "supporter.language": "zh"}
	for _, tc := range []struct {
		c    Condition
		want bool
	}{
		{Condition{"status", "eq", "pending"}, true},
		{Condition{"status", "ne", "pending"}, false},
		{Condition{"status", "in", "open, pending"}, true},
		{Condition{"status", "in", "new,open"}, false},
		{Condition{"tags", "eq", "vip"}, true},
		{Condition{"tags", "eq", "vi"}, false}, // membership, not substring
		{Condition{"tags", "ne", "urgent"}, true},
		{Condition{"tags", "in", "urgent, receipt"}, true},
		{Condition{"subject", "contains", "再発行"}, true},
		{Condition{"subject", "not_contains", "再発行"}, false},
		{Condition{"assignee_id", "empty", ""}, true},
		{Condition{"priority", "not_empty", ""}, true},
		{Condition{"hours_since_status_change", "gte", "72"}, true},
		{Condition{"hours_since_status_change", "gte", "74"}, false},
		{Condition{"hours_since_status_change", "lte", "73"}, true},
		{Condition{"hours_since_agent_reply", "gte", "0"}, false}, // never replied: no number
		{Condition{"hours_since_agent_reply", "lte", "1000"}, false},
		{Condition{"hours_since_agent_reply", "empty", ""}, true},
		{Condition{"supporter.segments", "eq", "major"}, true},
		{Condition{"supporter.segments", "eq", "lapsed"}, false},
		{Condition{"supporter.segments", "ne", "lapsed"}, true},
		{Condition{"supporter.tags", "eq", "volunteer"}, false},
		{Condition{"supporter.tags", "in", "volunteer"}, false},
		{Condition{"supporter.giving_total", "gte", "100000"}, true},
		{Condition{"supporter.giving_total", "lte", "99999.5"}, false},
		{Condition{"supporter.giving_currency", "eq", "JPY"}, true},
		{Condition{"supporter.since_days", "gte", "365"}, true},
		{Condition{"supporter.language", "in", "zh,ja"}, true},
		{Condition{"supporter.language", "eq", "en"}, false},
		{Condition{"supporter.gift_count", "gte", "1"}, false}, // not loaded: no number
		{Condition{"status", "explode", "x"}, false},
	} {
		if got := tc.c.Holds(f); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.c, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := []Action{{Type: "add_tag", Value: "x"}}
	for _, tc := range []struct {
		name  string
		r     Rule
		field string // "" = valid
	}{
		{"event rule", Rule{Name: "a", Event: TicketCreated, Actions: ok}, ""},
		{"no name", Rule{Name: " ", Event: TicketCreated, Actions: ok}, "name"},
		{"bad event", Rule{Name: "a", Event: "ticket.exploded", Actions: ok}, "event"},
		{"bad field", Rule{Name: "a", Event: TicketCreated, Conditions: []Condition{{"status", "eq", "new"}, {"colour", "eq", "red"}}, Actions: ok}, "conditions.2"},
		{"gte on text", Rule{Name: "a", Event: TicketCreated, Conditions: []Condition{{"subject", "gte", "3"}}, Actions: ok}, "conditions.1"},
		{"gte not a number", Rule{Name: "a", Event: TicketCreated, Conditions: []Condition{{"supporter.giving_total", "gte", "lots"}}, Actions: ok}, "conditions.1"},
		{"time rule", Rule{Name: "a", Event: Time, Conditions: []Condition{{"hours_since_status_change", "gte", "72"}}, Actions: ok}, ""},
		{"time rule without hours", Rule{Name: "a", Event: Time, Conditions: []Condition{{"status", "eq", "pending"}}, Actions: ok}, "conditions"},
		{"time rule, zero hours", Rule{Name: "a", Event: Time, Conditions: []Condition{{"hours_since_created", "gte", "0"}}, Actions: ok}, "conditions"},
		{"no actions", Rule{Name: "a", Event: TicketCreated}, "actions"},
		{"bad priority", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"add_tag", "x"}, {"set_priority", "whenever"}}}, "actions.2"},
		{"canned reply needs an id", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"send_canned_reply", "thanks"}}}, "actions.1"},
		{"notify assignee", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"notify", "assignee"}}}, ""},
		{"notify someone", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"notify", "the boss"}}}, "actions.1"},
		{"webhook https", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"webhook", "https://hooks.example.org/steward"}}}, ""},
		{"webhook file", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"webhook", "file:///etc/passwd"}}}, "actions.1"},
		{"webhook relative", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"webhook", "/hooks"}}}, "actions.1"},
		{"empty note", Rule{Name: "a", Event: TicketCreated, Actions: []Action{{"add_note", " "}}}, "actions.1"},
		{"sla breach on a target", Rule{Name: "a", Event: SLABreach, Conditions: []Condition{{"sla_target", "eq", "first_response"}}, Actions: ok}, ""},
		{"sla warning, targets", Rule{Name: "a", Event: SLAWarning, Conditions: []Condition{{"sla_target", "in", "next_response, resolution"}}, Actions: ok}, ""},
		{"sla target unknown", Rule{Name: "a", Event: SLABreach, Conditions: []Condition{{"sla_target", "eq", "first_reply"}}, Actions: ok}, "conditions.1"},
		{"sla target on a ticket event", Rule{Name: "a", Event: TicketUpdated, Conditions: []Condition{{"status", "eq", "open"}, {"sla_target", "eq", "resolution"}}, Actions: ok}, "conditions.2"},
	} {
		err := tc.r.Validate()
		var inv *errs.Invalid
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &inv) || inv.Field != tc.field):
			t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
		}
	}
}
