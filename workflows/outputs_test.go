package workflows

import (
	"context"
	"encoding/json"
	"testing"

	"jobflow"
	"jobflow/jobtypes"
)

// outputsSnapshot: a -> b -> c and a -> d; c reads a's and b's outputs, d
// reads none.
func outputsSnapshot() jobflow.Snapshot {
	s := snapshot("a b c d", "a>b b>c a>d")
	cfg, _ := json.Marshal(jobtypes.ShellConfig{Script: "echo ${outputs.job a.x} ${qing.b.result_data}"})
	s.Jobs[2].Config = cfg
	return s
}

func returns(outputs map[string]string) func(context.Context) (RunJobResult, error) {
	return func(context.Context) (RunJobResult, error) { return RunJobResult{Outputs: outputs}, nil }
}

// TestFlowRun_Outputs: a node gets the outputs of the ancestors its config
// names, and only those; the query and the result do not carry them.
func TestFlowRun_Outputs(t *testing.T) {
	s := newStub()
	s.behave["a"] = returns(map[string]string{"x": "1"})
	s.behave["b"] = returns(map[string]string{"y": "2"})
	env := newEnv(t, s)
	res, err := run(t, env, input(outputsSnapshot()))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	up := s.inputs["c"].Upstream
	if len(up) != 2 || up[0].ID != "a" || up[0].Name != "job a" || up[0].Outputs["x"] != "1" || up[1].ID != "b" || up[1].Outputs["y"] != "2" {
		t.Fatalf("c's upstream = %+v, want a's and b's outputs", up)
	}
	if up := s.inputs["d"].Upstream; up != nil {
		t.Errorf("d names no outputs but got %+v", up)
	}
	if up := s.inputs["b"].Upstream; up != nil {
		t.Errorf("b names no outputs but got %+v", up)
	}
	for _, n := range res.Nodes {
		if n.Outputs != nil {
			t.Errorf("the run's result carries outputs of %s", n.JobID)
		}
	}
}

// TestFlowRun_RerunCopiesOutputs: a FAILED rerun's SKIPPED nodes carry the
// outputs of the run it reruns, recorded and passed downstream.
func TestFlowRun_RerunCopiesOutputs(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in := input(outputsSnapshot())
	in.Trigger, in.RerunOf = jobflow.TriggerRerun, "run0"
	in.Plan = &RerunPlan{Mode: jobflow.RerunFailed, Prior: []PriorNode{
		{JobID: "a", Status: jobflow.NodeSuccess, Outputs: map[string]string{"x": "old-a"}},
		{JobID: "b", Status: jobflow.NodeSuccess, Outputs: map[string]string{"y": "old-b"}},
		{JobID: "c", Status: jobflow.NodeFail},
		{JobID: "d", Status: jobflow.NodeSuccess},
	}}
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if s.callCount("a") != 0 || s.callCount("c") != 1 {
		t.Fatalf("calls %v, want only c", s.calls)
	}
	up := s.inputs["c"].Upstream
	if len(up) != 2 || up[0].Outputs["x"] != "old-a" || up[1].Outputs["y"] != "old-b" {
		t.Fatalf("c's upstream = %+v, want the prior run's outputs", up)
	}
	recorded := map[string]jobflow.NodeRun{}
	for _, n := range s.records[0].Nodes {
		recorded[n.JobID] = n
	}
	if n := recorded["a"]; n.Status != jobflow.NodeSkipped || n.Outputs["x"] != "old-a" {
		t.Errorf("the first record holds a as %s with outputs %v, want SKIPPED with old-a", n.Status, n.Outputs)
	}
}

// TestFlowRun_ContinueAsNewKeepsOutputs: outputs a node still to run needs
// cross continue-as-new; others are dropped from the carry.
func TestFlowRun_ContinueAsNewKeepsOutputs(t *testing.T) {
	s := newStub()
	s.behave["a"] = returns(map[string]string{"x": "1"})
	s.behave["b"] = returns(map[string]string{"y": "2"})
	s.behave["d"] = returns(map[string]string{"unused": "3"})
	env := newEnv(t, s)
	in := input(outputsSnapshot())
	r := &runner{outputsOn: true, refs: [][]int{nil, nil, {0, 1}, nil}}
	carry := []jobflow.NodeRun{
		{JobID: "a", Status: jobflow.NodeSuccess, Outputs: map[string]string{"x": "1"}},
		{JobID: "b", Status: jobflow.NodeSuccess, Outputs: map[string]string{"y": "2"}},
		{JobID: "c", Status: jobflow.NodePending},
		{JobID: "d", Status: jobflow.NodeSuccess, Outputs: map[string]string{"unused": "3"}},
	}
	r.carriedOutputs(carry)
	if carry[0].Outputs == nil || carry[1].Outputs == nil || carry[3].Outputs != nil {
		t.Fatalf("carry outputs a=%v b=%v d=%v, want a and b kept, d dropped", carry[0].Outputs, carry[1].Outputs, carry[3].Outputs)
	}
	// A carried execution passes them on: run from the carry.
	in.Carry = carry
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if s.callCount("a") != 0 || s.callCount("c") != 1 {
		t.Fatalf("calls %v, want only c", s.calls)
	}
	if up := s.inputs["c"].Upstream; len(up) != 2 || up[0].Outputs["x"] != "1" || up[1].Outputs["y"] != "2" {
		t.Fatalf("c's upstream after continue-as-new = %+v", up)
	}
}
