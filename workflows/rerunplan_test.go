package workflows_test

import (
	"testing"

	"jobflow"
	"jobflow/workflows"
)

func planSnapshot() *jobflow.Snapshot {
	return &jobflow.Snapshot{Canvas: jobflow.Canvas{
		Nodes: []jobflow.CanvasNode{{JobID: "a"}, {JobID: "b"}, {JobID: "c"}},
		Edges: []jobflow.Edge{{From: "a", To: "b"}, {From: "b", To: "c"}},
	}}
}

func TestNewRerunPlan(t *testing.T) {
	prior := &jobflow.Run{Nodes: []*jobflow.NodeRun{
		{JobID: "b", Status: jobflow.NodeFail}, {JobID: "a", Status: jobflow.NodeSuccess},
	}}
	p, err := workflows.NewRerunPlan(planSnapshot(), prior, jobflow.RerunFailed, "ignored")
	if err != nil {
		t.Fatal(err)
	}
	// Canvas order, the prior status of each node, PENDING for a node that never got a row.
	want := []jobflow.NodeStatus{jobflow.NodeSuccess, jobflow.NodeFail, jobflow.NodePending}
	if p.Mode != jobflow.RerunFailed || p.NodeID != "" || len(p.Prior) != 3 {
		t.Fatalf("plan %+v", p)
	}
	for i, n := range p.Prior {
		if n.JobID != []string{"a", "b", "c"}[i] || n.Status != want[i] {
			t.Errorf("prior[%d] = %+v", i, n)
		}
	}
	if p, err := workflows.NewRerunPlan(planSnapshot(), prior, "", ""); err != nil || p.Mode != jobflow.RerunAll {
		t.Errorf("empty mode: %+v %v", p, err)
	}
	if p, err := workflows.NewRerunPlan(planSnapshot(), prior, jobflow.RerunFromNode, "b"); err != nil || p.NodeID != "b" {
		t.Errorf("FROM_NODE: %+v %v", p, err)
	}
	for _, bad := range []struct {
		mode jobflow.RerunMode
		node string
	}{{"SOME", ""}, {jobflow.RerunNode, ""}, {jobflow.RerunFromNode, "x"}} {
		if _, err := workflows.NewRerunPlan(planSnapshot(), prior, bad.mode, bad.node); jobflow.ErrorCode(err) != jobflow.EINVALID {
			t.Errorf("mode %s node %q: %v, want INVALID", bad.mode, bad.node, err)
		}
	}
}
