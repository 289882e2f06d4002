package engine

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// Abort (中止) cancels a RUNNING run. The run is ABORTING until every
// running job has stopped; FlowRun then records ABORTED.
func (e *Engine) Abort(ctx context.Context, tenantID, runID string) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	run, err := e.Store.FindRunByID(ctx, tenantID, runID)
	if err != nil {
		return nil, err
	}
	if !run.Status.Live() {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "only a RUNNING, PAUSED or QUEUED run can be aborted; this run is %s", run.Status)
	}
	err = e.Client.CancelWorkflow(ctx, run.TemporalWorkflowID, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "the run has already ended")
	} else if err != nil {
		return nil, temporalError(err)
	}
	run.Status = jobflow.RunAborting
	run.Nodes, run.Edges = nil, nil
	if err := e.Store.UpsertRun(ctx, run); err != nil {
		return nil, err
	}
	return run, nil
}

// Break (中断) holds a PENDING or WAITING node of a running run, with its
// descendants. FlowRun's update validator has the last word, since only it
// knows the live node states.
func (e *Engine) Break(ctx context.Context, tenantID, runID, jobID string) error {
	if err := e.check(); err != nil {
		return err
	}
	run, err := e.Store.FindRunByID(ctx, tenantID, runID)
	if err != nil {
		return err
	}
	if run.Status != jobflow.RunRunning && run.Status != jobflow.RunPaused {
		return jobflow.Errorf(jobflow.ECONFLICT, "only a node of a RUNNING or PAUSED run can be broken; this run is %s", run.Status)
	}
	if run.Node(jobID) == nil {
		return jobflow.Errorf(jobflow.ENOTFOUND, "job %q is not a node of this run", jobID)
	}
	return e.update(ctx, run, workflows.UpdateBreak, workflows.BreakRequest{JobID: jobID})
}

// Pause (暂停) holds a RUNNING run: its running jobs finish, nothing new
// starts, and the run is PAUSED until resumed (docs/run-semantics.md#pause-and-resume).
func (e *Engine) Pause(ctx context.Context, tenantID, runID string) (*jobflow.Run, error) {
	return e.pauseOrResume(ctx, tenantID, runID, workflows.UpdatePause, jobflow.RunRunning)
}

// Resume (恢复) lets a PAUSED run go on.
func (e *Engine) Resume(ctx context.Context, tenantID, runID string) (*jobflow.Run, error) {
	return e.pauseOrResume(ctx, tenantID, runID, workflows.UpdateResume, jobflow.RunPaused)
}

// pauseOrResume sends FlowRun the update when the run is in status from;
// FlowRun's validator has the last word, and the update completes once
// FlowRun has recorded the new status, so the answer is the stored row.
func (e *Engine) pauseOrResume(ctx context.Context, tenantID, runID, update string, from jobflow.RunStatus) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	run, err := e.Store.FindRunByID(ctx, tenantID, runID)
	if err != nil {
		return nil, err
	}
	if run.Status != from {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "only a %s run can be %sd; this run is %s", from, update, run.Status)
	}
	if err := e.update(ctx, run, update); err != nil {
		return nil, err
	}
	return e.Store.FindRunByID(ctx, tenantID, runID)
}

// update sends a FlowRun update and waits for it to complete; a rejection
// by its validator is a 409 with FlowRun's words.
func (e *Engine) update(ctx context.Context, run *jobflow.Run, name string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	h, err := e.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   run.TemporalWorkflowID,
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &appErr):
		return jobflow.Errorf(jobflow.ECONFLICT, "%s", appErr.Message())
	case errors.As(err, &notFound):
		return jobflow.Errorf(jobflow.ECONFLICT, "the run has already ended")
	}
	return temporalError(err)
}

// Rerun (重跑) starts a new run of a finished run's snapshot, with the same
// params and logical time, running the nodes the mode selects.
func (e *Engine) Rerun(ctx context.Context, tenantID, runID string, mode jobflow.RerunMode, nodeID, by string) (*jobflow.Run, error) {
	return e.rerun(ctx, tenantID, runID, mode, nodeID, by, nil)
}

// MarkSuccess marks a FAIL or UPSTREAM_FAILED node FORCED_SUCCESS, with who
// and why (docs/run-semantics.md#mark-success). On a RUNNING or PAUSED run
// it is FlowRun's markSuccess update and its descendants run in the same
// run; on a finished run it is a FAILED-mode rerun that carries the node
// FORCED_SUCCESS. It answers the run the mark took effect in.
func (e *Engine) MarkSuccess(ctx context.Context, tenantID, runID, jobID, by, reason string) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	run, err := e.Store.FindRunByID(ctx, tenantID, runID)
	if err != nil {
		return nil, err
	}
	node := run.Node(jobID)
	if node == nil {
		return nil, jobflow.Errorf(jobflow.ENOTFOUND, "job %q is not a node of this run", jobID)
	}
	if run.Status.Live() {
		if err := e.update(ctx, run, workflows.UpdateMarkSuccess, workflows.MarkSuccessRequest{JobID: jobID, By: by, Reason: reason}); err != nil {
			return nil, err
		}
		return run, nil
	}
	if !run.Status.Finished() {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "the run is %s: mark a node once it has finished or while it runs", run.Status)
	}
	if node.Status != jobflow.NodeFail && node.Status != jobflow.NodeUpstreamFailed {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "job %q is %s: only a FAIL or UPSTREAM_FAILED node can be marked succeeded", jobID, node.Status)
	}
	return e.rerun(ctx, tenantID, runID, jobflow.RerunFailed, "", by, func(plan *workflows.RerunPlan) {
		for i := range plan.Prior {
			if plan.Prior[i].JobID == jobID {
				plan.Prior[i].Status, plan.Prior[i].Note = jobflow.NodeForcedSuccess, workflows.ForcedSuccessNote(by, reason)
			}
		}
	})
}

// rerun starts a rerun of a finished run; adjust, when given, changes the
// plan before the start (MarkSuccess).
func (e *Engine) rerun(ctx context.Context, tenantID, runID string, mode jobflow.RerunMode, nodeID, by string, adjust func(*workflows.RerunPlan)) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	prior, err := e.Store.FindRunByID(ctx, tenantID, runID)
	if err != nil {
		return nil, err
	}
	if !prior.Status.Finished() {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "a run can be rerun once it has finished; this run is %s", prior.Status)
	}
	snap, err := e.Store.FindRunSnapshot(ctx, tenantID, runID)
	if err != nil {
		return nil, err
	}
	plan, err := workflows.NewRerunPlan(snap, prior, mode, nodeID)
	if err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(plan)
	}
	run := &jobflow.Run{
		ID:           jobflow.NewID(jobflow.PrefixRun),
		TenantID:     tenantID,
		WorkflowID:   prior.WorkflowID,
		WorkflowName: prior.WorkflowName,
		VersionID:    prior.VersionID,
		Trigger:      jobflow.TriggerRerun,
		LogicalTime:  prior.LogicalTime,
		Params:       prior.Params,
		RerunOf:      prior.ID,
		CreatedBy:    by,
	}
	return run, e.start(ctx, run, snap, plan)
}
