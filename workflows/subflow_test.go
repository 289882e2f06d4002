package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"jobflow"
	"jobflow/jobtypes"
)

// subflowStub stands in for PrepareSubflow and EndSubflow: the child runs
// the snapshot registered for its target workflow, and EndSubflow returns
// the outputs the child's jobs reported to the shared job stub.
type subflowStub struct {
	*stub
	children  map[string]jobflow.Snapshot // by target workflow id
	failFirst bool                        // PrepareSubflow's first attempt fails (a store blip)

	smu      sync.Mutex
	prepares []PrepareSubflowInput
	ends     []EndSubflowInput
	outputs  map[string]map[string]string // job name -> outputs, of child jobs
}

func newSubflowStub() *subflowStub {
	return &subflowStub{stub: newStub(), children: map[string]jobflow.Snapshot{}, outputs: map[string]map[string]string{}}
}

func (s *subflowStub) prepare(_ context.Context, in PrepareSubflowInput) (FlowRunInput, error) {
	s.smu.Lock()
	s.prepares = append(s.prepares, in)
	first := len(s.prepares) == 1
	s.smu.Unlock()
	if first && s.failFirst {
		return FlowRunInput{}, temporal.NewApplicationError("cannot record the child run", "StoreFailed")
	}
	var cfg jobtypes.SubflowConfig
	_ = json.Unmarshal(in.Job.Config, &cfg)
	snap, ok := s.children[cfg.WorkflowID]
	if !ok {
		return FlowRunInput{}, temporal.NewNonRetryableApplicationError("workflow "+cfg.WorkflowID+" does not exist", "JobConfig", nil)
	}
	return FlowRunInput{RunID: in.ChildRunID, Snapshot: snap, Params: map[string]string{}, LogicalTime: in.LogicalTime,
		Trigger: jobflow.TriggerSubflow, TaskQueue: in.TaskQueue, ParentRunID: in.Node.RunID, ParentJobID: in.Job.ID,
		Depth: in.Depth, Ancestors: in.Ancestors}, nil
}

func (s *subflowStub) end(_ context.Context, in EndSubflowInput) (map[string]string, error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.ends = append(s.ends, in)
	if in.Node.Status != jobflow.NodeSuccess {
		return nil, nil
	}
	out := map[string]string{"runId": in.ChildRunID}
	if in.Outputs {
		for job, o := range s.outputs {
			for k, v := range o {
				out[job+"."+k] = v
			}
		}
	}
	return out, nil
}

func newSubflowEnv(t *testing.T, s *subflowStub) *testsuite.TestWorkflowEnvironment {
	env := newEnv(t, s.stub)
	env.RegisterActivityWithOptions(s.prepare, activity.RegisterOptions{Name: PrepareSubflowActivity})
	env.RegisterActivityWithOptions(s.end, activity.RegisterOptions{Name: EndSubflowActivity})
	return env
}

// subflowParent is a -> sub -> b, where sub runs workflow "child" and b
// reads the child's job x's output k through sub.
func subflowParent(wait bool) jobflow.Snapshot {
	p := snapshot("a sub b", "a>sub sub>b")
	cfg := `{"workflowId":"child","version":"PUBLISHED"}`
	if !wait {
		cfg = `{"workflowId":"child","version":"PUBLISHED","wait":false}`
	}
	p.Jobs[1] = jobflow.Job{ID: "sub", Name: "sub", Type: jobflow.JobSubflow, Config: []byte(cfg)}
	p.Jobs[2].Config = []byte(`{"script":"echo ${outputs.sub.x.k}"}`)
	return p
}

func childSnapshot() jobflow.Snapshot {
	c := snapshot("x y", "x>y")
	c.WorkflowID, c.WorkflowName = "child", "child flow"
	c.Jobs[0].Name = "x"
	return c
}

// records of one run id, in order.
func (s *stub) recordsOf(runID string) []RecordRunInput {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RecordRunInput
	for _, r := range s.records {
		if r.Run.ID == runID {
			out = append(out, r)
		}
	}
	return out
}

