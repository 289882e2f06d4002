package workflows

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// forEachStub stands in for the FOREACH activities: the items live in
// memory, and every item's child runs the snapshot of workflow "child"
// (job x), whose RunJob fails for the items the test names.
type forEachStub struct {
	*stub
	items   []string
	carried map[int]bool
	bad     map[string]bool // items whose child's job x fails

	fmu      sync.Mutex
	prepares []PrepareForEachInput
	started  []int // item indexes, in start order
	live     int
	peak     int
}

func newForEachStub(items ...string) *forEachStub {
	s := &forEachStub{stub: newStub(), items: items, carried: map[int]bool{}, bad: map[string]bool{}}
	s.behave["x"] = func(ctx context.Context) (RunJobResult, error) {
		s.fmu.Lock()
		s.live++
		s.peak = max(s.peak, s.live)
		s.fmu.Unlock()
		defer func() { s.fmu.Lock(); s.live--; s.fmu.Unlock() }()
		time.Sleep(5 * time.Millisecond)
		item := s.inputOf(ctx)
		if s.bad[item] {
			return RunJobResult{}, temporal.NewApplicationError("bad item "+item, "JobFailed")
		}
		return RunJobResult{}, nil
	}
	return s
}

// inputOf is the item of the child run a RunJob belongs to.
func (s *forEachStub) inputOf(ctx context.Context) string {
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	for i, it := range s.items {
		if strings.HasSuffix(id, "-i"+itoa(i)) {
			return it
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func (s *forEachStub) prepare(_ context.Context, in PrepareForEachInput) (ForEachPlan, error) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.prepares = append(s.prepares, in)
	return ForEachPlan{Total: len(s.items), Carried: len(s.carried), VersionID: "v1"}, nil
}

func (s *forEachStub) next(_ context.Context, in NextForEachItemsInput) ([]jobflow.ForEachItem, error) {
	var out []jobflow.ForEachItem
	for i := in.After + 1; i < len(s.items) && len(out) < in.Limit; i++ {
		if !s.carried[i] {
			out = append(out, jobflow.ForEachItem{Index: i, Item: s.items[i], Status: jobflow.ItemPending})
		}
	}
	return out, nil
}

func (s *forEachStub) start(_ context.Context, in StartForEachItemInput) (FlowRunInput, error) {
	s.fmu.Lock()
	s.started = append(s.started, in.Index)
	s.fmu.Unlock()
	c := childSnapshot()
	return FlowRunInput{RunID: in.ChildRunID, Snapshot: c, Params: map[string]string{in.Param: in.Item},
		LogicalTime: in.LogicalTime, Trigger: jobflow.TriggerSubflow, TaskQueue: in.TaskQueue,
		ParentRunID: in.ParentRunID, ParentJobID: in.JobID, Depth: in.Depth, Ancestors: in.Ancestors}, nil
}

func (s *forEachStub) abort(context.Context, AbortForEachItemInput) error { return nil }

func newForEachEnv(t *testing.T, s *forEachStub) *testsuite.TestWorkflowEnvironment {
	env := newEnv(t, s.stub)
	env.RegisterWorkflowWithOptions(ForEach, workflow.RegisterOptions{Name: ForEachName})
	env.RegisterActivityWithOptions(s.prepare, activity.RegisterOptions{Name: PrepareForEachActivity})
	env.RegisterActivityWithOptions(s.next, activity.RegisterOptions{Name: NextForEachItemsActivity})
	env.RegisterActivityWithOptions(s.start, activity.RegisterOptions{Name: StartForEachItemActivity})
	env.RegisterActivityWithOptions(s.abort, activity.RegisterOptions{Name: AbortForEachItemActivity})
	return env
}

// forEachParent is a -> fe -> b, where fe runs workflow "child" per item.
func forEachParent(maxConcurrency, tolerance int) jobflow.Snapshot {
	p := snapshot("a fe b", "a>fe fe>b")
	cfg, _ := json.Marshal(map[string]any{"items": []string{"x"}, "workflowId": "child",
		"maxConcurrency": maxConcurrency, "failureTolerancePercent": tolerance})
	p.Jobs[1] = jobflow.Job{ID: "fe", Name: "fe", Type: jobflow.JobForEach, Config: cfg}
	return p
}

func TestFlowRun_ForEach_WithinTolerance(t *testing.T) {
	s := newForEachStub("p", "q", "bad1", "r", "bad2")
	s.bad["bad1"], s.bad["bad2"] = true, true
	env := newForEachEnv(t, s)
	res, err := run(t, env, input(forEachParent(2, 40)))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "fe": jobflow.NodeSuccess, "b": jobflow.NodeSuccess})
	final := s.recordsOf("run1")
	n := node(t, final[len(final)-1].Nodes, "fe") // the record keeps the outputs
	if n.Outputs["total"] != "5" || n.Outputs["succeeded"] != "3" || n.Outputs["failed"] != "2" {
		t.Errorf("fe outputs %v", n.Outputs)
	}
	var r ForEachResult
	if err := json.Unmarshal(n.Result, &r); err != nil || r.Total != 5 || r.Failed != 2 {
		t.Errorf("fe result %s (%v)", n.Result, err)
	}
	if len(s.started) != 5 || s.peak > 2 || s.peak < 1 {
		t.Errorf("started %v, peak %d: want 5 items, at most 2 at once", s.started, s.peak)
	}
	p := s.prepares[0]
	if p.RunID != "run1" || p.Job.ID != "fe" || p.Depth != 1 || len(p.Ancestors) != 1 || p.Ancestors[0] != "wf1" {
		t.Errorf("prepare input %+v", p)
	}
	// Every item's child is a FlowRun of its own with the item as its param.
	for i, it := range s.items {
		recs := s.recordsOf(ForEachItemRunID("run1", "fe", i))
		if len(recs) == 0 {
			t.Fatalf("item %d's child recorded nothing", i)
		}
		last := recs[len(recs)-1].Run
		want := jobflow.RunSuccess
		if s.bad[it] {
			want = jobflow.RunFail
		}
		if last.Status != want || last.Params["item"] != it || last.ParentRunID != "run1" || last.ParentJobID != "fe" {
			t.Errorf("item %d's child %+v, want %s with item %q", i, last, want, it)
		}
	}
}

