package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/db"
)

// The GIN index's pending list (PostgreSQL).
//
// search_docs_terms is a GIN index with fastupdate: a write appends the
// document's terms to the index's pending list, a cheap sequential append,
// and the list is merged into the index proper later, in bulk. Every search
// reads the whole list (about 0.8 ms per MB for each GIN scan at 1,000,000
// tickets, several scans a query). When the list passes
// gin_pending_list_limit (4 MB), the writer that passed it merges it inside
// its own transaction (0.3–0.5 s at 1,000,000 tickets, one writer at a
// time; the others go on).
//
// A periodic job (PeriodicJob, MergePending) also merges the list, on
// whichever node picks the job up (River inserts periodic jobs on the
// elected leader only), when writers pause: a burst's leftover (up to 4 MB,
// which would otherwise stay until the next burst or autovacuum) goes within
// seconds, and on a quiet desk the list stays nearly empty and no agent's
// reply waits for a merge. Under steady heavy load the writers keep merging,
// as PostgreSQL designed: merging from outside then costs more CPU and WAL
// than it saves (docs/search.md, "Keeping up with 500 messages/s").
// SQLite's FTS5 merges its segments in the writing transaction by design
// (automerge): there is nothing to do there, and the job is not scheduled.

// When the leader enqueues a merge. Every PendingCheck it reads how far
// search_docs_seq has moved (every indexed document takes a number). While
// writers index PendingBusy documents a second or more, it leaves the list
// to them: under steady load gin_clean_pending_list chases the list's tail
// without end, in batches smaller than the writers', which cost more CPU
// and WAL. Otherwise it merges once PendingDocs documents were indexed
// since its last merge, or PendingIdle after the last document: what a
// burst left behind goes at once, and a quiet desk's list stays nearly
// empty, so no search reads through it and no agent's reply waits for a
// merge. The job runs once per PendingDocs documents at most, not every
// few seconds.
const (
	PendingCheck = time.Second
	PendingBusy  = 100
	PendingDocs  = 64
	PendingIdle  = time.Minute
)

// pgPendingLock is the advisory lock a merge holds, so that a second run (a
// slow merge, two nodes after a leader change) skips instead of queueing
// behind the first on the index's metapage.
const pgPendingLock = 7429017

// pgMergeBudget bounds one merge. gin_clean_pending_list merges until the
// list is empty; if writers resume meanwhile and outpace it, it chases the
// tail without end, holding back what VACUUM and page pruning may remove in
// every table (its snapshot) all the while. Cut short, a merge keeps what
// it finished (those entries are in the index and their pages left the
// list); the entries of the batch it was inserting are found already there
// by the next merge. A 24 MB list took 1.4 s at 1,000,000 tickets with
// nothing else running.
var pgMergeBudget = 30 * time.Second

// ErrMergeCutShort: a merge ran for its whole budget before the list was
// empty. Its job is retried.
var ErrMergeCutShort = errors.New("search: merging the GIN pending list took too long; cut short")

