package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// BackfillName is the workflow type of a backfill (补数).
const BackfillName = "Backfill"

// BackfillInput is a backfill: one FlowRun per run, each a child workflow
// whose id is the run id. The engine has recorded every run (with its
// snapshot) before starting the backfill, so the run ids are fixed here.
type BackfillInput struct {
	Template FlowRunInput  `json:"template"` // snapshot, params, trigger BACKFILL, task queue
	Runs     []BackfillRun `json:"runs"`     // in fire-time order
	Parallel bool          `json:"parallel"` // ALLOW_ALL: start every run at once
	// MaxConcurrent > 0 keeps at most that many runs going at once, starting
	// the next as soon as one ends; 0 is Parallel's choice (all or one).
	MaxConcurrent int `json:"maxConcurrent,omitempty"`
}

// BackfillRun is one run of a backfill.
type BackfillRun struct {
	RunID       string    `json:"runId"`
	LogicalTime time.Time `json:"logicalTime"`
}

// BackfillResult lists the final status of each run, in input order.
type BackfillResult struct {
	Statuses []jobflow.RunStatus `json:"statuses"`
}

// Backfill runs the runs one after another (a failed run does not stop the
// next), or all at once when Parallel is set. Children are abandoned when
// the backfill is closed, so each run lives and is aborted on its own.
func Backfill(ctx workflow.Context, in BackfillInput) (BackfillResult, error) {
	res := BackfillResult{Statuses: make([]jobflow.RunStatus, len(in.Runs))}
	futures := make([]workflow.ChildWorkflowFuture, len(in.Runs))
	if in.MaxConcurrent > 0 { // absent from histories recorded before it: they replay below
		backfillWindow(ctx, in, futures, res.Statuses)
		return res, nil
	}
	for i, r := range in.Runs {
		futures[i] = startBackfillRun(ctx, in.Template, r)
		if !in.Parallel {
			res.Statuses[i] = backfillStatus(ctx, futures[i])
		}
	}
	if in.Parallel {
		for i, f := range futures {
			res.Statuses[i] = backfillStatus(ctx, f)
		}
	}
	return res, nil
}

func startBackfillRun(ctx workflow.Context, tmpl FlowRunInput, r BackfillRun) workflow.ChildWorkflowFuture {
	in := tmpl
	in.RunID, in.LogicalTime = r.RunID, r.LogicalTime
	s := &in.Snapshot
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            r.RunID,
		TaskQueue:             in.TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		Memo:                  map[string]any{"workflowName": s.WorkflowName},
		StaticSummary:         s.WorkflowName + " (" + string(in.Trigger) + ")",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(SATenantID).ValueSet(s.TenantID),
			temporal.NewSearchAttributeKeyKeyword(SAWorkflowID).ValueSet(s.WorkflowID),
			temporal.NewSearchAttributeKeyKeyword(SATrigger).ValueSet(string(in.Trigger)),
		),
	})
	return workflow.ExecuteChildWorkflow(cctx, FlowRunName, in)
}

// backfillStatus waits for one run; a run that could not start or ended in
// error counts as FAIL (FlowRun has recorded its own row).
func backfillStatus(ctx workflow.Context, f workflow.ChildWorkflowFuture) jobflow.RunStatus {
	var out FlowRunResult
	if err := f.Get(ctx, &out); err != nil || out.Status == "" {
		return jobflow.RunFail
	}
	return out.Status
}

// backfillWindow runs the runs in order with at most in.MaxConcurrent
// going at once.
func backfillWindow(ctx workflow.Context, in BackfillInput, futures []workflow.ChildWorkflowFuture, statuses []jobflow.RunStatus) {
	var going []int
	next := 0
	for next < len(in.Runs) || len(going) > 0 {
		for next < len(in.Runs) && len(going) < in.MaxConcurrent {
			futures[next] = startBackfillRun(ctx, in.Template, in.Runs[next])
			going = append(going, next)
			next++
		}
		done := -1
		sel := workflow.NewSelector(ctx)
		for _, i := range going {
			sel.AddFuture(futures[i], func(workflow.Future) {
				if done < 0 {
					done = i
				}
			})
		}
		sel.Select(ctx)
		statuses[done] = backfillStatus(ctx, futures[done])
		for k, i := range going {
			if i == done {
				going = append(going[:k], going[k+1:]...)
				break
			}
		}
	}
}
