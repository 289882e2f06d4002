package jobflow

import (
	"context"
	"time"
)

// RunCursor is a position in the walk over unsettled runs: the runs after
// it in (StartedAt, ID) order come next. The zero cursor starts the walk.
type RunCursor struct {
	StartedAt time.Time
	ID        string
}

// UnsettledRunService lists the runs that are not final (RUNNING or
// ABORTING), across tenants, for the run reconciler.
type UnsettledRunService interface {
	// FindUnsettledRuns returns at most limit runs (without nodes) that are
	// RUNNING or ABORTING, started before startedBefore and after the
	// cursor, in (StartedAt, ID) order.
	FindUnsettledRuns(ctx context.Context, after RunCursor, startedBefore time.Time, limit int) ([]*Run, error)
}
