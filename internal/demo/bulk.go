package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// The bulk path writes the rows the capability path would write, straight
// into the tables: multi-row INSERTs through prepared statements, about
// bulkTxTickets tickets (with their messages and tags, ~5,000 rows) per
// transaction, while another goroutine generates the next batch. Ids are
// given explicitly (continuing from the current maximum), so messages and
// tags can refer to their ticket without a round trip; on PostgreSQL the
// identity and ticket-number sequences are moved past them at the end.

const bulkTxTickets = 1000

// bulkTable buffers rows for one table and sends them as multi-row INSERTs.
type bulkTable struct {
	engine  db.Engine
	name    string
	cols    []string
	perStmt int // rows per prepared statement
	full    *sql.Stmt
	args    []any
	rows    int
}

func newBulkTable(e db.Engine, name string, cols ...string) *bulkTable {
	// Stay well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
	return &bulkTable{engine: e, name: name, cols: cols, perStmt: max(1, 8000/len(cols))}
}

func (t *bulkTable) insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range t.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			// modernc's SQLite resolves each $N by a linear search of the
			// statement's parameter names, which is quadratic in a
			// thousand-row INSERT; anonymous ? binds in order with no search.
			if t.engine == db.SQLite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", n)
			}
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (t *bulkTable) prepare(ctx context.Context, d *db.DB) error {
	s, err := d.W.PrepareContext(ctx, t.insertSQL(t.perStmt))
	if err != nil {
		return fmt.Errorf("demo: prepare insert into %s: %w", t.name, err)
	}
	t.full = s
	return nil
}

func (t *bulkTable) add(ctx context.Context, tx *sql.Tx, row ...any) error {
	t.args = append(t.args, row...)
	t.rows++
	if t.rows < t.perStmt {
		return nil
	}
	_, err := tx.StmtContext(ctx, t.full).ExecContext(ctx, t.args...)
	t.args, t.rows = t.args[:0], 0
	if err != nil {
		return fmt.Errorf("demo: insert into %s: %w", t.name, err)
	}
	return nil
}

// flush sends what is buffered (fewer rows than a full statement).
func (t *bulkTable) flush(ctx context.Context, tx *sql.Tx) error {
	if t.rows == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, t.insertSQL(t.rows), t.args...)
	t.args, t.rows = t.args[:0], 0
	if err != nil {
		return fmt.Errorf("demo: insert into %s: %w", t.name, err)
	}
	return nil
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullableIdx(ids []int64, i int) any {
	if i < 0 {
		return nil
	}
	return ids[i]
}

func maxID(ctx context.Context, d *db.DB, table, col string) (int64, error) {
	var n int64
	err := d.W.QueryRowContext(ctx, "SELECT COALESCE(MAX("+col+"), 0) FROM "+table).Scan(&n)
	return n, err
}

