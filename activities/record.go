package activities

import (
	"context"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// RecordRun upserts the run row and the given node rows. The store's writes
// are idempotent upserts, so a retried or replayed call writes nothing
// twice. A store error is retryable: the workflow's retry policy brings the
// rows in once the store is back.
func (a *Activities) RecordRun(ctx context.Context, in workflows.RecordRunInput) error {
	run := in.Run
	run.Nodes = nil // node rows come in in.Nodes, not through the run
	// A final run is written after its nodes, so that a reader who sees the
	// run final never sees one of its nodes still unfinished; any other
	// run first, since its node rows need the run row (a scheduled run's
	// first record creates it).
	final := run.Status.Finished()
	if !final {
		if err := a.Runs.UpsertRun(ctx, &run); err != nil {
			a.logger().Error("record run", "run", run.ID, "err", err)
			return temporal.NewApplicationError("cannot record the run", ErrTypeStoreFailed)
		}
	}
	for i := range in.Nodes {
		n := in.Nodes[i]
		if n.RunID == "" {
			n.RunID = run.ID
		}
		if n.TenantID == "" {
			n.TenantID = run.TenantID
		}
		if err := a.Runs.UpsertNodeRun(ctx, &n); err != nil {
			a.logger().Error("record node run", "run", run.ID, "job", n.JobID, "err", err)
			return temporal.NewApplicationError("cannot record the node run", ErrTypeStoreFailed)
		}
	}
	if final {
		if err := a.Runs.UpsertRun(ctx, &run); err != nil {
			a.logger().Error("record run", "run", run.ID, "err", err)
			return temporal.NewApplicationError("cannot record the run", ErrTypeStoreFailed)
		}
	}
	if run.Trigger == jobflow.TriggerSchedule && run.Status == jobflow.RunRunning {
		if rec, ok := a.Runs.(scheduledRunRecorder); ok {
			if err := rec.RecordScheduledRun(ctx, &run); err != nil {
				a.logger().Error("record scheduled run", "run", run.ID, "err", err)
				return temporal.NewApplicationError("cannot record the scheduled run", ErrTypeStoreFailed)
			}
		}
	}
	return nil
}

// scheduledRunRecorder is the store's hook for runs a Temporal Schedule
// started (jobflow.VersionService.RecordScheduledRun): it gives the run its
// version's snapshot and moves the workflow's next run time on.
type scheduledRunRecorder interface {
	RecordScheduledRun(ctx context.Context, r *jobflow.Run) error
}
