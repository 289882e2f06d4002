package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

type nodeRunRow struct {
	RunID     string     `db:"run_id"`
	JobID     string     `db:"job_id"`
	TenantID  string     `db:"tenant_id"`
	JobName   string     `db:"job_name"`
	JobType   string     `db:"job_type"`
	Status    string     `db:"status"`
	Attempt   int        `db:"attempt"`
	StartedAt *time.Time `db:"started_at"`
	EndedAt   *time.Time `db:"ended_at"`
	ExitCode  *int       `db:"exit_code"`
	Error     string     `db:"error"`
	Result    *string    `db:"result"`
	Outputs   *string    `db:"outputs"`
}

func (r nodeRunRow) toDomain() *jobflow.NodeRun {
	n := &jobflow.NodeRun{
		RunID:     r.RunID,
		TenantID:  r.TenantID,
		JobID:     r.JobID,
		JobName:   r.JobName,
		JobType:   jobflow.JobType(r.JobType),
		Status:    jobflow.NodeStatus(r.Status),
		Attempt:   r.Attempt,
		StartedAt: utcPtr(r.StartedAt),
		EndedAt:   utcPtr(r.EndedAt),
		ExitCode:  r.ExitCode,
		Error:     r.Error,
	}
	if r.Result != nil {
		n.Result = json.RawMessage(*r.Result)
	}
	if r.Outputs != nil {
		json.Unmarshal([]byte(*r.Outputs), &n.Outputs) // written by outputsColumn
	}
	return n
}

const nodeRunColumns = `run_id, job_id, tenant_id, job_name, job_type, status, attempt, started_at, ended_at,
exit_code, error, result, outputs`

// findNodeRuns returns a run's node runs: started ones in start order, then
// the others by name.
func (s *Store) findNodeRuns(ctx context.Context, runID string) ([]*jobflow.NodeRun, error) {
	var rows []nodeRunRow
	const q = `SELECT ` + nodeRunColumns + ` FROM node_runs WHERE run_id = ?
ORDER BY (started_at IS NULL), started_at, job_name, job_id`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), runID); err != nil {
		return nil, err
	}
	out := make([]*jobflow.NodeRun, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// UpsertNodeRun inserts or updates the node run of (RunID, JobID) under the
// rules of jobflow.NodeWriteWins; the attempt never goes down. The run must exist
// (NOT_FOUND otherwise) and belong to n.TenantID when that is set.
func (s *Store) UpsertNodeRun(ctx context.Context, n *jobflow.NodeRun) error {
	if n.RunID == "" || n.JobID == "" || n.Status == "" {
		return jobflow.Errorf(jobflow.EINVALID, "a node run needs a run id, a job id and a status")
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error { return s.upsertNodeRun(ctx, tx, n) })
	if isUniqueViolation(err) {
		// Another writer inserted the same node run first; now it exists
		// and the update path applies.
		err = s.inTx(ctx, func(tx *sqlx.Tx) error { return s.upsertNodeRun(ctx, tx, n) })
	}
	return err
}

func (s *Store) upsertNodeRun(ctx context.Context, tx *sqlx.Tx, n *jobflow.NodeRun) error {
	tenantID, seq, err := bumpRunSeq(ctx, tx, n.RunID)
	if err != nil {
		return err
	}
	return s.upsertNodeRunAt(ctx, tx, n, tenantID, seq)
}

// upsertNodeRunAt is upsertNodeRun once the run's change sequence is
// bumped to seq in tx.
func (s *Store) upsertNodeRunAt(ctx context.Context, tx *sqlx.Tx, n *jobflow.NodeRun, tenantID string, seq int64) error {
	if n.TenantID == "" {
		n.TenantID = tenantID
	} else if n.TenantID != tenantID {
		return notFoundf("run not found")
	}
	var result *string
	if len(n.Result) > 0 {
		r := string(n.Result)
		result = &r
	}
	outputs := outputsColumn(n.Outputs)
	var old nodeRunRow
	sel := `SELECT ` + nodeRunColumns + ` FROM node_runs WHERE run_id = ? AND job_id = ?` + s.forUpdate()
	err := tx.GetContext(ctx, &old, tx.Rebind(sel), n.RunID, n.JobID)
	if errors.Is(err, sql.ErrNoRows) {
		const q = `
INSERT INTO node_runs (run_id, job_id, tenant_id, job_name, job_type, status, attempt, started_at, ended_at,
    exit_code, error, result, outputs, updated_at, change_seq)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		_, err := tx.ExecContext(ctx, tx.Rebind(q), n.RunID, n.JobID, n.TenantID, n.JobName, string(n.JobType),
			string(n.Status), n.Attempt, dbTimePtr(n.StartedAt), dbTimePtr(n.EndedAt), n.ExitCode, n.Error, result, outputs, now(), seq)
		return err
	} else if err != nil {
		return err
	}

	next := old
	next.Attempt = max(old.Attempt, n.Attempt)
	if n.JobName != "" {
		next.JobName = n.JobName
	}
	if n.JobType != "" {
		next.JobType = string(n.JobType)
	}
	if jobflow.NodeWriteWins(jobflow.NodeStatus(old.Status), old.Attempt, n.Status, n.Attempt) {
		next.Status = string(n.Status)
		if n.StartedAt != nil {
			next.StartedAt = dbTimePtr(n.StartedAt)
		}
		next.EndedAt = dbTimePtr(n.EndedAt)
		next.ExitCode = n.ExitCode
		next.Error = n.Error
		next.Result = result
		next.Outputs = outputs
	}
	const q = `
UPDATE node_runs SET job_name = ?, job_type = ?, status = ?, attempt = ?, started_at = ?, ended_at = ?,
    exit_code = ?, error = ?, result = ?, outputs = ?, updated_at = ?, change_seq = ?
WHERE run_id = ? AND job_id = ?`
	_, err = tx.ExecContext(ctx, tx.Rebind(q), next.JobName, next.JobType, next.Status, next.Attempt, next.StartedAt,
		next.EndedAt, next.ExitCode, next.Error, next.Result, next.Outputs, now(), seq, n.RunID, n.JobID)
	return err
}

// outputsColumn is a node's outputs as stored: a JSON object, or NULL.
func outputsColumn(o map[string]string) *string {
	if len(o) == 0 {
		return nil
	}
	b, _ := json.Marshal(o)
	str := string(b)
	return &str
}
