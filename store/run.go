package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var (
	_ jobflow.RunService         = (*Store)(nil)
	_ jobflow.RunSnapshotService = (*Store)(nil)
)

type runRow struct {
	ID                 string     `db:"id"`
	TenantID           string     `db:"tenant_id"`
	WorkflowID         string     `db:"workflow_id"`
	WorkflowName       string     `db:"workflow_name"`
	VersionID          string     `db:"version_id"`
	Trigger            string     `db:"trigger_type"`
	Status             string     `db:"status"`
	LogicalTime        time.Time  `db:"logical_time"`
	Params             string     `db:"params"`
	RerunOf            string     `db:"rerun_of"`
	ParentRunID        string     `db:"parent_run_id"`
	ParentJobID        string     `db:"parent_job_id"`
	TemporalWorkflowID string     `db:"temporal_workflow_id"`
	TemporalRunID      string     `db:"temporal_run_id"`
	Edges              string     `db:"edges"`
	StartedAt          time.Time  `db:"started_at"`
	EndedAt            *time.Time `db:"ended_at"`
	CreatedBy          string     `db:"created_by"`
	Error              string     `db:"error"`
	VersionNumber      *int       `db:"version_number"` // only where runVersionNumber is selected
	ChangeSeq          int64      `db:"change_seq"`
}

func (r runRow) toDomain(withEdges bool) (*jobflow.Run, error) {
	run := &jobflow.Run{
		ID:                 r.ID,
		TenantID:           r.TenantID,
		WorkflowID:         r.WorkflowID,
		WorkflowName:       r.WorkflowName,
		VersionID:          r.VersionID,
		Trigger:            jobflow.Trigger(r.Trigger),
		Status:             jobflow.RunStatus(r.Status),
		LogicalTime:        r.LogicalTime.UTC(),
		RerunOf:            r.RerunOf,
		ParentRunID:        r.ParentRunID,
		ParentJobID:        r.ParentJobID,
		TemporalWorkflowID: r.TemporalWorkflowID,
		TemporalRunID:      r.TemporalRunID,
		StartedAt:          r.StartedAt.UTC(),
		EndedAt:            utcPtr(r.EndedAt),
		CreatedBy:          r.CreatedBy,
		Error:              r.Error,
		Version:            r.ChangeSeq,
	}
	run.DurationMs = jobflow.DurationMs(&run.StartedAt, run.EndedAt)
	if r.VersionNumber != nil {
		run.VersionNumber = *r.VersionNumber
	}
	if err := json.Unmarshal([]byte(r.Params), &run.Params); err != nil {
		return nil, err
	}
	if run.Params == nil {
		run.Params = map[string]string{}
	}
	if withEdges {
		if err := json.Unmarshal([]byte(r.Edges), &run.Edges); err != nil {
			return nil, err
		}
	}
	return run, nil
}

const runColumns = `id, tenant_id, workflow_id, workflow_name, version_id, trigger_type, status, logical_time,
params, rerun_of, temporal_workflow_id, temporal_run_id, edges, started_at, ended_at, created_by, error,
parent_run_id, parent_job_id, change_seq`

// runVersionNumber selects the number of the run's version (NULL for a
// manual run of the draft), for run lists and the run view.
const runVersionNumber = `, (SELECT v.number FROM workflow_versions v WHERE v.id = runs.version_id) AS version_number`

// runArgs checks r, fills defaults and returns the values of the INSERT
// below, in column order.
func runArgs(r *jobflow.Run) ([]any, error) {
	if r.ID == "" || r.TenantID == "" || r.WorkflowID == "" {
		return nil, jobflow.Errorf(jobflow.EINVALID, "a run needs an id, a tenant and a workflow")
	}
	if r.Status == "" {
		r.Status = jobflow.RunRunning
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = now()
	}
	if r.LogicalTime.IsZero() {
		r.LogicalTime = r.StartedAt
	}
	params, edges := "{}", "[]"
	if len(r.Params) > 0 {
		params = mustJSON(r.Params)
	}
	if len(r.Edges) > 0 {
		edges = mustJSON(r.Edges)
	}
	return []any{r.ID, r.TenantID, r.WorkflowID, r.WorkflowName, r.VersionID, string(r.Trigger), string(r.Status),
		dbTime(r.LogicalTime), params, r.RerunOf, r.TemporalWorkflowID, r.TemporalRunID, edges,
		dbTime(r.StartedAt), dbTimePtr(r.EndedAt), r.CreatedBy, r.Error, now(), r.ParentRunID, r.ParentJobID}, nil
}