func writeBulk(ctx context.Context, d *db.DB, g *generator, w *world, n int, res *Result, progress func(string, ...any)) (err error) {
	supT := newBulkTable(d.Engine, "supporters", "id", "name", "email", "language", "supporter_since", "since_manual", "notes", "created_at", "updated_at")
	idnT := newBulkTable(d.Engine, "supporter_identities", "id", "supporter_id", "kind", "value", "created_at")
	tkT := newBulkTable(d.Engine, "tickets", "id", "number", "subject", "status", "status_group", "priority", "type", "category", "channel",
		"department_id", "assignee_id", "supporter_id", "language", "preview", "message_count", "created_at", "updated_at",
		"first_response_at", "resolved_at", "status_changed_at", "last_supporter_message_at", "last_agent_reply_at")
	msgT := newBulkTable(d.Engine, "messages", "id", "ticket_id", "direction", "author_user_id", "author_supporter_id", "body_text", "body_html", "language", "created_at")
	tagT := newBulkTable(d.Engine, "ticket_tags", "ticket_id", "tag")
	tables := []*bulkTable{supT, idnT, tkT, msgT, tagT}
	for _, t := range tables {
		if err := t.prepare(ctx, d); err != nil {
			return err
		}
	}
	defer func() {
		for _, t := range tables {
			t.full.Close()
		}
	}()

	if d.Engine == db.SQLite {
		// A rebuildable demo load: trade durability for speed while it runs.
		for _, p := range []string{"PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144"} {
			if _, err := d.W.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("demo: %s: %w", p, err)
			}
		}
		defer func() {
			for _, p := range []string{"PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -32000"} {
				if _, e := d.W.ExecContext(ctx, p); e != nil && err == nil {
					err = e
				}
			}
		}()
	}

	var base [5]int64
	for i, tc := range [][2]string{{"supporters", "id"}, {"supporter_identities", "id"}, {"tickets", "id"}, {"messages", "id"}, {"tickets", "number"}} {
		if base[i], err = maxID(ctx, d, tc[0], tc[1]); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	supBase, idnID, ticketID, msgID, number := base[0], base[1], base[2], base[3], base[4]
	start := time.Now()

	// Supporters and their identities.
	supIDs := make([]int64, len(g.sup))
	for lo := 0; lo < len(g.sup); lo += 5000 {
		hi := min(lo+5000, len(g.sup))
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for i := lo; i < hi; i++ {
				s := &g.sup[i]
				supIDs[i] = supBase + int64(i) + 1
				if err := supT.add(ctx, tx, supIDs[i], s.name, supporter.NormaliseEmail(s.email), langCodes[s.lang],
					nullable(s.since), nullable(s.since), s.notes, s.created, s.created); err != nil {
					return err
				}
			}
			if err := supT.flush(ctx, tx); err != nil {
				return err
			}
			for i := lo; i < hi; i++ {
				s := &g.sup[i]
				idnID++
				if err := idnT.add(ctx, tx, idnID, supIDs[i], "email", supporter.NormaliseEmail(s.email), s.created); err != nil {
					return err
				}
				if s.phone != "" {
					idnID++
					if err := idnT.add(ctx, tx, idnID, supIDs[i], "phone", supporter.NormalisePhone(s.phone), s.created); err != nil {
						return err
					}
				}
			}
			return idnT.flush(ctx, tx)
		})
		if err != nil {
			return err
		}
	}
	res.Supporters = len(g.sup)
	progress("%d supporters in %s", res.Supporters, time.Since(start).Round(time.Millisecond))

	// Tickets: generate in one goroutine, write in this one.
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []ticketPlan, 2)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		batch := make([]ticketPlan, 0, bulkTxTickets)
		err := g.tickets(n, func(p *ticketPlan) error {
			batch = append(batch, *p)
			if len(batch) == bulkTxTickets {
				select {
				case batches <- batch:
				case <-genCtx.Done():
					return genCtx.Err()
				}
				batch = make([]ticketPlan, 0, bulkTxTickets)
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			select {
			case batches <- batch:
			case <-genCtx.Done():
				err = genCtx.Err()
			}
		}
		genErr <- err
	}()

	lastReport := time.Now()
	for batch := range batches {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			first := ticketID
			for i := range batch {
				p := &batch[i]
				o := p.outcome()
				ticketID++
				number++
				if err := tkT.add(ctx, tx, ticketID, number, p.subject, string(o.status), o.status.Group(), p.priority, p.typ,
					p.category, p.channel, nullableIdx(w.deptIDs, p.dept), nullableIdx(w.staffIDs, p.assignee),
					supIDs[p.supporter], langCodes[p.lang], o.preview, o.count, o.created, o.updated,
					nullable(o.firstResponse), nullable(o.resolved), o.statusChanged, nullable(o.lastIn), nullable(o.lastOut)); err != nil {
					return err
				}
			}
			if err := tkT.flush(ctx, tx); err != nil {
				return err
			}
			id := first
			for i := range batch {
				p := &batch[i]
				id++
				lang := langCodes[p.lang]
				for _, m := range p.msgs {
					msgID++
					var user, sup any
					if m.dir == ticket.In {
						sup = supIDs[p.supporter]
					} else {
						user = w.staffIDs[m.user]
					}
					if err := msgT.add(ctx, tx, msgID, id, string(m.dir), user, sup, m.body, "", lang, m.at); err != nil {
						return err
					}
				}
				res.Messages += len(p.msgs)
			}
			if err := msgT.flush(ctx, tx); err != nil {
				return err
			}
			id = first
			for i := range batch {
				id++
				tags, err := ticket.NormaliseTags(batch[i].tags)
				if err != nil {
					return err
				}
				for _, tag := range tags {
					if err := tagT.add(ctx, tx, id, tag); err != nil {
						return err
					}
				}
				res.Tags += len(tags)
			}
			return tagT.flush(ctx, tx)
		})
		if err != nil {
			cancel()
			for range batches {
			}
			return err
		}
		res.Tickets += len(batch)
		if time.Since(lastReport) >= 5*time.Second || res.Tickets == n {
			lastReport = time.Now()
			el := time.Since(start).Seconds()
			progress("%d/%d tickets, %d messages, %.0f tickets/s", res.Tickets, n, res.Messages, float64(res.Tickets)/el)
		}
	}
	if err := <-genErr; err != nil {
		return err
	}
	if d.Engine == db.Postgres {
		if err := resetSequences(ctx, d); err != nil {
			return err
		}
		// Planner statistics now rather than whenever autovacuum gets to it.
		if _, err := d.W.ExecContext(ctx, "ANALYZE supporters, supporter_identities, tickets, messages, ticket_tags"); err != nil {
			return fmt.Errorf("demo: analyze: %w", err)
		}
	}
	return nil
}

// resetSequences moves PostgreSQL's sequences past the explicit ids.
func resetSequences(ctx context.Context, d *db.DB) error {
	for _, t := range []string{"supporters", "supporter_identities", "tickets", "messages"} {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'),
			GREATEST((SELECT COALESCE(MAX(id), 0) FROM %[1]s), 1))`, t)
		if _, err := d.W.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("demo: reset %s sequence: %w", t, err)
		}
	}
	_, err := d.W.ExecContext(ctx, `SELECT setval('ticket_number_seq',
		GREATEST((SELECT COALESCE(MAX(number), 0) FROM tickets), (SELECT last_value FROM ticket_number_seq), 1))`)
	if err != nil {
		return fmt.Errorf("demo: reset ticket_number_seq: %w", err)
	}
	return nil
}
