package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/workflows"
)

// Result is one shape's median wall times over several runs.
type Result struct {
	Shape    string
	Nodes    int
	FlowRun  time.Duration
	Hand     time.Duration
	FlowRuns []time.Duration
	Hands    []time.Duration
}

// Ratio is FlowRun's wall time over the hand-written workflow's.
func (r Result) Ratio() float64 { return float64(r.FlowRun) / float64(r.Hand) }

// PerNodeOverheadMs is FlowRun's extra wall time per node, in ms.
func (r Result) PerNodeOverheadMs() float64 {
	return float64(r.FlowRun-r.Hand) / float64(time.Millisecond) / float64(r.Nodes)
}

// Measure runs shape runs times with each workflow, alternating so that
// both see the same server state, after one warm-up run of each.
func (h *Harness) Measure(ctx context.Context, shape Shape, runs int) (Result, error) {
	res := Result{Shape: shape.Name, Nodes: len(shape.Snapshot.Jobs)}
	for i := -1; i < runs; i++ {
		f, err := h.RunFlow(ctx, shape.Snapshot)
		if err != nil {
			return res, err
		}
		hw, err := h.RunHand(ctx, shape)
		if err != nil {
			return res, err
		}
		if i >= 0 { // -1 is the warm-up
			res.FlowRuns, res.Hands = append(res.FlowRuns, f), append(res.Hands, hw)
		}
	}
	res.FlowRun, res.Hand = median(res.FlowRuns), median(res.Hands)
	return res, nil
}

var seq int

func nextID(prefix string) string {
	seq++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), seq)
}

// RunFlow runs FlowRun on the snapshot to its end and returns its wall time.
// A run that does not succeed is an error.
func (h *Harness) RunFlow(ctx context.Context, snap jobflow.Snapshot) (time.Duration, error) {
	id := nextID("flow")
	in := workflows.FlowRunInput{RunID: id, Snapshot: snap, Trigger: jobflow.TriggerManual, TaskQueue: TaskQueue, LogicalTime: time.Now()}
	start := time.Now()
	run, err := h.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, workflows.FlowRunName, in)
	if err != nil {
		return 0, err
	}
	var out workflows.FlowRunResult
	if err := run.Get(ctx, &out); err != nil {
		return 0, fmt.Errorf("FlowRun %s: %w", id, err)
	}
	d := time.Since(start)
	if out.Status != jobflow.RunSuccess || len(out.Nodes) != len(snap.Jobs) {
		return 0, fmt.Errorf("FlowRun %s ended %s with %d nodes", id, out.Status, len(out.Nodes))
	}
	return d, nil
}

// RunHand runs HandWritten on the shape and returns its wall time.
func (h *Harness) RunHand(ctx context.Context, shape Shape) (time.Duration, error) {
	id := nextID("hand")
	start := time.Now()
	run, err := h.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, HandWrittenName, shape)
	if err != nil {
		return 0, err
	}
	if err := run.Get(ctx, nil); err != nil {
		return 0, fmt.Errorf("HandWritten %s: %w", id, err)
	}
	return time.Since(start), nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
