// Package storetest gives tests a fresh, migrated store on each dialect:
// PostgreSQL in a database of its own that is dropped afterwards, and SQLite
// in a file under t.TempDir(). In the full tier tests never skip for a
// missing PostgreSQL: they fail and say how to reach one. In the fast tier
// (go test -short, see jobflow/internal/testtier) they run on SQLite only.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // admin connection for CREATE/DROP DATABASE

	"jobflow/internal/testtier"
	"jobflow/store"
)

// DefaultPostgresURL is the server tests use unless JOBFLOW_TEST_POSTGRES_URL
// names another; its database is only used to create and drop test databases.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Key is the fixed encryption key of test stores (32 bytes).
var Key = []byte("jobflow-test-key-0123456789abcde")

// Dialects are the dialects ForEach runs, in order: PostgreSQL and SQLite,
// or SQLite alone in the fast tier.
func Dialects() []string {
	if testing.Short() {
		return []string{store.DialectSQLite}
	}
	return []string{store.DialectPostgres, store.DialectSQLite}
}

// Primary is the dialect of tests that need one store of no particular
// dialect: PostgreSQL, the production store, or SQLite in the fast tier.
func Primary() string {
	if testing.Short() {
		return store.DialectSQLite
	}
	return store.DialectPostgres
}

// PostgresURL is the admin URL of the test PostgreSQL server.
func PostgresURL() string {
	if u := os.Getenv("JOBFLOW_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// ForEach runs fn as the subtests "postgres" and "sqlite", each on a fresh
// migrated store.
func ForEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated store of dialect ("postgres" or "sqlite"),
// closed (and on PostgreSQL dropped) when the test ends.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	switch dialect {
	case store.DialectPostgres:
		s, _ := OpenPostgres(t)
		return s
	case store.DialectSQLite:
		return openSQLite(t)
	}
	t.Fatalf("storetest: unknown dialect %q", dialect)
	return nil
}

func openSQLite(t testing.TB) *store.Store {
	t.Helper()
	s, _ := OpenSQLite(t)
	return s
}

// OpenURL is Open that also returns the database's URL, for tests that open
// it a second time (with another key, or from a process).
func OpenURL(t testing.TB, dialect string) (*store.Store, string) {
	t.Helper()
	if dialect == store.DialectPostgres {
		return OpenPostgres(t)
	}
	return OpenSQLite(t)
}

// OpenSQLite is Open on SQLite that also returns the file's URL
// (sqlite:///…), for tests that open it again.
func OpenSQLite(t testing.TB) (*store.Store, string) {
	t.Helper()
	u := "sqlite://" + filepath.Join(t.TempDir(), "jobflow.db")
	return openAndMigrate(t, u), u
}

// OpenPostgres is Open on PostgreSQL that also returns the fresh
// database's URL, for tests that start jobflow processes on it. It skips
// the test in the fast tier.
func OpenPostgres(t testing.TB) (*store.Store, string) {
	t.Helper()
	testtier.Long(t, "PostgreSQL")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adminURL := PostgresURL()
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("storetest: JOBFLOW_TEST_POSTGRES_URL is not a URL: %v", err)
	}
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("storetest: PostgreSQL at %s is not reachable: %v\n"+
			"Start PostgreSQL or point JOBFLOW_TEST_POSTGRES_URL at one; store tests never skip it.", u.Redacted(), err)
	}
	name := "jobflow_test_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, adminURL, name) })
	u.Path = "/" + name
	return openAndMigrate(t, u.String()), u.String()
}

func openAndMigrate(t testing.TB, databaseURL string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := store.Open(ctx, databaseURL, Key)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	// Registered after the drop, so it runs before it (cleanups are LIFO).
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s
}

func dropDatabase(t testing.TB, adminURL, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		t.Errorf("storetest: drop %s: %v", name, err)
		return
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		t.Errorf("storetest: drop database %s: %v", name, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Exec runs one statement (with ? placeholders) on the database at dbURL
// behind the store's back: what an older jobflow or an operator's SQL could
// have left there, for tests that the checks at publish and run time still
// refuse it.
func Exec(t testing.TB, dbURL, query string, args ...any) {
	t.Helper()
	driver, dsn := "postgres", dbURL
	if !strings.HasPrefix(dbURL, "postgres://") && !strings.HasPrefix(dbURL, "postgresql://") {
		driver, dsn = "sqlite", strings.TrimPrefix(dbURL, "sqlite://")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(db.Rebind(query), args...); err != nil {
		t.Fatalf("storetest.Exec: %v", err)
	}
}