const insertRun = `
INSERT INTO runs (id, tenant_id, workflow_id, workflow_name, version_id, trigger_type, status, logical_time,
    params, rerun_of, temporal_workflow_id, temporal_run_id, edges, started_at, ended_at, created_by, error, updated_at,
    parent_run_id, parent_job_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateRun inserts a new run with the snapshot it executes, in one
// transaction. The run's edges default to the snapshot's.
func (s *Store) CreateRun(ctx context.Context, r *jobflow.Run, snap *jobflow.Snapshot) error {
	if snap == nil {
		return jobflow.Errorf(jobflow.EINVALID, "a run needs a snapshot")
	}
	if len(r.Edges) == 0 {
		r.Edges = snap.Canvas.Edges
	}
	args, err := runArgs(r)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(insertRun), args...)
		if isUniqueViolation(err) {
			return conflictf("a run with id %q already exists", r.ID)
		} else if isForeignKeyViolation(err) {
			return notFoundf("workflow not found")
		} else if err != nil {
			return err
		}
		const q = `INSERT INTO run_snapshots (run_id, tenant_id, snapshot, created_at) VALUES (?, ?, ?, ?)`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), r.ID, r.TenantID, mustJSON(snap), now())
		return err
	})
}

// FindRunSnapshot returns the snapshot a run executes.
func (s *Store) FindRunSnapshot(ctx context.Context, tenantID, runID string) (*jobflow.Snapshot, error) {
	var raw string
	const q = `SELECT snapshot FROM run_snapshots WHERE run_id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &raw, s.db.Rebind(q), runID, tenantID); err != nil {
		return nil, notFound(err, "run snapshot")
	}
	var snap jobflow.Snapshot
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return nil, err
	}
	return &snap, nil
}

// UpsertRun inserts the run or updates it by id. It is safe to replay:
//   - the status follows jobflow.RunWriteWins (runprecedence.go): a
//     finished run keeps its status, end and error; RUNNING does not
//     replace ABORTING;
//   - an empty text field, no params or no edges never erase stored ones;
//   - trigger, logical time, start time and the parent (parentRunId,
//     parentJobId) are fixed by the first write.
//
// A run id of another tenant is NOT_FOUND and changes nothing.
func (s *Store) UpsertRun(ctx context.Context, r *jobflow.Run) error {
	return upsertRun(ctx, s.db, r)
}

func upsertRun(ctx context.Context, ex sqlx.ExtContext, r *jobflow.Run) error {
	args, err := runArgs(r)
	if err != nil {
		return err
	}
	q := insertRun + `
ON CONFLICT (id) DO UPDATE SET
    status = ` + runStatusCase + `,
    ended_at = CASE WHEN runs.status IN ` + runFinishedList + ` THEN runs.ended_at
        ELSE COALESCE(excluded.ended_at, runs.ended_at) END,
    error = CASE WHEN runs.status IN ` + runFinishedList + ` OR excluded.error = '' THEN runs.error
        ELSE excluded.error END,
    workflow_name = CASE WHEN excluded.workflow_name = '' THEN runs.workflow_name ELSE excluded.workflow_name END,
    version_id = CASE WHEN excluded.version_id = '' THEN runs.version_id ELSE excluded.version_id END,
    rerun_of = CASE WHEN excluded.rerun_of = '' THEN runs.rerun_of ELSE excluded.rerun_of END,
    temporal_workflow_id = CASE WHEN excluded.temporal_workflow_id = '' THEN runs.temporal_workflow_id
        ELSE excluded.temporal_workflow_id END,
    temporal_run_id = CASE WHEN excluded.temporal_run_id = '' THEN runs.temporal_run_id ELSE excluded.temporal_run_id END,
    created_by = CASE WHEN excluded.created_by = '' THEN runs.created_by ELSE excluded.created_by END,
    params = CASE WHEN excluded.params = '{}' THEN runs.params ELSE excluded.params END,
    edges = CASE WHEN excluded.edges = '[]' THEN runs.edges ELSE excluded.edges END,
    updated_at = excluded.updated_at,
    change_seq = runs.change_seq + 1
WHERE runs.tenant_id = excluded.tenant_id`
	res, err := ex.ExecContext(ctx, ex.Rebind(q), args...)
	if isForeignKeyViolation(err) {
		return notFoundf("workflow not found")
	} else if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("run not found")
	}
	return nil
}