func TestFlowRun_ForEach_OverTolerance(t *testing.T) {
	s := newForEachStub("bad1", "bad2", "p", "q", "r", "s")
	s.bad["bad1"], s.bad["bad2"] = true, true
	env := newForEachEnv(t, s)
	res, err := run(t, env, input(forEachParent(1, 20))) // 20% of 6: one may fail
	if err == nil || res.Status != jobflow.RunFail {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "fe": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed})
	msg := node(t, res.Nodes, "fe").Error
	if !strings.Contains(msg, "2 of 6 items failed, more than the 20% tolerated") || !strings.Contains(msg, "item 0 (bad1)") ||
		!strings.Contains(msg, "4 items not run") {
		t.Errorf("fe error %q", msg)
	}
	// One at a time, and none started once the second failed.
	if len(s.started) != 2 {
		t.Errorf("started %v, want items 0 and 1 only", s.started)
	}
}

// Past forEachPerExecution items ForEach continues as new and goes on
// where it stopped, skipping the carried items.
func TestFlowRun_ForEach_ContinueAsNewAndCarried(t *testing.T) {
	defer func(n int) { forEachPerExecution = n }(forEachPerExecution)
	forEachPerExecution = 3
	s := newForEachStub("i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7")
	s.carried[2], s.carried[5] = true, true
	env := newForEachEnv(t, s)
	in := input(forEachParent(2, 0))
	in.RerunOf = "run0"
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if got := itoa(len(s.started)); got != "6" {
		t.Errorf("started %v, want the 6 not carried", s.started)
	}
	for _, i := range s.started {
		if i == 2 || i == 5 {
			t.Errorf("carried item %d ran again", i)
		}
	}
	final := s.recordsOf("run1")
	n := node(t, final[len(final)-1].Nodes, "fe")
	if n.Outputs["succeeded"] != "8" || n.Outputs["failed"] != "0" {
		t.Errorf("fe outputs %v", n.Outputs)
	}
	if len(s.prepares) != 1 || s.prepares[0].RerunOf != "run0" {
		t.Errorf("prepares %+v: want one, told the run it reruns", s.prepares)
	}
}

// An abort cancels the running items' children and starts no more.
func TestFlowRun_ForEach_Abort(t *testing.T) {
	s := newForEachStub("i0", "i1", "i2", "i3")
	s.behave["x"] = blocks()
	env := newForEachEnv(t, s)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 300*time.Millisecond) // the jobs block: the clock runs in real time
	res, err := run(t, env, input(forEachParent(2, 0)))
	if err == nil || res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if st := node(t, res.Nodes, "fe").Status; st != jobflow.NodeAborted {
		t.Errorf("fe %s, want ABORTED", st)
	}
	if len(s.started) != 2 {
		t.Errorf("started %v, want the first 2 only", s.started)
	}
	for _, i := range s.started {
		recs := s.recordsOf(ForEachItemRunID("run1", "fe", i))
		if len(recs) == 0 || recs[len(recs)-1].Run.Status != jobflow.RunAborted {
			t.Errorf("item %d's child did not end ABORTED", i)
		}
	}
}
