package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// Pool leases (docs/run-semantics.md#pools): one row per node run that
// holds or waits for a pool's slots. Waiters are served by priority (1
// first), then in the order they came; the head of the line is served
// first even when a later, smaller request would fit, so a job that needs
// many slots is not starved by a stream of small ones.

type leaseRow struct {
	RunID              string    `db:"run_id"`
	JobID              string    `db:"job_id"`
	JobName            string    `db:"job_name"`
	WorkflowID         string    `db:"workflow_id"`
	WorkflowName       string    `db:"workflow_name"`
	TemporalWorkflowID string    `db:"temporal_workflow_id"`
	Slots              int       `db:"slots"`
	Priority           int       `db:"priority"`
	Held               int       `db:"held"`
	Since              time.Time `db:"since"`
}

// lease is a lease row read for a pool.
type lease struct {
	jobflow.PoolLease
	held bool
}

func (r leaseRow) toLease() lease {
	return lease{PoolLease: jobflow.PoolLease{RunID: r.RunID, JobID: r.JobID, JobName: r.JobName, WorkflowID: r.WorkflowID,
		WorkflowName: r.WorkflowName, Slots: r.Slots, Priority: r.Priority, Since: r.Since.UTC(),
		TemporalWorkflowID: r.TemporalWorkflowID}, held: r.Held == 1}
}

// poolLeases lists a pool's leases: holders by grant time, then waiters
// in the order they will be served.
func (s *Store) poolLeases(ctx context.Context, q sqlx.QueryerContext, poolID string) ([]lease, error) {
	var rows []leaseRow
	const query = `SELECT run_id, job_id, job_name, workflow_id, workflow_name, temporal_workflow_id, slots, priority, held, since
FROM pool_leases WHERE pool_id = ? ORDER BY held DESC, priority, since, run_id, job_id`
	if err := sqlx.SelectContext(ctx, q, &rows, s.db.Rebind(query), poolID); err != nil {
		return nil, err
	}
	out := make([]lease, len(rows))
	for i, r := range rows {
		out[i] = r.toLease()
	}
	return out, nil
}

// AcquirePoolSlots implements jobflow.PoolService.
func (s *Store) AcquirePoolSlots(ctx context.Context, req jobflow.PoolRequest) (jobflow.PoolGrant, error) {
	var g jobflow.PoolGrant
	if req.RunID == "" || req.JobID == "" || req.TenantID == "" {
		return g, jobflow.Errorf(jobflow.EINVALID, "a pool request needs a tenant, a run and a job")
	}
	if req.Slots < 1 {
		req.Slots = 1
	}
	if req.Priority < 1 || req.Priority > 5 {
		req.Priority = jobflow.DefaultPriority
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id string
		q := `SELECT id FROM pools WHERE tenant_id = ? AND name = ?`
		if err := tx.GetContext(ctx, &id, tx.Rebind(q), req.TenantID, req.Pool); errors.Is(err, sql.ErrNoRows) {
			g.Error = fmt.Sprintf("pool %q does not exist in this tenant", req.Pool)
			return nil
		} else if err != nil {
			return err
		}
		p, err := s.lockPool(ctx, tx, req.TenantID, id)
		if err != nil {
			return err
		}
		g.Slots = p.Slots
		if req.Slots > p.Slots {
			g.Error = fmt.Sprintf("the job needs %d slots of pool %q, which has %d", req.Slots, p.Name, p.Slots)
			return nil
		}
		const ins = `INSERT INTO pool_leases (run_id, job_id, pool_id, tenant_id, job_name, workflow_id, workflow_name,
    temporal_workflow_id, slots, priority, held, since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
ON CONFLICT (run_id, job_id) DO NOTHING`
		if _, err := tx.ExecContext(ctx, tx.Rebind(ins), req.RunID, req.JobID, p.ID, req.TenantID, req.JobName, req.WorkflowID,
			req.WorkflowName, req.TemporalWorkflowID, req.Slots, req.Priority, now()); err != nil {
			return err
		}
		if _, err := s.grantPool(ctx, tx, p); err != nil {
			return err
		}
		leases, err := s.poolLeases(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		waiting := 0
		for _, l := range leases {
			switch {
			case l.held:
				g.Used += l.Slots
				if l.RunID == req.RunID && l.JobID == req.JobID {
					g.Granted = true
				}
			default:
				waiting++
				if l.RunID == req.RunID && l.JobID == req.JobID {
					g.Position = waiting
				}
			}
		}
		return nil
	})
	return g, err
}

