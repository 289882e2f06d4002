package store

import (
	"context"
	"time"

	"jobflow"
)

// FindNodeRunsList lists a tenant's task instances (node runs) across runs,
// newest start first and never-started nodes last, without logs, results
// or outputs. Like FindRuns, the count stops one past
// jobflow.RunCountLimit. A bad filter value is INVALID naming its field.
func (s *Store) FindNodeRunsList(ctx context.Context, tenantID string, f jobflow.NodeRunFilter) ([]*jobflow.NodeRunItem, int, error) {
	p := jobflow.ListParams{Page: f.Page, PageSize: f.PageSize}
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `n.tenant_id = ?`, []any{tenantID}
	if f.WorkflowID != "" {
		where += ` AND r.workflow_id = ?`
		args = append(args, f.WorkflowID)
	}
	if f.JobID != "" {
		where += ` AND n.job_id = ?`
		args = append(args, f.JobID)
	}
	if f.Status != "" {
		if !jobflow.ValidNodeStatus(f.Status) {
			return nil, 0, jobflow.Errorf(jobflow.EINVALID, "status must be a node status such as RUNNING, SUCCESS or FAIL").
				WithDetails(map[string]string{"field": "status"})
		}
		where += ` AND n.status = ?`
		args = append(args, string(f.Status))
	}
	tr, targs, err := timeRange("n.started_at", f.From, f.To)
	if err != nil {
		return nil, 0, err
	}
	where, args = where+tr, append(args, targs...)
	const from = ` FROM node_runs n JOIN runs r ON r.id = n.run_id WHERE `
	var total int
	countQ := `SELECT COUNT(*) FROM (SELECT 1` + from + where + ` LIMIT ?) c`
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(countQ), append(args, jobflow.RunCountLimit(p)+1)...); err != nil {
		return nil, 0, err
	}
	var rows []struct {
		RunID        string     `db:"run_id"`
		WorkflowID   string     `db:"workflow_id"`
		WorkflowName string     `db:"workflow_name"`
		JobID        string     `db:"job_id"`
		JobName      string     `db:"job_name"`
		JobType      string     `db:"job_type"`
		Status       string     `db:"status"`
		Attempt      int        `db:"attempt"`
		StartedAt    *time.Time `db:"started_at"`
		EndedAt      *time.Time `db:"ended_at"`
		Error        string     `db:"error"`
	}
	// NULLS LAST in both dialects (SQLite puts NULLs last in DESC anyway),
	// matching node_runs_tenant_started_idx on PostgreSQL.
	q := `SELECT n.run_id, r.workflow_id, r.workflow_name, n.job_id, n.job_name, n.job_type, n.status, n.attempt,
n.started_at, n.ended_at, n.error` + from + where + `
ORDER BY n.started_at DESC NULLS LAST, n.run_id DESC, n.job_id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.NodeRunItem, len(rows))
	for i, r := range rows {
		start, end := utcPtr(r.StartedAt), utcPtr(r.EndedAt)
		out[i] = &jobflow.NodeRunItem{RunID: r.RunID, WorkflowID: r.WorkflowID, WorkflowName: r.WorkflowName, JobID: r.JobID,
			JobName: r.JobName, JobType: jobflow.JobType(r.JobType), Status: jobflow.NodeStatus(r.Status), Attempt: r.Attempt,
			StartedAt: start, EndedAt: end, DurationMs: jobflow.DurationMs(start, end), Error: r.Error}
	}
	return out, total, nil
}
