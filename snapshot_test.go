package jobflow_test

import (
	"testing"

	"jobflow"
)

func planSnapshot() *jobflow.Snapshot {
	return &jobflow.Snapshot{Canvas: jobflow.Canvas{
		Nodes: []jobflow.CanvasNode{{JobID: "a"}, {JobID: "b"}, {JobID: "c"}},
		Edges: []jobflow.Edge{{From: "a", To: "b"}, {From: "b", To: "c"}},
	}}
}

func TestMergeParams(t *testing.T) {
	got, err := jobflow.MergeParams(map[string]string{"a": "1", "b": "2"}, map[string]string{"b": "3", "c": "4"})
	if err != nil || len(got) != 3 || got["a"] != "1" || got["b"] != "3" || got["c"] != "4" {
		t.Fatalf("merge: %v %v", got, err)
	}
	if _, err := jobflow.MergeParams(nil, map[string]string{"no-dash": "x"}); jobflow.ErrorCode(err) != jobflow.EINVALID {
		t.Errorf("bad name: %v", err)
	}
}

func TestTakeSnapshot(t *testing.T) {
	w := &jobflow.Workflow{ID: "wf", Name: "n", Canvas: planSnapshot().Canvas,
		Jobs: []*jobflow.Job{{ID: "c", Name: "C"}, {ID: "a", Name: "A"}, {ID: "b", Name: "B"}, {ID: "off", Name: "off canvas"}}}
	s, err := jobflow.TakeSnapshot(w, "ver_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Jobs) != 3 || s.Jobs[0].ID != "a" || s.Jobs[2].ID != "c" || s.VersionID != "ver_1" || s.Config.MaxParallelism != 16 {
		t.Errorf("snapshot jobs %+v (only the canvas's, in canvas order), config %+v", s.Jobs, s.Config)
	}
	w.Canvas = jobflow.Canvas{}
	if _, err := jobflow.TakeSnapshot(w, ""); jobflow.ErrorCode(err) != jobflow.EINVALID {
		t.Errorf("empty canvas: %v", err)
	}
}
