package search

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/steward-desk/steward/internal/db"
)

// ReindexStats says what Reindex did.
type ReindexStats struct {
	Tickets    int
	Supporters int
	Messages   int
	// TextBytes is the UTF-8 size of the text analysed: subjects, tags,
	// messages and supporter fields.
	TextBytes int64
	Elapsed   time.Duration
}

// reindexBatch is how many documents are loaded and analysed together.
const reindexBatch = 500

// writeBatch is how many documents one write transaction holds.
const writeBatch = 2000

// Reindex rebuilds the whole index from the tickets and supporters tables:
// after an upgrade that changes the analyzer, or after rows were written
// without the hooks (bulk imports, demo data). It empties the index, then
// loads, analyses and writes documents in batches, with loading and analysis
// running in parallel with the writes, in order of last change so that the
// index's recency order matches the data.
//
// The server may keep running: changes indexed by the hooks meanwhile win
// over what Reindex read earlier, and its writes are short transactions.
// Search results are incomplete until it finishes. progress, if not nil,
// receives a line now and then.
func Reindex(ctx context.Context, d *db.DB, progress func(format string, args ...any)) (ReindexStats, error) {
	start := time.Now()
	if progress == nil {
		progress = func(string, ...any) {}
	}
	var st ReindexStats
	ticketIDs, err := idsByChange(ctx, d, "tickets")
	if err != nil {
		return st, err
	}
	supporterIDs, err := idsByChange(ctx, d, "supporters")
	if err != nil {
		return st, err
	}
	eng := engineFor(d).bulk()
	base, err := eng.start(ctx, int64(len(ticketIDs)+len(supporterIDs)))
	if err != nil {
		return st, err
	}
	finished := false
	defer func() {
		if !finished {
			// Put back what start dropped, even after a failure.
			_ = eng.finish(context.WithoutCancel(ctx))
		}
	}()
	progress("indexing %d supporters and %d tickets", len(supporterIDs), len(ticketIDs))

	err = reindexKind(ctx, d, eng, kindSupporter, supporterIDs, base, &st, progress)
	if err != nil {
		return st, err
	}
	err = reindexKind(ctx, d, eng, kindTicket, ticketIDs, base+int64(len(supporterIDs)), &st, progress)
	if err != nil {
		return st, err
	}
	progress("merging and analysing the index")
	finished = true
	if err := eng.finish(ctx); err != nil {
		return st, err
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// idsByChange lists a table's ids, least recently changed first.
func idsByChange(ctx context.Context, d *db.DB, table string) ([]int64, error) {
	rows, err := d.R.QueryContext(ctx, "SELECT id FROM "+table+" ORDER BY updated_at, id")
	if err != nil {
		return nil, fmt.Errorf("search: list %s: %w", table, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

type reindexResult struct {
	docs     []*document
	messages int
	bytes    int64
	err      error
}

// reindexKind writes the documents of ids with seqs base, base+1, ….
// Batches are loaded and analysed by parallel workers and written in order.
func reindexKind(ctx context.Context, d *db.DB, eng bulkEngine, kind string, ids []int64, base int64,
	st *ReindexStats, progress func(string, ...any)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(2, runtime.GOMAXPROCS(0))
	pending := make(chan chan reindexResult, workers)
	go func() {
		defer close(pending)
		for lo := 0; lo < len(ids); lo += reindexBatch {
			part := ids[lo:min(lo+reindexBatch, len(ids))]
			ch := make(chan reindexResult, 1)
			select {
			case pending <- ch:
			case <-ctx.Done():
				return
			}
			go func() { ch <- loadDocuments(ctx, d, kind, part) }()
		}
	}()

	started, last := time.Now(), time.Now()
	done := 0
	// Documents are written writeBatch at a time: FTS5 turns each
	// transaction's documents into a segment, and fewer, larger segments
	// mean less merging.
	var docs []*document
	var seqs []int64
	flush := func() error {
		if err := eng.write(ctx, docs, seqs); err != nil {
			return fmt.Errorf("search: reindex %s: %w", kind, err)
		}
		docs, seqs = docs[:0], seqs[:0]
		return nil
	}
	for ch := range pending {
		r := <-ch
		if r.err == nil {
			for i, doc := range r.docs {
				// Seqs follow the order of ids, the recency order; each
				// batch has reindexBatch of them, so they never collide.
				docs = append(docs, doc)
				seqs = append(seqs, base+int64(done+i))
			}
			done += reindexBatch
			if len(docs) >= writeBatch {
				r.err = flush()
			}
		}
		if r.err != nil {
			cancel()
			for range pending {
			}
			return r.err
		}
		if kind == kindTicket {
			st.Tickets += len(r.docs)
		} else {
			st.Supporters += len(r.docs)
		}
		st.Messages += r.messages
		st.TextBytes += r.bytes
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			n := min(done, len(ids))
			progress("%ss: %d/%d (%.0f/s)", kind, n, len(ids), float64(n)/time.Since(started).Seconds())
		}
	}
	if len(docs) > 0 {
		return flush()
	}
	return nil
}

// loadDocuments reads and analyses one batch.
func loadDocuments(ctx context.Context, d *db.DB, kind string, ids []int64) reindexResult {
	var r reindexResult
	if kind == kindSupporter {
		people, err := loadPeople(ctx, d.R, ids)
		if err != nil {
			return reindexResult{err: err}
		}
		for _, id := range ids {
			p := people[id]
			if p == nil {
				continue
			}
			r.bytes += int64(len(p.name) + len(p.email) + len(p.notes))
			for _, v := range p.identities {
				r.bytes += int64(len(v))
			}
			r.docs = append(r.docs, supporterDocument(p))
		}
		return r
	}
	srcs, err := loadTickets(ctx, d.R, ids)
	if err != nil {
		return reindexResult{err: err}
	}
	for i := range srcs {
		s := &srcs[i]
		r.bytes += int64(len(s.subject))
		for _, t := range s.tags {
			r.bytes += int64(len(t))
		}
		for _, m := range s.messages {
			r.bytes += int64(len(m.text))
		}
		r.messages += len(s.messages)
		r.docs = append(r.docs, ticketDocument(s))
	}
	return r
}
