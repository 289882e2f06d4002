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

var _ jobflow.VersionService = (*Store)(nil)

type versionRow struct {
	ID         string    `db:"id"`
	TenantID   string    `db:"tenant_id"`
	WorkflowID string    `db:"workflow_id"`
	Number     int       `db:"number"`
	Snapshot   string    `db:"snapshot"`
	CreatedAt  time.Time `db:"created_at"`
	CreatedBy  string    `db:"created_by"`
	Note       string    `db:"note"`
}

func (r versionRow) toDomain() (*jobflow.Version, error) {
	v := &jobflow.Version{
		ID:         r.ID,
		TenantID:   r.TenantID,
		WorkflowID: r.WorkflowID,
		Number:     r.Number,
		CreatedAt:  r.CreatedAt.UTC(),
		CreatedBy:  r.CreatedBy,
		Note:       r.Note,
	}
	if err := json.Unmarshal([]byte(r.Snapshot), &v.Snapshot); err != nil {
		return nil, err
	}
	return v, nil
}

const versionColumns = `id, tenant_id, workflow_id, number, snapshot, created_at, created_by, note`

// CreateVersion stores v with the next number of its workflow. The
// workflow row is locked (PostgreSQL) or the write lock held (SQLite) from
// reading the highest number to the insert, so numbers never collide.
func (s *Store) CreateVersion(ctx context.Context, v *jobflow.Version) error {
	if v.ID == "" {
		v.ID = jobflow.NewID(jobflow.PrefixVersion)
	}
	v.Snapshot.VersionID = v.ID
	v.Snapshot.TenantID, v.Snapshot.WorkflowID = v.TenantID, v.WorkflowID
	v.CreatedAt = now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.getWorkflow(ctx, tx, v.TenantID, v.WorkflowID, true); err != nil {
			return err
		}
		const maxQ = `SELECT COALESCE(MAX(number), 0) FROM workflow_versions WHERE workflow_id = ?`
		if err := tx.GetContext(ctx, &v.Number, tx.Rebind(maxQ), v.WorkflowID); err != nil {
			return err
		}
		v.Number++
		const q = `INSERT INTO workflow_versions (` + versionColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
		_, err := tx.ExecContext(ctx, tx.Rebind(q), v.ID, v.TenantID, v.WorkflowID, v.Number,
			mustJSON(v.Snapshot), v.CreatedAt, v.CreatedBy, v.Note)
		return err
	})
}

// FindVersionByID returns a version of the tenant.
func (s *Store) FindVersionByID(ctx context.Context, tenantID, id string) (*jobflow.Version, error) {
	var r versionRow
	const q = `SELECT ` + versionColumns + ` FROM workflow_versions WHERE id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "version")
	}
	return r.toDomain()
}

// SetPublished marks the workflow PUBLISHED on v unless it is published on
// a version with a higher number. Re-applying the current version is
// allowed (retries and reconciliation do it).
func (s *Store) SetPublished(ctx context.Context, v *jobflow.Version, next *time.Time) (bool, error) {
	applied := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		w, err := s.getWorkflow(ctx, tx, v.TenantID, v.WorkflowID, true)
		if err != nil {
			return err
		}
		if w.PublishedVersionID != "" && w.PublishedVersionID != v.ID {
			var current int
			const numQ = `SELECT number FROM workflow_versions WHERE id = ?`
			err := tx.GetContext(ctx, &current, tx.Rebind(numQ), w.PublishedVersionID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if current > v.Number {
				return nil
			}
		}
		const q = `
UPDATE workflows SET status = ?, published_version_id = ?, next_run_time = ?, updated_at = ?
WHERE id = ? AND tenant_id = ?`
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), string(jobflow.StatusPublished), v.ID, dbTimePtr(next),
			now(), v.WorkflowID, v.TenantID); err != nil {
			return err
		}
		applied = true
		return nil
	})
	return applied, err
}

// SetOffline marks a PUBLISHED workflow OFFLINE; the published version id
// stays, to show what last ran.
func (s *Store) SetOffline(ctx context.Context, tenantID, workflowID string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		w, err := s.getWorkflow(ctx, tx, tenantID, workflowID, true)
		if err != nil {
			return err
		}
		if jobflow.WorkflowStatus(w.Status) != jobflow.StatusPublished {
			return conflictf("only a PUBLISHED workflow can be taken offline; this one is %s", w.Status)
		}
		const q = `UPDATE workflows SET status = ?, next_run_time = NULL, updated_at = ? WHERE id = ? AND tenant_id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), string(jobflow.StatusOffline), now(), workflowID, tenantID)
		return err
	})
}

