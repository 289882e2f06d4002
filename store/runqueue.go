package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.RunQueueService = (*Store)(nil)

// Workflow concurrency (docs/run-semantics.md#workflow-concurrency). Every
// decision about one workflow's slots is taken in a transaction that first
// locks the workflow's row (PostgreSQL: SELECT … FOR UPDATE; SQLite's
// immediate transaction holds the write lock already), so two runs asking
// at the same moment are decided one after the other and never both take
// the last slot. A slot is held by an admitted run (holds_slot = 1) for as
// long as its status is RUNNING, PAUSED or ABORTING: writing its final
// status frees it, whoever writes it (FlowRun, the reconciler), so there is
// nothing to release and nothing to leak; GrantQueuedRuns only hands the
// freed slots on.

// holderStatuses is the SQL list of the statuses that hold a slot.
var holderStatuses = func() string {
	l := ""
	for _, s := range jobflow.RunStatuses {
		if s.HoldsSlot() {
			if l != "" {
				l += ", "
			}
			l += "'" + string(s) + "'"
		}
	}
	return "(" + l + ")"
}()

// AdmitRun implements jobflow.RunQueueService.
func (s *Store) AdmitRun(ctx context.Context, req jobflow.AdmitRequest) (jobflow.Admission, error) {
	r, c := req.Run, req.Concurrency
	if r == nil || !c.Limited() {
		return jobflow.Admission{}, jobflow.Errorf(jobflow.EINVALID, "an admission needs a run and a concurrency limit")
	}
	if err := c.Validate(); err != nil {
		return jobflow.Admission{}, err
	}
	var adm jobflow.Admission
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockWorkflow(ctx, tx, r.TenantID, r.WorkflowID); err != nil {
			return err
		}
		var cur struct {
			Status    string `db:"status"`
			HoldsSlot int    `db:"holds_slot"`
		}
		const curQ = `SELECT status, holds_slot FROM runs WHERE id = ? AND tenant_id = ?`
		err := tx.GetContext(ctx, &cur, tx.Rebind(curQ), r.ID, r.TenantID)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		adm.Existed = exists
		if exists && req.Snapshot != nil {
			// The engine's repeat of a start (an invoke's requestId): the
			// first one decided.
			adm.Status = jobflow.RunStatus(cur.Status)
			return nil
		}
		st := jobflow.RunStatus(cur.Status)
		if exists && (st != jobflow.RunRunning || cur.HoldsSlot == 1) {
			// Only a row recorded RUNNING before its FlowRun asked (the
			// engine, a backfill or a SUBFLOW job creates runs that way) is
			// still to be decided.
			// Decided before, or aborted or ended meanwhile: a queued run
			// takes a slot now if one is free and it is first in line.
			if st == jobflow.RunQueued {
				if _, err := s.grantLocked(ctx, tx, r.WorkflowID); err != nil {
					return err
				}
			}
			return s.readAdmission(ctx, tx, r, &adm)
		}
		holders, queued, err := s.queueCounts(ctx, tx, r.WorkflowID)
		if err != nil {
			return err
		}
		adm.Holders = holders
		r.Error = ""
		switch {
		case holders < c.Limit && queued == 0:
			r.Status = jobflow.RunRunning
		case c.Behavior == jobflow.ConcurrencyQueue:
			r.Status, adm.Position = jobflow.RunQueued, queued+1
		case c.Behavior == jobflow.ConcurrencySkip:
			r.Status, r.Error = jobflow.RunSkipped, limitMessage("skipped", c.Limit, holders, queued)
		default:
			r.Status, r.Error = jobflow.RunFail, limitMessage("refused", c.Limit, holders, queued)
			if req.Snapshot != nil { // the engine answers 409; nothing is written
				adm.Status, adm.Error = r.Status, r.Error
				return nil
			}
		}
		adm.Status, adm.Error = r.Status, r.Error
		if r.Status.Finished() {
			ended := now()
			r.EndedAt = &ended
		}
		holds := 0
		if r.Status == jobflow.RunRunning {
			holds = 1
		}
		if exists {
			q := `UPDATE runs SET status = ?, holds_slot = ?, queue_limit = ?, ended_at = ?, error = ?,
    updated_at = ?, change_seq = change_seq + 1 WHERE id = ?`
			_, err := tx.ExecContext(ctx, tx.Rebind(q), string(r.Status), holds, c.Limit, dbTimePtr(r.EndedAt), r.Error, now(), r.ID)
			return err
		}
		if err := s.insertAdmitted(ctx, tx, r, req.Snapshot, holds, c.Limit); err != nil {
			return err
		}
		if r.Trigger == jobflow.TriggerSchedule && r.VersionID != "" {
			return s.recordScheduledRun(ctx, tx, r) // its snapshot, and the next fire time moves on
		}
		return nil
	})
	return adm, err
}

// limitMessage says why a run did not start.
func limitMessage(what string, limit, holders, queued int) string {
	msg := fmt.Sprintf("%s: the workflow allows %d run(s) at once and %d are going on", what, limit, holders)
	if queued > 0 {
		msg += fmt.Sprintf(", %d queued", queued)
	}
	return msg
}

