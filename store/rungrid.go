package store

import (
	"context"
	"time"

	"jobflow"
)

// FindRunGrid returns the grid of a workflow's last limit runs (1 to
// jobflow.RunGridMax): the draft canvas's jobs in canvas order and the runs
// newest first, each with a cell per node run. Four queries whatever the
// size (workflow, jobs, runs, and the cells of all those runs at once);
// NOT_FOUND if the workflow is not the tenant's.
func (s *Store) FindRunGrid(ctx context.Context, tenantID, workflowID string, limit int) (*jobflow.RunGrid, error) {
	if limit < 1 || limit > jobflow.RunGridMax {
		return nil, jobflow.Errorf(jobflow.EINVALID, "limit must be 1 to %d", jobflow.RunGridMax).
			WithDetails(map[string]string{"field": "limit"})
	}
	wr, err := s.getWorkflow(ctx, s.db, tenantID, workflowID, false)
	if err != nil {
		return nil, err
	}
	w, err := wr.toDomain()
	if err != nil {
		return nil, err
	}
	var jobs []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
		Type string `db:"type"`
	}
	const jq = `SELECT id, name, type FROM jobs WHERE workflow_id = ? AND tenant_id = ?`
	if err := s.db.SelectContext(ctx, &jobs, s.db.Rebind(jq), workflowID, tenantID); err != nil {
		return nil, err
	}
	byID := make(map[string]jobflow.GridJob, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = jobflow.GridJob{ID: j.ID, Name: j.Name, Type: jobflow.JobType(j.Type)}
	}
	grid := &jobflow.RunGrid{Jobs: make([]jobflow.GridJob, 0, len(w.Canvas.Nodes)), Runs: []jobflow.GridRun{}}
	for _, n := range w.Canvas.Nodes {
		if j, ok := byID[n.JobID]; ok {
			grid.Jobs = append(grid.Jobs, j)
		}
	}

	var runs []runRow
	const rq = `SELECT ` + runColumns + runVersionNumber + ` FROM runs WHERE tenant_id = ? AND workflow_id = ?
ORDER BY started_at DESC, id DESC LIMIT ?`
	if err := s.db.SelectContext(ctx, &runs, s.db.Rebind(rq), tenantID, workflowID, limit); err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return grid, nil
	}
	col := make(map[string]int, len(runs))
	for i, r := range runs {
		g := jobflow.GridRun{ID: r.ID, Status: jobflow.RunStatus(r.Status), Trigger: jobflow.Trigger(r.Trigger),
			StartedAt: r.StartedAt.UTC(), EndedAt: utcPtr(r.EndedAt), Cells: map[string]jobflow.GridCell{}}
		if r.VersionNumber != nil {
			g.VersionNumber = *r.VersionNumber
		}
		grid.Runs = append(grid.Runs, g)
		col[r.ID] = i
	}
	// The cells of every run of the grid in one query: the same runs by the
	// same order and limit (the runs index, then node_runs by primary key).
	var cells []struct {
		RunID     string     `db:"run_id"`
		JobID     string     `db:"job_id"`
		Status    string     `db:"status"`
		Attempt   int        `db:"attempt"`
		StartedAt *time.Time `db:"started_at"`
		EndedAt   *time.Time `db:"ended_at"`
	}
	const cq = `SELECT n.run_id, n.job_id, n.status, n.attempt, n.started_at, n.ended_at FROM node_runs n
WHERE n.run_id IN (SELECT id FROM runs WHERE tenant_id = ? AND workflow_id = ? ORDER BY started_at DESC, id DESC LIMIT ?)`
	if err := s.db.SelectContext(ctx, &cells, s.db.Rebind(cq), tenantID, workflowID, limit); err != nil {
		return nil, err
	}
	for _, c := range cells {
		i, ok := col[c.RunID] // a run started between the two queries has no column
		if !ok {
			continue
		}
		grid.Runs[i].Cells[c.JobID] = jobflow.GridCell{Status: jobflow.NodeStatus(c.Status), Attempt: c.Attempt,
			DurationMs: jobflow.DurationMs(c.StartedAt, c.EndedAt)}
	}
	return grid, nil
}
