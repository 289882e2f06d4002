package workflows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/jobtypes"
)

// conditionFlow: check → cond (CONDITION) → x, y; x → z, y → z (a join);
// y → w (only parent y). cond's cases come from the test.
func conditionFlow(t *testing.T, cfg jobtypes.ConditionConfig) jobflow.Snapshot {
	t.Helper()
	s := snapshot("check cond x y z w", "check>cond cond>x cond>y x>z y>z y>w")
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Jobs[1].Type, s.Jobs[1].Config = jobflow.JobCondition, raw
	return s
}

var fullOrDelta = jobtypes.ConditionConfig{
	Cases: []jobtypes.ConditionCase{
		{When: `outputs["job check"].rowCount > 0 && params.mode == "full"`, To: []string{"x"}},
		{When: `params.mode == "delta"`, To: []string{"y"}},
	},
	Default: []string{"x", "y"},
}

// TestCondition_Branches: each case, and the default, choose their
// children; the others are NOT_SELECTED, it spreads to w, and the join z
// counts NOT_SELECTED as satisfied.
func TestCondition_Branches(t *testing.T) {
	tests := []struct {
		mode, rows string
		want       map[string]jobflow.NodeStatus
		branch     string
	}{
		{"full", "3", map[string]jobflow.NodeStatus{"x": jobflow.NodeSuccess, "y": jobflow.NodeNotSelected, "z": jobflow.NodeSuccess, "w": jobflow.NodeNotSelected}, "0"},
		{"delta", "3", map[string]jobflow.NodeStatus{"x": jobflow.NodeNotSelected, "y": jobflow.NodeSuccess, "z": jobflow.NodeSuccess, "w": jobflow.NodeSuccess}, "1"},
		{"full", "0", map[string]jobflow.NodeStatus{"x": jobflow.NodeSuccess, "y": jobflow.NodeSuccess, "z": jobflow.NodeSuccess, "w": jobflow.NodeSuccess}, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/"+tt.rows, func(t *testing.T) {
			s := newStub()
			env := newEnv(t, s)
			s.behave["check"] = returns(map[string]string{"rowCount": tt.rows})
			in := input(conditionFlow(t, fullOrDelta))
			in.Params = map[string]string{"mode": tt.mode}
			res, err := run(t, env, in)
			if err != nil || res.Status != jobflow.RunSuccess {
				t.Fatalf("run %s, %v", res.Status, err)
			}
			want := map[string]jobflow.NodeStatus{"check": jobflow.NodeSuccess, "cond": jobflow.NodeSuccess}
			for k, v := range tt.want {
				want[k] = v
			}
			wantStatuses(t, res.Nodes, want)
			for id, st := range tt.want {
				if ran := s.callCount(id) > 0; ran != (st == jobflow.NodeSuccess) {
					t.Errorf("%s ran %d times, status %s", id, s.callCount(id), st)
				}
			}
			if s.callCount("cond") != 0 {
				t.Error("the CONDITION ran as an activity")
			}
			// The decision is the node's outputs, in the final record.
			var cond jobflow.NodeRun
			for _, n := range s.lastRecord(t).Nodes {
				if n.JobID == "cond" {
					cond = n
				}
			}
			if cond.Status != jobflow.NodeSuccess || cond.Outputs[OutputBranch] != tt.branch {
				t.Errorf("cond recorded %s with outputs %v, want SUCCESS on branch %s", cond.Status, cond.Outputs, tt.branch)
			}
		})
	}
}

// TestCondition_Globals: an expression naming a tenant variable gets its
// plain value through LoadVariables, in the history.
func TestCondition_Globals(t *testing.T) {
	s := newStub()
	s.globals = map[string]string{"region": "cn", "other": "x"}
	env := newEnv(t, s)
	in := input(conditionFlow(t, jobtypes.ConditionConfig{
		Cases: []jobtypes.ConditionCase{{When: `global.region == "cn"`, To: []string{"y"}}},
	}))
	res, err := run(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"check": jobflow.NodeSuccess, "cond": jobflow.NodeSuccess, "x": jobflow.NodeNotSelected,
		"y": jobflow.NodeSuccess, "z": jobflow.NodeSuccess, "w": jobflow.NodeSuccess,
	})
}

// TestCondition_RuntimeError: an expression that fails at run time fails
// the CONDITION, naming the case; its children are UPSTREAM_FAILED.
func TestCondition_RuntimeError(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	s.behave["check"] = returns(map[string]string{"rowCount": "many"})
	in := input(conditionFlow(t, jobtypes.ConditionConfig{
		Cases: []jobtypes.ConditionCase{{When: `outputs["job check"].rowCount > 0`, To: []string{"x"}}},
	}))
	res, _ := run(t, env, in)
	if res.Status != jobflow.RunFail {
		t.Fatalf("run %s, want FAIL", res.Status)
	}
	cond := node(t, res.Nodes, "cond")
	if cond.Status != jobflow.NodeFail || !strings.Contains(cond.Error, "case 0") {
		t.Errorf("cond %s %q, want FAIL naming case 0", cond.Status, cond.Error)
	}
	if st := node(t, res.Nodes, "x").Status; st != jobflow.NodeUpstreamFailed {
		t.Errorf("x is %s, want UPSTREAM_FAILED", st)
	}
}

// TestCondition_FailedRerun: a FAILED rerun, where the CONDITION is
// SKIPPED, chooses as the run it reruns did: y stays NOT_SELECTED and does
// not run, whatever the params say now.
func TestCondition_FailedRerun(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in := input(conditionFlow(t, fullOrDelta))
	in.Params = map[string]string{"mode": "delta"} // would choose y if evaluated again
	in.Plan = &RerunPlan{Mode: jobflow.RerunFailed, Prior: []PriorNode{
		{JobID: "check", Status: jobflow.NodeSuccess, Outputs: map[string]string{"rowCount": "3"}},
		{JobID: "cond", Status: jobflow.NodeSuccess, Outputs: map[string]string{OutputBranch: "0", OutputSelected: `["x"]`}},
		{JobID: "x", Status: jobflow.NodeFail},
		{JobID: "y", Status: jobflow.NodeNotSelected},
		{JobID: "z", Status: jobflow.NodeUpstreamFailed},
		{JobID: "w", Status: jobflow.NodeNotSelected},
	}}
	res, err := run(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"check": jobflow.NodeSkipped, "cond": jobflow.NodeSkipped, "x": jobflow.NodeSuccess,
		"y": jobflow.NodeNotSelected, "z": jobflow.NodeSuccess, "w": jobflow.NodeNotSelected,
	})
	if got := strings.Join(s.calls, ","); got != "x,z" {
		t.Errorf("ran %s, want x,z", got)
	}
}

// TestCondition_RecordsDecisionsAtOnce: the branch that will not run is
// recorded NOT_SELECTED while the chosen one still runs, not at the end.
func TestCondition_RecordsDecisionsAtOnce(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	s.behave["check"] = returns(map[string]string{"rowCount": "1"})
	s.behave["x"] = sleeps(300 * time.Millisecond)
	in := input(conditionFlow(t, fullOrDelta))
	in.Params = map[string]string{"mode": "full"}
	if _, err := run(t, env, in); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range s.records {
		if rec.Run.Status != jobflow.RunRunning {
			continue
		}
		got := statuses(rec.Nodes)
		if got["y"] == jobflow.NodeNotSelected && got["w"] == jobflow.NodeNotSelected && got["cond"] == jobflow.NodeSuccess {
			found = true
		}
	}
	if !found {
		t.Errorf("no RUNNING record had cond SUCCESS and y, w NOT_SELECTED: %+v", s.records)
	}
}
