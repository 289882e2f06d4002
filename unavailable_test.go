package jobflow_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"jobflow"
	"jobflow/store/storetest"
)

// The classifier is fed the drivers' real errors, caused for real.
func TestIsUnavailable(t *testing.T) {
	ctx := context.Background()

	t.Run("PostgresRefused", func(t *testing.T) {
		db, _ := sql.Open("postgres", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
		defer db.Close()
		err := db.PingContext(ctx)
		if err == nil || !jobflow.IsUnavailable(err) {
			t.Fatalf("refused connection: IsUnavailable(%v) = false", err)
		}
	})

	t.Run("PostgresTerminated", func(t *testing.T) {
		db, err := sql.Open("postgres", storetest.PostgresURL())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(2)
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("PostgreSQL is not reachable: %v", err)
		}
		defer conn.Close()
		var pid int
		if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			t.Fatal(err)
		}
		err = conn.QueryRowContext(ctx, `SELECT 1`).Scan(new(int))
		if err == nil || !jobflow.IsUnavailable(err) {
			t.Fatalf("terminated connection: IsUnavailable(%v) = false", err)
		}
		// A wrong query on a live connection is not an outage.
		_, err = db.ExecContext(ctx, `SELEC 1`)
		if err == nil || jobflow.IsUnavailable(err) {
			t.Fatalf("syntax error: IsUnavailable(%v) = true", err)
		}
	})

	t.Run("SQLiteLocked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.db")
		holder, _ := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)")
		defer holder.Close()
		if _, err := holder.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
			t.Fatal(err)
		}
		lock, err := holder.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close()
		if _, err := lock.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
			t.Fatal(err)
		}
		other, _ := sql.Open("sqlite", path+"?_pragma=busy_timeout(100)")
		defer other.Close()
		_, err = other.ExecContext(ctx, `INSERT INTO t VALUES (1)`)
		if err == nil || !jobflow.IsUnavailable(err) {
			t.Fatalf("locked file: IsUnavailable(%v) = false", err)
		}
		lock.ExecContext(ctx, `COMMIT`)
		// A constraint error is not an outage.
		holder.ExecContext(ctx, `CREATE TABLE u (x INTEGER PRIMARY KEY)`)
		holder.ExecContext(ctx, `INSERT INTO u VALUES (1)`)
		_, err = holder.ExecContext(ctx, `INSERT INTO u VALUES (1)`)
		if err == nil || jobflow.IsUnavailable(err) {
			t.Fatalf("unique violation: IsUnavailable(%v) = true", err)
		}
	})

	t.Run("DomainErrors", func(t *testing.T) {
		if jobflow.IsUnavailable(jobflow.Errorf(jobflow.ENOTFOUND, "x")) || jobflow.IsUnavailable(nil) ||
			jobflow.IsUnavailable(errors.New("boom")) {
			t.Fatal("a domain, nil or plain error counted as unavailable")
		}
		if !jobflow.IsUnavailable(fmt.Errorf("wrapped: %w", jobflow.Errorf(jobflow.EUNAVAILABLE, "x"))) {
			t.Fatal("UNAVAILABLE not recognised")
		}
	})
}
