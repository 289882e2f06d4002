package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// The ids that a job config or a workflow config carries are checked
// against the writer's tenant by jobflow.CheckDraft, which every path that
// stores a draft calls inside its write transaction: canvas save, job
// create and update, config save, import (and `jobflow apply`, which
// imports) and version restore. refs reads the tenant through that
// transaction, so what was checked is what is written.

var _ jobflow.DraftRefs = refs{}

// refs is jobflow.DraftRefs over q (a transaction, or the pool).
type refs struct {
	s *Store
	q sqlx.ExtContext
}

// DraftRefs reads the tenant outside a transaction (publish checks a draft
// it does not write).
func (s *Store) DraftRefs() jobflow.DraftRefs { return refs{s, s.db} }

var refTables = map[jobflow.RefKind]string{
	jobflow.RefDatasource:   "datasources",
	jobflow.RefWorkflow:     "workflows",
	jobflow.RefAlarmChannel: "alarm_channels",
	jobflow.RefPool:         "pools",
	jobflow.RefMember:       "memberships",
}

// RefExists reports whether the tenant holds an object of kind with id.
func (r refs) RefExists(ctx context.Context, kind jobflow.RefKind, tenantID, id string) (bool, error) {
	var n int
	col := "id"
	switch kind {
	case jobflow.RefPool:
		col = "name" // jobs name their pool, so an export travels between tenants
	case jobflow.RefMember:
		col = "user_id"
	}
	query := `SELECT COUNT(*) FROM ` + refTables[kind] + ` WHERE ` + col + ` = ? AND tenant_id = ?`
	if err := sqlx.GetContext(ctx, r.q, &n, r.q.Rebind(query), id, tenantID); err != nil {
		return false, err
	}
	return n > 0, nil
}

// JobExists reports whether the tenant's workflow holds the job.
func (r refs) JobExists(ctx context.Context, tenantID, workflowID, jobID string) (bool, error) {
	var n int
	const q = `SELECT COUNT(*) FROM jobs WHERE id = ? AND workflow_id = ? AND tenant_id = ?`
	if err := sqlx.GetContext(ctx, r.q, &n, r.q.Rebind(q), jobID, workflowID, tenantID); err != nil {
		return false, err
	}
	return n > 0, nil
}

// FindWorkflowByID reads a workflow with its jobs (the SUBFLOW call graph).
func (r refs) FindWorkflowByID(ctx context.Context, tenantID, id string) (*jobflow.Workflow, error) {
	row, err := r.s.getWorkflow(ctx, r.q, tenantID, id, false)
	if err != nil {
		return nil, err
	}
	w, err := row.toDomain()
	if err != nil {
		return nil, err
	}
	w.Jobs, err = jobsIn(ctx, r.q, tenantID, id)
	return w, err
}

// FindVersionByID reads a version (the SUBFLOW call graph).
func (r refs) FindVersionByID(ctx context.Context, tenantID, id string) (*jobflow.Version, error) {
	var row versionRow
	const q = `SELECT ` + versionColumns + ` FROM workflow_versions WHERE id = ? AND tenant_id = ?`
	if err := sqlx.GetContext(ctx, r.q, &row, r.q.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "version")
	}
	return row.toDomain()
}

// jobsIn returns the jobs of a workflow in creation order.
func jobsIn(ctx context.Context, q sqlx.ExtContext, tenantID, workflowID string) ([]*jobflow.Job, error) {
	var rows []jobRow
	const query = `SELECT ` + jobColumns + ` FROM jobs WHERE workflow_id = ? AND tenant_id = ? ORDER BY created_at, id`
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(query), workflowID, tenantID); err != nil {
		return nil, err
	}
	out := make([]*jobflow.Job, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// checkDraft runs jobflow.CheckDraft reading the tenant through tx.
func (s *Store) checkDraft(ctx context.Context, tx *sqlx.Tx, d jobflow.Draft) error {
	return jobflow.CheckDraft(ctx, d, refs{s, tx})
}

// storedDraft reads the tenant's workflow id with its jobs through tx,
// locking its row.
func (s *Store) storedDraft(ctx context.Context, tx *sqlx.Tx, tenantID, id string) (*workflowRow, *jobflow.Workflow, error) {
	row, err := s.getWorkflow(ctx, tx, tenantID, id, true)
	if err != nil {
		return nil, nil, err
	}
	w, err := row.toDomain()
	if err != nil {
		return nil, nil, err
	}
	if w.Jobs, err = jobsIn(ctx, tx, tenantID, id); err != nil {
		return nil, nil, err
	}
	return row, w, nil
}

// withJob returns jobs with j replacing the job of its id, or added.
func withJob(jobs []*jobflow.Job, j *jobflow.Job) []*jobflow.Job {
	out := make([]*jobflow.Job, 0, len(jobs)+1)
	for _, o := range jobs {
		if o.ID != j.ID {
			out = append(out, o)
		}
	}
	return append(out, j)
}
