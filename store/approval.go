package store

import (
	"context"
	"time"

	"jobflow"
)

var _ jobflow.ApprovalService = (*Store)(nil)

// FindWaitingApprovals implements jobflow.ApprovalService.
func (s *Store) FindWaitingApprovals(ctx context.Context, tenantID string, limit int) ([]jobflow.PendingApproval, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var rows []struct {
		RunID        string     `db:"run_id"`
		JobID        string     `db:"job_id"`
		JobName      string     `db:"job_name"`
		WorkflowID   string     `db:"workflow_id"`
		WorkflowName string     `db:"workflow_name"`
		StartedAt    *time.Time `db:"started_at"`
	}
	const q = `SELECT n.run_id, n.job_id, n.job_name, r.workflow_id, r.workflow_name, n.started_at
FROM node_runs n JOIN runs r ON r.id = n.run_id
WHERE r.tenant_id = ? AND r.status IN ('RUNNING', 'PAUSED') AND n.status = 'WAITING' AND n.job_type = ?
ORDER BY n.started_at, n.run_id, n.job_id LIMIT ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), tenantID, string(jobflow.JobApproval), limit); err != nil {
		return nil, err
	}
	out := make([]jobflow.PendingApproval, len(rows))
	for i, r := range rows {
		out[i] = jobflow.PendingApproval{RunID: r.RunID, JobID: r.JobID, JobName: r.JobName, WorkflowID: r.WorkflowID, WorkflowName: r.WorkflowName}
		if r.StartedAt != nil {
			out[i].Since = r.StartedAt.UTC()
		}
	}
	return out, nil
}
