package sla

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// Timers for targets saved one by one (a new ticket, a reply) go into the
// minute bucket holding their moment: the first target of a bucket inserts
// a row in sla_buckets and one sla_bucket River job at the bucket's end, the
// others find the row and insert nothing. A River job insert was a fifth
// of the cost of creating a ticket on SQLite (BENCHMARKS.md); the bucket row
// is one primary-key insert. FireBucket fires every target due in the
// bucket through Fire, which claims each event once, so the moment a target
// fires is at most bucketMS late.
//
// A moment that is near (or past) gets its own per-target timer instead: a
// bucket that ends within bucketSlack may already be firing, and a target
// saved after its job read the bucket would be missed.
const bucketSlack = 2 * bucketMS

// bucketRetention is how long fired buckets' rows are kept; any moment
// older than bucketSlack takes the per-target path, so the rows of buckets
// past are never needed again.
const bucketRetention = time.Hour

// schedule sets the timer for t, in its bucket or on its own.
func (s *Service) schedule(ctx context.Context, tx *sql.Tx, t timer) error {
	if s.Jobs == nil {
		return nil
	}
	if t.at < s.now().UnixMilli()+bucketSlack {
		return s.enqueue(ctx, tx, t.args, t.at)
	}
	until := (t.at + bucketMS - 1) / bucketMS * bucketMS
	k := bucketKey{t.args.Event, until}
	gen := s.DB.Rollbacks()
	if s.buckets.known(k, gen) {
		return nil
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO sla_buckets (event, until_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", t.args.Event, until)
	if err != nil {
		return fmt.Errorf("sla: bucket: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			s.buckets.remember(k, gen)
		}
		return err // the bucket's job is already scheduled
	}
	return s.Jobs.Enqueue(ctx, tx, BucketArgs{Event: t.args.Event, Until: until},
		&river.InsertOpts{ScheduledAt: time.UnixMilli(until), MaxAttempts: 10})
}

// pruneBuckets forgets the rows of buckets long past.
func (s *Service) pruneBuckets(ctx context.Context) error {
	cut := s.now().Add(-bucketRetention).UnixMilli()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sla_buckets WHERE until_at < $1", cut)
		return err
	})
}

// bucketCache remembers buckets whose row (and job) exist, so that most
// timers cost no statement at all. What it learnt holds while no write was
// rolled back since (db.Rollbacks): the row it saw may have been written by
// a transaction that was.
type bucketCache struct {
	mu   sync.Mutex
	gen  int64
	seen map[bucketKey]bool
}

func (c *bucketCache) known(k bucketKey, gen int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen == gen && c.seen[k]
}

func (c *bucketCache) remember(k bucketKey, gen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil || c.gen != gen || len(c.seen) > 10_000 {
		c.gen, c.seen = gen, map[bucketKey]bool{}
	}
	c.seen[k] = true
}
