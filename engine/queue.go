package engine

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"

	"jobflow"
	"jobflow/workflows"
)

// createRun records a new run with its snapshot. Under a concurrency limit
// (docs/run-semantics.md#workflow-concurrency) the store decides in the
// same transaction: the run is RUNNING or QUEUED (its FlowRun is started
// either way, and a queued one waits), SKIPPED (recorded, never started:
// started is false) or refused (behavior FAIL: 409, nothing recorded).
func (e *Engine) createRun(ctx context.Context, run *jobflow.Run, snap *jobflow.Snapshot) (started bool, err error) {
	c := snap.Config.Concurrency
	if !c.Limited() {
		return true, e.Store.CreateRun(ctx, run, snap)
	}
	adm, err := e.Store.AdmitRun(ctx, jobflow.AdmitRequest{Run: run, Snapshot: snap, Concurrency: *c})
	if err != nil {
		return false, err
	}
	if adm.Existed {
		return false, jobflow.Errorf(jobflow.ECONFLICT, "a run with id %q already exists", run.ID)
	}
	run.Status, run.Error = adm.Status, adm.Error
	switch adm.Status {
	case jobflow.RunFail:
		return false, jobflow.Errorf(jobflow.ECONFLICT, "%s", adm.Error).WithDetails(refusal)
	case jobflow.RunSkipped:
		return false, nil
	}
	return true, nil
}

// releasePools drops every pool lease of a run the reconciler settled and
// signals the FlowRuns whose waiting nodes the freed slots granted.
func (e *Engine) releasePools(ctx context.Context, tenantID, runID string) error {
	ps, ok := e.Store.(jobflow.PoolService)
	if !ok {
		return nil
	}
	granted, err := ps.ReleasePoolSlots(ctx, tenantID, runID, "")
	if err != nil {
		return err
	}
	return e.SignalPoolGrants(ctx, granted)
}

// SignalPoolGrants tells the FlowRuns of granted leases (a run that has
// ended is no error).
func (e *Engine) SignalPoolGrants(ctx context.Context, granted []jobflow.PoolLease) error {
	for _, g := range granted {
		err := e.Client.SignalWorkflow(ctx, g.TemporalWorkflowID, "", workflows.SignalPoolGranted, workflows.PoolGranted{JobID: g.JobID})
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return temporalError(err)
		}
	}
	return nil
}

// refusal is the details of a run refused by its workflow's concurrency
// limit: {"reason": "CONCURRENCY_LIMIT"}.
var refusal = map[string]string{"reason": "CONCURRENCY_LIMIT"}

// refused reports whether err is createRun's refusal.
func refused(err error) bool {
	var e *jobflow.Error
	if !errors.As(err, &e) {
		return false
	}
	d, ok := e.Details.(map[string]string)
	return ok && d["reason"] == refusal["reason"]
}

// wakeQueued hands the free slots of a workflow to its QUEUED runs and
// signals their FlowRuns (a run that has ended meanwhile is no error).
func (e *Engine) wakeQueued(ctx context.Context, tenantID, workflowID string) error {
	granted, err := e.Store.GrantQueuedRuns(ctx, tenantID, workflowID)
	if err != nil {
		return err
	}
	for _, g := range granted {
		err := e.Client.SignalWorkflow(ctx, g.TemporalWorkflowID, "", workflows.SignalSlotGranted, nil)
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return temporalError(err)
		}
	}
	return nil
}
