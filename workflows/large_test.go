package workflows

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// layered is a DAG of n nodes in layers of width, each node below the first
// layer with 1 to 3 parents in the layer above (fixed seed).
func layered(n, width int, seed int64) jobflow.Snapshot {
	rng := rand.New(rand.NewSource(seed))
	var ids, edges []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("n%04d", i))
		layer := i / width
		if layer == 0 {
			continue
		}
		lo, hi := (layer-1)*width, layer*width
		k := 1 + rng.Intn(3)
		for _, p := range rng.Perm(hi - lo)[:k] {
			edges = append(edges, ids[lo+p]+">"+ids[i])
		}
	}
	return snapshot(strings.Join(ids, " "), strings.Join(edges, " "))
}

func TestFlowRun_2000Nodes(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := layered(2000, 50, 1)
	snap.Config.MaxParallelism = 50
	res, err := run(t, env, input(snap))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if len(s.calls) != 2000 || len(res.Nodes) != 2000 {
		t.Fatalf("%d jobs ran, %d nodes; want 2000", len(s.calls), len(res.Nodes))
	}
	// Every node ran after all its parents.
	pos := make(map[string]int, len(s.calls))
	for i, id := range s.calls {
		pos[id] = i
	}
	for _, e := range snap.Canvas.Edges {
		if pos[e.From] > pos[e.To] {
			t.Fatalf("%s ran before its parent %s", e.To, e.From)
		}
	}
	if s.peak > 50 {
		t.Errorf("%d jobs at once, over maxParallelism 50", s.peak)
	}
}

// When Temporal suggests continue-as-new, FlowRun lets the running jobs
// finish, starts no more, and hands the node states to the next execution,
// which skips what is done.
func TestFlowRun_ContinueAsNew(t *testing.T) {
	snap := snapshot("a b c d e", "a>b b>c c>d")
	snap.Config.MaxParallelism = 1

	s1 := newStub()
	env1 := newEnv(t, s1)
	env1.SetContinueAsNewSuggested(true)
	env1.ExecuteWorkflow(FlowRunName, input(snap))
	var can *workflow.ContinueAsNewError
	if err := env1.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("first execution ended with %v, want continue-as-new", err)
	}
	if got := strings.Join(s1.calls, ","); got != "a" {
		t.Fatalf("first execution ran %s, want only a (one job, then it drains)", got)
	}
	var next FlowRunInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	wantStatuses(t, next.Carry, map[string]jobflow.NodeStatus{
		"a": jobflow.NodeSuccess, "b": jobflow.NodePending, "c": jobflow.NodePending, "d": jobflow.NodePending, "e": jobflow.NodePending,
	})
	if next.RunID != "run1" || next.StartedAt.IsZero() {
		t.Errorf("carried run id %q, start %v", next.RunID, next.StartedAt)
	}

	s2 := newStub()
	env2 := newEnv(t, s2)
	res, err := run(t, env2, next)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	got := slices.Clone(s2.calls)
	slices.Sort(got)
	if strings.Join(got, ",") != "b,c,d,e" {
		t.Errorf("second execution ran %v, want b,c,d,e (a is done)", got)
	}
	if node(t, res.Nodes, "a").StartedAt == nil {
		t.Error("a's carried start time was lost")
	}
	// The continued execution does not record the start again.
	if len(s2.records) != 1 || s2.records[0].Run.Status != jobflow.RunSuccess || !s2.records[0].Run.StartedAt.Equal(next.StartedAt) {
		t.Errorf("second execution records %+v, want only the final SUCCESS with the first start time", s2.records)
	}
}

// A failure and a break decided before continue-as-new survive it.
func TestFlowRun_ContinueAsNewKeepsOutcomes(t *testing.T) {
	in := input(snapshot("a b c d", "a>b c>d"))
	in.Carry = []jobflow.NodeRun{
		{JobID: "a", Status: jobflow.NodeFail, Error: "boom"},
		{JobID: "b", Status: jobflow.NodeUpstreamFailed},
		{JobID: "c", Status: jobflow.NodeWaiting},
		{JobID: "d", Status: jobflow.NodePending},
	}
	s := newStub()
	env := newEnv(t, s)
	res, _ := run(t, env, in)
	if res.Status != jobflow.RunFail {
		t.Errorf("status %s, want FAIL from the carried failure", res.Status)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"a": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed, "c": jobflow.NodeSuccess, "d": jobflow.NodeSuccess,
	})
	if got := strings.Join(s.calls, ","); got != "c,d" {
		t.Errorf("ran %s, want c,d", got)
	}
}
