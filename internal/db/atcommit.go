package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Work deferred to the end of a transaction.
//
// Some writes are cheaper done together, just before COMMIT: FTS5 keeps the
// terms of a transaction's inserts in memory and writes them out as a new
// segment whenever a later statement opens a savepoint, so with group
// commit (one savepoint per caller) every ticket wrote — and later merged —
// its own tiny segment. AtCommit queues such writes; they run in the order
// queued, after every function of the transaction (or of the group-commit
// batch), inside the same transaction. A queued write belongs to the caller
// that queued it: if that caller's function fails, its writes are dropped
// with the rest of its work. If a queued write fails, the whole transaction
// rolls back and every caller in it gets the error.

// txState is what a transaction started by Tx carries besides *sql.Tx.
type txState struct {
	deferred []deferredWork
}

// deferredWork is one piece of queued work: a function, or an item for a
// Batch.
type deferredWork struct {
	fn    func(context.Context, *sql.Tx) error
	batch batcher
	item  any
	taken bool // the item went to a flush already
}

// batcher is a *Batch[T] of any T.
type batcher interface {
	flushItems(ctx context.Context, tx *sql.Tx, items []any) error
}

// A Batch merges work that is cheaper done for many items at once — one
// multi-row statement instead of one per item. Items queued with Queue by
// every function sharing a transaction (on SQLite, a group commit of many
// callers) reach Flush in one call at commit, in the order queued, at the
// place in the commit-time work where the first of them was queued. As
// with AtCommit, the items of a caller whose function fails are dropped,
// and a Flush that fails rolls the whole transaction back. Flush may
// queue more items or work; they run after it. A Batch is declared once,
// at package level: its identity is what groups the items.
type Batch[T any] struct {
	Flush func(ctx context.Context, tx *sql.Tx, items []T) error
}

// Queue adds item to b's flush at the end of tx (see AtCommit for what q
// may be). Outside a transaction started by Tx, Flush runs now with item
// alone.
func (b *Batch[T]) Queue(d *DB, q Querier, item T) error {
	if tx, ok := q.(*sql.Tx); ok {
		if v, ok := d.states.m.Load(tx); ok {
			st := v.(*txState)
			st.deferred = append(st.deferred, deferredWork{batch: b, item: item})
			return nil
		}
	}
	return d.AtCommit(q, func(ctx context.Context, tx *sql.Tx) error {
		return b.Flush(ctx, tx, []T{item})
	})
}

func (b *Batch[T]) flushItems(ctx context.Context, tx *sql.Tx, items []any) error {
	ts := make([]T, len(items))
	for i, it := range items {
		ts[i] = it.(T)
	}
	return b.Flush(ctx, tx, ts)
}

// txStates maps the open transactions started by Tx to their state.
type txStates struct{ m sync.Map } // *sql.Tx → *txState

func (s *txStates) open(tx *sql.Tx) *txState {
	st := &txState{}
	s.m.Store(tx, st)
	return st
}

func (s *txStates) close(tx *sql.Tx) { s.m.Delete(tx) }

// AtCommit runs fn at the end of tx, before it commits, when tx was started
// by Tx; otherwise (a plain *sql.DB, or a transaction begun elsewhere) it runs
// fn now, with q when q is a transaction. fn gets a context without the
// caller's cancellation: by the time it runs, the work of other callers may
// share the transaction, and one caller going away must not fail them all.
func (d *DB) AtCommit(q Querier, fn func(context.Context, *sql.Tx) error) error {
	tx, ok := q.(*sql.Tx)
	if !ok {
		return runOn(q, fn)
	}
	if v, ok := d.states.m.Load(tx); ok {
		st := v.(*txState)
		st.deferred = append(st.deferred, deferredWork{fn: fn})
		return nil
	}
	return fn(context.Background(), tx)
}

// runOn runs fn outside a transaction by opening a short one on q's pool.
func runOn(q Querier, fn func(context.Context, *sql.Tx) error) error {
	pool, ok := q.(*sql.DB)
	if !ok {
		return fmt.Errorf("db: AtCommit needs a *sql.DB or *sql.Tx, not %T", q)
	}
	tx, err := pool.Begin()
	if err != nil {
		return err
	}
	if err := fn(context.Background(), tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// runDeferred runs the queued work of st in order; a panic becomes an error
// (on SQLite it runs on the committer's goroutine, which must survive it).
func (st *txState) runDeferred(tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("db: panic in work queued for commit: %v", p)
		}
	}()
	ctx := context.Background()
	for i := 0; i < len(st.deferred); i++ { // work may queue more work
		w := st.deferred[i]
		switch {
		case w.fn != nil:
			if err := w.fn(ctx, tx); err != nil {
				return err
			}
		case !w.taken:
			// This item and every later one of its batch, in one flush.
			var items []any
			for j := i; j < len(st.deferred); j++ {
				if o := &st.deferred[j]; o.batch == w.batch && !o.taken {
					items = append(items, o.item)
					o.taken = true
				}
			}
			if err := w.batch.flushItems(ctx, tx, items); err != nil {
				return err
			}
		}
	}
	st.deferred = nil
	return nil
}
