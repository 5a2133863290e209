package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

// Group commit (SQLite only).
//
// SQLite has one writer, so write transactions run one after another and
// each pays for its own commit: one WAL frame write per dirty page, and FTS5
// flushing its pending terms as a new segment. Under concurrent load that
// was a fifth of a ticket's cost (BENCHMARKS.md). The committer runs the
// transactions that are waiting when the writer becomes free back to back in
// ONE SQLite transaction, each inside its own SAVEPOINT, and commits once:
//
//   - a function that fails (or panics) is rolled back to its savepoint and
//     gets its own error; the others are unaffected;
//   - every caller's Tx returns only after the shared COMMIT, with the
//     commit's error if it failed — so "returned nil" still means "durable";
//   - a caller whose context ends while it is still queued is skipped; once
//     its function has started, the caller waits for the commit, because the
//     outcome is decided there.
//
// Functions see the writes of the functions before them in the batch exactly
// as they would have after those committed, so running them together is
// equivalent to running them serially. With one waiting transaction the
// batch is that transaction alone, without savepoints.

// maxBatch bounds the functions that share one commit, so one commit never
// waits on an unbounded queue.
const maxBatch = 64

// Request states: queued until the committer claims it or the caller gives up.
const (
	reqQueued int32 = iota
	reqRunning
	reqAbandoned
)

type txRequest struct {
	ctx   context.Context
	fn    func(*sql.Tx) error
	state atomic.Int32
	done  chan txResult
}

type txResult struct {
	err   error
	panic any
}

type committer struct {
	w         *sql.DB
	states    *txStates
	rollbacks *atomic.Int64
	// commits and txs count COMMITs and the transactions they carried;
	// busy is the time spent running batches (ns): against the time
	// elapsed, how close the one writer is to saturation.
	commits, txs, busy atomic.Int64
	reqs               chan *txRequest
	stop               chan struct{}
	quit               chan struct{}
}

func newCommitter(w *sql.DB, states *txStates, rollbacks *atomic.Int64) *committer {
	c := &committer{w: w, states: states, rollbacks: rollbacks, reqs: make(chan *txRequest, 1024), stop: make(chan struct{}), quit: make(chan struct{})}
	go c.loop()
	return c
}

// errClosed is returned by Tx after Close.
var errClosed = errors.New("db: closed")

// run queues fn and waits for the commit that includes it.
func (c *committer) run(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-c.quit:
		return errClosed
	default:
	}
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
	select {
	case c.reqs <- r:
	case <-c.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	var res txResult
	select {
	case res = <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return ctx.Err()
		}
		res = <-r.done // already running: the commit decides
	case <-c.quit:
		// Closed after r was queued: the loop ends between batches, so r
		// either ran (its result is waiting) or never will.
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return errClosed
		}
		res = <-r.done
	}
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (c *committer) close() {
	select {
	case <-c.quit:
		return
	default:
	}
	close(c.stop)
	<-c.quit
}

func (c *committer) loop() {
	defer close(c.quit)
	// The label lets a CPU profile single out the one writer's time
	// (go tool pprof -tagfocus db=writer), the figure that bounds writes.
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("db", "writer")))
	batch := make([]*txRequest, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-c.reqs:
			batch = append(batch, r)
		case <-c.stop:
			c.drain()
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		began := time.Now()
		c.runBatch(batch)
		c.busy.Add(int64(time.Since(began)))
	}
}

// drain fails what is still queued at Close.
func (c *committer) drain() {
	for {
		select {
		case r := <-c.reqs:
			r.done <- txResult{err: errClosed}
		default:
			return
		}
	}
}

