package activities

import (
	"context"
	"time"

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
	// A final run is written after its nodes, so that whoever sees the run
	// final sees its nodes final too. The node rows refer to the run row,
	// which a failed start record may have left missing: it is made first,
	// still RUNNING (a no-op on an existing row: upserts never go back).
	// With no node rows to write (a run whose jobs wrote their own rows)
	// the final row alone is enough: one store round trip per run fewer.
	final := run.Status.Finished()
	for i := range in.Nodes {
		n := &in.Nodes[i]
		if n.RunID == "" {
			n.RunID = run.ID
		}
		if n.TenantID == "" {
			n.TenantID = run.TenantID
		}
	}
	if rec, ok := a.Runs.(runStartRecorder); ok && !final {
		// One transaction for the run row, its node rows and a scheduled
		// run's snapshot copy. Whatever fails it (a node row written
		// meanwhile, the store away) is tried again below, piece by piece,
		// which says what failed.
		if err := rec.RecordRunStart(ctx, &run, in.Nodes); err == nil {
			a.startRecorded(in, &run)
			return nil
		}
	}
	if !final || len(in.Nodes) > 0 {
		first := run
		if final {
			first.Status, first.EndedAt = jobflow.RunRunning, nil
		}
		if err := a.recordRunRow(ctx, &first); err != nil {
			return err
		}
	}
	if b, ok := a.Runs.(nodeRunsUpserter); ok && len(in.Nodes) > 1 {
		if err := b.UpsertNodeRuns(ctx, in.Nodes); err != nil {
			a.logger().Error("record node runs", "run", run.ID, "nodes", len(in.Nodes), "err", err)
			return temporal.NewApplicationError("cannot record the node runs", ErrTypeStoreFailed)
		}
	} else {
		for i := range in.Nodes {
			if err := a.Runs.UpsertNodeRun(ctx, &in.Nodes[i]); err != nil {
				a.logger().Error("record node run", "run", run.ID, "job", in.Nodes[i].JobID, "err", err)
				return temporal.NewApplicationError("cannot record the node run", ErrTypeStoreFailed)
			}
		}
	}
	if final {
		if err := a.recordFinalRow(ctx, &run); err != nil {
			return err
		}
		if in.Queue {
			if err := a.wakeQueued(ctx, &run); err != nil {
				return err
			}
		}
	}
	if run.Trigger == jobflow.TriggerSchedule && (run.Status == jobflow.RunRunning || run.Status == jobflow.RunQueued) {
		if rec, ok := a.Runs.(scheduledRunRecorder); ok {
			if err := rec.RecordScheduledRun(ctx, &run); err != nil {
				a.logger().Error("record scheduled run", "run", run.ID, "err", err)
				return temporal.NewApplicationError("cannot record the scheduled run", ErrTypeStoreFailed)
			}
		}
	}
	a.startRecorded(in, &run)
	return nil
}

// recordFinalRow writes a run's final row and what follows from it.
func (a *Activities) recordFinalRow(ctx context.Context, run *jobflow.Run) error {
	if err := a.recordRunRow(ctx, run); err != nil {
		return err
	}
	if run.EndedAt != nil {
		a.Metrics.RunFinished(string(run.Trigger), string(run.Status), run.EndedAt.Sub(run.StartedAt))
	}
	// Written final: the DEPENDENT jobs waiting on its workflow check now.
	return a.wakeDependents(ctx, run)
}

// recordNodeStart writes a job's node row at its start, and with it the
// run's start record when FlowRun left that to RunJob
// (workflows/endrecord.go): in one transaction on a first attempt, piece
// by piece after (a retry finds the node row already there).
func (a *Activities) recordNodeStart(ctx context.Context, start *jobflow.Run, node *jobflow.NodeRun) error {
	if start == nil {
		return a.Runs.UpsertNodeRun(ctx, node)
	}
	run := *start
	run.Nodes = nil
	if rec, ok := a.Runs.(runStartRecorder); ok && node.Attempt == 1 {
		if err := rec.RecordRunStart(ctx, &run, []jobflow.NodeRun{*node}); err == nil {
			a.startRecorded(workflows.RecordRunInput{Start: true}, &run)
			return nil
		}
	}
	if err := a.Runs.UpsertRun(ctx, &run); err != nil {
		return err
	}
	if err := a.Runs.UpsertNodeRun(ctx, node); err != nil {
		return err
	}
	if node.Attempt == 1 {
		a.startRecorded(workflows.RecordRunInput{Start: true}, &run)
	}
	return nil
}

// recordRunEnd writes the end of a one-job run whose job has just
// succeeded and recorded its node (workflows/endrecord.go). It reports
// whether the run's end is in; when not (no final row asked for, the
// store away), FlowRun's own final record writes it.
func (a *Activities) recordRunEnd(ctx context.Context, final *jobflow.Run, ended time.Time) bool {
	if final == nil {
		return false
	}
	run := *final
	run.Status, run.EndedAt, run.Nodes = jobflow.RunSuccess, &ended, nil
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.recordFinalRow(ctx, &run); err != nil {
		a.logger().Warn("record the run's end with its only job: left to FlowRun", "run", run.ID, "err", err)
		return false
	}
	return true
}

// startRecorded counts a run as started once its start record is in.
func (a *Activities) startRecorded(in workflows.RecordRunInput, run *jobflow.Run) {
	if in.Start {
		a.Metrics.RunStarted(string(run.Trigger), time.Since(run.LogicalTime), run.Trigger == jobflow.TriggerSchedule)
	}
}

func (a *Activities) recordRunRow(ctx context.Context, run *jobflow.Run) error {
	if err := a.Runs.UpsertRun(ctx, run); err != nil {
		a.logger().Error("record run", "run", run.ID, "err", err)
		return temporal.NewApplicationError("cannot record the run", ErrTypeStoreFailed)
	}
	return nil
}

// nodeRunsUpserter is the store's batched UpsertNodeRun (store.UpsertNodeRuns):
// the first record of a 10,000-job run holds every node.
type nodeRunsUpserter interface {
	UpsertNodeRuns(ctx context.Context, nodes []jobflow.NodeRun) error
}

// runStartRecorder is the store's one-transaction record of a run that has
// not finished (store.RecordRunStart).
type runStartRecorder interface {
	RecordRunStart(ctx context.Context, r *jobflow.Run, nodes []jobflow.NodeRun) error
}

// scheduledRunRecorder is the store's hook for runs a Temporal Schedule
// started (jobflow.VersionService.RecordScheduledRun): it gives the run its
// version's snapshot and moves the workflow's next run time on.
type scheduledRunRecorder interface {
	RecordScheduledRun(ctx context.Context, r *jobflow.Run) error
}

// runOutcomes is what RunAt needs of the store.
type runOutcomes interface {
	FindRunOutcomes(ctx context.Context, tenantID, workflowID string, start, end time.Time) (map[int64]jobflow.RunStatus, error)
}

// RunAt tells whether the workflow has a top-level run at a logical time
// (FlowRun asks before it drops the second occurrence of a repeated time).
// A store that cannot tell answers true: the fire is then dropped.
func (a *Activities) RunAt(ctx context.Context, in workflows.RunAtInput) (bool, error) {
	ro, ok := a.Runs.(runOutcomes)
	if !ok {
		return true, nil
	}
	m, err := ro.FindRunOutcomes(ctx, in.TenantID, in.WorkflowID, in.LogicalTime, in.LogicalTime)
	if err != nil {
		return false, temporal.NewApplicationError("cannot read the runs: "+err.Error(), ErrTypeStoreFailed)
	}
	return len(m) > 0, nil
}
