package store

import (
	"context"
	"time"

	"jobflow"
)

var _ jobflow.UnsettledRunService = (*Store)(nil)

// FindUnsettledRuns implements jobflow.UnsettledRunService: one page of a
// keyset walk over runs_unsettled_idx, so a pass costs the same however
// many runs are finished.
func (s *Store) FindUnsettledRuns(ctx context.Context, after jobflow.RunCursor, startedBefore time.Time, limit int) ([]*jobflow.Run, error) {
	if limit <= 0 {
		limit = 100
	}
	// The statuses of a run that goes on, as runs_unsettled_idx has them.
	q := `SELECT ` + runColumns + ` FROM runs WHERE status IN ('RUNNING', 'PAUSED', 'ABORTING', 'QUEUED') AND started_at < ?`
	args := []any{dbTime(startedBefore)}
	if !after.StartedAt.IsZero() {
		q += ` AND (started_at > ? OR (started_at = ? AND id > ?))`
		t := dbTime(after.StartedAt)
		args = append(args, t, t, after.ID)
	}
	q += ` ORDER BY started_at, id LIMIT ?`
	var rows []runRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, limit)...); err != nil {
		return nil, err
	}
	out := make([]*jobflow.Run, len(rows))
	for i, r := range rows {
		run, err := r.toDomain(false)
		if err != nil {
			return nil, err
		}
		out[i] = run
	}
	return out, nil
}
