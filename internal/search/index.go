package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/ticket"
)

// Index is the full-text index of tickets and supporters, stored in the
// application database (SQLite FTS5 or PostgreSQL tsvector/GIN) and updated
// in the same transaction as the data it indexes.
type Index struct {
	db  *db.DB
	eng engine
}

// New returns the index of d's database.
func New(d *db.DB) *Index {
	return &Index{db: d, eng: engineFor(d)}
}

// Hook keeps the index current. It has the signature of ticket.Hook and
// belongs in ticket.Service.Hooks and intake.Intake.Hooks: it runs inside the
// transaction of every change, so a ticket is searchable the moment that
// transaction commits, and a change that rolls back leaves the index as it
// was. It queues the ticket of a ticket.created, ticket.updated or
// message.created event; the queued tickets are indexed at commit (see
// ticketsAtCommit), with their new supporters.
func (x *Index) Hook(ctx context.Context, tx *sql.Tx, e live.Event) error {
	switch e.Type {
	case "ticket.created", "ticket.updated", "message.created":
		if e.TicketID == 0 {
			return nil
		}
		return ticketsAtCommit.Queue(x.db, tx, ticketChange{x: x, id: e.TicketID, created: e.Type == "ticket.created"})
	}
	return nil
}

// ticketChange is a ticket to (re)index when its transaction commits.
type ticketChange struct {
	x       *Index
	id      int64
	created bool // by this transaction
}

// ticketsAtCommit indexes the tickets changed by a transaction — on SQLite,
// by every transaction sharing a group commit — once each, from their final
// state, just before COMMIT: a ticket changed by several hooks or callers
// is read and written once, and the documents of a commit are read with two
// queries and written with a few multi-row statements instead of a handful
// of statements each on SQLite's one writer.
var ticketsAtCommit = &db.Batch[ticketChange]{Flush: flushTickets}

func flushTickets(ctx context.Context, tx *sql.Tx, items []ticketChange) error {
	x := items[0].x
	created := make(map[int64]bool, len(items))
	var ids []int64
	for _, it := range items {
		was, seen := created[it.id]
		if !seen {
			ids = append(ids, it.id)
		}
		created[it.id] = was || it.created
	}
	// Every ticket document of a transaction is written here, so a ticket
	// created by it has none yet.
	var fresh, changed []int64
	for _, id := range ids {
		if created[id] {
			fresh = append(fresh, id)
		} else {
			changed = append(changed, id)
		}
	}
	people := map[int64]bool{} // supporters whose documents this flush wrote
	for lo := 0; lo < len(fresh); lo += loadBatch {
		srcs, err := x.indexTickets(ctx, tx, fresh[lo:min(lo+loadBatch, len(fresh))], true)
		if err != nil {
			return err
		}
		// The supporter's own document, when they are new or were changed
		// (Resolve gives a nameless supporter the name a message carries);
		// edits elsewhere call SupporterChanged. loadTickets read them.
		var docs []*document
		for i := range srcs {
			if (srcs[i].peopleIndexed && !srcs[i].peopleChanged) || people[srcs[i].supporterID] {
				continue
			}
			people[srcs[i].supporterID] = true
			d := supporterDocument(&srcs[i].people)
			d.fresh = !srcs[i].peopleIndexed
			docs = append(docs, d)
		}
		if err := x.eng.putAll(ctx, tx, docs); err != nil {
			return fmt.Errorf("search: index supporters: %w", err)
		}
	}
	for lo := 0; lo < len(changed); lo += loadBatch {
		if _, err := x.indexTickets(ctx, tx, changed[lo:min(lo+loadBatch, len(changed))], false); err != nil {
			return err
		}
	}
	return nil
}

// Warm analyses the texts a change is about to write (a subject, a
// message) before its transaction: on SQLite the hook then finds the terms
// ready instead of analysing them on the one writer. It is a ticket.Warmer.
func (x *Index) Warm(t ticket.Texts) {
	for _, text := range []string{t.Subject, t.Body} {
		switch {
		case strings.TrimSpace(text) == "":
		case x.db.Engine == db.Postgres: // the run form (engine_postgres.go)
			warmRuns.Put(text, analyzeRuns(text))
		default:
			warmTerms.Put(text, Analyze(text))
		}
	}
}

