package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// StoredDatasourcePassword reads the raw password column, for tests that
// check it is encrypted.
func StoredDatasourcePassword(t *testing.T, s *Store, id string) string {
	t.Helper()
	var v string
	if err := s.db.Get(&v, s.db.Rebind(`SELECT password_enc FROM datasources WHERE id = ?`), id); err != nil {
		t.Fatal(err)
	}
	return v
}

// BulkInsertWorkflows inserts n workflows named "flow-0" … "flow-<n-1>"
// into a tenant in large batches, one second apart in creation time, for
// benchmarks that need a big tenant quickly.
func BulkInsertWorkflows(tb testing.TB, s *Store, tenantID string, n int) {
	tb.Helper()
	ctx := context.Background()
	canvas, config := mustJSON(tidyCanvas(jobflow.Canvas{})), mustJSON(jobflow.DefaultConfig())
	base := now().Add(-time.Duration(n) * time.Second)
	const batch = 500
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for start := 0; start < n; start += batch {
			var sb strings.Builder
			sb.WriteString(`INSERT INTO workflows (id, tenant_id, name, remark, status, canvas, config, revision,
    created_at, updated_at, created_by, updated_by) VALUES `)
			var args []any
			for i := start; i < min(n, start+batch); i++ {
				if i > start {
					sb.WriteString(",")
				}
				sb.WriteString("(?, ?, ?, ?, 'DRAFT', ?, ?, 1, ?, ?, 'us_bench', 'us_bench')")
				at := base.Add(time.Duration(i) * time.Second)
				args = append(args, jobflow.NewID(jobflow.PrefixWorkflow), tenantID, fmt.Sprintf("flow-%d", i),
					fmt.Sprintf("loads table t%d of the %s warehouse", i*7919%10007, []string{"sales", "ops", "hr"}[i%3]),
					canvas, config, at, at)
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(sb.String()), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("bulk insert: %v", err)
	}
	if s.dialect == DialectPostgres {
		// Fresh statistics, as autovacuum would give a real installation.
		if _, err := s.db.ExecContext(ctx, `ANALYZE workflows`); err != nil {
			tb.Fatal(err)
		}
	}
}
