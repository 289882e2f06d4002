package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.JobService = (*Store)(nil)

type jobRow struct {
	ID                   string    `db:"id"`
	TenantID             string    `db:"tenant_id"`
	WorkflowID           string    `db:"workflow_id"`
	Name                 string    `db:"name"`
	Type                 string    `db:"type"`
	Config               string    `db:"config"`
	TimeoutSeconds       int       `db:"timeout_seconds"`
	TimeoutAction        string    `db:"timeout_action"`
	RetryMaxAttempts     int       `db:"retry_max_attempts"`
	RetryIntervalSeconds int       `db:"retry_interval_seconds"`
	RetryBackoff         float64   `db:"retry_backoff"`
	WorkerGroup          string    `db:"worker_group"`
	Pool                 string    `db:"pool"`
	PoolSlots            int       `db:"pool_slots"`
	Priority             int       `db:"priority"`
	Cron                 string    `db:"cron"`
	Remark               string    `db:"remark"`
	CreatedAt            time.Time `db:"created_at"`
	UpdatedAt            time.Time `db:"updated_at"`
	CreatedBy            string    `db:"created_by"`
}

func (r jobRow) toDomain() *jobflow.Job {
	if r.TimeoutAction == "" { // a row written before the field
		r.TimeoutAction = jobflow.TimeoutFail
	}
	return &jobflow.Job{
		ID:             r.ID,
		TenantID:       r.TenantID,
		WorkflowID:     r.WorkflowID,
		Name:           r.Name,
		Type:           jobflow.JobType(r.Type),
		Config:         json.RawMessage(r.Config),
		TimeoutSeconds: r.TimeoutSeconds,
		TimeoutAction:  r.TimeoutAction,
		Retry: jobflow.RetryPolicy{
			MaxAttempts:     r.RetryMaxAttempts,
			IntervalSeconds: r.RetryIntervalSeconds,
			Backoff:         r.RetryBackoff,
		},
		WorkerGroup: r.WorkerGroup,
		Pool:        r.Pool,
		PoolSlots:   r.PoolSlots,
		Priority:    r.Priority,
		Cron:        r.Cron,
		Remark:      r.Remark,
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),
		CreatedBy:   r.CreatedBy,
	}
}

const jobColumns = `id, tenant_id, workflow_id, name, type, config, timeout_seconds, retry_max_attempts,
retry_interval_seconds, retry_backoff, worker_group, cron, remark, created_at, updated_at, created_by, pool, pool_slots, priority, timeout_action`

