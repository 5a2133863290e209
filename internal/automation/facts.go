package automation

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/ticket"
)

// loader adds time and supporter facts for one ticket, each group read at
// most once and only when a condition asks for it.
type loader struct {
	ctx  context.Context
	q    db.Querier
	now  time.Time
	t    ticket.Ticket
	have needs
	// kept for the facts later rules may ask for
	facts  Facts
	tags   []string
	giving giving.Summary
}

// reset points the loader at a ticket (as it is now, after earlier rules).
func (l *loader) reset(t ticket.Ticket) {
	if l.t.ID != t.ID {
		l.have, l.facts = 0, Facts{}
	}
	// Ticket times and status may have been changed by an earlier rule.
	l.have &^= needTime
	l.t = t
}

// ensure puts the facts of groups n into f.
func (l *loader) ensure(f Facts, n needs) error {
	if l.facts == nil {
		l.facts = Facts{}
	}
	missing := n &^ l.have
	if missing&needTime != 0 {
		if err := l.loadTimes(); err != nil {
			return err
		}
	}
	if missing&needSupporter != 0 {
		if err := l.loadSupporter(); err != nil {
			return err
		}
	}
	if missing&needSupporterTags != 0 {
		if err := l.loadTags(); err != nil {
			return err
		}
	}
	if missing&needGiving != 0 {
		if err := l.loadGiving(); err != nil {
			return err
		}
	}
	l.have |= missing
	if l.have&(needSupporterTags|needGiving) == needSupporterTags|needGiving {
		l.facts["supporter.segments"] = strings.Join(segment.From(l.giving, l.tags, l.now), ",")
	}
	for k, v := range l.facts {
		f[k] = v
	}
	return nil
}

// hoursSince is whole hours from ms to now ("" when it never happened).
func (l *loader) hoursSince(ms sql.NullInt64) string {
	if !ms.Valid {
		return ""
	}
	return strconv.FormatInt(int64(l.now.Sub(db.Time(ms.Int64))/time.Hour), 10)
}

func (l *loader) loadTimes() error {
	var created, status, in, out sql.NullInt64
	err := l.q.QueryRowContext(l.ctx, `SELECT created_at, status_changed_at, last_supporter_message_at, last_agent_reply_at
		FROM tickets WHERE id = $1`, l.t.ID).Scan(&created, &status, &in, &out)
	if err != nil {
		return fmt.Errorf("automation: ticket times: %w", err)
	}
	l.facts["hours_since_created"] = l.hoursSince(created)
	l.facts["hours_since_status_change"] = l.hoursSince(status)
	l.facts["hours_since_supporter_message"] = l.hoursSince(in)
	l.facts["hours_since_agent_reply"] = l.hoursSince(out)
	return nil
}

func (l *loader) loadSupporter() error {
	var lang string
	var since sql.NullInt64
	err := l.q.QueryRowContext(l.ctx, "SELECT language, supporter_since FROM supporters WHERE id = $1", l.t.SupporterID).Scan(&lang, &since)
	if err != nil {
		return fmt.Errorf("automation: supporter: %w", err)
	}
	l.facts["supporter.language"] = lang
	l.facts["supporter.since_days"] = ""
	if since.Valid {
		l.facts["supporter.since_days"] = strconv.FormatInt(int64(l.now.Sub(db.Time(since.Int64))/(24*time.Hour)), 10)
	}
	return nil
}

func (l *loader) loadTags() error {
	rows, err := l.q.QueryContext(l.ctx, "SELECT tag FROM supporter_tags WHERE supporter_id = $1 ORDER BY tag", l.t.SupporterID)
	if err != nil {
		return fmt.Errorf("automation: supporter tags: %w", err)
	}
	defer rows.Close()
	l.tags = nil
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		l.tags = append(l.tags, t)
	}
	l.facts["supporter.tags"] = strings.Join(l.tags, ",")
	return rows.Err()
}

func (l *loader) loadGiving() error {
	g, err := giving.Summarize(l.ctx, l.q, l.t.SupporterID, l.now)
	if err != nil {
		return fmt.Errorf("automation: giving: %w", err)
	}
	l.giving = g
	l.facts["supporter.gift_count"] = strconv.Itoa(g.GiftCount)
	l.facts["supporter.giving_total"], l.facts["supporter.giving_currency"] = "0", ""
	if m := g.Main(); m.Currency != "" {
		l.facts["supporter.giving_total"] = giving.Decimal(m.AmountMinor, m.Currency)
		l.facts["supporter.giving_currency"] = m.Currency
	}
	return nil
}
