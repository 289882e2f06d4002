package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.WorkflowService = (*Store)(nil)

type workflowRow struct {
	ID                 string     `db:"id"`
	TenantID           string     `db:"tenant_id"`
	Name               string     `db:"name"`
	Remark             string     `db:"remark"`
	Status             string     `db:"status"`
	Canvas             string     `db:"canvas"`
	Config             string     `db:"config"`
	NextRunTime        *time.Time `db:"next_run_time"`
	PublishedVersionID string     `db:"published_version_id"`
	Revision           int64      `db:"revision"`
	CreatedAt          time.Time  `db:"created_at"`
	UpdatedAt          time.Time  `db:"updated_at"`
	CreatedBy          string     `db:"created_by"`
	UpdatedBy          string     `db:"updated_by"`
}

func (r workflowRow) toDomain() (*jobflow.Workflow, error) {
	w := &jobflow.Workflow{
		ID:                 r.ID,
		TenantID:           r.TenantID,
		Name:               r.Name,
		Remark:             r.Remark,
		Status:             jobflow.WorkflowStatus(r.Status),
		NextRunTime:        utcPtr(r.NextRunTime),
		PublishedVersionID: r.PublishedVersionID,
		Revision:           r.Revision,
		CreatedAt:          r.CreatedAt.UTC(),
		UpdatedAt:          r.UpdatedAt.UTC(),
		CreatedBy:          r.CreatedBy,
		UpdatedBy:          r.UpdatedBy,
	}
	// Lists do not select canvas and config; they stay empty there.
	if r.Canvas != "" {
		if err := json.Unmarshal([]byte(r.Canvas), &w.Canvas); err != nil {
			return nil, err
		}
	}
	w.Canvas = tidyCanvas(w.Canvas)
	if r.Config != "" {
		if err := json.Unmarshal([]byte(r.Config), &w.Config); err != nil {
			return nil, err
		}
		w.Config.Normalize()
	}
	return w, nil
}

// tidyCanvas replaces nil slices with empty ones, so a canvas is always
// {"nodes":[],"edges":[]} in JSON, never null.
func tidyCanvas(c jobflow.Canvas) jobflow.Canvas {
	if c.Nodes == nil {
		c.Nodes = []jobflow.CanvasNode{}
	}
	if c.Edges == nil {
		c.Edges = []jobflow.Edge{}
	}
	return c
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain domain structs are marshalled here
	}
	return string(b)
}

const workflowColumns = `id, tenant_id, name, remark, status, canvas, config, next_run_time,
published_version_id, revision, created_at, updated_at, created_by, updated_by`

// CreateWorkflow inserts w as a DRAFT with an empty canvas and the default
// config (the one place these defaults are set), unless the tenant already
// holds as many workflows as it may: jobflow.WorkflowLimit of licenseMax
// (the license's maxWorkflowsPerTenant, 0 for none) and the tenant's own
// maxWorkflows. The tenant row is locked (PostgreSQL) or the write lock
// held (SQLite) from reading the limit and the count to the insert, so
// concurrent creates never overshoot it.
func (s *Store) CreateWorkflow(ctx context.Context, w *jobflow.Workflow, licenseMax int) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if w.ID == "" {
		w.ID = jobflow.NewID(jobflow.PrefixWorkflow)
	}
	w.Status = jobflow.StatusDraft
	w.Revision = 1
	w.Canvas = tidyCanvas(jobflow.Canvas{})
	w.Config = jobflow.DefaultConfig()
	w.CreatedAt = now()
	w.UpdatedAt = w.CreatedAt
	if w.UpdatedBy == "" {
		w.UpdatedBy = w.CreatedBy
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		limit, err := s.lockWorkflowLimit(ctx, tx, w.TenantID, licenseMax)
		if err != nil {
			return err
		}
		var count int
		const countQ = `SELECT COUNT(*) FROM workflows WHERE tenant_id = ?`
		if err := tx.GetContext(ctx, &count, tx.Rebind(countQ), w.TenantID); err != nil {
			return err
		}
		if count >= limit {
			return jobflow.Errorf(jobflow.ELIMITEXCEEDED, "the tenant may hold at most %d workflows and holds %d", limit, count).
				WithDetails(map[string]int{"limit": limit})
		}
		const q = `
INSERT INTO workflows (id, tenant_id, name, remark, status, canvas, config, next_run_time,
    published_version_id, revision, created_at, updated_at, created_by, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?, ?, ?, ?)`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), w.ID, w.TenantID, w.Name, w.Remark, string(w.Status),
			mustJSON(w.Canvas), mustJSON(w.Config), w.Revision, w.CreatedAt, w.UpdatedAt, w.CreatedBy, w.UpdatedBy)
		if isUniqueViolation(err) {
			return conflictf("a workflow named %q already exists", w.Name)
		}
		return err
	})
}

// lockWorkflowLimit locks the tenant row and returns how many workflows the
// tenant may hold under a license allowing licenseMax per tenant.
func (s *Store) lockWorkflowLimit(ctx context.Context, tx *sqlx.Tx, tenantID string, licenseMax int) (int, error) {
	var tenantMax int
	lock := `SELECT max_workflows FROM tenants WHERE id = ?` + s.forUpdate()
	if err := tx.GetContext(ctx, &tenantMax, tx.Rebind(lock), tenantID); err != nil {
		return 0, notFound(err, "tenant")
	}
	return jobflow.WorkflowLimit(&jobflow.License{MaxWorkflowsPerTenant: licenseMax}, tenantMax), nil
}

