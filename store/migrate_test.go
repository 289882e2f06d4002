package store_test

import (
	"path/filepath"
	"testing"

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
