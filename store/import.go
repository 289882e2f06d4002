package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.ImportService = (*Store)(nil)

// FindWorkflowByName returns the tenant's workflow with this exact name.
func (s *Store) FindWorkflowByName(ctx context.Context, tenantID, name string) (*jobflow.Workflow, error) {
	var id string
	const q = `SELECT id FROM workflows WHERE tenant_id = ? AND name = ?`
	if err := s.db.GetContext(ctx, &id, s.db.Rebind(q), tenantID, name); err != nil {
		return nil, notFound(err, "workflow")
	}
	return s.FindWorkflowByID(ctx, tenantID, id)
}

// ImportDrafts creates or overwrites drafts atomically. The tenant row is
// locked first, so the workflow limit (as CreateWorkflow's, with
// licenseMax) cannot be overshot by concurrent creates, then each item is
// written with replaceDraft.
func (s *Store) ImportDrafts(ctx context.Context, tenantID string, items []*jobflow.DraftImport, licenseMax int, by string) ([]*jobflow.Workflow, error) {
	ids := make([]string, len(items))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		limit, err := s.lockWorkflowLimit(ctx, tx, tenantID, licenseMax)
		if err != nil {
			return err
		}
		var count int
		if err := tx.GetContext(ctx, &count, tx.Rebind(`SELECT COUNT(*) FROM workflows WHERE tenant_id = ?`), tenantID); err != nil {
			return err
		}
		for i, it := range items {
			w := &jobflow.Workflow{Name: it.Name, Remark: it.Remark}
			if err := w.Validate(); err != nil {
				return err
			}
			ts := now()
			if it.WorkflowID == "" {
				if count >= limit {
					return jobflow.Errorf(jobflow.ELIMITEXCEEDED, "the tenant may hold at most %d workflows and holds %d", limit, count).
						WithDetails(map[string]int{"limit": limit})
				}
				count++
				it.WorkflowID = jobflow.NewID(jobflow.PrefixWorkflow)
				const q = `
INSERT INTO workflows (id, tenant_id, name, remark, status, canvas, config, next_run_time,
    published_version_id, revision, created_at, updated_at, created_by, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?, NULL, '', 1, ?, ?, ?, ?)`
				_, err := tx.ExecContext(ctx, tx.Rebind(q), it.WorkflowID, tenantID, it.Name, it.Remark, string(jobflow.StatusDraft),
					mustJSON(tidyCanvas(jobflow.Canvas{})), mustJSON(jobflow.DefaultConfig()), ts, ts, by, by)
				if isUniqueViolation(err) {
					return conflictf("a workflow named %q already exists", it.Name)
				} else if err != nil {
					return err
				}
			} else {
				if _, err := s.getWorkflow(ctx, tx, tenantID, it.WorkflowID, true); err != nil {
					return err
				}
				const q = `UPDATE workflows SET remark = ? WHERE id = ? AND tenant_id = ?`
				if _, err := tx.ExecContext(ctx, tx.Rebind(q), it.Remark, it.WorkflowID, tenantID); err != nil {
					return err
				}
			}
			if err := s.replaceDraft(ctx, tx, tenantID, it.WorkflowID, it.Jobs, it.Canvas, it.Config, by); err != nil {
				return jobflow.About(err, "workflow", it.Name)
			}
			ids[i] = it.WorkflowID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*jobflow.Workflow, len(ids))
	for i, id := range ids {
		if out[i], err = s.FindWorkflowByID(ctx, tenantID, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}
