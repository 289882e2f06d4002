package engine

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/invoke"
	"jobflow/workflows"
)

// Invoke (外部调用) starts an INVOKE run of the workflow's published version
// with params (over the version's default params). The caller has checked
// the invoke token; tenantID is the token's tenant.
//
// Refusals: NOT_FOUND when the workflow is not the tenant's, CONFLICT
// unless it is PUBLISHED, FORBIDDEN when invoke is disabled in the
// published version (作业流需要重新发布，外部调用才会生效: enabling it in the
// draft takes effect at the next publish).
//
// With a requestId the run id is invoke.RequestWorkflowID(workflowID,
// requestID) and every repeat answers the same run and starts nothing
// more. There is no read-then-write check: the run row is inserted if
// absent (a repeat's insert conflicts and is ignored) and the execution is
// started under the run id with conflict policy USE_EXISTING and reuse
// policy REJECT_DUPLICATE, so Temporal itself lets one start through. A
// repeat also re-attempts the start, which repairs a first call that died
// between the two steps.
func (e *Engine) Invoke(ctx context.Context, tenantID, workflowID string, params map[string]string, requestID, by string) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	w, err := e.Store.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return nil, err
	}
	if w.Status != jobflow.StatusPublished || w.PublishedVersionID == "" {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "the workflow is not published: publish it to invoke it")
	}
	v, err := e.Store.FindVersionByID(ctx, tenantID, w.PublishedVersionID)
	if err != nil {
		return nil, err
	}
	snap := &v.Snapshot
	if !snap.Config.Invoke.Enabled {
		return nil, jobflow.Errorf(jobflow.EFORBIDDEN, "invoke is disabled in the published version: enable it in the config and publish again")
	}
	merged, err := jobflow.MergeParams(snap.Config.Params, params)
	if err != nil {
		return nil, err
	}
	now := e.now()
	run := &jobflow.Run{
		ID:           jobflow.NewID(jobflow.PrefixRun),
		TenantID:     tenantID,
		WorkflowID:   w.ID,
		WorkflowName: snap.WorkflowName,
		VersionID:    v.ID,
		Trigger:      jobflow.TriggerInvoke,
		Status:       jobflow.RunRunning,
		LogicalTime:  now.Truncate(time.Second),
		Params:       merged,
		StartedAt:    now,
		CreatedBy:    by,
	}
	if requestID != "" {
		run.ID = invoke.RequestWorkflowID(w.ID, requestID)
	}
	run.TemporalWorkflowID = run.ID
	return e.startInvoke(ctx, run, snap, requestID != "")
}

// startInvoke records run (if absent) and starts its FlowRun (if not
// started). See Invoke.
func (e *Engine) startInvoke(ctx context.Context, run *jobflow.Run, snap *jobflow.Snapshot, idempotent bool) (*jobflow.Run, error) {
	created := true
	fresh, err := e.createRun(ctx, run, snap)
	if err == nil && !fresh { // skipped under the workflow's concurrency limit
		return run, nil
	}
	if err != nil {
		if !idempotent || jobflow.ErrorCode(err) != jobflow.ECONFLICT || refused(err) {
			return nil, err
		}
		created = false
		existing, ferr := e.Store.FindRunByID(ctx, run.TenantID, run.ID)
		if ferr != nil {
			return nil, ferr
		}
		if existing.WorkflowID != run.WorkflowID {
			return nil, jobflow.Errorf(jobflow.ECONFLICT, "the requestId is taken")
		}
		existing.Nodes, existing.Edges = nil, nil
		if existing.Status != jobflow.RunRunning && existing.Status != jobflow.RunQueued {
			// It ran already (Temporal may have forgotten it after the
			// retention): never start it again.
			return existing, nil
		}
		run = existing
	}
	opts := e.startOptions(run)
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	in := workflows.FlowRunInput{
		RunID:       run.ID,
		Params:      run.Params,
		LogicalTime: run.LogicalTime,
		Trigger:     run.Trigger,
		CreatedBy:   run.CreatedBy,
		TaskQueue:   e.taskQueue(),
		Created:     true, // its row is in (createRun): see workflows/endrecord.go
	}
	setSnapshot(&in, snap, workflows.SnapshotRef{TenantID: run.TenantID, RunID: run.ID})
	wr, err := e.Client.ExecuteWorkflow(ctx, opts, workflows.FlowRunName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	temporalRunID := ""
	switch {
	case errors.As(err, &started) || temporal.IsWorkflowExecutionAlreadyStartedError(err):
		// A repeat of an invoke whose run has already closed.
		return run, nil
	case err != nil && created:
		id, known := e.startedAnyway(ctx, opts.ID)
		if id == "" {
			if known {
				ended := e.now()
				run.Status, run.EndedAt, run.Error = jobflow.RunFail, &ended, "the run could not be started"
				_ = e.Store.UpsertRun(context.WithoutCancel(ctx), run)
			}
			return nil, temporalError(err)
		}
		temporalRunID = id // started after all (startcheck.go)
	case err != nil:
		return nil, temporalError(err)
	default:
		temporalRunID = wr.GetRunID()
	}
	if created {
		// The row gets it from FlowRun's start record (see start).
		run.TemporalRunID = temporalRunID
	}
	run.TemporalURL = e.RunURL(run)
	return run, nil
}
