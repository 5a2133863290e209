// Package db opens Steward's database — embedded SQLite by default, PostgreSQL
// at scale — and keeps the few differences between the two engines in one place.
//
// All application SQL is written once with $1-style placeholders, which both
// modernc.org/sqlite and pgx accept. Timestamps are stored as Unix milliseconds
// (BIGINT) on both engines so ordering, keyset cursors and arithmetic behave the
// same everywhere.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Querier is what both *sql.DB and *sql.Tx offer; store functions take it so
// they compose inside a caller's transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open Steward database.
//
// On SQLite, W is a single writer connection (BEGIN IMMEDIATE) and R a pool of
// readers; on PostgreSQL both are the same pool. Code that writes must use W
// or a transaction from Tx; never use W inside a transaction on SQLite, as the
// one connection is held by the transaction.
type DB struct {
	Engine Engine
	W      *sql.DB
	R      *sql.DB
	// Pool is the pgx pool on PostgreSQL (for River and LISTEN/NOTIFY); nil on SQLite.
	Pool *pgxpool.Pool
	// Path is the SQLite file; empty on PostgreSQL.
	Path string

	// commit groups concurrent write transactions on SQLite (groupcommit.go).
	commit *committer
	// states holds the work queued with AtCommit per open transaction.
	states *txStates
	// checkpoints folds the WAL into the database file (checkpoint.go).
	checkpoints *checkpointer
	// rollbacks counts work undone: whole transactions and, in group
	// commit, one caller's savepoint (see Rollbacks).
	rollbacks *atomic.Int64
}

// Rollbacks counts the transactions (or, in a group commit, the callers'
// savepoints) rolled back since Open. A cache of "this row exists" learnt
// inside a transaction stays valid while the count is unchanged: the
// transaction that wrote the row may have been one rolled back since.
func (d *DB) Rollbacks() int64 { return d.rollbacks.Load() }

// Options says which database to open.
type Options struct {
	// DSN: empty means SQLite in DataDir; postgres:// or postgresql:// means PostgreSQL;
	// anything else is taken as a SQLite file path.
	DSN     string
	DataDir string
}

// Open connects to the database. It does not migrate; call Migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	if strings.HasPrefix(o.DSN, "postgres://") || strings.HasPrefix(o.DSN, "postgresql://") {
		return openPostgres(ctx, o.DSN)
	}
	path := o.DSN
	if path == "" {
		if o.DataDir == "" {
			return nil, errors.New("db: neither a DSN nor a data directory was given")
		}
		if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("db: create data dir: %w", err)
		}
		path = filepath.Join(o.DataDir, "steward.db")
	}
	return openSQLite(ctx, path)
}

// sqliteRole says what a SQLite connection is for.
type sqliteRole int

const (
	sqliteWriter sqliteRole = iota
	sqliteReader
	sqliteCheckpointer
)

func sqliteDSN(path string, role sqliteRole) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "cache_size(-32000)")
	// Statement and savepoint journals (group commit gives every caller a
	// savepoint) and sorts stay in memory instead of temp files: with files,
	// each page first changed inside a savepoint cost a write(2).
	q.Add("_pragma", "temp_store(MEMORY)")
	switch role {
	case sqliteWriter:
		// Take the write lock at BEGIN so concurrent processes (a CLI command
		// beside `serve`) queue on busy_timeout instead of failing mid-transaction.
		q.Set("_txlock", "immediate")
		// The checkpointer does the checkpoints (checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
	case sqliteReader:
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	w := sql.OpenDB(sqliteConnector{dsn: sqliteDSN(path, sqliteWriter), driver: &sqlite.Driver{}, detach: true})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	r := sql.OpenDB(sqliteConnector{dsn: sqliteDSN(path, sqliteReader), driver: &sqlite.Driver{}})
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	cp, err := startCheckpointer(path)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	d := &DB{Engine: SQLite, W: w, R: r, Path: path, states: &txStates{}, rollbacks: &atomic.Int64{}, checkpoints: cp}
	d.commit = newCommitter(w, d.states, d.rollbacks)
	return d, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: parse postgres dsn: %w", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: connect postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: connect postgres: %w", err)
	}
	sdb := stdlib.OpenDBFromPool(pool)
	return &DB{Engine: Postgres, W: sdb, R: sdb, Pool: pool, states: &txStates{}, rollbacks: &atomic.Int64{}}, nil
}

// Close releases every connection.
func (d *DB) Close() error {
	if d.commit != nil {
		d.commit.close()
	}
	var errs []error
	if d.checkpoints != nil {
		errs = append(errs, d.checkpoints.close())
	}
	if d.R != nil && d.R != d.W {
		errs = append(errs, d.R.Close())
	}
	if d.W != nil {
		errs = append(errs, d.W.Close())
	}
	if d.Pool != nil {
		d.Pool.Close()
	}
	return errors.Join(errs...)
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx runs fn in a write transaction, committing when fn returns nil. On
// SQLite, concurrent calls share one commit (groupcommit.go); fn must not
// keep tx or start another Tx.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if d.commit != nil {
		return d.commit.run(ctx, fn)
	}
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	st := d.states.open(tx)
	defer d.states.close(tx)
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			d.rollbacks.Add(1)
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			d.rollbacks.Add(1)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = st.runDeferred(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		d.rollbacks.Add(1)
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// Now is the storage form of a time: Unix milliseconds.
func Now() int64 { return time.Now().UnixMilli() }

// Millis converts a time to its storage form; the zero time becomes nil (NULL).
func Millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// Time converts a stored Unix-millisecond value back to a time (UTC).
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// NullTime converts a nullable stored value; NULL becomes the zero time.
func NullTime(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return Time(ms.Int64)
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}