// runBatch runs the claimable requests of batch in one transaction, and
// while the batch is open it takes in requests that arrived meanwhile (up to
// maxBatch), so a busy writer makes bigger commits rather than a queue.
func (c *committer) runBatch(batch []*txRequest) {
	var live []*txRequest
	var results []txResult
	claim := func(rs []*txRequest) []*txRequest {
		out := rs[:0]
		for _, r := range rs {
			if r.ctx.Err() == nil && r.state.CompareAndSwap(reqQueued, reqRunning) {
				out = append(out, r)
			} else if r.state.Load() == reqQueued { // its context ended while queued
				r.state.Store(reqAbandoned)
				r.done <- txResult{err: r.ctx.Err()}
			}
		}
		return out
	}
	pending := claim(batch)
	if len(pending) == 0 {
		return
	}
	tx, err := c.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range pending {
			r.done <- txResult{err: fmt.Errorf("db: begin: %w", err)}
		}
		return
	}
	st := c.states.open(tx)
	defer c.states.close(tx)
	var aborted error // the transaction itself is gone
	for len(pending) > 0 {
		for _, r := range pending {
			live = append(live, r)
			if aborted != nil {
				results = append(results, txResult{err: aborted})
				continue
			}
			// One transaction alone needs no savepoint: if it fails, the
			// whole transaction rolls back and nothing else joins it.
			alone := len(live) == 1 && len(pending) == 1
			res, err := c.runOne(r, tx, st, !alone)
			results = append(results, res)
			if err != nil || (alone && (res.err != nil || res.panic != nil)) {
				aborted = err
				if aborted == nil {
					aborted = errSkipped
				}
			}
		}
		pending = pending[:0]
		if aborted != nil {
			break
		}
	more:
		for len(live)+len(pending) < maxBatch {
			select {
			case r := <-c.reqs:
				pending = append(pending, r)
			default:
				break more
			}
		}
		pending = claim(pending)
	}
	if aborted == errSkipped {
		aborted = nil
	}
	ok := false
	for _, res := range results {
		ok = ok || (res.err == nil && res.panic == nil)
	}
	if ok && aborted == nil {
		if err := st.runDeferred(tx); err != nil {
			aborted = fmt.Errorf("db: work queued for commit: %w", err)
		}
	}
	fail := func(err error) {
		for i := range results {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = err
			}
		}
	}
	switch {
	case aborted != nil || !ok:
		_ = tx.Rollback()
		c.rollbacks.Add(1)
		fail(aborted)
	default:
		c.commits.Add(1)
		c.txs.Add(int64(len(live)))
		if err := tx.Commit(); err != nil {
			c.rollbacks.Add(1)
			fail(fmt.Errorf("db: commit: %w", err))
		}
	}
	for i, r := range live {
		r.done <- results[i]
	}
}

// errSkipped marks a batch that ended because its only transaction failed
// (its caller has its own error; there is nothing to commit).
var errSkipped = errors.New("db: batch ended")

// runOne runs one request's function in tx, inside a savepoint when others
// share tx. A non-nil error means tx itself is lost.
func (c *committer) runOne(r *txRequest, tx *sql.Tx, st *txState, savepoint bool) (txResult, error) {
	mark := len(st.deferred)
	if savepoint {
		if _, err := tx.Exec("SAVEPOINT steward_batch"); err != nil {
			return txResult{err: fmt.Errorf("db: savepoint: %w", err)}, fmt.Errorf("db: savepoint: %w", err)
		}
	}
	res := call(r.fn, tx)
	failed := res.err != nil || res.panic != nil
	if failed {
		st.deferred = st.deferred[:mark] // its queued work goes with it
	}
	if !savepoint {
		return res, nil
	}
	if failed {
		// ROLLBACK TO keeps the savepoint open; RELEASE ends it.
		c.rollbacks.Add(1)
		if _, err := tx.Exec("ROLLBACK TO steward_batch"); err != nil {
			return res, fmt.Errorf("db: transaction aborted by a failed statement in the same batch: %w", err)
		}
	}
	if _, err := tx.Exec("RELEASE steward_batch"); err != nil {
		return res, fmt.Errorf("db: release savepoint: %w", err)
	}
	return res, nil
}

// GroupCommitStats are the group committer's counters since Open.
type GroupCommitStats struct {
	// Commits is how many COMMITs SQLite ran and Transactions how many
	// write transactions they carried (their ratio is the mean batch).
	Commits, Transactions int64
	// Busy is the time the writer spent running batches.
	Busy time.Duration
}

// GroupCommitStats reports the group committer's counters; zeros on
// PostgreSQL.
func (d *DB) GroupCommitStats() GroupCommitStats {
	if d.commit == nil {
		return GroupCommitStats{}
	}
	return GroupCommitStats{Commits: d.commit.commits.Load(), Transactions: d.commit.txs.Load(), Busy: time.Duration(d.commit.busy.Load())}
}

// call runs fn, turning a panic into a result so the batch survives it.
func call(fn func(*sql.Tx) error, tx *sql.Tx) (res txResult) {
	defer func() {
		if p := recover(); p != nil {
			res = txResult{panic: p}
		}
	}()
	return txResult{err: fn(tx)}
}
