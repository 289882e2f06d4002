package workflows

import (
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// ForEach runs a FOREACH node's items (foreach.go): PrepareForEach
// resolves the list and writes the item rows once; then items are read
// in index order, forEachBatch at a time, and each starts as a child
// FlowRun (its row made by StartForEachItem), at most maxConcurrency at
// once. Once more items failed than tolerated, no more start: the node
// fails whatever the rest would do. After forEachPerExecution items, or
// sooner when Temporal suggests it, it lets the running ones finish and
// continues as new, so 10,000 items stay far inside a history's limits.

// forEachBatch is how many items one NextForEachItems reads.
const forEachBatch = 100

// forEachPerExecution is how many items one ForEach execution starts
// before it continues as new (a variable for the tests).
var forEachPerExecution = 1000

// ForEach is the workflow of one FOREACH node run.
func ForEach(ctx workflow.Context, in ForEachInput) (ForEachResult, error) {
	st := in.State
	p := in.Prepare
	if !st.Prepared {
		if err := workflow.ExecuteActivity(storeCtx(ctx, "prepare items"), PrepareForEachActivity, p).Get(ctx, &st.Plan); err != nil {
			return ForEachResult{}, err
		}
		st.Prepared, st.Cursor, st.Succeeded = true, -1, st.Plan.Carried
		// Prepared: the list, the config's copy of it and the upstream
		// outputs need not travel on (continue-as-new carries the input).
		in.Prepare.Upstream, in.Prepare.Job.Config, in.Config.Items = nil, nil, nil
	}
	tolerated := in.Config.Tolerated(st.Plan.Total)
	sel := workflow.NewSelector(ctx)
	running, started := 0, 0
	var batch []jobflow.ForEachItem
	exhausted := false
	info := workflow.GetInfo(ctx)
	for {
		// Temporal suggests continuing as new when the history grows large
		// (a child snapshot travels twice per item); only after progress.
		full := started >= forEachPerExecution || started > 0 && info.GetContinueAsNewSuggested()
		for running < in.Config.MaxConcurrency && ctx.Err() == nil && st.Failed <= tolerated && !full {
			if len(batch) == 0 && !exhausted {
				next := NextForEachItemsInput{TenantID: p.TenantID, RunID: p.RunID, JobID: p.Job.ID, After: st.Cursor, Limit: forEachBatch}
				if err := workflow.ExecuteActivity(storeCtx(ctx, "next items"), NextForEachItemsActivity, next).Get(ctx, &batch); err != nil {
					if ctx.Err() != nil {
						break
					}
					return ForEachResult{}, err
				}
				exhausted = len(batch) < forEachBatch
			}
			if len(batch) == 0 {
				break
			}
			it := batch[0]
			batch = batch[1:]
			st.Cursor = it.Index
			running++
			started++
			full = started >= forEachPerExecution
			startItem(ctx, sel, &in, &st, it, func() { running-- })
		}
		if running == 0 {
			break
		}
		sel.Select(ctx)
	}
	if ctx.Err() != nil {
		return ForEachResult{}, temporal.NewCanceledError()
	}
	more := len(batch) > 0 || !exhausted
	if more && st.Failed <= tolerated {
		in.State = st
		return ForEachResult{}, workflow.NewContinueAsNewError(ctx, ForEachName, in)
	}
	res := ForEachResult{Total: st.Plan.Total, Succeeded: st.Succeeded, Failed: st.Failed, Carried: st.Plan.Carried}
	res.NotRun = res.Total - res.Succeeded - res.Failed
	if st.Failed > tolerated {
		res.Error = fmt.Sprintf("%d of %d items failed, more than the %d%% tolerated; first: %s",
			st.Failed, st.Plan.Total, in.Config.FailureTolerancePercent, st.FirstError)
		if res.NotRun > 0 {
			res.Error += fmt.Sprintf(" (%d items not run)", res.NotRun)
		}
	}
	return res, nil
}

// startItem starts item it: its row, then its child; done runs when the
// item has ended (or was never started).
func startItem(ctx workflow.Context, sel workflow.Selector, in *ForEachInput, st *ForEachState, it jobflow.ForEachItem, done func()) {
	p := in.Prepare
	failed := func(msg string) {
		st.Failed++
		if st.FirstError == "" {
			st.FirstError = clip(fmt.Sprintf("item %d (%s): %s", it.Index, clipItem(it.Item), msg))
		}
		done()
	}
	childID := ForEachItemRunID(p.RunID, p.Job.ID, it.Index)
	f := workflow.ExecuteActivity(storeCtx(disconnected(ctx), "start item"), StartForEachItemActivity, StartForEachItemInput{
		TenantID: p.TenantID, ParentRunID: p.RunID, JobID: p.Job.ID, WorkflowID: in.Config.WorkflowID, VersionID: st.Plan.VersionID,
		Param: in.Config.Param, Index: it.Index, Item: it.Item, ChildRunID: childID, LogicalTime: p.LogicalTime,
		CreatedBy: p.CreatedBy, TaskQueue: p.TaskQueue, Depth: p.Depth, Ancestors: p.Ancestors})
	sel.AddFuture(f, func(f workflow.Future) {
		var child FlowRunInput
		if err := f.Get(ctx, &child); err != nil {
			failed(subflowError(err))
			return
		}
		if ctx.Err() != nil { // aborted while its row was being made
			a := workflow.ExecuteActivity(storeCtx(disconnected(ctx), "abort item"), AbortForEachItemActivity,
				AbortForEachItemInput{TenantID: p.TenantID, ChildRunID: childID})
			sel.AddFuture(a, func(workflow.Future) { done() })
			return
		}
		opts := flowRunChildOptions(child, child.Snapshot.WorkflowName+" (item "+fmt.Sprint(it.Index)+" of "+p.Job.Name+")")
		cf := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), FlowRunName, child)
		sel.AddFuture(cf, func(f workflow.Future) {
			if err := f.Get(ctx, nil); err != nil {
				failed(subflowError(err))
				return
			}
			st.Succeeded++
			done()
		})
	})
}

// clipItem is an item as an error names it.
func clipItem(s string) string {
	if len(s) > 80 {
		return strings.ToValidUTF8(s[:80], "") + "…" // not half a character
	}
	return s
}

// flowRunChildOptions start child FlowRun child: cancelled with its
// parent (which waits for its jobs to stop), and found in Temporal's
// visibility by tenant, workflow and trigger.
func flowRunChildOptions(child FlowRunInput, summary string) workflow.ChildWorkflowOptions {
	return workflow.ChildWorkflowOptions{
		WorkflowID:            child.RunID,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		WaitForCancellation:   true,
		Memo:                  map[string]any{"workflowName": child.Snapshot.WorkflowName},
		StaticSummary:         summary,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(SATenantID).ValueSet(child.Snapshot.TenantID),
			temporal.NewSearchAttributeKeyKeyword(SAWorkflowID).ValueSet(child.Snapshot.WorkflowID),
			temporal.NewSearchAttributeKeyKeyword(SATrigger).ValueSet(string(jobflow.TriggerSubflow)),
		),
	}
}
