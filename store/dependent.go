package store

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.DependentService = (*Store)(nil)

// AddDependentWaits registers the waits of a DEPENDENT node; registering
// the same wait again changes nothing.
func (s *Store) AddDependentWaits(ctx context.Context, waits []jobflow.DependentWait) error {
	if len(waits) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		const q = `
INSERT INTO dependent_waits (run_id, job_id, upstream_workflow_id, tenant_id, temporal_workflow_id, created_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, job_id, upstream_workflow_id) DO NOTHING`
		for _, w := range waits {
			if w.RunID == "" || w.JobID == "" || w.UpstreamWorkflowID == "" || w.TenantID == "" || w.TemporalWorkflowID == "" {
				return jobflow.Errorf(jobflow.EINVALID, "a dependent wait needs a run, a job, an upstream workflow, a tenant and a Temporal workflow id")
			}
			_, err := tx.ExecContext(ctx, tx.Rebind(q), w.RunID, w.JobID, w.UpstreamWorkflowID, w.TenantID, w.TemporalWorkflowID, now())
			if isForeignKeyViolation(err) {
				return notFoundf("run not found")
			} else if err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveDependentWaits forgets the waits of one node of a run, or of every
// node of it when jobID is "".
func (s *Store) RemoveDependentWaits(ctx context.Context, runID, jobID string) error {
	q, args := `DELETE FROM dependent_waits WHERE run_id = ?`, []any{runID}
	if jobID != "" {
		q += ` AND job_id = ?`
		args = append(args, jobID)
	}
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), args...)
	return err
}

// FindDependentWaiters lists the waits on an upstream workflow of a
// tenant, in a stable order.
func (s *Store) FindDependentWaiters(ctx context.Context, tenantID, upstreamWorkflowID string) ([]jobflow.DependentWait, error) {
	var rows []struct {
		RunID              string `db:"run_id"`
		JobID              string `db:"job_id"`
		TemporalWorkflowID string `db:"temporal_workflow_id"`
	}
	const q = `SELECT run_id, job_id, temporal_workflow_id FROM dependent_waits
WHERE tenant_id = ? AND upstream_workflow_id = ? ORDER BY run_id, job_id`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), tenantID, upstreamWorkflowID); err != nil {
		return nil, err
	}
	out := make([]jobflow.DependentWait, len(rows))
	for i, r := range rows {
		out[i] = jobflow.DependentWait{TenantID: tenantID, RunID: r.RunID, JobID: r.JobID,
			UpstreamWorkflowID: upstreamWorkflowID, TemporalWorkflowID: r.TemporalWorkflowID}
	}
	return out, nil
}

// MatchDependent looks at the runs of workflowID (or, with jobID, the node
// runs of that job in them) whose logical time is in [from, to) — never
// their start or end. Among those, a SUCCESS one (a job: SUCCESS or
// SKIPPED) meets the item (the
// newest by logical time is returned); otherwise the newest started one
// tells whether the upstream failed.
func (s *Store) MatchDependent(ctx context.Context, tenantID, workflowID, jobID string, from, to time.Time) (jobflow.DependentMatch, error) {
	var m jobflow.DependentMatch
	args := []any{tenantID, workflowID, dbTime(from), dbTime(to)}
	var success, newest string
	if jobID == "" {
		success = `SELECT id FROM runs WHERE tenant_id = ? AND workflow_id = ? AND logical_time >= ? AND logical_time < ?
    AND status = 'SUCCESS' ORDER BY logical_time DESC, started_at DESC, id DESC LIMIT 1`
		newest = `SELECT id, status FROM runs WHERE tenant_id = ? AND workflow_id = ? AND logical_time >= ? AND logical_time < ?
    ORDER BY started_at DESC, id DESC LIMIT 1`
	} else {
		const join = ` FROM node_runs n JOIN runs r ON r.id = n.run_id
WHERE r.tenant_id = ? AND r.workflow_id = ? AND r.logical_time >= ? AND r.logical_time < ? AND n.job_id = ?`
		args = append(args, jobID)
		// Every status trigger rules count as succeeded does here too
		// (docs/run-semantics.md#statuses): SKIPPED (carried over in a
		// rerun, or a DRY_RUN calendar's off day), DISABLED, FORCED_SUCCESS.
		success = `SELECT r.id` + join + ` AND n.status IN (` + satisfiedStatuses + `) ORDER BY r.logical_time DESC, r.started_at DESC, r.id DESC LIMIT 1`
		// A job never started because its parent failed counts as failed:
		// the run it belongs to will not run it any more.
		newest = `SELECT r.id, CASE WHEN n.status = 'UPSTREAM_FAILED' THEN 'FAIL' ELSE n.status END AS status` + join +
			` ORDER BY r.started_at DESC, r.id DESC LIMIT 1`
	}
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(success), args...); err != nil {
		return m, err
	}
	if len(ids) > 0 {
		m.SuccessRunID = ids[0]
	}
	var rows []struct {
		ID     string `db:"id"`
		Status string `db:"status"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(newest), args...); err != nil {
		return m, err
	}
	if len(rows) > 0 {
		m.NewestRunID = rows[0].ID
		m.NewestFailed = rows[0].Status == string(jobflow.RunFail)
	}
	var names []string
	const wq = `SELECT name FROM workflows WHERE id = ? AND tenant_id = ?`
	if err := s.db.SelectContext(ctx, &names, s.db.Rebind(wq), workflowID, tenantID); err != nil {
		return m, err
	}
	if len(names) > 0 {
		m.WorkflowName = names[0]
	}
	if jobID != "" {
		names = names[:0]
		const jq = `SELECT name FROM jobs WHERE id = ? AND tenant_id = ?`
		if err := s.db.SelectContext(ctx, &names, s.db.Rebind(jq), jobID, tenantID); err != nil {
			return m, err
		}
		if len(names) > 0 {
			m.JobName = names[0]
		}
	}
	return m, nil
}

// satisfiedStatuses is the SQL list of the node statuses that count as
// succeeded (jobflow.NodeStatus.Satisfied), built from the domain so that
// a new such status needs no change here.
var satisfiedStatuses = func() string {
	var out []string
	for _, st := range jobflow.NodeStatuses {
		if st.Satisfied() {
			out = append(out, "'"+string(st)+"'")
		}
	}
	return strings.Join(out, ", ")
}()
