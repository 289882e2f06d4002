package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

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

	// History of the last measured run of each, summed over continue-as-new
	// executions: these do not depend on the machine's load.
	FlowEvents, HandEvents int // history events
	FlowTasks, HandTasks   int // workflow tasks
	FlowExecutions         int // executions (1 + continue-as-new count)
}

// Ratio is FlowRun's wall time over the hand-written workflow's.
func (r Result) Ratio() float64 { return float64(r.FlowRun) / float64(r.Hand) }

// PerNodeOverheadMs is FlowRun's extra wall time per node, in ms.
func (r Result) PerNodeOverheadMs() float64 {
	return float64(r.FlowRun-r.Hand) / float64(time.Millisecond) / float64(r.Nodes)
}

// Measure runs shape runs times with each workflow, interleaved so that
// both see the same server state, after one warm-up run of each.
func (h *Harness) Measure(ctx context.Context, shape Shape, runs int) (Result, error) {
	res := Result{Shape: shape.Name, Nodes: len(shape.Snapshot.Jobs)}
	for i := -1; i < runs; i++ {
		// Alternate which goes first, so that drift in the machine's load
		// does not favour one of them.
		var f, hw time.Duration
		var fid, hid [2]string
		var err error
		for k := range 2 {
			if (i+k)%2 == 0 {
				f, fid, err = h.RunFlow(ctx, shape.Snapshot)
			} else {
				hw, hid, err = h.RunHand(ctx, shape)
			}
			if err != nil {
				return res, err
			}
		}
		if i == runs-1 {
			if res.FlowEvents, res.FlowTasks, res.FlowExecutions, err = h.HistoryStats(ctx, fid); err != nil {
				return res, err
			}
			if res.HandEvents, res.HandTasks, _, err = h.HistoryStats(ctx, hid); err != nil {
				return res, err
			}
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
func (h *Harness) RunFlow(ctx context.Context, snap jobflow.Snapshot) (time.Duration, [2]string, error) {
	id := nextID("flow")
	in := h.input(id, snap)
	start := time.Now()
	run, err := h.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, workflows.FlowRunName, in)
	if err != nil {
		return 0, [2]string{}, err
	}
	ids := [2]string{id, run.GetRunID()} // the first execution: Get follows continue-as-new
	var out workflows.FlowRunResult
	if err := run.Get(ctx, &out); err != nil {
		return 0, ids, fmt.Errorf("FlowRun %s: %w", id, err)
	}
	d := time.Since(start)
	nodes, err := out.AllNodes()
	if err != nil || out.Status != jobflow.RunSuccess || len(nodes) != len(snap.Jobs) {
		return 0, ids, fmt.Errorf("FlowRun %s ended %s with %d nodes (%v)", id, out.Status, len(nodes), err)
	}
	for _, n := range nodes {
		if n.Status != jobflow.NodeSuccess {
			return 0, ids, fmt.Errorf("FlowRun %s: node %s ended %s", id, n.JobID, n.Status)
		}
	}
	return d, ids, nil
}

// RunHand runs HandWritten on the shape and returns its wall time.
func (h *Harness) RunHand(ctx context.Context, shape Shape) (time.Duration, [2]string, error) {
	id := nextID("hand")
	start := time.Now()
	run, err := h.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, HandWrittenName, shape)
	if err != nil {
		return 0, [2]string{}, err
	}
	ids := [2]string{id, run.GetRunID()}
	if err := run.Get(ctx, nil); err != nil {
		return 0, ids, fmt.Errorf("HandWritten %s: %w", id, err)
	}
	return time.Since(start), ids, nil
}

// HistoryStats counts the history events and workflow tasks of a workflow
// id's executions from the given first run on, and the executions.
func (h *Harness) HistoryStats(ctx context.Context, ids [2]string) (events, tasks, executions int, err error) {
	for runID := ids[1]; runID != ""; executions++ {
		hist, next, err := h.history(ctx, ids[0], runID)
		if err != nil {
			return 0, 0, 0, err
		}
		events += len(hist.Events)
		for _, e := range hist.Events {
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				tasks++
			}
		}
		runID = next
	}
	return events, tasks, executions, nil
}

// Execution is one execution's history: events, workflow tasks, its size
// in bytes (protobuf, as the server stores it) and its input's size.
type Execution struct {
	Events, Tasks, Bytes, InputBytes int
}

// Executions lists the history of each execution of a workflow id from the
// given first run on.
func (h *Harness) Executions(ctx context.Context, ids [2]string) ([]Execution, error) {
	var out []Execution
	for runID := ids[1]; runID != ""; {
		hist, next, err := h.history(ctx, ids[0], runID)
		if err != nil {
			return nil, err
		}
		x := Execution{Events: len(hist.Events), Bytes: proto.Size(hist)}
		if len(hist.Events) > 0 {
			x.InputBytes = proto.Size(hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput())
		}
		for _, e := range hist.Events {
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				x.Tasks++
			}
		}
		out = append(out, x)
		runID = next
	}
	return out, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
