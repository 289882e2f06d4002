package storetest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestForEach(t *testing.T) {
	var seen []string
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		seen = append(seen, s.Dialect())
		// Each store is fresh and migrated: no tenant yet, and one can be made.
		if n, err := s.CountTenants(t.Context()); err != nil || n != 0 {
			t.Fatalf("CountTenants = %d, %v", n, err)
		}
		if err := s.CreateTenant(t.Context(), &jobflow.Tenant{Name: "t"}); err != nil {
			t.Fatal(err)
		}
		if enc, err := s.EncryptString("x"); err != nil || enc == "x" {
			t.Fatalf("EncryptString = %q, %v", enc, err)
		}
	})
	want := "postgres,sqlite"
	if testing.Short() {
		want = "sqlite"
	}
	if strings.Join(seen, ",") != want {
		t.Fatalf("ran on %v", seen)
	}
}

// TestOpen_PostgresUnreachable runs a test against a PostgreSQL that is not
// there, in a child process, and expects it to fail, not skip.
func TestOpen_PostgresUnreachable(t *testing.T) {
	if os.Getenv("STORETEST_CHILD") == "1" {
		storetest.Open(t, store.DialectPostgres)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpen_PostgresUnreachable$", "-test.v")
	cmd.Env = append(os.Environ(), "STORETEST_CHILD=1",
		"JOBFLOW_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child test passed without PostgreSQL:\n%s", out)
	}
	if strings.Contains(string(out), "SKIP") || !strings.Contains(string(out), "is not reachable") {
		t.Fatalf("want a failure saying PostgreSQL is not reachable, got:\n%s", out)
	}
}
