package workflows

import (
	"slices"
	"strings"
	"testing"

	"jobflow"
)

func TestFlowRun_Rerun(t *testing.T) {
	// a -> b -> c, and d on its own. The prior run: a and d succeeded, b
	// failed, c never ran.
	prior := []PriorNode{
		{JobID: "a", Status: jobflow.NodeSuccess},
		{JobID: "b", Status: jobflow.NodeFail},
		{JobID: "c", Status: jobflow.NodeUpstreamFailed},
		{JobID: "d", Status: jobflow.NodeSuccess},
	}
	S, K := jobflow.NodeSuccess, jobflow.NodeSkipped
	tests := []struct {
		name   string
		plan   *RerunPlan
		ran    string
		status map[string]jobflow.NodeStatus
	}{
		{"All", &RerunPlan{Mode: jobflow.RerunAll, Prior: prior}, "a b c d",
			map[string]jobflow.NodeStatus{"a": S, "b": S, "c": S, "d": S}},
		{"NoPlan", nil, "a b c d",
			map[string]jobflow.NodeStatus{"a": S, "b": S, "c": S, "d": S}},
		{"Failed", &RerunPlan{Mode: jobflow.RerunFailed, Prior: prior}, "b c",
			map[string]jobflow.NodeStatus{"a": K, "b": S, "c": S, "d": K}},
		{"FromNode", &RerunPlan{Mode: jobflow.RerunFromNode, NodeID: "a", Prior: prior}, "a b c",
			map[string]jobflow.NodeStatus{"a": S, "b": S, "c": S, "d": K}},
		{"FromNodeBelowFailure", &RerunPlan{Mode: jobflow.RerunFromNode, NodeID: "c", Prior: prior}, "c",
			map[string]jobflow.NodeStatus{"a": K, "b": K, "c": S, "d": K}},
		{"Node", &RerunPlan{Mode: jobflow.RerunNode, NodeID: "b", Prior: prior}, "b",
			map[string]jobflow.NodeStatus{"a": K, "b": S, "c": K, "d": K}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub()
			env := newEnv(t, s)
			in := input(snapshot("a b c d", "a>b b>c"))
			in.Plan = tt.plan
			in.Trigger, in.RerunOf = jobflow.TriggerRerun, "run0"
			res, err := run(t, env, in)
			if err != nil || res.Status != jobflow.RunSuccess {
				t.Fatalf("status %s, err %v", res.Status, err)
			}
			wantStatuses(t, res.Nodes, tt.status)
			got := slices.Clone(s.calls)
			slices.Sort(got)
			if strings.Join(got, " ") != tt.ran {
				t.Errorf("ran %v, want %s", got, tt.ran)
			}
			// SKIPPED nodes are in the first record; the run row names its origin.
			first := s.records[0]
			if first.Run.Trigger != jobflow.TriggerRerun || first.Run.RerunOf != "run0" {
				t.Errorf("run row %+v", first.Run)
			}
			for _, n := range first.Nodes {
				if n.Status != jobflow.NodePending && n.Status != jobflow.NodeSkipped {
					t.Errorf("first record has node %s %s", n.JobID, n.Status)
				}
				if (n.Status == jobflow.NodeSkipped) != (tt.status[n.JobID] == K) {
					t.Errorf("first record: node %s is %s", n.JobID, n.Status)
				}
			}
		})
	}
}

func TestFlowRun_Rerun_ErrUnknownNode(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in := input(snapshot("a b", "a>b"))
	in.Plan = &RerunPlan{Mode: jobflow.RerunNode, NodeID: "zz"}
	res, err := run(t, env, in)
	if err == nil || res.Status != jobflow.RunFail || len(s.calls) != 0 {
		t.Fatalf("status %s, err %v, %d calls; want FAIL at once", res.Status, err, len(s.calls))
	}
	if msg := s.lastRecord(t).Run.Error; !strings.Contains(msg, "zz") {
		t.Errorf("run error %q should name the node", msg)
	}
}
