package store

import (
	"context"
	"errors"
	"time"

	"github.com/lib/pq"
)

// GenerateRunHistory fills the store with n ended runs of the given
// workflows (round robin, one minute apart going back from now) with
// nodesPer node runs each, for benchmarks of the run list at scale. It is
// PostgreSQL only: the rows are made by generate_series in the server, a
// million runs in about a minute instead of hours of round trips.
func (s *Store) GenerateRunHistory(ctx context.Context, tenantID string, workflowIDs []string, n, nodesPer int) error {
	if s.dialect != DialectPostgres {
		return errors.New("store: GenerateRunHistory needs PostgreSQL")
	}
	now := time.Now().UTC()
	const runs = `
INSERT INTO runs (id, tenant_id, workflow_id, workflow_name, trigger_type, status, logical_time,
    started_at, ended_at, updated_at)
SELECT 'run_gen' || lpad(g::text, 9, '0'), $1, ($2::text[])[1 + g % array_length($2::text[], 1)], 'generated',
    'SCHEDULE', CASE WHEN g % 10 = 0 THEN 'FAIL' ELSE 'SUCCESS' END,
    $3::timestamptz - g * interval '1 minute', $3::timestamptz - g * interval '1 minute',
    $3::timestamptz - g * interval '1 minute' + interval '5 seconds', $3::timestamptz
FROM generate_series(1, $4) AS g`
	if _, err := s.db.ExecContext(ctx, runs, tenantID, pq.Array(workflowIDs), now, n); err != nil {
		return err
	}
	const nodes = `
INSERT INTO node_runs (run_id, job_id, tenant_id, job_name, job_type, status, attempt, started_at, ended_at, exit_code, updated_at)
SELECT r.id, 'job_gen' || k, r.tenant_id, 'job ' || k, 'SHELL', 'SUCCESS', 1, r.started_at, r.ended_at, 0, r.updated_at
FROM runs r CROSS JOIN generate_series(1, $2) AS k
WHERE r.tenant_id = $1 AND r.id LIKE 'run_gen%'`
	if _, err := s.db.ExecContext(ctx, nodes, tenantID, nodesPer); err != nil {
		return err
	}
	// VACUUM sets the visibility map, as autovacuum soon would on a live
	// table, so counts are index-only scans as they are in production.
	_, err := s.db.ExecContext(ctx, `VACUUM ANALYZE runs`)
	if err == nil {
		_, err = s.db.ExecContext(ctx, `VACUUM ANALYZE node_runs`)
	}
	return err
}
