package engine_test

import (
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestEngine_DisabledNode: through the REST API on a real Temporal server
// and worker, a node disabled on the canvas is saved as such, is DISABLED
// in the run and never executed (no log), its child runs after it, and a
// rerun keeps it DISABLED (docs/run-semantics.md#disabled-nodes).
func TestEngine_DisabledNode(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	wfID, ids := e.workflow("disabled", []jobSpec{shell("a", "echo ran-a"), shell("b", "echo ran-b"), shell("c", "echo ran-c")}, nil)

	var wf jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+wfID, nil, 200, &wf)
	for i := range wf.Canvas.Nodes {
		wf.Canvas.Nodes[i].Disabled = wf.Canvas.Nodes[i].JobID == ids["b"]
	}
	e.API.Must("PUT", "/api/v1/workflows/"+wfID+"/canvas",
		map[string]any{"nodes": wf.Canvas.Nodes, "edges": wf.Canvas.Edges, "revision": wf.Revision}, 200, nil)
	e.API.Must("GET", "/api/v1/workflows/"+wfID, nil, 200, &wf)
	if !wf.Canvas.Nodes[1].Disabled || wf.Canvas.Nodes[0].Disabled || wf.Canvas.Nodes[2].Disabled {
		t.Fatalf("saved canvas %+v: want b alone disabled", wf.Canvas.Nodes)
	}

	check := func(r *jobflow.Run) {
		t.Helper()
		if r.Status != jobflow.RunSuccess {
			t.Fatalf("run %s: %s %q", r.ID, r.Status, r.Error)
		}
		got := map[string]jobflow.NodeStatus{}
		for _, n := range r.Nodes {
			got[n.JobID] = n.Status
		}
		if got[ids["a"]] != jobflow.NodeSuccess || got[ids["b"]] != jobflow.NodeDisabled || got[ids["c"]] != jobflow.NodeSuccess {
			t.Fatalf("node statuses %v: want a SUCCESS, b DISABLED, c SUCCESS", got)
		}
		if log := e.log(r.ID, ids["c"]); !strings.Contains(log, "ran-c") {
			t.Errorf("c's log %q", log)
		}
		if code, body := e.API.Do("GET", "/api/v1/runs/"+r.ID+"/nodes/"+ids["b"]+"/log", nil); strings.Contains(string(body), "ran-b") {
			t.Errorf("the disabled job ran: log %d %q", code, body)
		}
	}
	var started struct {
		RunID string `json:"runId"`
	}
	e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &started)
	check(e.waitFinished(started.RunID))

	var rerun struct {
		RunID string `json:"runId"`
	}
	e.API.Must("POST", "/api/v1/runs/"+started.RunID+"/rerun", map[string]string{"mode": "ALL"}, 202, &rerun)
	check(e.waitFinished(rerun.RunID))
}
