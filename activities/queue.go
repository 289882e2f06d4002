package activities

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// AdmitRun asks the store for the run's slot under its workflow's
// concurrency limit (docs/run-semantics.md#workflow-concurrency). The
// store's answer is idempotent, so a retried call decides nothing twice.
func (a *Activities) AdmitRun(ctx context.Context, in workflows.AdmitRunInput) (jobflow.Admission, error) {
	q, ok := a.Runs.(jobflow.RunQueueService)
	if !ok {
		return jobflow.Admission{}, temporal.NewNonRetryableApplicationError("this store keeps no run queue", ErrTypeStoreFailed, nil)
	}
	run := in.Run
	run.Nodes = nil
	adm, err := q.AdmitRun(ctx, jobflow.AdmitRequest{Run: &run, Concurrency: in.Concurrency})
	if err != nil {
		a.logger().Error("admit run", "run", run.ID, "err", err)
		if jobflow.ErrorCode(err) == jobflow.EINVALID || jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
			return adm, temporal.NewNonRetryableApplicationError(jobflow.ErrorMessage(err), ErrTypeStoreFailed, nil)
		}
		return adm, temporal.NewApplicationError("cannot admit the run", ErrTypeStoreFailed)
	}
	return adm, nil
}

// wakeQueued runs after the final record of a run of a limited workflow:
// the slot it freed goes to the oldest QUEUED run, whose FlowRun is
// signalled. A signal that cannot be sent is logged, not retried: the
// queued run asks the store again on its own and finds itself granted.
func (a *Activities) wakeQueued(ctx context.Context, run *jobflow.Run) error {
	q, ok := a.Runs.(jobflow.RunQueueService)
	if !ok {
		return nil
	}
	granted, err := q.GrantQueuedRuns(ctx, run.TenantID, run.WorkflowID)
	if err != nil {
		a.logger().Error("grant queued runs", "run", run.ID, "err", err)
		return temporal.NewApplicationError("cannot hand the run's slot on", ErrTypeStoreFailed)
	}
	if len(granted) == 0 {
		return nil
	}
	sig := a.Signaller
	if sig == nil {
		sig = activity.GetClient(ctx)
	}
	for _, g := range granted {
		err := sig.SignalWorkflow(ctx, g.TemporalWorkflowID, "", workflows.SignalSlotGranted, nil)
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			a.logger().Warn("signal queued run", "run", run.ID, "granted", g.ID, "err", err)
		}
	}
	return nil
}

// AcquirePool asks the store for a node's pool slots
// (docs/run-semantics.md#pools); asked again, it answers the same lease.
func (a *Activities) AcquirePool(ctx context.Context, req jobflow.PoolRequest) (jobflow.PoolGrant, error) {
	ps, ok := a.Runs.(jobflow.PoolService)
	if !ok {
		return jobflow.PoolGrant{Error: "this store keeps no pools"}, nil
	}
	g, err := ps.AcquirePoolSlots(ctx, req)
	if err != nil {
		a.logger().Error("acquire pool slots", "run", req.RunID, "job", req.JobID, "err", err)
		return g, temporal.NewApplicationError("cannot ask for the pool's slots", ErrTypeStoreFailed)
	}
	return g, nil
}

// ReleasePool drops a node's lease (or every lease of the run) and
// signals the FlowRuns whose waiting nodes the freed slots granted. A
// signal that cannot be sent is logged: the waiter asks again on its own.
func (a *Activities) ReleasePool(ctx context.Context, in workflows.ReleasePoolInput) error {
	ps, ok := a.Runs.(jobflow.PoolService)
	if !ok {
		return nil
	}
	granted, err := ps.ReleasePoolSlots(ctx, in.TenantID, in.RunID, in.JobID)
	if err != nil {
		a.logger().Error("release pool slots", "run", in.RunID, "job", in.JobID, "err", err)
		return temporal.NewApplicationError("cannot release the pool's slots", ErrTypeStoreFailed)
	}
	a.signalPoolGrants(ctx, granted)
	return nil
}

// signalPoolGrants tells each granted lease's FlowRun.
func (a *Activities) signalPoolGrants(ctx context.Context, granted []jobflow.PoolLease) {
	if len(granted) == 0 {
		return
	}
	sig := a.Signaller
	if sig == nil {
		sig = activity.GetClient(ctx)
	}
	for _, g := range granted {
		err := sig.SignalWorkflow(ctx, g.TemporalWorkflowID, "", workflows.SignalPoolGranted, workflows.PoolGranted{JobID: g.JobID})
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			a.logger().Warn("signal pool grant", "run", g.RunID, "job", g.JobID, "err", err)
		}
	}
}
