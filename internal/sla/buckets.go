package sla

import (
	"context"
	"database/sql"
	"fmt"
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
	res, err := tx.ExecContext(ctx, "INSERT INTO sla_buckets (event, until_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", t.args.Event, until)
	if err != nil {
		return fmt.Errorf("sla: bucket: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
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
