// Package dbtest gives tests a fresh, migrated Steward database on every
// engine: SQLite always, PostgreSQL when STEWARD_TEST_PG names a server (the
// test script starts one). With STEWARD_TEST_REQUIRE_ALL=1 a missing
// PostgreSQL fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/jobs"
)

// Engines runs fn as a subtest on each available engine with a fresh database.
func Engines(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// OpenSQLite returns a migrated SQLite database in a temp dir.
func OpenSQLite(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// PostgresDSN returns the admin DSN of the test server, skipping (or failing,
// when all services are required) if there is none.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("STEWARD_TEST_PG")
	if dsn == "" {
		if os.Getenv("STEWARD_TEST_REQUIRE_ALL") == "1" {
			t.Fatal("STEWARD_TEST_PG is not set but STEWARD_TEST_REQUIRE_ALL=1")
		}
		t.Skip("STEWARD_TEST_PG not set; run `make test` to start a throw-away PostgreSQL")
	}
	return dsn
}

// OpenPostgres returns a fresh migrated PostgreSQL database, created from a
// template migrated once per schema version, and dropped after the test.
func OpenPostgres(t testing.TB) *db.DB {
	t.Helper()
	dsn := NewPostgresDatabase(t)
	d, err := db.Open(context.Background(), db.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// NewPostgresDatabase creates a fresh migrated database and returns its DSN
// (for tests that start several Steward nodes on one database).
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := PostgresDSN(t)
	ctx := context.Background()
	tpl, err := template(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), os.Getpid())
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// Creating from a template fails while anyone else is connected to the
	// template; another test process may be doing the same, so retry briefly.
	for i := 0; ; i++ {
		_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl))
		if err == nil || i > 50 || !strings.Contains(err.Error(), "being accessed") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(admin, name)
}

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

func template(ctx context.Context, admin string) (string, error) {
	tplOnce.Do(func() { tplName, tplErr = makeTemplate(ctx, admin) })
	return tplName, tplErr
}

// makeTemplate creates (once across all test processes, under an advisory
// lock) a database named after a hash of the migrations, migrated fully.
func makeTemplate(ctx context.Context, admin string) (string, error) {
	ms, err := db.Migrations(db.Postgres)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		h.Write([]byte(m.SQL))
	}
	h.Write([]byte(riverVersionTag))
	name := "steward_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7429002)"); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock(7429002)")
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	tmp := name + "_building"
	conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", tmp))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+tmp); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, db.Options{DSN: withDatabase(admin, tmp)})
	if err != nil {
		return "", err
	}
	err = migrate(ctx, d)
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", tmp, name)); err != nil {
		return "", err
	}
	return name, nil
}

// riverVersionTag invalidates cached templates when River's schema changes.
const riverVersionTag = "river-v0.51.2"

func migrate(ctx context.Context, d *db.DB) error {
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, d)
}

// withDatabase swaps the database name in a postgres:// DSN.
func withDatabase(dsn, name string) string {
	scheme, rest, _ := strings.Cut(dsn, "://")
	hostPart, query, _ := strings.Cut(rest, "?")
	if i := strings.Index(hostPart, "/"); i >= 0 {
		hostPart = hostPart[:i]
	}
	out := scheme + "://" + hostPart + "/" + name
	if query != "" {
		out += "?" + query
	}
	return out
}

// DataDir returns a temp directory for blobs beside a test database.
func DataDir(t testing.TB) string { return filepath.Join(t.TempDir(), "data") }
