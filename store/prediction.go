package store

import (
	"context"
	"time"

	"jobflow"
)

// predictionRuns is how many recent ended runs of a workflow the
// prediction's statistics read: enough for PredictionSamples successes of
// each job when a few runs failed or skipped jobs.
const predictionRuns = 3 * jobflow.PredictionSamples

// predictionRows bounds the node rows read: every poll of a live run reads
// this history, and 30 runs of a 10,000-job workflow would be 300,000 rows.
// A large DAG's statistics then come from its newest runs only (the oldest
// one read may be cut short).
const predictionRows = 20000

// FindRunTimings returns the node timings of the last ended runs of a
// workflow started before the run except, newest first (the history of
// jobflow.JobStatsFrom).
func (s *Store) FindRunTimings(ctx context.Context, tenantID, workflowID, except string) ([]jobflow.RunTiming, error) {
	var rows []struct {
		RunID     string     `db:"run_id"`
		RunStart  time.Time  `db:"run_started"`
		RunEnd    *time.Time `db:"run_ended"`
		Logical   time.Time  `db:"logical_time"`
		RunStatus string     `db:"run_status"`
		JobID     string     `db:"job_id"`
		Status    string     `db:"status"`
		StartedAt *time.Time `db:"started_at"`
		EndedAt   *time.Time `db:"ended_at"`
	}
	const q = `SELECT r.id AS run_id, r.started_at AS run_started, r.ended_at AS run_ended, r.logical_time, r.status AS run_status, n.job_id, n.status, n.started_at, n.ended_at
FROM (SELECT id, started_at, ended_at, logical_time, status FROM runs
      WHERE tenant_id = ? AND workflow_id = ? AND id <> ? AND ended_at IS NOT NULL AND status IN ('SUCCESS', 'FAIL')
      ORDER BY started_at DESC, id DESC LIMIT ?) r
JOIN node_runs n ON n.run_id = r.id
ORDER BY r.started_at DESC, r.id DESC
LIMIT ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), tenantID, workflowID, except, predictionRuns, predictionRows); err != nil {
		return nil, err
	}
	var out []jobflow.RunTiming
	last := ""
	for _, r := range rows {
		if r.RunID != last {
			out = append(out, jobflow.RunTiming{StartedAt: r.RunStart.UTC(), EndedAt: utcPtr(r.RunEnd),
				LogicalTime: r.Logical.UTC(), Status: jobflow.RunStatus(r.RunStatus)})
			last = r.RunID
		}
		t := &out[len(out)-1]
		t.Nodes = append(t.Nodes, &jobflow.NodeRun{JobID: r.JobID, Status: jobflow.NodeStatus(r.Status),
			StartedAt: utcPtr(r.StartedAt), EndedAt: utcPtr(r.EndedAt)})
	}
	return out, nil
}
