package store

import (
	"context"
	"time"
)

// PurgeRuns deletes runs that ended before before, with their node runs,
// node logs and snapshots (by cascade), batch runs at a time, so that no
// transaction holds many rows locked and a large backlog drains without
// stalling the store. Runs still running are never deleted. It returns how
// many runs went.
func (s *Store) PurgeRuns(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		batch = 1000
	}
	const q = `DELETE FROM runs WHERE id IN (
SELECT id FROM runs WHERE ended_at < ? AND status IN ('SUCCESS', 'FAIL', 'ABORTED') ORDER BY ended_at LIMIT ?)`
	total := 0
	for {
		res, err := s.db.ExecContext(ctx, s.db.Rebind(q), before.UTC(), batch)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += int(n)
		if int(n) < batch {
			return total, nil
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(10 * time.Millisecond): // let other writers in between batches
		}
	}
}
