package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/ticket"
)

// Whom notify tells besides a user id.
const (
	NotifyAssignee   = sla.NotifyAssignee   // the assignee, else the department's supervisors
	NotifySupervisor = sla.NotifySupervisor // the department's supervisors, else every supervisor, else the admins
)

// patch turns the field actions into a ticket patch and notes to add.
func patch(t ticket.Ticket, actions []Action) (ticket.Patch, []string) {
	var p ticket.Patch
	var notes []string
	tags := append([]string{}, t.Tags...)
	tagsChanged := false
	for _, a := range actions {
		v := a.Value
		switch a.Type {
		case "set_priority":
			p.Priority = &v
		case "set_status":
			st := ticket.Status(v)
			p.Status = &st
		case "set_type":
			p.Type = &v
		case "set_category":
			p.Category = &v
		case "add_tag":
			if !slices.Contains(tags, v) {
				tags, tagsChanged = append(tags, v), true
			}
		case "remove_tag":
			if i := slices.Index(tags, v); i >= 0 {
				tags, tagsChanged = slices.Delete(tags, i, i+1), true
			}
		case "assign":
			id, _ := strconv.ParseInt(v, 10, 64)
			p.AssigneeID = &id
		case "set_department":
			id, _ := strconv.ParseInt(v, 10, 64)
			p.DepartmentID = &id
		case "add_note":
			notes = append(notes, v)
		}
	}
	if tagsChanged {
		p.Tags = &tags
	}
	return p, notes
}

// effects performs the actions that reach people — canned replies,
// notifications, webhooks — in tx, adding what they did to detail. It
// reports whether a reply was added (the ticket changed).
func (en *Engine) effects(ctx context.Context, tx *sql.Tx, r *Rule, t ticket.Ticket, tr trigger, detail map[string]any) (bool, error) {
	replied := false
	for _, a := range r.Actions {
		switch a.Type {
		case "send_canned_reply":
			id, err := en.cannedReply(ctx, tx, t, a.Value)
			if err != nil {
				return replied, err
			}
			replied = true
			detail["reply_message_id"] = id
		case "notify":
			users, err := en.notify(ctx, tx, r, t, a.Value)
			if err != nil {
				return replied, err
			}
			detail["notified"] = append(asIDs(detail["notified"]), users...)
		case "webhook":
			id, err := en.queueWebhook(ctx, tx, r, t, tr, a.Value)
			if err != nil {
				return replied, err
			}
			detail["webhook_ids"] = append(asIDs(detail["webhook_ids"]), id)
		}
	}
	return replied, nil
}

func asIDs(v any) []int64 {
	ids, _ := v.([]int64)
	return ids
}

// cannedReply renders a macro for the ticket's supporter in their language
// (the macro with the same name in that language when there is one) and
// adds it as a reply; Deliver queues the mail through the outbox in the
// same transaction, which holds it for supporters who may not be contacted.
func (en *Engine) cannedReply(ctx context.Context, tx *sql.Tx, t ticket.Ticket, value string) (int64, error) {
	id, _ := strconv.ParseInt(value, 10, 64)
	m, err := macro.Get(ctx, tx, id)
	if err != nil {
		return 0, fmt.Errorf("canned reply %d: %w", id, err)
	}
	v, _, err := macro.VarsFor(ctx, tx, t.ID, "", en.now())
	if err != nil {
		return 0, err
	}
	if m.Language != v.Lang {
		same, err := macro.List(ctx, tx, v.Lang)
		if err != nil {
			return 0, err
		}
		// Prefer the same name in the reply's language, then the name for any language.
		for _, lang := range []string{v.Lang, ""} {
			if i := slices.IndexFunc(same, func(x macro.Macro) bool { return x.Name == m.Name && x.Language == lang }); i >= 0 {
				m = same[i]
				break
			}
		}
	}
	msg, err := ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: t.ID, Direction: ticket.Out, BodyText: macro.Render(m.Body, v), Language: v.Lang})
	if err != nil {
		return 0, err
	}
	if en.Deliver != nil {
		if err := en.Deliver(ctx, tx, live.Event{Type: MessageCreated, TicketID: t.ID, MessageID: msg.ID}); err != nil {
			return 0, err
		}
	}
	return msg.ID, nil
}

