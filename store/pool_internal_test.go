package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jobflow/internal/testtier"
)

// testPostgresURL is storetest's server (storetest imports this package,
// so it cannot be used here).
func testPostgresURL() string {
	if u := os.Getenv("JOBFLOW_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// TestOpen_PoolMaxConns: pool_max_conns in a PostgreSQL URL sizes the
// pool and is not sent to the server; a bad value is refused with its
// name; SQLite keeps its single connection.
func TestOpen_PoolMaxConns(t *testing.T) {
	testtier.Long(t, "PostgreSQL")
	ctx := context.Background()
	base := testPostgresURL()
	for _, tc := range []struct {
		query string
		want  int
	}{{"", DefaultPoolMaxConns}, {"pool_max_conns=3", 3}} {
		u := base
		if tc.query != "" {
			u += "&" + tc.query
		}
		s, err := Open(ctx, u, nil)
		if err != nil {
			t.Fatalf("Open(%s): %v", u, err)
		}
		var one int
		if err := s.db.GetContext(ctx, &one, "SELECT 1"); err != nil || one != 1 {
			t.Errorf("query over %s: %v", u, err)
		}
		if got := s.db.Stats().MaxOpenConnections; got != tc.want {
			t.Errorf("%q: max open connections %d, want %d", tc.query, got, tc.want)
		}
		s.Close()
	}
	for _, bad := range []string{"pool_max_conns=0", "pool_max_conns=lots"} {
		if _, err := Open(ctx, base+"&"+bad, nil); err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
			t.Errorf("%s: err %v, want one naming pool_max_conns", bad, err)
		}
	}
	s, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "x.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.db.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("SQLite: max open connections %d, want 1", got)
	}
}
