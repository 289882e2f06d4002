// Package store keeps jobflow's state in PostgreSQL (production, through
// lib/pq) or SQLite (standalone, through modernc.org/sqlite), with one schema
// written once per dialect and applied by embedded, versioned migrations.
//
// *Store implements every service interface of the domain package. SQL sits
// next to the method that runs it, written with '?' placeholders that sqlx
// rebinds for PostgreSQL. Tenant-scoped methods always filter on the tenant,
// so another tenant's object is simply NOT_FOUND.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"
)

// Dialects a Store speaks.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// Store is the database of jobflow.
type Store struct {
	db      *sqlx.DB
	dialect string
	cipher  *Cipher
}

// Open connects to databaseURL and checks the connection; it does not
// migrate (call Migrate). "postgres://…" or "postgresql://…" selects
// PostgreSQL; "sqlite:///path/file.db", "sqlite:file.db" or a plain file path
// selects SQLite. encryptionKey is the 32-byte AES-256 key for secrets at
// rest; it may be nil when no secret is read or written (e.g. migrations).
func Open(ctx context.Context, databaseURL string, encryptionKey []byte) (*Store, error) {
	var c *Cipher
	if encryptionKey != nil {
		var err error
		if c, err = NewCipher(encryptionKey); err != nil {
			return nil, err
		}
	}
	s := &Store{cipher: c}
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		pgURL, maxConns, err := poolMaxConns(databaseURL)
		if err != nil {
			return nil, err
		}
		db, err := sqlx.Open("postgres", pgURL)
		if err != nil {
			return nil, fmt.Errorf("store: bad PostgreSQL URL: %w", err)
		}
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(min(8, maxConns))
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.db, s.dialect = db, DialectPostgres
	case databaseURL == "":
		return nil, errors.New("store: empty database URL")
	default:
		path, err := sqlitePath(databaseURL)
		if err != nil {
			return nil, err
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("store: create directory for SQLite file: %w", err)
			}
		}
		// Every transaction begins IMMEDIATE, so a read-then-write never
		// fails half-way on a lock upgrade; WAL lets the Temporal server's
		// and other readers of the file go on while we write.
		dsn := path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		db, err := sqlx.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open SQLite file %s: %w", path, err)
		}
		// SQLite has one writer. One connection makes concurrent writes
		// queue in database/sql instead of failing with SQLITE_BUSY.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		s.db, s.dialect = db, DialectSQLite
	}
	if err := s.Ping(ctx); err != nil {
		s.db.Close()
		if s.dialect == DialectPostgres {
			return nil, fmt.Errorf("store: cannot reach PostgreSQL: %w", err)
		}
		return nil, fmt.Errorf("store: cannot open SQLite database: %w", err)
	}
	return s, nil
}

// DefaultPoolMaxConns is how many connections one process opens to
// PostgreSQL at most, unless the URL's pool_max_conns says otherwise.
const DefaultPoolMaxConns = 32

// poolMaxConns takes the pool_max_conns parameter (the name pgx uses) out
// of a PostgreSQL URL: lib/pq would send it to the server as a setting.
// Several jobflow processes on one PostgreSQL must share its
// max_connections (100 by default): three at 32 each ran it out in the
// soak test (SQLSTATE 53300).
func poolMaxConns(databaseURL string) (string, int, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", 0, fmt.Errorf("store: bad PostgreSQL URL: %w", err)
	}
	q := u.Query()
	v := q.Get("pool_max_conns")
	if !q.Has("pool_max_conns") {
		return databaseURL, DefaultPoolMaxConns, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return "", 0, fmt.Errorf("store: pool_max_conns=%q in the PostgreSQL URL: want a number from 1 to 1000", v)
	}
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// sqlitePath turns "sqlite:///abs/x.db", "sqlite://rel/x.db", "sqlite:x.db"
// or "x.db" into a file path.
func sqlitePath(databaseURL string) (string, error) {
	path := databaseURL
	switch {
	case strings.HasPrefix(path, "sqlite://"):
		path = strings.TrimPrefix(path, "sqlite://")
	case strings.HasPrefix(path, "sqlite:"):
		path = strings.TrimPrefix(path, "sqlite:")
	case strings.Contains(path, "://"):
		u, _ := url.Parse(path)
		scheme := "unknown"
		if u != nil {
			scheme = u.Scheme
		}
		return "", fmt.Errorf("store: unsupported database URL scheme %q (use postgres:// or sqlite://)", scheme)
	}
	if path == "" {
		return "", errors.New("store: the SQLite URL names no file")
	}
	if strings.ContainsRune(path, '?') {
		return "", errors.New("store: the SQLite file path must not contain '?'")
	}
	return path, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Dialect is DialectPostgres or DialectSQLite.
func (s *Store) Dialect() string { return s.dialect }

// Cipher is the cipher of secrets at rest, nil when Open got no key.
func (s *Store) Cipher() *Cipher { return s.cipher }

// now is the time stored in timestamps: UTC, cut to microseconds because
// PostgreSQL keeps no more, so a value reads back equal on both dialects.
// On SQLite the TIMESTAMP text sorts chronologically because every value is
// written in UTC with the same offset.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// dbTime prepares a caller's time for storage the same way.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func dbTimePtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := dbTime(*t)
	return &u
}

// utcPtr returns a read timestamp in UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// inTx runs fn in a transaction and commits when fn returns nil. On SQLite
// the transaction is IMMEDIATE (see Open), so it holds the write lock from
// the start.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// forUpdate is the row-lock suffix of a SELECT: PostgreSQL locks the row,
// SQLite needs nothing because its transaction already holds the write lock.
func (s *Store) forUpdate() string {
	if s.dialect == DialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// notFound turns sql.ErrNoRows into a NOT_FOUND error about what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFoundf("%s not found", what)
	}
	return err
}
