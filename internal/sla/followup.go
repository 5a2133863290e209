package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/ticket"
)

// Follow-up timer events.
const (
	EventFollowupRemind = "followup_reminder"
	EventFollowupSlip   = "followup_slipped"
)

// FollowupArgs is the River job at a promised follow-up's reminder moment
// (before the date) or at the date itself (it slipped if the ticket is still
// under investigation).
type FollowupArgs struct {
	TicketID int64  `json:"ticket_id"`
	Version  int64  `json:"version"`
	Event    string `json:"event"`
}

// Kind is the River job kind.
func (FollowupArgs) Kind() string { return "sla_followup" }

type followupWorker struct {
	river.WorkerDefaults[FollowupArgs]
	s *Service
}

func (w *followupWorker) Work(ctx context.Context, job *river.Job[FollowupArgs]) error {
	wait, err := w.s.FireFollowup(ctx, job.Args)
	if err == nil && wait > 0 {
		return river.JobSnooze(wait)
	}
	return err
}

// RemindBefore is how long before a promised date the agent is reminded
// (half the time to the date when that is shorter).
const RemindBefore = 24 * time.Hour

// Promise is "don't guess": an agent puts a ticket under investigation with
// a promised follow-up date. In one transaction the supporter gets a holding
// reply in their language (a message in the conversation, mailed by the
// outbox hook), the ticket becomes pending-investigation, and timers are set
// to remind the agent before the date and alert the supervisor if it slips.
// hooks are the ticket hooks (mail, SLA, search) to run on the change.
func (s *Service) Promise(ctx context.Context, actor audit.Actor, ticketID int64, due time.Time, hooks []ticket.Hook) (ticket.Ticket, error) {
	now := s.now()
	if !due.After(now) {
		return ticket.Ticket{}, errs.Field("followup_at", "invalid", "the follow-up date must be in the future")
	}
	if due.After(now.AddDate(1, 0, 0)) {
		return ticket.Ticket{}, errs.Field("followup_at", "invalid", "at most a year ahead")
	}
	var t ticket.Ticket
	var msg ticket.Message
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = ticket.Get(ctx, tx, ticketID); err != nil {
			return err
		}
		settings, err := org.Get(ctx, tx)
		if err != nil {
			return err
		}
		lang := t.Language
		if lang == "" {
			lang = settings.DefaultLanguage
		}
		var author *int64
		if actor.UserID != 0 {
			author = &actor.UserID
		}
		body, err := GetTemplate(ctx, tx, TemplateHolding, lang)
		if err != nil {
			return err
		}
		text := RenderTemplate(body, lang, TemplateVars{Name: t.SupporterName, Due: due.In(settings.Location()), Number: t.Number,
			Organisation: settings.Name})
		if msg, err = ticket.AddMessage(ctx, tx, ticket.NewMessage{TicketID: t.ID, Direction: ticket.Out, AuthorUserID: author,
			BodyText: text, Language: lang}); err != nil {
			return err
		}
		st := ticket.StatusPendingInvestigation
		if t, _, err = ticket.Update(ctx, tx, t.ID, ticket.Patch{Status: &st}); err != nil {
			return err
		}
		var version int64
		err = tx.QueryRowContext(ctx, `INSERT INTO ticket_followups (ticket_id, due_at, promised_by, version, created_at)
			VALUES ($1, $2, $3, 1, $4)
			ON CONFLICT (ticket_id) DO UPDATE SET due_at = EXCLUDED.due_at, promised_by = EXCLUDED.promised_by,
				reminded_at = NULL, slipped_at = NULL, slip_notice = '', slip_notice_at = NULL, version = ticket_followups.version + 1
			RETURNING version`, t.ID, due.UnixMilli(), author, db.Now()).Scan(&version)
		if err != nil {
			return fmt.Errorf("sla: promise follow-up: %w", err)
		}
		remind := due.Add(-RemindBefore)
		if half := now.Add(due.Sub(now) / 2); remind.Before(half) {
			remind = half
		}
		if s.Jobs != nil {
			if err := s.Jobs.Enqueue(ctx, tx, FollowupArgs{t.ID, version, EventFollowupRemind}, &river.InsertOpts{ScheduledAt: remind}); err != nil {
				return err
			}
			if err := s.Jobs.Enqueue(ctx, tx, FollowupArgs{t.ID, version, EventFollowupSlip}, &river.InsertOpts{ScheduledAt: due}); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor, "followup.promise", "ticket", t.ID, map[string]any{
			"followup_at": due.UTC().Format(time.RFC3339), "message_id": msg.ID}); err != nil {
			return err
		}
		e := live.Event{Type: "message.created", TicketID: t.ID, MessageID: msg.ID, ActorID: actor.UserID}
		for _, h := range hooks {
			if err := h(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && s.Live != nil {
		s.Live.Publish(ctx, live.Event{Type: "message.created", TicketID: t.ID, MessageID: msg.ID, ActorID: actor.UserID})
	}
	return t, err
}

// Followup is a ticket's promised follow-up.
type Followup struct {
	DueAt    time.Time  `json:"due_at"`
	Reminded *time.Time `json:"reminded_at,omitempty"`
	Slipped  *time.Time `json:"slipped_at,omitempty"`
	// SlipNotice is what became of the notice telling the supporter of the
	// slip: queued, suppressed, no_address ("" before a slip).
	SlipNotice   string     `json:"slip_notice,omitempty"`
	SlipNoticeAt *time.Time `json:"slip_notice_at,omitempty"`
}

// GetFollowup returns the ticket's promised follow-up (nil when none).
func GetFollowup(ctx context.Context, q db.Querier, ticketID int64) (*Followup, error) {
	var due int64
	var reminded, slipped, noticed sql.NullInt64
	var notice string
	err := q.QueryRowContext(ctx, "SELECT due_at, reminded_at, slipped_at, slip_notice, slip_notice_at FROM ticket_followups WHERE ticket_id = $1", ticketID).
		Scan(&due, &reminded, &slipped, &notice, &noticed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := &Followup{DueAt: db.Time(due), SlipNotice: notice}
	if noticed.Valid {
		t := db.Time(noticed.Int64)
		f.SlipNoticeAt = &t
	}
	if reminded.Valid {
		t := db.Time(reminded.Int64)
		f.Reminded = &t
	}
	if slipped.Valid {
		t := db.Time(slipped.Int64)
		f.Slipped = &t
	}
	return f, nil
}

// FireFollowup reminds the agent or raises the slip, once per promise, and
// only while the ticket is still under investigation.
func (s *Service) FireFollowup(ctx context.Context, a FollowupArgs) (time.Duration, error) {
	var wait time.Duration
	var fired bool
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var due int64
		var version int64
		var status ticket.Status
		err := tx.QueryRowContext(ctx, `SELECT f.due_at, f.version, t.status FROM ticket_followups f JOIN tickets t ON t.id = f.ticket_id
			WHERE f.ticket_id = $1`, a.TicketID).Scan(&due, &version, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if version != a.Version || status != ticket.StatusPendingInvestigation {
			return nil
		}
		now := s.now().UnixMilli()
		col, roles := "reminded_at", []string{NotifyAssignee}
		if a.Event == EventFollowupSlip {
			if now < due {
				wait = time.Duration(due-now) * time.Millisecond
				return nil
			}
			col, roles = "slipped_at", []string{NotifyAssignee, NotifySupervisor}
		} else if a.Event != EventFollowupRemind {
			return fmt.Errorf("sla: unknown follow-up event %q", a.Event)
		}
		res, err := tx.ExecContext(ctx, "UPDATE ticket_followups SET "+col+" = $1 WHERE ticket_id = $2 AND version = $3 AND "+col+" IS NULL",
			now, a.TicketID, a.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		fired = true
		r := row{TicketID: a.TicketID, Target: "followup", Version: version, DueAt: sql.NullInt64{Int64: due, Valid: true}}
		if err := s.notify(ctx, tx, r, a.Event, 0, roles); err != nil {
			return err
		}
		if a.Event == EventFollowupSlip {
			// Claimed with the slip above, so the supporter hears once per slip.
			return s.slipNotice(ctx, tx, a.TicketID, due, now)
		}
		return nil
	})
	if err == nil && fired && s.Live != nil {
		s.Live.Publish(ctx, live.Event{Type: "ticket.updated", TicketID: a.TicketID})
	}
	return wait, err
}

// HoldingText is the built-in holding reply: we are looking into it and
// will write again by the promised date — in the supporter's language.
func HoldingText(lang, name string, due time.Time, orgName string) string {
	return RenderTemplate(DefaultTemplate(TemplateHolding, lang), lang, TemplateVars{Name: name, Due: due, Organisation: orgName})
}

// Mailer queues a notice to a ticket's supporter inside a transaction (the
// outbox, which holds it back for do-not-contact or withdrawn consent).
type Mailer interface {
	// QueueNotice says what became of the notice: queued, suppressed or
	// no_address.
	QueueNotice(ctx context.Context, tx *sql.Tx, ticketID int64, lang, text string) (string, error)
}

// slipNotice tells the supporter, honestly and in their language, that the
// promised date has passed and the answer is still being worked on. It runs
// in the transaction that claimed the slip, so it is sent once per slip.
func (s *Service) slipNotice(ctx context.Context, tx *sql.Tx, ticketID, due, now int64) error {
	if s.Mailer == nil {
		return nil
	}
	t, err := ticket.Get(ctx, tx, ticketID)
	if err != nil {
		return err
	}
	settings, err := org.Get(ctx, tx)
	if err != nil {
		return err
	}
	lang := t.Language
	if lang == "" {
		lang = settings.DefaultLanguage
	}
	body, err := GetTemplate(ctx, tx, TemplateSlip, lang)
	if err != nil {
		return err
	}
	text := RenderTemplate(body, lang, TemplateVars{Name: t.SupporterName, Due: db.Time(due).In(settings.Location()), Number: t.Number,
		Organisation: settings.Name})
	status, err := s.Mailer.QueueNotice(ctx, tx, ticketID, TemplateLanguage(lang), text)
	if err != nil {
		return fmt.Errorf("sla: slip notice for ticket %d: %w", ticketID, err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE ticket_followups SET slip_notice = $1, slip_notice_at = $2 WHERE ticket_id = $3",
		status, now, ticketID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Actor{Name: "sla"}, "sla.followup_slip_notice", "ticket", ticketID,
		map[string]any{"target": "followup", "status": status, "language": TemplateLanguage(lang)})
}