// FindRunByID returns the run with its node runs and edges.
func (s *Store) FindRunByID(ctx context.Context, tenantID, id string) (*jobflow.Run, error) {
	var r runRow
	const q = `SELECT ` + runColumns + runVersionNumber + ` FROM runs WHERE id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "run")
	}
	run, err := r.toDomain(true)
	if err != nil {
		return nil, err
	}
	if err := s.fillRunEdges(ctx, run); err != nil {
		return nil, err
	}
	if run.Nodes, err = s.findNodeRuns(ctx, id); err != nil {
		return nil, err
	}
	if err := s.findChildren(ctx, run); err != nil {
		return nil, err
	}
	if err := s.fillWaitReasons(ctx, run); err != nil {
		return nil, err
	}
	if run.Status == jobflow.RunQueued {
		if run.QueuePosition, err = s.queuePosition(ctx, s.db, run.ID); err != nil {
			return nil, err
		}
	}
	return run, nil
}

// findChildren fills run.Children with the SUBFLOW child runs of run, and
// each SUBFLOW node's ChildRunID with the last child its job started. The
// children of FOREACH nodes, up to 10,000 a node, are listed by their
// items instead (foreach.go).
func (s *Store) findChildren(ctx context.Context, run *jobflow.Run) error {
	var rows []runRow
	q := `SELECT ` + runColumns + ` FROM runs WHERE parent_run_id = ? AND tenant_id = ?
AND NOT EXISTS (SELECT 1 FROM foreach_items f WHERE f.run_id = runs.parent_run_id AND f.job_id = runs.parent_job_id)
ORDER BY started_at, id`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), run.ID, run.TenantID); err != nil {
		return err
	}
	last := map[string]string{}
	for _, r := range rows {
		run.Children = append(run.Children, jobflow.RunLink{ID: r.ID, JobID: r.ParentJobID, WorkflowID: r.WorkflowID,
			WorkflowName: r.WorkflowName, Status: jobflow.RunStatus(r.Status), RerunOf: r.RerunOf})
		last[r.ParentJobID] = r.ID
	}
	for _, n := range run.Nodes {
		n.ChildRunID = last[n.JobID]
	}
	return nil
}

// FindRuns lists a tenant's runs newest first, without nodes and edges.
func (s *Store) FindRuns(ctx context.Context, tenantID string, f jobflow.RunFilter) ([]*jobflow.Run, int, error) {
	p := jobflow.ListParams{Page: f.Page, PageSize: f.PageSize}
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `tenant_id = ?`, []any{tenantID}
	if f.WorkflowID != "" {
		where += ` AND workflow_id = ?`
		args = append(args, f.WorkflowID)
	}
	if f.Status != "" {
		if !validRunStatus(f.Status) {
			return nil, 0, jobflow.Errorf(jobflow.EINVALID, "status must be RUNNING, SUCCESS, FAIL, ABORTING or ABORTED").
				WithDetails(map[string]string{"field": "status"})
		}
		where += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.ParentRunID != "" {
		where += ` AND parent_run_id = ?`
		args = append(args, f.ParentRunID)
	}
	if f.Trigger != "" {
		if !validTrigger(f.Trigger) {
			return nil, 0, jobflow.Errorf(jobflow.EINVALID, "trigger must be MANUAL, SCHEDULE, INVOKE, RERUN, BACKFILL or SUBFLOW").
				WithDetails(map[string]string{"field": "trigger"})
		}
		where += ` AND trigger_type = ?`
		args = append(args, string(f.Trigger))
	}
	more, moreArgs, err := s.runRangeAndQuery(f)
	if err != nil {
		return nil, 0, err
	}
	where, args = where+more, append(args, moreArgs...)
	// The count stops one past jobflow.RunCountLimit: a total above the
	// limit means there are more (see there).
	var total int
	countQ := `SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE ` + where + ` LIMIT ?) c`
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(countQ), append(args, jobflow.RunCountLimit(p)+1)...); err != nil {
		return nil, 0, err
	}
	var rows []runRow
	q := `SELECT ` + runColumns + runVersionNumber + ` FROM runs WHERE ` + where + ` ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Run, len(rows))
	for i, r := range rows {
		run, err := r.toDomain(false)
		if err != nil {
			return nil, 0, err
		}
		out[i] = run
	}
	return out, total, nil
}

func validRunStatus(s jobflow.RunStatus) bool {
	return slices.Contains(jobflow.RunStatuses, s)
}

func validTrigger(t jobflow.Trigger) bool {
	switch t {
	case jobflow.TriggerManual, jobflow.TriggerSchedule, jobflow.TriggerInvoke, jobflow.TriggerRerun, jobflow.TriggerBackfill, jobflow.TriggerSubflow:
		return true
	}
	return false
}

// runTenant returns the tenant of a run, NOT_FOUND if there is no such run.
func runTenant(ctx context.Context, q sqlx.ExtContext, runID string) (string, error) {
	var tenantID string
	const query = `SELECT tenant_id FROM runs WHERE id = ?`
	if err := sqlx.GetContext(ctx, q, &tenantID, q.Rebind(query), runID); err != nil {
		return "", notFound(err, "run")
	}
	return tenantID, nil
}

// FindRunOutcomes tells, for each logical time in [start, end] at which
// the workflow has top-level runs, the status of its latest run (by start
// time), keyed by the time's Unix seconds; backfill's reprocess option
// reads it.
func (s *Store) FindRunOutcomes(ctx context.Context, tenantID, workflowID string, start, end time.Time) (map[int64]jobflow.RunStatus, error) {
	var rows []struct {
		LogicalTime time.Time `db:"logical_time"`
		Status      string    `db:"status"`
	}
	const q = `SELECT logical_time, status FROM runs
WHERE tenant_id = ? AND workflow_id = ? AND logical_time >= ? AND logical_time <= ? AND parent_run_id = ''
ORDER BY started_at, id`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), tenantID, workflowID, dbTime(start), dbTime(end)); err != nil {
		return nil, err
	}
	out := map[int64]jobflow.RunStatus{}
	for _, r := range rows {
		out[r.LogicalTime.Unix()] = jobflow.RunStatus(r.Status)
	}
	return out, nil
}
