package store

import (
	"context"
	"encoding/json"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.VersionHistoryService = (*Store)(nil)

// FindVersions lists a workflow's versions newest first. The job count
// comes from the snapshot, so a page reads at most pageSize snapshots.
func (s *Store) FindVersions(ctx context.Context, tenantID, workflowID string, p jobflow.ListParams) ([]*jobflow.VersionSummary, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	w, err := s.getWorkflow(ctx, s.db, tenantID, workflowID, false)
	if err != nil {
		return nil, 0, err
	}
	var total int
	const countQ = `SELECT COUNT(*) FROM workflow_versions WHERE workflow_id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(countQ), workflowID, tenantID); err != nil {
		return nil, 0, err
	}
	var rows []versionRow
	const q = `SELECT ` + versionColumns + ` FROM workflow_versions WHERE workflow_id = ? AND tenant_id = ?
ORDER BY number DESC LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), workflowID, tenantID, p.PageSize, p.Offset()); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.VersionSummary, len(rows))
	for i, r := range rows {
		var snap struct {
			Jobs []json.RawMessage `json:"jobs"`
		}
		if err := json.Unmarshal([]byte(r.Snapshot), &snap); err != nil {
			return nil, 0, err
		}
		out[i] = &jobflow.VersionSummary{
			ID: r.ID, Number: r.Number, PublishedAt: r.CreatedAt.UTC(), PublishedBy: r.CreatedBy,
			Note: r.Note, JobCount: len(snap.Jobs),
			Current: r.ID == w.PublishedVersionID && jobflow.WorkflowStatus(w.Status) == jobflow.StatusPublished,
		}
	}
	return out, total, nil
}

