package engine

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// RunManual starts a MANUAL run of the workflow's current draft.
func (e *Engine) RunManual(ctx context.Context, tenantID, workflowID string, params map[string]string, by string) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	w, err := e.Store.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return nil, err
	}
	snap, err := jobflow.TakeSnapshot(w, "")
	if err != nil {
		return nil, err
	}
	merged, err := jobflow.MergeParams(w.Config.Params, params)
	if err != nil {
		return nil, err
	}
	now := e.now().Truncate(time.Second)
	run := &jobflow.Run{
		ID:           jobflow.NewID(jobflow.PrefixRun),
		TenantID:     tenantID,
		WorkflowID:   w.ID,
		WorkflowName: w.Name,
		Trigger:      jobflow.TriggerManual,
		LogicalTime:  now,
		Params:       merged,
		CreatedBy:    by,
	}
	return run, e.start(ctx, run, snap, nil)
}

// start records the run with its snapshot, then starts its FlowRun. A run
// whose start fails is recorded as FAIL with the reason, so it does not
// linger as RUNNING, unless Temporal cannot say whether it started
// (startcheck.go).
func (e *Engine) start(ctx context.Context, run *jobflow.Run, snap *jobflow.Snapshot, plan *workflows.RerunPlan) error {
	run.Status = jobflow.RunRunning
	run.StartedAt = e.now()
	run.TemporalWorkflowID = run.ID
	if started, err := e.createRun(ctx, run, snap); err != nil || !started {
		return err
	}
	in := workflows.FlowRunInput{
		RunID:       run.ID,
		Params:      run.Params,
		LogicalTime: run.LogicalTime,
		Trigger:     run.Trigger,
		RerunOf:     run.RerunOf,
		Plan:        plan,
		CreatedBy:   run.CreatedBy,
		TaskQueue:   e.taskQueue(),
		Created:     true, // its row is in (createRun): see workflows/endrecord.go
	}
	setSnapshot(&in, snap, workflows.SnapshotRef{TenantID: run.TenantID, RunID: run.ID})
	if in.SnapshotRef != nil && plan != nil { // the prior outcomes grow with the DAG too
		packed := *plan
		workflows.PackPlan(&packed)
		in.Plan = &packed
	}
	wr, err := e.Client.ExecuteWorkflow(ctx, e.startOptions(run), workflows.FlowRunName, in)
	if err == nil {
		run.TemporalRunID = wr.GetRunID()
	} else if temporalRunID, known := e.startedAnyway(ctx, run.TemporalWorkflowID); temporalRunID != "" {
		run.TemporalRunID = temporalRunID // started after all (startcheck.go)
	} else {
		if known {
			ended := e.now()
			run.Status, run.EndedAt, run.Error = jobflow.RunFail, &ended, "the run could not be started"
			_ = e.Store.UpsertRun(context.WithoutCancel(ctx), run)
		}
		return temporalError(err)
	}
	// The Temporal run id reaches the row with FlowRun's start record
	// (workflows/flowrun.go runRow): writing it here too was a second
	// write per start (docs/benchmarks.md#where-a-run-costs-more).
	run.TemporalURL = e.RunURL(run)
	return nil
}

// setSnapshot puts snap into a FlowRun input: inline, or for a large DAG
// (over workflows.InlineSnapshotMax) its header and a reference to where
// the store keeps it (workflows/bigdag.go).
func setSnapshot(in *workflows.FlowRunInput, snap *jobflow.Snapshot, ref workflows.SnapshotRef) {
	if !workflows.ByReference(snap) {
		in.Snapshot = *snap
		return
	}
	in.Snapshot = workflows.SnapshotHeader(*snap)
	in.SnapshotRef = &ref
}

// startOptions names the execution after the run and tags it so the
// Temporal Web UI can filter the runs of one workflow.
func (e *Engine) startOptions(run *jobflow.Run) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       run.TemporalWorkflowID,
		TaskQueue:                e.taskQueue(),
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		Memo:                     map[string]any{"workflowName": run.WorkflowName},
		StaticSummary:            run.WorkflowName + " (" + string(run.Trigger) + ")",
		TypedSearchAttributes:    SearchAttributes(run.TenantID, run.WorkflowID, run.Trigger),
		Priority:                 Fairness(run.TenantID),
	}
}

// Fairness is the Temporal priority of every execution jobflow starts: the
// tenant is its fairness key, so that one tenant's thousand queued tasks
// do not hold back another tenant's (docs/operations.md#fairness). Its
// activities and child workflows inherit it; a job's own priority
// overrides the key only.
func Fairness(tenantID string) temporal.Priority {
	return temporal.Priority{FairnessKey: tenantID}
}

// SearchAttributes are the attributes of every FlowRun execution.
func SearchAttributes(tenantID, workflowID string, trigger jobflow.Trigger) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		temporal.NewSearchAttributeKeyKeyword(workflows.SATenantID).ValueSet(tenantID),
		temporal.NewSearchAttributeKeyKeyword(workflows.SAWorkflowID).ValueSet(workflowID),
		temporal.NewSearchAttributeKeyKeyword(workflows.SATrigger).ValueSet(string(trigger)),
	)
}