// ReleasePoolSlots implements jobflow.PoolService.
func (s *Store) ReleasePoolSlots(ctx context.Context, tenantID, runID, jobID string) ([]jobflow.PoolLease, error) {
	var pools []string
	q := `SELECT DISTINCT pool_id FROM pool_leases WHERE run_id = ? AND tenant_id = ?`
	args := []any{runID, tenantID}
	if jobID != "" {
		q += ` AND job_id = ?`
		args = append(args, jobID)
	}
	if err := s.db.SelectContext(ctx, &pools, s.db.Rebind(q), args...); err != nil {
		return nil, err
	}
	var granted []jobflow.PoolLease
	for _, id := range pools { // one pool at a time, each locked
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			p, err := s.lockPool(ctx, tx, tenantID, id)
			if err != nil {
				return err
			}
			del := `DELETE FROM pool_leases WHERE pool_id = ? AND run_id = ?`
			dargs := []any{id, runID}
			if jobID != "" {
				del += ` AND job_id = ?`
				dargs = append(dargs, jobID)
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(del), dargs...); err != nil {
				return err
			}
			g, err := s.grantPool(ctx, tx, p)
			granted = append(granted, g...)
			return err
		})
		if err != nil && jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			return granted, err
		}
	}
	return granted, nil
}

// grantPool grants the pool's waiters, head of the line first, while
// their slots fit; the pool's row is locked. It returns the leases it
// granted.
func (s *Store) grantPool(ctx context.Context, tx *sqlx.Tx, p *jobflow.Pool) ([]jobflow.PoolLease, error) {
	leases, err := s.poolLeases(ctx, tx, p.ID)
	if err != nil {
		return nil, err
	}
	used := 0
	for _, l := range leases {
		if l.held {
			used += l.Slots
		}
	}
	var granted []jobflow.PoolLease
	for _, l := range leases {
		if l.held {
			continue
		}
		if used+l.Slots > p.Slots {
			break // strictly in line
		}
		const up = `UPDATE pool_leases SET held = 1, since = ? WHERE run_id = ? AND job_id = ? AND held = 0`
		if _, err := tx.ExecContext(ctx, tx.Rebind(up), now(), l.RunID, l.JobID); err != nil {
			return nil, err
		}
		used += l.Slots
		granted = append(granted, l.PoolLease)
	}
	return granted, nil
}

// poolWaitReasons says, for each of the run's jobs waiting for a pool,
// why: "pool db-prod 2/2, position 3" (the run view's reason of a WAITING
// node).
func (s *Store) poolWaitReasons(ctx context.Context, runID string) (map[string]string, error) {
	var rows []struct {
		JobID  string `db:"job_id"`
		PoolID string `db:"pool_id"`
		Name   string `db:"name"`
		Slots  int    `db:"slots"`
	}
	const q = `SELECT l.job_id, l.pool_id, p.name, p.slots FROM pool_leases l JOIN pools p ON p.id = l.pool_id
WHERE l.run_id = ? AND l.held = 0`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), runID); err != nil || len(rows) == 0 {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		leases, err := s.poolLeases(ctx, s.db, r.PoolID)
		if err != nil {
			return nil, err
		}
		used, pos := 0, 0
		for _, l := range leases {
			if l.held {
				used += l.Slots
				continue
			}
			pos++
			if l.RunID == runID && l.JobID == r.JobID {
				break
			}
		}
		out[r.JobID] = fmt.Sprintf("pool %s %d/%d, position %d", r.Name, used, r.Slots, pos)
	}
	return out, nil
}

// fillWaitReasons gives the run's WAITING nodes that wait for a pool their
// reason.
func (s *Store) fillWaitReasons(ctx context.Context, run *jobflow.Run) error {
	waiting := false
	for _, n := range run.Nodes {
		waiting = waiting || n.Status == jobflow.NodeWaiting
	}
	if !waiting {
		return nil
	}
	why, err := s.poolWaitReasons(ctx, run.ID)
	if err != nil {
		return err
	}
	for _, n := range run.Nodes {
		if n.Status == jobflow.NodeWaiting {
			n.WaitReason = why[n.JobID]
		}
	}
	return nil
}