func TestFlowRun_Subflow_Success(t *testing.T) {
	s := newSubflowStub()
	s.children["child"] = childSnapshot()
	s.outputs["x"] = map[string]string{"k": "v1"}
	s.behave["x"] = func(context.Context) (RunJobResult, error) {
		return RunJobResult{Outputs: map[string]string{"k": "v1"}}, nil
	}
	s.failFirst = true // a retried PrepareSubflow asks for the same child id
	env := newSubflowEnv(t, s)
	res, err := run(t, env, input(subflowParent(true)))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "sub": jobflow.NodeSuccess, "b": jobflow.NodeSuccess})
	if len(s.prepares) != 2 || s.prepares[0].ChildRunID != "run1-sub-1" || s.prepares[1].ChildRunID != "run1-sub-1" {
		t.Fatalf("prepares %+v, want two with child id run1-sub-1", s.prepares)
	}
	p := s.prepares[1]
	if p.Depth != 1 || len(p.Ancestors) != 1 || p.Ancestors[0] != "wf1" || p.Node.Status != jobflow.NodeRunning || p.Node.Attempt != 1 {
		t.Errorf("prepare input %+v", p)
	}
	// The child is a FlowRun of its own, named by its run id, recording its
	// parent; its jobs ran.
	child := s.recordsOf("run1-sub-1")
	if len(child) == 0 {
		t.Fatal("the child recorded nothing")
	}
	last := child[len(child)-1].Run
	if last.Status != jobflow.RunSuccess || last.TemporalWorkflowID != "run1-sub-1" || last.Trigger != jobflow.TriggerSubflow ||
		last.ParentRunID != "run1" || last.ParentJobID != "sub" {
		t.Errorf("child run row %+v", last)
	}
	if s.callCount("x") != 1 || s.callCount("y") != 1 {
		t.Errorf("child jobs ran x %d, y %d times", s.callCount("x"), s.callCount("y"))
	}
	// b read the child's output through sub's outputs.
	up := s.inputs["b"].Upstream
	if len(up) != 1 || up[0].Name != "sub" || up[0].Outputs["x.k"] != "v1" || up[0].Outputs["runId"] != "run1-sub-1" {
		t.Errorf("b's upstream = %+v", up)
	}
	if len(s.ends) != 1 || !s.ends[0].Outputs || s.ends[0].Node.Status != jobflow.NodeSuccess {
		t.Errorf("ends %+v", s.ends)
	}
	// The parent's final record carries the node with its outputs.
	final := s.recordsOf("run1")
	n := node(t, final[len(final)-1].Nodes, "sub")
	if n.Status != jobflow.NodeSuccess || n.Outputs["x.k"] != "v1" {
		t.Errorf("final sub node %+v", n)
	}
}

func TestFlowRun_Subflow_ChildFails(t *testing.T) {
	s := newSubflowStub()
	s.children["child"] = childSnapshot()
	s.behave["y"] = fails("disk full")
	env := newSubflowEnv(t, s)
	res, err := run(t, env, input(subflowParent(true)))
	if err == nil || res.Status != jobflow.RunFail {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "sub": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed})
	msg := node(t, res.Nodes, "sub").Error
	if !strings.Contains(msg, "subflow run run1-sub-1 failed") || !strings.Contains(msg, `job "job y" failed: disk full`) {
		t.Errorf("sub's error = %q, want the child's first error", msg)
	}
	if !strings.Contains(err.Error(), "disk full") {
		t.Errorf("run error %v", err)
	}
	if len(s.ends) != 1 || s.ends[0].Node.Status != jobflow.NodeFail || s.ends[0].Outputs {
		t.Errorf("ends %+v", s.ends)
	}
	if s.callCount("b") != 0 {
		t.Error("b ran after a failed subflow")
	}
}

