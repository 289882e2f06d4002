package bench

import (
	"context"
	"fmt"
	"time"

	"jobflow/workflows"
)

// ForEachResult is one FOREACH run of the benchmark: its wall time and
// the histories of its FlowRun and of its ForEach child.
type ForEachResult struct {
	Items, Concurrency int
	Took               time.Duration
	FlowRun, ForEach   []Execution
}

// RunForEach runs a -> fe -> b where fe runs n items (each child a
// one-job FlowRun), at most concurrency at once, and reads the histories.
func (h *Harness) RunForEach(ctx context.Context, n, concurrency int) (ForEachResult, error) {
	res := ForEachResult{Items: n, Concurrency: concurrency}
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf("item-%05d", i)
	}
	d, ids, err := h.RunFlow(ctx, ForEachSnapshot(ForEachItemsBench, items, concurrency, 0))
	if err != nil {
		return res, err
	}
	res.Took = d
	if res.FlowRun, err = h.Executions(ctx, ids); err != nil {
		return res, err
	}
	// The ForEach child's first run id is in the parent's history.
	childID := workflows.ForEachWorkflowID(ids[0], "fe", 1)
	first := ""
	for runID := ids[1]; runID != "" && first == ""; {
		hist, next, err := h.history(ctx, ids[0], runID)
		if err != nil {
			return res, err
		}
		for _, e := range hist.Events {
			if a := e.GetChildWorkflowExecutionStartedEventAttributes(); a != nil && a.GetWorkflowExecution().GetWorkflowId() == childID {
				first = a.GetWorkflowExecution().GetRunId()
			}
		}
		runID = next
	}
	if first == "" {
		return res, fmt.Errorf("no ForEach child %s in the history of %s", childID, ids[0])
	}
	res.ForEach, err = h.Executions(ctx, [2]string{childID, first})
	return res, err
}
