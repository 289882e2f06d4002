package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// nodeRunBatch is how many node rows one transaction of UpsertNodeRuns
// writes (15 parameters a row: far below either dialect's limit).
const nodeRunBatch = 500

// UpsertNodeRuns upserts node runs with UpsertNodeRun's rules, a batch per
// transaction: rows their run does not hold yet go in with one INSERT per
// batch, the others through the row-by-row upsert. The first record of a
// 10,000-job run writes every row PENDING at once: one by one that took
// 45 s on PostgreSQL, past the record's 30 s attempt timeout.
func (s *Store) UpsertNodeRuns(ctx context.Context, nodes []jobflow.NodeRun) error {
	for i := range nodes {
		if nodes[i].RunID == "" || nodes[i].JobID == "" || nodes[i].Status == "" {
			return jobflow.Errorf(jobflow.EINVALID, "a node run needs a run id, a job id and a status")
		}
	}
	for lo := 0; lo < len(nodes); lo += nodeRunBatch {
		chunk := nodes[lo:min(lo+nodeRunBatch, len(nodes))]
		err := s.inTx(ctx, func(tx *sqlx.Tx) error { return s.upsertNodeRunBatch(ctx, tx, chunk) })
		if isUniqueViolation(err) { // a job wrote its own row meanwhile: row by row
			for i := range chunk {
				if err = s.UpsertNodeRun(ctx, &chunk[i]); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) upsertNodeRunBatch(ctx context.Context, tx *sqlx.Tx, chunk []jobflow.NodeRun) error {
	tenants := map[string]string{} // run id → tenant
	seqs := map[string]int64{}     // run id → its change sequence, bumped once
	have := map[string]map[string]bool{}
	var fresh []*jobflow.NodeRun
	for i := range chunk {
		n := &chunk[i]
		tenantID, ok := tenants[n.RunID]
		if !ok {
			var err error
			var seq int64
			if tenantID, seq, err = bumpRunSeq(ctx, tx, n.RunID); err != nil {
				return err
			}
			tenants[n.RunID], seqs[n.RunID] = tenantID, seq
			var ids []string
			const q = `SELECT job_id FROM node_runs WHERE run_id = ?`
			if err := tx.SelectContext(ctx, &ids, tx.Rebind(q), n.RunID); err != nil {
				return err
			}
			have[n.RunID] = make(map[string]bool, len(ids))
			for _, id := range ids {
				have[n.RunID][id] = true
			}
		}
		if n.TenantID == "" {
			n.TenantID = tenantID
		} else if n.TenantID != tenantID {
			return notFoundf("run not found")
		}
		if have[n.RunID][n.JobID] {
			if err := s.upsertNodeRunAt(ctx, tx, n, tenantID, seqs[n.RunID]); err != nil {
				return err
			}
			continue
		}
		fresh = append(fresh, n) // a job twice in the batch fails the INSERT: then row by row

	}
	if len(fresh) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO node_runs (run_id, job_id, tenant_id, job_name, job_type, status, attempt, started_at, ended_at,
    exit_code, error, result, outputs, updated_at, change_seq) VALUES `)
	args := make([]any, 0, 15*len(fresh))
	ts := now()
	for i, n := range fresh {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		var result *string
		if len(n.Result) > 0 {
			r := string(n.Result)
			result = &r
		}
		args = append(args, n.RunID, n.JobID, n.TenantID, n.JobName, string(n.JobType), string(n.Status), n.Attempt,
			dbTimePtr(n.StartedAt), dbTimePtr(n.EndedAt), n.ExitCode, n.Error, result, outputsColumn(n.Outputs), ts, seqs[n.RunID])
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(q.String()), args...)
	return err
}
