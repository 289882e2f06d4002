package store_test

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"jobflow/store"
	"jobflow/store/storetest"
)

func TestStore_Migrate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		v1, err := s.SchemaVersion(ctx)
		if err != nil || v1 < 1 {
			t.Fatalf("SchemaVersion = %d, %v", v1, err)
		}
		tn := mustTenant(t, s, "kept")
		// A second run is a no-op: no error, same version, data kept.
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if v2, _ := s.SchemaVersion(ctx); v2 != v1 {
			t.Fatalf("version %d -> %d", v1, v2)
		}
		if _, err := s.FindTenantByID(ctx, tn.ID); err != nil {
			t.Fatalf("data lost: %v", err)
		}
	})
}

func TestOpen(t *testing.T) {
	t.Run("SQLitePlainPath", func(t *testing.T) {
		s, err := store.Open(ctx, filepath.Join(t.TempDir(), "sub", "x.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Dialect() != store.DialectSQLite {
			t.Fatalf("dialect = %q", s.Dialect())
		}
	})
	t.Run("ErrScheme", func(t *testing.T) {
		if _, err := store.Open(ctx, "mysql://root@localhost/x", nil); err == nil {
			t.Fatal("mysql:// accepted")
		}
	})
	t.Run("ErrKeySize", func(t *testing.T) {
		if _, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"), []byte("short")); err == nil {
			t.Fatal("a 5-byte key accepted")
		}
	})
	t.Run("ErrPostgresUnreachable", func(t *testing.T) {
		_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", nil)
		if err == nil {
			t.Fatal("opened a PostgreSQL that is not there")
		}
	})
	t.Run("Postgres", func(t *testing.T) {
		s, err := store.Open(ctx, storetest.PostgresURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Dialect() != store.DialectPostgres {
			t.Fatalf("dialect = %q", s.Dialect())
		}
	})
}

// TestStore_Migrate_Concurrent starts two processes' worth of stores on one
// empty database at once, as an api and a server starting together would.
func TestStore_Migrate_Concurrent(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dbURL := emptyDatabase(t, dialect)
			var stores [3]*store.Store
			for i := range stores {
				s, err := store.Open(ctx, dbURL, storetest.Key)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				stores[i] = s
			}
			errs := make(chan error, len(stores))
			for _, s := range stores {
				go func() { errs <- s.Migrate(ctx) }()
			}
			for range stores {
				if err := <-errs; err != nil {
					t.Fatalf("concurrent Migrate: %v", err)
				}
			}
			v, err := stores[0].SchemaVersion(ctx)
			if err != nil || v < 4 {
				t.Fatalf("SchemaVersion = %d, %v", v, err)
			}
		})
	}
}

// emptyDatabase returns the URL of a database with no tables, removed when
// the test ends.
func emptyDatabase(t *testing.T, dialect string) string {
	t.Helper()
	if dialect == store.DialectSQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "empty.db")
	}
	admin, err := sql.Open("postgres", storetest.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("jobflow_test_empty_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", storetest.PostgresURL(), err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", storetest.PostgresURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	})
	u, _ := url.Parse(storetest.PostgresURL())
	u.Path = "/" + name
	return u.String()
}
