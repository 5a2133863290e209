package db

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
)

// SQLite parses an SQL text every time it is run unless the statement was
// prepared, and modernc's driver keeps a parsed statement only in a prepared
// *sql.Stmt. Parsing was 44 % of the CPU of creating a ticket
// (BENCHMARKS.md). cachingConn wraps each SQLite connection and keeps its
// prepared statements by SQL text, so every query in Steward — and River's —
// is parsed once per connection, without the callers knowing.

// stmtCacheSize bounds the statements kept per connection; queries built
// with variable IN lists make a few distinct texts, not thousands.
const stmtCacheSize = 512

type sqliteConnector struct {
	dsn    string
	driver driver.Driver
	// detach runs statements without their context's cancellation (the
	// writer): modernc interrupts a cancelled statement, and an interrupted
	// write can roll back the whole transaction — which group commit shares
	// between requests. database/sql still checks the context before each
	// statement, so a cancelled caller stops at its next statement instead.
	detach bool
}

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{inner: conn, stmts: map[string]*cachedStmt{}, detach: c.detach}, nil
}

func (c sqliteConnector) Driver() driver.Driver { return c.driver }

// innerConn is what modernc's connection offers.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
}

type cachedStmt struct {
	stmt driver.Stmt
	// busy while a Rows from it is open: a nested query with the same text
	// (inside a loop over the first's rows) must not reset it.
	busy atomic.Bool
}

type cachingConn struct {
	inner  driver.Conn
	stmts  map[string]*cachedStmt
	detach bool
}

func (c *cachingConn) stmtCtx(ctx context.Context) context.Context {
	if c.detach {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (c *cachingConn) in() innerConn { return c.inner.(innerConn) }

// get returns a cached statement for query, preparing it on first use; nil
// (with no error) means "run it uncached".
func (c *cachingConn) get(ctx context.Context, query string) (*cachedStmt, error) {
	if s, ok := c.stmts[query]; ok {
		if s.busy.Load() {
			return nil, nil
		}
		return s, nil
	}
	st, err := c.in().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) >= stmtCacheSize {
		for q, s := range c.stmts {
			if !s.busy.Load() {
				s.stmt.Close()
				delete(c.stmts, q)
			}
		}
	}
	s := &cachedStmt{stmt: st}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx = c.stmtCtx(ctx)
	s, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.in().ExecContext(ctx, query, args)
	}
	s.busy.Store(true)
	defer s.busy.Store(false)
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx = c.stmtCtx(ctx)
	s, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.in().QueryContext(ctx, query, args)
	}
	s.busy.Store(true)
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		s.busy.Store(false)
		return nil, err
	}
	return &cachedRows{Rows: rows, s: s}, nil
}

type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.s.busy.Store(false)
	return err
}

// ColumnTypeDatabaseTypeName passes through what database/sql asks of rows.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.in().PrepareContext(ctx, query)
}
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.in().BeginTx(context.Background(), driver.TxOptions{})
}
func (c *cachingConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.in().BeginTx(ctx, o)
}

func (c *cachingConn) Close() error {
	for _, s := range c.stmts {
		s.stmt.Close()
	}
	c.stmts = nil
	return c.inner.Close()
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