// getWorkflow reads one workflow row of the tenant, locking it when lock is
// set and q is a transaction.
func (s *Store) getWorkflow(ctx context.Context, q sqlx.ExtContext, tenantID, id string, lock bool) (*workflowRow, error) {
	var r workflowRow
	query := `SELECT ` + workflowColumns + ` FROM workflows WHERE id = ? AND tenant_id = ?`
	if lock {
		query += s.forUpdate()
	}
	if err := sqlx.GetContext(ctx, q, &r, q.Rebind(query), id, tenantID); err != nil {
		return nil, notFound(err, "workflow")
	}
	return &r, nil
}

// FindWorkflowByID returns the workflow with its canvas, config and jobs.
func (s *Store) FindWorkflowByID(ctx context.Context, tenantID, id string) (*jobflow.Workflow, error) {
	r, err := s.getWorkflow(ctx, s.db, tenantID, id, false)
	if err != nil {
		return nil, err
	}
	w, err := r.toDomain()
	if err != nil {
		return nil, err
	}
	if w.Jobs, err = s.FindJobs(ctx, tenantID, id); err != nil {
		return nil, err
	}
	return w, nil
}

// UpdateWorkflow edits name and/or remark; the revision goes up.
func (s *Store) UpdateWorkflow(ctx context.Context, tenantID, id string, upd jobflow.WorkflowUpdate, by string) (*jobflow.Workflow, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.getWorkflow(ctx, tx, tenantID, id, true)
		if err != nil {
			return err
		}
		name, remark := r.Name, r.Remark
		if upd.Name != nil {
			name = *upd.Name
		}
		if upd.Remark != nil {
			remark = *upd.Remark
		}
		const q = `
UPDATE workflows SET name = ?, remark = ?, revision = revision + 1, updated_at = ?, updated_by = ?
WHERE id = ? AND tenant_id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), name, remark, now(), by, id, tenantID)
		if isUniqueViolation(err) {
			return conflictf("a workflow named %q already exists", name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.FindWorkflowByID(ctx, tenantID, id)
}

// DeleteWorkflow deletes the workflow; its jobs, runs, node runs and logs go
// with it (ON DELETE CASCADE). CONFLICT while it is PUBLISHED.
func (s *Store) DeleteWorkflow(ctx context.Context, tenantID, id string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.getWorkflow(ctx, tx, tenantID, id, true)
		if err != nil {
			return err
		}
		if jobflow.WorkflowStatus(r.Status) == jobflow.StatusPublished {
			return conflictf("the workflow %q is published; take it offline before deleting it", r.Name)
		}
		const q = `DELETE FROM workflows WHERE id = ? AND tenant_id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), id, tenantID)
		return err
	})
}

// SaveCanvas stores c if revision is the workflow's current one and the
// workflow with c passes jobflow.CheckDraft; the revision goes up. The workflow row
// stays locked from the check to the write, so a job deleted meanwhile
// cannot end up on the canvas.
func (s *Store) SaveCanvas(ctx context.Context, tenantID, id string, c jobflow.Canvas, revision int64, by string) (*jobflow.Workflow, error) {
	c = tidyCanvas(c)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, w, err := s.storedDraft(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if r.Revision != revision {
			return staleRevision(revision)
		}
		w.Canvas = c
		if err := s.checkDraft(ctx, tx, jobflow.Draft{Workflow: w}); err != nil {
			return err
		}
		const q = `
UPDATE workflows SET canvas = ?, revision = revision + 1, updated_at = ?, updated_by = ?
WHERE id = ? AND tenant_id = ? AND revision = ?`
		res, err := tx.ExecContext(ctx, tx.Rebind(q), mustJSON(c), now(), by, id, tenantID, revision)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleRevision(revision)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.FindWorkflowByID(ctx, tenantID, id)
}

func staleRevision(revision int64) error {
	return conflictf("the workflow was changed by someone else (revision %d is stale); reload it and save again", revision).
		WithDetails(map[string]int64{"revision": revision})
}

// SaveConfig stores the config if the workflow with it passes
// jobflow.CheckDraft; the revision goes up.
func (s *Store) SaveConfig(ctx context.Context, tenantID, id string, cfg jobflow.WorkflowConfig, by string) (*jobflow.Workflow, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, w, err := s.storedDraft(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		w.Config = cfg
		if err := s.checkDraft(ctx, tx, jobflow.Draft{Workflow: w, ConfigChanged: true}); err != nil {
			return err
		}
		const q = `
UPDATE workflows SET config = ?, revision = revision + 1, updated_at = ?, updated_by = ?
WHERE id = ? AND tenant_id = ?`
		res, err := tx.ExecContext(ctx, tx.Rebind(q), mustJSON(cfg), now(), by, id, tenantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFoundf("workflow not found")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.FindWorkflowByID(ctx, tenantID, id)
}

// SetWorkflowStatus sets the publication status (publish and offline use it).
func (s *Store) SetWorkflowStatus(ctx context.Context, tenantID, id string, status jobflow.WorkflowStatus) error {
	if !jobflow.ValidWorkflowStatus(status) {
		return jobflow.Errorf(jobflow.EINVALID, "status must be DRAFT, PUBLISHED or OFFLINE")
	}
	const q = `UPDATE workflows SET status = ?, updated_at = ? WHERE id = ? AND tenant_id = ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), string(status), now(), id, tenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("workflow not found")
	}
	return nil
}

// SetWorkflowNextRunTime records the schedule's next fire time (nil: none).
func (s *Store) SetWorkflowNextRunTime(ctx context.Context, tenantID, id string, next *time.Time) error {
	const q = `UPDATE workflows SET next_run_time = ? WHERE id = ? AND tenant_id = ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), dbTimePtr(next), id, tenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("workflow not found")
	}
	return nil
}