// insertAdmitted inserts a run row (and its snapshot, when given) with its
// admission.
func (s *Store) insertAdmitted(ctx context.Context, tx *sqlx.Tx, r *jobflow.Run, snap *jobflow.Snapshot, holds, limit int) error {
	if snap != nil && len(r.Edges) == 0 {
		r.Edges = snap.Canvas.Edges
	}
	args, err := runArgs(r)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(insertRun), args...); isForeignKeyViolation(err) {
		return notFoundf("workflow not found")
	} else if err != nil {
		return err
	}
	const q = `UPDATE runs SET holds_slot = ?, queue_limit = ? WHERE id = ?`
	if _, err := tx.ExecContext(ctx, tx.Rebind(q), holds, limit, r.ID); err != nil {
		return err
	}
	if snap == nil {
		return nil
	}
	const snapQ = `INSERT INTO run_snapshots (run_id, tenant_id, snapshot, created_at) VALUES (?, ?, ?, ?)`
	_, err = tx.ExecContext(ctx, tx.Rebind(snapQ), r.ID, r.TenantID, mustJSON(snap), now())
	return err
}

// readAdmission fills adm with the run's stored status (and its place when
// QUEUED).
func (s *Store) readAdmission(ctx context.Context, tx *sqlx.Tx, r *jobflow.Run, adm *jobflow.Admission) error {
	var row struct {
		Status    string       `db:"status"`
		Error     string       `db:"error"`
		StartedAt sql.RawBytes `db:"-"`
	}
	const q = `SELECT status, error FROM runs WHERE id = ?`
	if err := tx.GetContext(ctx, &row, tx.Rebind(q), r.ID); err != nil {
		return err
	}
	adm.Status, adm.Error = jobflow.RunStatus(row.Status), row.Error
	holders, _, err := s.queueCounts(ctx, tx, r.WorkflowID)
	if err != nil {
		return err
	}
	adm.Holders = holders
	if adm.Status == jobflow.RunQueued {
		adm.Position, err = s.queuePosition(ctx, tx, r.ID)
	}
	return err
}

// lockWorkflow serializes the slot decisions of one workflow.
func (s *Store) lockWorkflow(ctx context.Context, tx *sqlx.Tx, tenantID, workflowID string) error {
	var id string
	q := `SELECT id FROM workflows WHERE id = ? AND tenant_id = ?` + s.forUpdate()
	if err := tx.GetContext(ctx, &id, tx.Rebind(q), workflowID, tenantID); err != nil {
		return notFound(err, "workflow")
	}
	return nil
}

// queueCounts counts the workflow's runs that hold a slot and those queued.
func (s *Store) queueCounts(ctx context.Context, tx *sqlx.Tx, workflowID string) (holders, queued int, err error) {
	q := `SELECT
    COALESCE(SUM(CASE WHEN holds_slot = 1 AND status IN ` + holderStatuses + ` THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status = 'QUEUED' THEN 1 ELSE 0 END), 0)
FROM runs WHERE workflow_id = ? AND status IN ('RUNNING', 'PAUSED', 'ABORTING', 'QUEUED')`
	err = tx.QueryRowxContext(ctx, tx.Rebind(q), workflowID).Scan(&holders, &queued)
	return holders, queued, err
}

// queuePosition is a QUEUED run's place in its workflow's queue, from 1.
func (s *Store) queuePosition(ctx context.Context, q sqlx.QueryerContext, runID string) (int, error) {
	var n int
	const query = `SELECT COUNT(*) FROM runs q, runs r
WHERE r.id = ? AND q.workflow_id = r.workflow_id AND q.status = 'QUEUED'
  AND (q.started_at < r.started_at OR (q.started_at = r.started_at AND q.id <= r.id))`
	err := sqlx.GetContext(ctx, q, &n, s.db.Rebind(query), runID)
	return n, err
}

// GrantQueuedRuns implements jobflow.RunQueueService.
func (s *Store) GrantQueuedRuns(ctx context.Context, tenantID, workflowID string) ([]*jobflow.Run, error) {
	var granted []*jobflow.Run
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockWorkflow(ctx, tx, tenantID, workflowID); err != nil {
			return err
		}
		var err error
		granted, err = s.grantLocked(ctx, tx, workflowID)
		return err
	})
	return granted, err
}

// grantLocked moves the oldest QUEUED runs to RUNNING while their limit
// leaves a slot free; the queue is strict first-in first-out, so a run
// never overtakes an older one. The workflow's row is locked.
func (s *Store) grantLocked(ctx context.Context, tx *sqlx.Tx, workflowID string) ([]*jobflow.Run, error) {
	var queue []struct {
		ID                 string `db:"id"`
		TenantID           string `db:"tenant_id"`
		TemporalWorkflowID string `db:"temporal_workflow_id"`
		Limit              int    `db:"queue_limit"`
	}
	const q = `SELECT id, tenant_id, temporal_workflow_id, queue_limit FROM runs
WHERE workflow_id = ? AND status = 'QUEUED' ORDER BY started_at, id LIMIT ?`
	if err := tx.SelectContext(ctx, &queue, tx.Rebind(q), workflowID, jobflow.MaxConcurrencyLimit); err != nil {
		return nil, err
	}
	if len(queue) == 0 {
		return nil, nil
	}
	holders, _, err := s.queueCounts(ctx, tx, workflowID)
	if err != nil {
		return nil, err
	}
	var granted []*jobflow.Run
	for _, next := range queue {
		if holders >= next.Limit {
			break
		}
		const up = `UPDATE runs SET status = 'RUNNING', holds_slot = 1, updated_at = ?, change_seq = change_seq + 1
WHERE id = ? AND status = 'QUEUED'`
		if _, err := tx.ExecContext(ctx, tx.Rebind(up), now(), next.ID); err != nil {
			return nil, err
		}
		holders++
		granted = append(granted, &jobflow.Run{ID: next.ID, TenantID: next.TenantID, WorkflowID: workflowID,
			Status: jobflow.RunRunning, TemporalWorkflowID: next.TemporalWorkflowID})
	}
	return granted, nil
}
