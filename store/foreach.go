package store

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.ForEachService = (*Store)(nil)

// FOREACH items (docs/run-semantics.md#foreach-jobs). An item's status is
// read from its child run, so nothing has to keep the two in step.

// forEachInsertBatch rows per INSERT: 5 values a row stays far below
// SQLite's and PostgreSQL's bound on a statement's parameters.
const forEachInsertBatch = 500

type forEachItemRow struct {
	Idx       int        `db:"idx"`
	Item      string     `db:"item"`
	ChildRun  string     `db:"child_run_id"`
	Carried   int        `db:"carried"`
	Status    string     `db:"status"`
	StartedAt *time.Time `db:"started_at"`
	EndedAt   *time.Time `db:"ended_at"`
	Error     string     `db:"error"`
}

func (r forEachItemRow) toDomain() jobflow.ForEachItem {
	it := jobflow.ForEachItem{Index: r.Idx, Item: r.Item, RunID: r.ChildRun, Status: jobflow.RunStatus(r.Status),
		Carried: r.Carried == 1, Error: r.Error}
	if r.ChildRun != "" {
		it.StartedAt, it.EndedAt = dbTimePtr(r.StartedAt), dbTimePtr(r.EndedAt)
	}
	return it
}

// CreateForEachItems implements jobflow.ForEachService.
func (s *Store) CreateForEachItems(ctx context.Context, tenantID, runID, jobID string, items []jobflow.ForEachItem) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		const count = `SELECT COUNT(*) FROM foreach_items WHERE run_id = ? AND job_id = ?`
		if err := tx.GetContext(ctx, &n, tx.Rebind(count), runID, jobID); err != nil {
			return err
		}
		if n > 0 {
			return nil // written by an earlier attempt
		}
		for len(items) > 0 {
			batch := items[:min(len(items), forEachInsertBatch)]
			items = items[len(batch):]
			var q strings.Builder
			q.WriteString(`INSERT INTO foreach_items (run_id, job_id, idx, tenant_id, item, child_run_id, carried) VALUES `)
			args := make([]any, 0, 7*len(batch))
			for k, it := range batch {
				if k > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
				carried := 0
				if it.Carried {
					carried = 1
				}
				args = append(args, runID, jobID, it.Index, tenantID, it.Item, it.RunID, carried)
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(q.String()), args...); err != nil {
				if isForeignKeyViolation(err) {
					return notFoundf("run %s not found", runID)
				}
				return err
			}
		}
		return nil
	})
}

// NextForEachItems implements jobflow.ForEachService.
func (s *Store) NextForEachItems(ctx context.Context, tenantID, runID, jobID string, after, limit int) ([]jobflow.ForEachItem, error) {
	var rows []forEachItemRow
	const q = `SELECT idx, item, child_run_id, carried FROM foreach_items WHERE tenant_id = ? AND run_id = ? AND job_id = ? AND idx > ? AND carried = 0 ORDER BY idx LIMIT ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), tenantID, runID, jobID, after, limit); err != nil {
		return nil, err
	}
	out := make([]jobflow.ForEachItem, len(rows))
	for i, r := range rows {
		r.Status = string(jobflow.ItemPending) // the caller's to start
		out[i] = r.toDomain()
	}
	return out, nil
}

// SetForEachItemRun implements jobflow.ForEachService.
func (s *Store) SetForEachItemRun(ctx context.Context, tenantID, runID, jobID string, index int, childRunID string) error {
	const q = `UPDATE foreach_items SET child_run_id = ? WHERE tenant_id = ? AND run_id = ? AND job_id = ? AND idx = ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), childRunID, tenantID, runID, jobID, index)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("item %d of job %s of run %s not found", index, jobID, runID)
	}
	return nil
}

// itemStatus is an item's status: its child run's, PENDING before it.
const itemStatus = `COALESCE(c.status, 'PENDING')`

// FindForEachItems implements jobflow.ForEachService.
func (s *Store) FindForEachItems(ctx context.Context, tenantID, runID, jobID string, f jobflow.ForEachItemFilter) (*jobflow.ForEachItems, error) {
	size := f.PageSize
	if size <= 0 || size > 1000 {
		size = 100
	}
	const from = ` FROM foreach_items i LEFT JOIN runs c ON c.id = i.child_run_id AND c.tenant_id = i.tenant_id
WHERE i.tenant_id = ? AND i.run_id = ? AND i.job_id = ?`
	var counts []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &counts, s.db.Rebind(`SELECT `+itemStatus+` AS status, COUNT(*) AS n`+from+` GROUP BY `+itemStatus),
		tenantID, runID, jobID); err != nil {
		return nil, err
	}
	out := &jobflow.ForEachItems{Items: []jobflow.ForEachItem{}, Counts: map[string]int{}, Next: -1}
	for _, c := range counts {
		out.Counts[c.Status] = c.N
		out.Total += c.N
	}
	q := `SELECT i.idx, i.item, i.child_run_id, i.carried, ` + itemStatus + ` AS status, c.started_at, c.ended_at, COALESCE(c.error, '') AS error` +
		from + ` AND i.idx > ?`
	args := []any{tenantID, runID, jobID, f.After}
	if f.Status != "" {
		q += ` AND ` + itemStatus + ` = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY i.idx LIMIT ?`
	args = append(args, size+1)
	var rows []forEachItemRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), args...); err != nil {
		return nil, err
	}
	if len(rows) > size {
		rows = rows[:size]
		out.Next = rows[size-1].Idx
	}
	for _, r := range rows {
		out.Items = append(out.Items, r.toDomain())
	}
	return out, nil
}
