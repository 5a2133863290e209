package db

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// Checkpoints off the writer's path (SQLite).
//
// In WAL mode SQLite copies the log back into the database file — a
// checkpoint, with an fsync of each — whenever a commit finds the log over
// 1,000 pages, and the committing connection does it. At 2,000 tickets/s
// that was several times a second, each stalling the single writer and
// every request queued behind it. The writer connection has automatic
// checkpoints off instead, and a goroutine with a connection of its own
// runs PASSIVE checkpoints, which never block the writer or readers.

// checkpointEvery is how often the background checkpoint runs.
const checkpointEvery = 250 * time.Millisecond

type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
	once sync.Once
	err  error
}

func startCheckpointer(path string) (*checkpointer, error) {
	conn := sql.OpenDB(sqliteConnector{dsn: sqliteDSN(path, sqliteCheckpointer), driver: &sqlite.Driver{}})
	conn.SetMaxOpenConns(1)
	if err := conn.Ping(); err != nil {
		conn.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// Errors (SQLITE_BUSY while another process checkpoints) are
			// retried on the next tick.
			_, _ = c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// close stops the loop and folds the whole log into the database, so a
// closed database is one file again.
func (c *checkpointer) close() error {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		_, err := c.conn.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		c.err = errors.Join(err, c.conn.Close())
	})
	return c.err
}