// CreateJob normalizes and inserts j into its workflow, which must exist in
// j.TenantID; the workflow with j must pass jobflow.CheckDraft.
func (s *Store) CreateJob(ctx context.Context, j *jobflow.Job) error {
	if err := j.Normalize(); err != nil {
		return err
	}
	if j.ID == "" {
		j.ID = jobflow.NewID(jobflow.PrefixJob)
	}
	j.CreatedAt = now()
	j.UpdatedAt = j.CreatedAt
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, w, err := s.storedDraft(ctx, tx, j.TenantID, j.WorkflowID)
		if err != nil {
			return err
		}
		w.Jobs = withJob(w.Jobs, j)
		if err := s.checkDraft(ctx, tx, jobflow.Draft{Workflow: w, Changed: []*jobflow.Job{j}}); err != nil {
			return err
		}
		const q = `
INSERT INTO jobs (id, tenant_id, workflow_id, name, type, config, timeout_seconds, retry_max_attempts,
    retry_interval_seconds, retry_backoff, worker_group, cron, remark, created_at, updated_at, created_by,
    pool, pool_slots, priority, timeout_action)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), j.ID, j.TenantID, j.WorkflowID, j.Name, string(j.Type), string(j.Config),
			j.TimeoutSeconds, j.Retry.MaxAttempts, j.Retry.IntervalSeconds, j.Retry.Backoff, j.WorkerGroup, j.Cron,
			j.Remark, j.CreatedAt, j.UpdatedAt, j.CreatedBy, j.Pool, j.PoolSlots, j.Priority, j.TimeoutAction)
		if isUniqueViolation(err) {
			return conflictf("a job named %q already exists in this workflow", j.Name)
		} else if isForeignKeyViolation(err) {
			return notFoundf("workflow not found")
		}
		return err
	})
}

func (s *Store) getJob(ctx context.Context, q sqlx.ExtContext, tenantID, id string) (*jobRow, error) {
	var r jobRow
	query := `SELECT ` + jobColumns + ` FROM jobs WHERE id = ? AND tenant_id = ?`
	if err := sqlx.GetContext(ctx, q, &r, q.Rebind(query), id, tenantID); err != nil {
		return nil, notFound(err, "job")
	}
	return &r, nil
}

// FindJobByID returns one job of the tenant.
func (s *Store) FindJobByID(ctx context.Context, tenantID, id string) (*jobflow.Job, error) {
	r, err := s.getJob(ctx, s.db, tenantID, id)
	if err != nil {
		return nil, err
	}
	return r.toDomain(), nil
}

// FindJobs returns the jobs of a workflow in creation order; NOT_FOUND if
// the workflow is not the tenant's.
func (s *Store) FindJobs(ctx context.Context, tenantID, workflowID string) ([]*jobflow.Job, error) {
	var rows []jobRow
	const q = `SELECT ` + jobColumns + ` FROM jobs WHERE workflow_id = ? AND tenant_id = ? ORDER BY created_at, id`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), workflowID, tenantID); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		// No jobs, or no such workflow: only the second is an error.
		if _, err := s.getWorkflow(ctx, s.db, tenantID, workflowID, false); err != nil {
			return nil, err
		}
	}
	out := make([]*jobflow.Job, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// UpdateJob applies upd (validated by the domain) to the job; the workflow
// with the edited job must pass jobflow.CheckDraft.
func (s *Store) UpdateJob(ctx context.Context, tenantID, id string, upd jobflow.JobUpdate) (*jobflow.Job, error) {
	var out *jobflow.Job
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.getJob(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		j, err := upd.Apply(*r.toDomain())
		if err != nil {
			return err
		}
		j.UpdatedAt = now()
		_, w, err := s.storedDraft(ctx, tx, tenantID, j.WorkflowID)
		if err != nil {
			return err
		}
		w.Jobs = withJob(w.Jobs, j)
		if err := s.checkDraft(ctx, tx, jobflow.Draft{Workflow: w, Changed: []*jobflow.Job{j}}); err != nil {
			return err
		}
		const q = `
UPDATE jobs SET name = ?, type = ?, config = ?, timeout_seconds = ?, retry_max_attempts = ?,
    retry_interval_seconds = ?, retry_backoff = ?, worker_group = ?, cron = ?, remark = ?, updated_at = ?,
    pool = ?, pool_slots = ?, priority = ?, timeout_action = ?
WHERE id = ? AND tenant_id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), j.Name, string(j.Type), string(j.Config), j.TimeoutSeconds,
			j.Retry.MaxAttempts, j.Retry.IntervalSeconds, j.Retry.Backoff, j.WorkerGroup, j.Cron, j.Remark,
			j.UpdatedAt, j.Pool, j.PoolSlots, j.Priority, j.TimeoutAction, id, tenantID)
		if isUniqueViolation(err) {
			return conflictf("a job named %q already exists in this workflow", j.Name)
		}
		out = j
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteJob deletes a job that is not on its workflow's canvas (CONFLICT
// otherwise). The workflow row is locked so a concurrent canvas save cannot
// place the job meanwhile.
func (s *Store) DeleteJob(ctx context.Context, tenantID, id string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		j, err := s.getJob(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		wr, err := s.getWorkflow(ctx, tx, tenantID, j.WorkflowID, true)
		if err != nil {
			return err
		}
		w, err := wr.toDomain()
		if err != nil {
			return err
		}
		if w.Canvas.Has(id) {
			return conflictf("the job %q is on the workflow's canvas; remove it from the canvas and save before deleting it", j.Name)
		}
		const q = `DELETE FROM jobs WHERE id = ? AND tenant_id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), id, tenantID)
		return err
	})
}