// IndexTicket (re)indexes one ticket with q, normally the transaction that
// changed it, at its commit. A ticket that does not exist is removed from
// the index.
func (x *Index) IndexTicket(ctx context.Context, q db.Querier, id int64) error {
	return ticketsAtCommit.Queue(x.db, q, ticketChange{x: x, id: id})
}

// indexTickets (re)indexes tickets and returns what it read of them; fresh
// says they were just created (nothing indexed to replace).
func (x *Index) indexTickets(ctx context.Context, q db.Querier, ids []int64, fresh bool) ([]ticketSource, error) {
	srcs, err := loadTickets(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	found := make(map[int64]bool, len(srcs))
	docs := make([]*document, len(srcs))
	for i := range srcs {
		found[srcs[i].id] = true
		docs[i] = ticketDocument(&srcs[i])
		docs[i].fresh = fresh
	}
	if err := x.eng.putAll(ctx, q, docs); err != nil {
		return nil, fmt.Errorf("search: index tickets: %w", err)
	}
	for _, id := range ids {
		if !found[id] {
			if err := x.eng.remove(ctx, q, kindTicket, id); err != nil {
				return nil, fmt.Errorf("search: unindex ticket %d: %w", id, err)
			}
		}
	}
	return srcs, nil
}

// IndexSupporter (re)indexes a supporter's own document (name, addresses,
// notes) with q. Call it in the transaction that creates or changes a
// supporter; the ticket hook already does so for tickets and messages.
func (x *Index) IndexSupporter(ctx context.Context, q db.Querier, id int64) error {
	ps, err := loadPeople(ctx, q, []int64{id})
	if err != nil {
		return err
	}
	p, ok := ps[id]
	if !ok {
		return x.eng.remove(ctx, q, kindSupporter, id)
	}
	if err := x.eng.putAll(ctx, q, []*document{supporterDocument(p)}); err != nil {
		return fmt.Errorf("search: index supporter %d: %w", id, err)
	}
	return nil
}

// SupporterChanged re-indexes a supporter now and every ticket of theirs at
// commit (their name and addresses are part of each ticket's document, for
// from: and for plain searches). Call it where a supporter is edited or
// merged, in that transaction.
func (x *Index) SupporterChanged(ctx context.Context, q db.Querier, id int64) error {
	if err := x.IndexSupporter(ctx, q, id); err != nil {
		return err
	}
	ids, err := db.QueryInts(ctx, q, "SELECT id FROM tickets WHERE supporter_id = $1 ORDER BY id", id)
	if err != nil {
		return err
	}
	for _, t := range ids {
		if err := ticketsAtCommit.Queue(x.db, q, ticketChange{x: x, id: t}); err != nil {
			return err
		}
	}
	return nil
}

// loadBatch bounds the ids in one IN list.
const loadBatch = 500

// inList returns "$k, $k+1, …" for ids, appending them to args. The list is
// padded to a power of two by repeating the last id, so that a few
// statement texts serve every length (each text is a prepared statement in
// the connection's cache); an IN list means the same with repeats.
func inList(args *[]any, ids []int64) string {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	var b strings.Builder
	for i := range n {
		if len(ids) == 0 {
			break
		}
		*args = append(*args, ids[min(i, len(ids)-1)])
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(len(*args)))
	}
	return b.String()
}