// FindPublishedVersions lists every PUBLISHED workflow with its version.
func (s *Store) FindPublishedVersions(ctx context.Context) ([]*jobflow.PublishedVersion, error) {
	var rows []versionRow
	const q = `
SELECT v.id, v.tenant_id, v.workflow_id, v.number, v.snapshot, v.created_at, v.created_by, v.note
FROM workflows w JOIN workflow_versions v ON v.id = w.published_version_id
WHERE w.status = 'PUBLISHED'
ORDER BY w.id`
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, err
	}
	out := make([]*jobflow.PublishedVersion, 0, len(rows))
	for _, r := range rows {
		v, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, &jobflow.PublishedVersion{TenantID: v.TenantID, WorkflowID: v.WorkflowID, Version: v})
	}
	return out, nil
}

// RecordScheduledRun gives a run started by a Temporal Schedule its
// version's snapshot (so it can be rerun like any other run) and, on the
// first call for the run, moves the workflow's next run time on, if the
// workflow is still published on that version. The run row must exist.
func (s *Store) RecordScheduledRun(ctx context.Context, r *jobflow.Run) error {
	if r.VersionID == "" {
		return nil
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.recordScheduledRun(ctx, tx, r) })
}

func (s *Store) recordScheduledRun(ctx context.Context, tx *sqlx.Tx, r *jobflow.Run) error {
	var n int
	const existsQ = `SELECT COUNT(*) FROM run_snapshots WHERE run_id = ?`
	if err := tx.GetContext(ctx, &n, tx.Rebind(existsQ), r.ID); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var raw string
	const snapQ = `SELECT snapshot FROM workflow_versions WHERE id = ? AND tenant_id = ?`
	if err := tx.GetContext(ctx, &raw, tx.Rebind(snapQ), r.VersionID, r.TenantID); errors.Is(err, sql.ErrNoRows) {
		return nil // not a version of ours: nothing to keep, and retrying cannot help
	} else if err != nil {
		return err
	}
	const insQ = `INSERT INTO run_snapshots (run_id, tenant_id, snapshot, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (run_id) DO NOTHING`
	if _, err := tx.ExecContext(ctx, tx.Rebind(insQ), r.ID, r.TenantID, raw, now()); err != nil {
		return err
	}
	if err := s.auditScheduledRun(ctx, tx, r); err != nil {
		return err
	}
	var snap jobflow.Snapshot
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return err
	}
	// FlowRun's run row carries no canvas: without this a scheduled run
	// answers no edges (manual, rerun and invoke runs get theirs in CreateRun).
	if err := copyRunEdges(ctx, tx, r.ID, snap.Canvas.Edges); err != nil {
		return err
	}
	if !snap.Config.Schedule.Enabled {
		return nil
	}
	after := r.LogicalTime
	if t := now(); t.After(after) {
		after = t
	}
	times, err := snap.Config.Schedule.NextTimes(after, 1, snap.Calendar)
	if err != nil {
		return err
	}
	var next *time.Time
	if len(times) > 0 {
		next = &times[0]
	}
	const q = `UPDATE workflows SET next_run_time = ?
WHERE id = ? AND tenant_id = ? AND status = 'PUBLISHED' AND published_version_id = ?`
	_, err = tx.ExecContext(ctx, tx.Rebind(q), dbTimePtr(next), r.WorkflowID, r.TenantID, r.VersionID)
	return err
}
