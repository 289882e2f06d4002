package engine_test

import (
	"testing"

	"jobflow"
	"jobflow/engine"
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
	p, err := engine.NewRerunPlan(planSnapshot(), prior, jobflow.RerunFailed, "ignored")
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
	if p, err := engine.NewRerunPlan(planSnapshot(), prior, "", ""); err != nil || p.Mode != jobflow.RerunAll {
		t.Errorf("empty mode: %+v %v", p, err)
	}
	if p, err := engine.NewRerunPlan(planSnapshot(), prior, jobflow.RerunFromNode, "b"); err != nil || p.NodeID != "b" {
		t.Errorf("FROM_NODE: %+v %v", p, err)
	}
	for _, bad := range []struct {
		mode jobflow.RerunMode
		node string
	}{{"SOME", ""}, {jobflow.RerunNode, ""}, {jobflow.RerunFromNode, "x"}} {
		if _, err := engine.NewRerunPlan(planSnapshot(), prior, bad.mode, bad.node); jobflow.ErrorCode(err) != jobflow.EINVALID {
			t.Errorf("mode %s node %q: %v, want INVALID", bad.mode, bad.node, err)
		}
	}
}

func TestMergeParams(t *testing.T) {
	got, err := engine.MergeParams(map[string]string{"a": "1", "b": "2"}, map[string]string{"b": "3", "c": "4"})
	if err != nil || len(got) != 3 || got["a"] != "1" || got["b"] != "3" || got["c"] != "4" {
		t.Fatalf("merge: %v %v", got, err)
	}
	if _, err := engine.MergeParams(nil, map[string]string{"no-dash": "x"}); jobflow.ErrorCode(err) != jobflow.EINVALID {
		t.Errorf("bad name: %v", err)
	}
}

func TestTakeSnapshot(t *testing.T) {
	w := &jobflow.Workflow{ID: "wf", Name: "n", Canvas: planSnapshot().Canvas,
		Jobs: []*jobflow.Job{{ID: "c", Name: "C"}, {ID: "a", Name: "A"}, {ID: "b", Name: "B"}, {ID: "off", Name: "off canvas"}}}
	s, err := engine.TakeSnapshot(w, "ver_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Jobs) != 3 || s.Jobs[0].ID != "a" || s.Jobs[2].ID != "c" || s.VersionID != "ver_1" || s.Config.MaxParallelism != 16 {
		t.Errorf("snapshot jobs %+v (only the canvas's, in canvas order), config %+v", s.Jobs, s.Config)
	}
	w.Canvas = jobflow.Canvas{}
	if _, err := engine.TakeSnapshot(w, ""); jobflow.ErrorCode(err) != jobflow.EINVALID {
		t.Errorf("empty canvas: %v", err)
	}
}
