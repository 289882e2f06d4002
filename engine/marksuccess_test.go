package engine_test

import (
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestEngine_MarkSuccess: through the REST API on a real Temporal server
// and worker. On a finished run, marking the failed job a answers a new
// run (a FAILED-mode rerun) where a is FORCED_SUCCESS with who and why and
// b, UPSTREAM_FAILED before, runs; on a running run the mark takes effect
// in the run itself. No reason is a 400, a node that did not fail a 409
// (docs/run-semantics.md#mark-success).
func TestEngine_MarkSuccess(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	status := func(r *jobflow.Run, id string) *jobflow.NodeRun {
		for _, n := range r.Nodes {
			if n.JobID == id {
				return n
			}
		}
		return &jobflow.NodeRun{JobID: id} // no row yet
	}
	type marked struct {
		RunID  string             `json:"runId"`
		Status jobflow.NodeStatus `json:"status"`
	}

	t.Run("FinishedRun", func(t *testing.T) {
		wfID, ids := e.workflow("mark-finished", []jobSpec{shell("a", "exit 3"), shell("b", "echo ran-b")}, nil)
		var started struct {
			RunID string `json:"runId"`
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &started)
		if r := e.waitFinished(started.RunID); r.Status != jobflow.RunFail || status(r, ids["b"]).Status != jobflow.NodeUpstreamFailed {
			t.Fatalf("first run %s, b %s", r.Status, status(r, ids["b"]).Status)
		}
		path := "/api/v1/runs/" + started.RunID + "/nodes/" + ids["a"] + "/mark-success"
		if f := e.API.Fail("POST", path, map[string]string{"reason": "  "}, 400); f.Code != jobflow.EINVALID {
			t.Fatalf("no reason: %+v", f)
		}
		if n := e.runs(wfID, "").Total; n != 1 {
			t.Fatalf("a refused mark started runs: %d runs of the workflow", n)
		}
		var m marked
		e.API.Must("POST", path, map[string]string{"reason": "loaded by hand"}, 200, &m)
		if m.RunID == "" || m.RunID == started.RunID || m.Status != jobflow.NodeForcedSuccess {
			t.Fatalf("mark answered %+v", m)
		}
		r := e.waitFinished(m.RunID)
		a := status(r, ids["a"])
		if r.Status != jobflow.RunSuccess || r.RerunOf != started.RunID || a.Status != jobflow.NodeForcedSuccess ||
			!strings.Contains(a.Error, "loaded by hand") || status(r, ids["b"]).Status != jobflow.NodeSuccess {
			t.Fatalf("rerun %s (of %q): a %s %q, b %s", r.Status, r.RerunOf, a.Status, a.Error, status(r, ids["b"]).Status)
		}
		if log := e.log(r.ID, ids["b"]); !strings.Contains(log, "ran-b") {
			t.Errorf("b's log %q", log)
		}
		if f := e.API.Fail("POST", "/api/v1/runs/"+r.ID+"/nodes/"+ids["b"]+"/mark-success", map[string]string{"reason": "x"}, 409); f.Code != jobflow.ECONFLICT {
			t.Fatalf("mark of a SUCCESS node: %+v", f)
		}
	})

	t.Run("RunningRun", func(t *testing.T) {
		wfID, ids := e.workflow("mark-running", []jobSpec{shell("a", "exit 3"), shell("b", "echo ran-b"), shell("s", "sleep 5")}, nil)
		// s is not below a: it keeps the run going while a has failed.
		var wf jobflow.Workflow
		e.API.Must("GET", "/api/v1/workflows/"+wfID, nil, 200, &wf)
		e.API.Must("PUT", "/api/v1/workflows/"+wfID+"/canvas", map[string]any{"nodes": wf.Canvas.Nodes,
			"edges": []jobflow.Edge{{From: ids["a"], To: ids["b"]}}, "revision": wf.Revision}, 200, nil)
		var started struct {
			RunID string `json:"runId"`
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &started)
		e.eventually(30*time.Second, "a failed, b upstream failed", func() bool {
			r := e.run(started.RunID)
			return status(r, ids["a"]).Status == jobflow.NodeFail && status(r, ids["b"]).Status == jobflow.NodeUpstreamFailed
		})
		var m marked
		e.API.Must("POST", "/api/v1/runs/"+started.RunID+"/nodes/"+ids["a"]+"/mark-success", map[string]string{"reason": "known flake"}, 200, &m)
		if m.RunID != started.RunID {
			t.Fatalf("a mark of a running run answered run %s", m.RunID)
		}
		r := e.waitFinished(started.RunID)
		if r.Status != jobflow.RunSuccess || status(r, ids["a"]).Status != jobflow.NodeForcedSuccess || status(r, ids["b"]).Status != jobflow.NodeSuccess {
			t.Fatalf("run %s %q: a %s, b %s", r.Status, r.Error, status(r, ids["a"]).Status, status(r, ids["b"]).Status)
		}
	})
}
