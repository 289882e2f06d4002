package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// bumpRunSeq adds one to the run's change sequence in tx and returns the
// run's tenant and the new number, NOT_FOUND if there is no such run. The
// UPDATE takes the run row's lock until tx ends, so two writers of one
// run's nodes get their numbers in commit order: a poller that has seen
// number n never later finds a row committed with a number up to n.
func bumpRunSeq(ctx context.Context, tx *sqlx.Tx, runID string) (string, int64, error) {
	var row struct {
		TenantID string `db:"tenant_id"`
		Seq      int64  `db:"change_seq"`
	}
	const q = `UPDATE runs SET change_seq = change_seq + 1 WHERE id = ? RETURNING tenant_id, change_seq`
	if err := tx.GetContext(ctx, &row, tx.Rebind(q), runID); err != nil {
		return "", 0, notFound(err, "run")
	}
	return row.TenantID, row.Seq, nil
}

// FindRunDelta returns the run like FindRunByID, but with only the node
// runs written after version since (a Run.Version answered earlier) and no
// edges (they never change): what the console's poll of a running run
// needs. since 0 answers every node written since the sequence began
// (rows written before migration 0020 carry 0).
func (s *Store) FindRunDelta(ctx context.Context, tenantID, id string, since int64) (*jobflow.Run, error) {
	var r runRow
	const q = `SELECT ` + runColumns + runVersionNumber + ` FROM runs WHERE id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "run")
	}
	run, err := r.toDomain(false)
	if err != nil {
		return nil, err
	}
	var rows []nodeRunRow
	// Read after the run row: a node written in between carries a number
	// above run.Version and comes again in the next poll, never lost.
	const nq = `SELECT ` + nodeRunColumns + ` FROM node_runs WHERE run_id = ? AND change_seq > ?
ORDER BY (started_at IS NULL), started_at, job_name, job_id`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(nq), id, since); err != nil {
		return nil, err
	}
	run.Nodes = make([]*jobflow.NodeRun, len(rows))
	for i, nr := range rows {
		run.Nodes[i] = nr.toDomain()
	}
	if err := s.findChildren(ctx, run); err != nil {
		return nil, err
	}
	return run, nil
}