// FindVersionByNumber returns version number of the tenant's workflow.
func (s *Store) FindVersionByNumber(ctx context.Context, tenantID, workflowID string, number int) (*jobflow.Version, error) {
	if _, err := s.getWorkflow(ctx, s.db, tenantID, workflowID, false); err != nil {
		return nil, err
	}
	var r versionRow
	const q = `SELECT ` + versionColumns + ` FROM workflow_versions WHERE workflow_id = ? AND tenant_id = ? AND number = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), workflowID, tenantID, number); err != nil {
		return nil, notFound(err, "version")
	}
	return r.toDomain()
}

// RestoreVersion copies a version into the draft (see the interface).
func (s *Store) RestoreVersion(ctx context.Context, tenantID, workflowID string, number int, revision int64, by string) (*jobflow.Workflow, error) {
	v, err := s.FindVersionByNumber(ctx, tenantID, workflowID, number)
	if err != nil {
		return nil, err
	}
	jobs := make([]*jobflow.Job, len(v.Snapshot.Jobs))
	for i := range v.Snapshot.Jobs {
		j := v.Snapshot.Jobs[i]
		jobs[i] = &j
	}
	cfg := v.Snapshot.Config
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.getWorkflow(ctx, tx, tenantID, workflowID, true)
		if err != nil {
			return err
		}
		if revision != 0 && r.Revision != revision {
			return staleRevision(revision)
		}
		return s.replaceDraft(ctx, tx, tenantID, workflowID, jobs, v.Snapshot.Canvas, cfg, by)
	})
	if err != nil {
		return nil, err
	}
	return s.FindWorkflowByID(ctx, tenantID, workflowID)
}

// replaceDraft makes the draft of a workflow (whose row the transaction
// holds) exactly jobs, canvas and cfg: jobs are matched by id, updated or
// inserted with that id, and the draft's other jobs deleted. Names are
// first moved out of the way, so two jobs that swap names do not collide
// on the unique index half-way. The revision goes up.
func (s *Store) replaceDraft(ctx context.Context, tx *sqlx.Tx, tenantID, workflowID string, jobs []*jobflow.Job,
	canvas jobflow.Canvas, cfg jobflow.WorkflowConfig, by string) error {
	keep := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		j.TenantID, j.WorkflowID = tenantID, workflowID
		if err := j.Normalize(); err != nil {
			return jobflow.Errorf(jobflow.EINVALID, "job %q: %s", j.Name, jobflow.ErrorMessage(err))
		}
		if keep[j.ID] {
			return jobflow.Errorf(jobflow.EINVALID, "job id %q appears twice", j.ID)
		}
		keep[j.ID] = true
	}
	canvas = tidyCanvas(canvas)
	cfg.Normalize()
	row, err := s.getWorkflow(ctx, tx, tenantID, workflowID, false)
	if err != nil {
		return err
	}
	w := &jobflow.Workflow{ID: workflowID, TenantID: tenantID, Name: row.Name, PublishedVersionID: row.PublishedVersionID,
		Canvas: canvas, Config: cfg, Jobs: jobs}
	if err := s.checkDraft(ctx, tx, jobflow.Draft{Workflow: w, Changed: jobs, ConfigChanged: true, NameJobs: true}); err != nil {
		return err
	}
	var existing []string
	const idsQ = `SELECT id FROM jobs WHERE workflow_id = ? AND tenant_id = ?`
	if err := tx.SelectContext(ctx, &existing, tx.Rebind(idsQ), workflowID, tenantID); err != nil {
		return err
	}
	have := make(map[string]bool, len(existing))
	for _, id := range existing {
		have[id] = true
		var q string
		if keep[id] {
			q = `UPDATE jobs SET name = id WHERE id = ? AND tenant_id = ?`
		} else {
			q = `DELETE FROM jobs WHERE id = ? AND tenant_id = ?`
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), id, tenantID); err != nil {
			return err
		}
	}
	ts := now()
	for _, j := range jobs {
		var err error
		if have[j.ID] {
			const q = `
UPDATE jobs SET name = ?, type = ?, config = ?, timeout_seconds = ?, retry_max_attempts = ?,
    retry_interval_seconds = ?, retry_backoff = ?, worker_group = ?, cron = ?, remark = ?, updated_at = ?,
    pool = ?, pool_slots = ?, priority = ?, timeout_action = ?
WHERE id = ? AND tenant_id = ?`
			_, err = tx.ExecContext(ctx, tx.Rebind(q), j.Name, string(j.Type), string(j.Config), j.TimeoutSeconds,
				j.Retry.MaxAttempts, j.Retry.IntervalSeconds, j.Retry.Backoff, j.WorkerGroup, j.Cron, j.Remark, ts, j.Pool, j.PoolSlots, j.Priority,
				j.TimeoutAction, j.ID, tenantID)
		} else {
			const q = `
INSERT INTO jobs (id, tenant_id, workflow_id, name, type, config, timeout_seconds, retry_max_attempts,
    retry_interval_seconds, retry_backoff, worker_group, cron, remark, created_at, updated_at, created_by,
    pool, pool_slots, priority, timeout_action)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			_, err = tx.ExecContext(ctx, tx.Rebind(q), j.ID, tenantID, workflowID, j.Name, string(j.Type), string(j.Config),
				j.TimeoutSeconds, j.Retry.MaxAttempts, j.Retry.IntervalSeconds, j.Retry.Backoff, j.WorkerGroup, j.Cron,
				j.Remark, ts, ts, by, j.Pool, j.PoolSlots, j.Priority, j.TimeoutAction)
		}
		if isUniqueViolation(err) {
			return conflictf("a job named %q appears twice (or its id is taken)", j.Name)
		} else if err != nil {
			return err
		}
	}
	const q = `
UPDATE workflows SET canvas = ?, config = ?, revision = revision + 1, updated_at = ?, updated_by = ?
WHERE id = ? AND tenant_id = ?`
	_, err = tx.ExecContext(ctx, tx.Rebind(q), mustJSON(canvas), mustJSON(cfg), ts, by, workflowID, tenantID)
	return err
}
