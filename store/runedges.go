package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// snapshotEdges is the edges part of a stored snapshot: decoding only it
// skips the jobs, the bulk of a large snapshot.
type snapshotEdges struct {
	Canvas struct {
		Edges []jobflow.Edge `json:"edges"`
	} `json:"canvas"`
}

// fillRunEdges gives a run whose row holds no edges the edges of the
// snapshot it executes: its run_snapshots copy, else its version's. Rows
// written before scheduled runs copied their version's edges (and any run
// whose start record did not carry them) answer their edges this way; a
// run whose canvas truly has no edges reads one row for nothing.
func (s *Store) fillRunEdges(ctx context.Context, run *jobflow.Run) error {
	if len(run.Edges) > 0 {
		return nil
	}
	var raw string
	const runQ = `SELECT snapshot FROM run_snapshots WHERE run_id = ? AND tenant_id = ?`
	err := s.db.GetContext(ctx, &raw, s.db.Rebind(runQ), run.ID, run.TenantID)
	if errors.Is(err, sql.ErrNoRows) && run.VersionID != "" {
		const verQ = `SELECT snapshot FROM workflow_versions WHERE id = ? AND tenant_id = ?`
		err = s.db.GetContext(ctx, &raw, s.db.Rebind(verQ), run.VersionID, run.TenantID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nothing to draw the edges from
	} else if err != nil {
		return err
	}
	var snap snapshotEdges
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return err
	}
	run.Edges = snap.Canvas.Edges
	return nil
}

// copyRunEdges writes edges into a run row that holds none yet: a run a
// Temporal Schedule started is first written by FlowRun, which carries no
// canvas, so its edges come from the version's snapshot when that is
// copied (recordScheduledRun).
func copyRunEdges(ctx context.Context, tx *sqlx.Tx, runID string, edges []jobflow.Edge) error {
	if len(edges) == 0 {
		return nil
	}
	const q = `UPDATE runs SET edges = ?, change_seq = change_seq + 1 WHERE id = ? AND edges = '[]'`
	_, err := tx.ExecContext(ctx, tx.Rebind(q), mustJSON(edges), runID)
	return err
}