// notify records an in-app notification (the table SLA notifications use,
// target "automation") for each person the value resolves to.
func (en *Engine) notify(ctx context.Context, tx *sql.Tx, r *Rule, t ticket.Ticket, who string) ([]int64, error) {
	users, err := recipients(ctx, tx, t, who)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	for _, u := range users {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_notifications (user_id, ticket_id, target, kind, step, created_at)
			VALUES ($1, $2, 'automation', $3, 0, $4)`, u, t.ID, "rule:"+strconv.FormatInt(r.ID, 10), now); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// recipients resolves whom to tell: a user id (if active), or a role as SLA
// escalation resolves it (sla.Recipients).
func recipients(ctx context.Context, q db.Querier, t ticket.Ticket, who string) ([]int64, error) {
	if who == NotifyAssignee || who == NotifySupervisor {
		return sla.Recipients(ctx, q, t.ID, who)
	}
	id, err := strconv.ParseInt(who, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("notify %q: %w", who, err)
	}
	return db.QueryInts(ctx, q, "SELECT id FROM users WHERE id = $1 AND active = $2", id, true)
}

// WebhookPayload is the JSON body of a webhook call.
type WebhookPayload struct {
	Event string `json:"event"`
	// SLATarget is the target of an sla.warning or sla.breach event.
	SLATarget  string        `json:"sla_target,omitempty"`
	OccurredAt time.Time     `json:"occurred_at"`
	Rule       WebhookRule   `json:"rule"`
	Ticket     WebhookTicket `json:"ticket"`
}

// WebhookRule names the rule that called.
type WebhookRule struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// WebhookTicket is the ticket as the rule saw it (no message text: the
// receiver reads more through the API if it may).
type WebhookTicket struct {
	ID           int64     `json:"id"`
	Number       int64     `json:"number"`
	Subject      string    `json:"subject"`
	Status       string    `json:"status"`
	Priority     string    `json:"priority"`
	Type         string    `json:"type"`
	Category     string    `json:"category"`
	Channel      string    `json:"channel"`
	Language     string    `json:"language"`
	Tags         []string  `json:"tags"`
	DepartmentID *int64    `json:"department_id"`
	AssigneeID   *int64    `json:"assignee_id"`
	SupporterID  int64     `json:"supporter_id"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// webhookMaxAttempts bounds the retries of one call (River backs off
// exponentially, attempt n waiting about n⁴ seconds: the last try is about
// four hours after the first).
const webhookMaxAttempts = 10

// queueWebhook records the call with its payload fixed now and inserts the
// job that delivers it, in tx.
func (en *Engine) queueWebhook(ctx context.Context, tx *sql.Tx, r *Rule, t ticket.Ticket, tr trigger, url string) (int64, error) {
	body, err := json.Marshal(WebhookPayload{Event: tr.event, SLATarget: tr.slaTarget, OccurredAt: en.now().UTC().Truncate(time.Second), Rule: WebhookRule{r.ID, r.Name},
		Ticket: WebhookTicket{ID: t.ID, Number: t.Number, Subject: t.Subject, Status: string(t.Status), Priority: t.Priority, Type: t.Type,
			Category: t.Category, Channel: t.Channel, Language: t.Language, Tags: t.Tags, DepartmentID: t.DepartmentID,
			AssigneeID: t.AssigneeID, SupporterID: t.SupporterID, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}})
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO automation_webhooks (rule_id, ticket_id, url, payload, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, r.ID, t.ID, url, string(body), db.Now()).Scan(&id); err != nil {
		return 0, fmt.Errorf("webhook: %w", err)
	}
	if en.Jobs != nil {
		if err := en.Jobs.Enqueue(ctx, tx, WebhookArgs{DeliveryID: id}, &river.InsertOpts{MaxAttempts: webhookMaxAttempts}); err != nil {
			return 0, err
		}
	}
	return id, nil
}