func TestFlowRun_Subflow_PrepareFails(t *testing.T) {
	s := newSubflowStub() // no child registered: the target does not exist
	env := newSubflowEnv(t, s)
	res, err := run(t, env, input(subflowParent(true)))
	if err == nil || res.Status != jobflow.RunFail {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if msg := node(t, res.Nodes, "sub").Error; !strings.Contains(msg, "workflow child does not exist") {
		t.Errorf("sub's error = %q", msg)
	}
	if len(s.prepares) != 1 {
		t.Errorf("a config error was retried: %d prepares", len(s.prepares))
	}
}

func TestFlowRun_Subflow_AbortReachesChild(t *testing.T) {
	s := newSubflowStub()
	s.children["child"] = childSnapshot()
	// The test environment passes a cancel on to a child's activity only
	// with a heartbeat 30 s later: the job sleeps a few seconds instead.
	s.behave["x"] = sleeps(3 * time.Second)
	env := newSubflowEnv(t, s)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
	res, err := run(t, env, input(subflowParent(true)))
	var canceled *temporal.CanceledError
	if res.Status != jobflow.RunAborted || err == nil || !errors.As(err, &canceled) {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "sub": jobflow.NodeAborted, "b": jobflow.NodeAborted})
	child := s.recordsOf("run1-sub-1")
	if len(child) == 0 || child[len(child)-1].Run.Status != jobflow.RunAborted {
		t.Fatalf("child's records %+v, want it to end ABORTED", child)
	}
	wantStatuses(t, child[len(child)-1].Nodes, map[string]jobflow.NodeStatus{"x": jobflow.NodeAborted, "y": jobflow.NodeAborted})
	if len(s.ends) != 1 || s.ends[0].Node.Status != jobflow.NodeAborted {
		t.Errorf("ends %+v", s.ends)
	}
}

func TestFlowRun_Subflow_NoWait(t *testing.T) {
	s := newSubflowStub()
	s.children["child"] = childSnapshot()
	env := newSubflowEnv(t, s)
	in := input(subflowParent(false))
	in.Snapshot.Jobs[2].Config = []byte(`{"script":"echo ${outputs.sub.runId}"}`)
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if up := s.inputs["b"].Upstream; len(up) != 1 || up[0].Outputs["runId"] != "run1-sub-1" || len(up[0].Outputs) != 1 {
		t.Errorf("b's upstream = %+v", up)
	}
	if len(s.ends) != 1 || s.ends[0].Outputs {
		t.Errorf("ends %+v: wait false reads no outputs", s.ends)
	}
}

// A rerun tells PrepareSubflow which run it reruns and how, so it can
// rerun the previous child.
func TestFlowRun_Subflow_RerunPassesMode(t *testing.T) {
	for _, mode := range []jobflow.RerunMode{jobflow.RerunFailed, jobflow.RerunNode} {
		t.Run(string(mode), func(t *testing.T) {
			s := newSubflowStub()
			s.children["child"] = childSnapshot()
			env := newSubflowEnv(t, s)
			in := input(subflowParent(true))
			in.RunID, in.Trigger, in.RerunOf = "run2", jobflow.TriggerRerun, "run1"
			in.Plan = &RerunPlan{Mode: mode, Prior: []PriorNode{{JobID: "a", Status: jobflow.NodeSuccess},
				{JobID: "sub", Status: jobflow.NodeFail}, {JobID: "b", Status: jobflow.NodeUpstreamFailed}}}
			if mode == jobflow.RerunNode {
				in.Plan.NodeID = "sub"
			}
			if _, err := run(t, env, in); err != nil {
				t.Fatal(err)
			}
			if len(s.prepares) != 1 || s.prepares[0].RerunOf != "run1" || s.prepares[0].RerunMode != mode || s.prepares[0].ChildRunID != "run2-sub-1" {
				t.Fatalf("prepares %+v", s.prepares)
			}
		})
	}
}

// An abort while the child is being prepared starts no child, and
// EndSubflow is told to settle the child's row that PrepareSubflow made.
func TestFlowRun_Subflow_AbortWhilePreparing(t *testing.T) {
	s := newSubflowStub()
	s.children["child"] = childSnapshot()
	env := newSubflowEnv(t, s)
	env.RegisterActivityWithOptions(func(ctx context.Context, in PrepareSubflowInput) (FlowRunInput, error) {
		time.Sleep(2 * time.Second) // the abort arrives meanwhile; this activity is not cancelled
		return s.prepare(ctx, in)
	}, activity.RegisterOptions{Name: PrepareSubflowActivity})
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
	res, err := run(t, env, input(subflowParent(true)))
	if res.Status != jobflow.RunAborted || err == nil {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "sub": jobflow.NodeAborted, "b": jobflow.NodeAborted})
	if len(s.recordsOf("run1-sub-1")) != 0 || s.callCount("x") != 0 {
		t.Error("a child started after the abort")
	}
	if len(s.ends) != 1 || !s.ends[0].NotStarted || s.ends[0].Node.Status != jobflow.NodeAborted {
		t.Errorf("ends %+v", s.ends)
	}
}