// loadTickets reads what the documents of tickets ids are made of, in the
// order of ids; missing tickets are left out. Two queries: the tickets with
// their tags and supporters, then their messages (a hook runs this in every
// ticket change's transaction, so round trips count).
func loadTickets(ctx context.Context, q db.Querier, ids []int64) ([]ticketSource, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var args []any
	list := inList(&args, ids)
	// Tags never contain spaces (ticket.NormaliseTags), nor do normalised
	// e-mail addresses and phone numbers: a space joins them safely.
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.number, t.subject, t.status, t.status_group, t.type, t.channel,
			COALESCE(t.department_id, 0), COALESCE(t.assignee_id, 0), t.supporter_id, t.language, t.created_at, t.updated_at,
			COALESCE((SELECT string_agg(g.tag, ' ' ORDER BY g.tag) FROM ticket_tags g WHERE g.ticket_id = t.id), ''),
			COALESCE(s.name, ''), COALESCE(s.email, ''),
			COALESCE((SELECT string_agg(i.value, ' ' ORDER BY i.id) FROM supporter_identities i WHERE i.supporter_id = t.supporter_id), ''),
			COALESCE(s.notes, ''), COALESCE(s.created_at, 0),
			EXISTS (SELECT 1 FROM search_docs x WHERE x.kind = 'supporter' AND x.ref_id = t.supporter_id), COALESCE(s.updated_at > s.created_at, 1 = 1)
		FROM tickets t LEFT JOIN supporters s ON s.id = t.supporter_id
		WHERE t.id IN (`+list+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: load tickets: %w", err)
	}
	byID := make(map[int64]*ticketSource, len(ids))
	var all []*ticketSource
	for rows.Next() {
		s := &ticketSource{}
		var tags, identities string
		if err := rows.Scan(&s.id, &s.number, &s.subject, &s.status, &s.group, &s.typ, &s.channel,
			&s.department, &s.assignee, &s.supporterID, &s.lang, &s.createdAt, &s.updatedAt,
			&tags, &s.people.name, &s.people.email, &identities, &s.people.notes, &s.people.createdAt, &s.peopleIndexed, &s.peopleChanged); err != nil {
			rows.Close()
			return nil, err
		}
		s.tags = strings.Fields(tags)
		s.people.id = s.supporterID
		s.people.identities = strings.Fields(identities)
		byID[s.id] = s
		all = append(all, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, nil
	}

	rows, err = q.QueryContext(ctx, `SELECT ticket_id, direction, body_text FROM messages WHERE ticket_id IN (`+list+`) ORDER BY ticket_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: load messages: %w", err)
	}
	for rows.Next() {
		var id int64
		var m messageSource
		if err := rows.Scan(&id, &m.direction, &m.text); err != nil {
			rows.Close()
			return nil, err
		}
		if s := byID[id]; s != nil {
			s.messages = append(s.messages, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	out := make([]ticketSource, 0, len(all))
	for _, id := range ids {
		s := byID[id]
		if s == nil {
			continue
		}
		out = append(out, *s)
		delete(byID, id) // an id given twice is indexed once
	}
	return out, nil
}

// loadPeople reads supporters with their identities.
func loadPeople(ctx context.Context, q db.Querier, ids []int64) (map[int64]*personSource, error) {
	out := make(map[int64]*personSource, len(ids))
	for lo := 0; lo < len(ids); lo += loadBatch {
		part := ids[lo:min(lo+loadBatch, len(ids))]
		var args []any
		list := inList(&args, part)
		rows, err := q.QueryContext(ctx, `SELECT id, name, email, notes, created_at FROM supporters WHERE id IN (`+list+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("search: load supporters: %w", err)
		}
		for rows.Next() {
			p := &personSource{}
			if err := rows.Scan(&p.id, &p.name, &p.email, &p.notes, &p.createdAt); err != nil {
				rows.Close()
				return nil, err
			}
			out[p.id] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		rows, err = q.QueryContext(ctx, `SELECT supporter_id, value FROM supporter_identities WHERE supporter_id IN (`+list+`) ORDER BY supporter_id, id`, args...)
		if err != nil {
			return nil, fmt.Errorf("search: load identities: %w", err)
		}
		for rows.Next() {
			var id int64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return nil, err
			}
			if p := out[id]; p != nil {
				p.identities = append(p.identities, v)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var errUnknownEngine = errors.New("search: unknown database engine")