// MergePending merges the pending list of the PostgreSQL GIN index
// search_docs_terms into the index and returns how many pending pages it
// emptied, or -1 if another merge was running (it then did nothing). After
// pgMergeBudget it stops with ErrMergeCutShort. On SQLite it does nothing.
func (x *Index) MergePending(ctx context.Context) (int64, error) {
	if x.db.Engine != db.Postgres {
		return 0, nil
	}
	var n int64
	err := x.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT set_config('statement_timeout', $1, true)", strconv.FormatInt(pgMergeBudget.Milliseconds(), 10)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT CASE WHEN pg_try_advisory_xact_lock($1)
			THEN gin_clean_pending_list('search_docs_terms'::regclass) ELSE -1 END`, pgPendingLock).Scan(&n)
	})
	if err != nil && strings.Contains(err.Error(), "SQLSTATE 57014") && ctx.Err() == nil {
		return -1, ErrMergeCutShort // statement_timeout
	}
	if err != nil {
		return 0, fmt.Errorf("search: merge the pending list: %w", err)
	}
	return n, nil
}

// PendingArgs is the periodic job that merges the pending list.
type PendingArgs struct{}

// Kind is the River job kind.
func (PendingArgs) Kind() string { return "search_merge_pending" }

type pendingWorker struct {
	river.WorkerDefaults[PendingArgs]
	x   *Index
	log *slog.Logger
	// off: the database refused (Steward's role does not own the index);
	// said once, then the job does nothing until a restart.
	off atomic.Bool
}

func (w *pendingWorker) Work(ctx context.Context, _ *river.Job[PendingArgs]) error {
	if w.off.Load() {
		return nil
	}
	_, err := w.x.MergePending(ctx)
	if err != nil && strings.Contains(err.Error(), "SQLSTATE 42501") {
		w.off.Store(true)
		w.log.Warn("search: cannot merge the GIN pending list (the database role must own search_docs_terms); writers will merge it themselves", "err", err)
		return nil
	}
	return err
}

// Timeout bounds one merge; a merge cut short keeps what it merged.
func (w *pendingWorker) Timeout(*river.Job[PendingArgs]) time.Duration {
	return pgMergeBudget + time.Minute
}

// Register adds the pending-list worker to w (on both engines: on SQLite a
// job, should one be enqueued, does nothing).
func Register(w *river.Workers, x *Index, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	river.AddWorker(w, &pendingWorker{x: x, log: log})
}

// pendingAttempts: a merge cut short (or failed) is tried again, after 1 s
// and 16 s (River's back-off): the trigger enqueues no new merge until
// more documents are indexed.
const pendingAttempts = 3

// PeriodicJob schedules the merge on PostgreSQL (see PendingCheck); on
// SQLite it returns nil (no job).
func PeriodicJob(d *db.DB) *river.PeriodicJob {
	if d.Engine != db.Postgres {
		return nil
	}
	t := newPendingTrigger(func(ctx context.Context) (int64, error) {
		var v int64
		err := d.R.QueryRowContext(ctx, "SELECT last_value FROM search_docs_seq").Scan(&v)
		return v, err
	})
	return river.NewPeriodicJob(river.PeriodicInterval(PendingCheck), t.next,
		&river.PeriodicJobOpts{ID: "search_merge_pending", RunOnStart: true})
}

// pendingTrigger decides, on each tick of the leader's periodic enqueuer,
// whether to enqueue a merge. River's constructors must not block, so each
// tick starts reading the sequence in the background and decides on the
// value the previous tick read.
type pendingTrigger struct {
	readSeq func(context.Context) (int64, error)
	now     func() time.Time
	seq     atomic.Int64 // search_docs_seq's last value as last read; -1: not read yet
	reading atomic.Bool

	mu      sync.Mutex
	last    int64     // the value the previous tick decided on; -1: none
	changed time.Time // when a tick last saw it move
	merged  int64     // the value at the last merge enqueued; -1: none yet
}

func newPendingTrigger(read func(context.Context) (int64, error)) *pendingTrigger {
	t := &pendingTrigger{readSeq: read, now: time.Now, last: -1, merged: -1}
	t.seq.Store(-1)
	return t
}

// read refreshes seq in the background, one read at a time.
func (t *pendingTrigger) read() {
	if !t.reading.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer t.reading.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if v, err := t.readSeq(ctx); err == nil {
			t.seq.Store(v)
		}
	}()
}

// next is the periodic job's constructor: the merge job, or nil (no job
// this time). The first value read after a start counts as documents
// since the last merge: whatever the writers left while no node was
// merging is merged once they pause.
func (t *pendingTrigger) next() (river.JobArgs, *river.InsertOpts) {
	t.read()
	cur := t.seq.Load()
	if cur < 0 {
		return nil, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	last := t.last
	t.last = cur
	if cur != last {
		t.changed = now
	}
	if last < 0 || cur-last >= PendingBusy {
		return nil, nil // just started (no rate yet), or writers are busy
	}
	if t.merged >= 0 && (cur == t.merged || cur-t.merged < PendingDocs && now.Sub(t.changed) < PendingIdle) {
		return nil, nil
	}
	t.merged = cur
	return PendingArgs{}, &river.InsertOpts{MaxAttempts: pendingAttempts, UniqueOpts: river.UniqueOpts{ByPeriod: PendingCheck}}
}
