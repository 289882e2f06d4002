package engine_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestEngine_PauseResume: through the REST API on a real Temporal server
// and worker: a pause while a runs answers the run PAUSED; a finishes and b
// does not start; a second pause and a resume of a running run are 409;
// resume answers RUNNING and the run succeeds; a paused run can be
// aborted; a finished run cannot be paused (docs/run-semantics.md#pause-and-resume).
func TestEngine_PauseResume(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	wfID, ids := e.workflow("pausable", []jobSpec{shell("a", "sleep 2; echo a"), shell("b", "echo b")}, nil)
	nodeStatus := func(r *jobflow.Run, id string) jobflow.NodeStatus {
		for _, n := range r.Nodes {
			if n.JobID == id {
				return n.Status
			}
		}
		return ""
	}
	start := func() string {
		var started struct {
			RunID string `json:"runId"`
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &started)
		e.eventually(30*time.Second, "a running", func() bool { return nodeStatus(e.run(started.RunID), ids["a"]) == jobflow.NodeRunning })
		return started.RunID
	}

	id := start()
	e.API.Fail("POST", "/api/v1/runs/"+id+"/resume", nil, 409)
	var paused jobflow.Run
	e.API.Must("POST", "/api/v1/runs/"+id+"/pause", nil, 200, &paused)
	if paused.Status != jobflow.RunPaused {
		t.Fatalf("pause answered the run %s", paused.Status)
	}
	if f := e.API.Fail("POST", "/api/v1/runs/"+id+"/pause", nil, 409); f.Code != jobflow.ECONFLICT {
		t.Fatalf("second pause: %+v", f)
	}
	e.eventually(30*time.Second, "a to finish while paused", func() bool { return nodeStatus(e.run(id), ids["a"]) == jobflow.NodeSuccess })
	time.Sleep(2 * time.Second) // b must not start: an absence only time shows
	if r := e.run(id); r.Status != jobflow.RunPaused || nodeStatus(r, ids["b"]) != jobflow.NodePending {
		t.Fatalf("paused run: %s, b %s; want PAUSED and b PENDING", r.Status, nodeStatus(r, ids["b"]))
	}
	var resumed jobflow.Run
	e.API.Must("POST", "/api/v1/runs/"+id+"/resume", nil, 200, &resumed)
	if resumed.Status != jobflow.RunRunning {
		t.Fatalf("resume answered the run %s", resumed.Status)
	}
	if r := e.waitFinished(id); r.Status != jobflow.RunSuccess || nodeStatus(r, ids["b"]) != jobflow.NodeSuccess {
		t.Fatalf("after resume: %s, b %s", r.Status, nodeStatus(r, ids["b"]))
	}
	e.API.Fail("POST", "/api/v1/runs/"+id+"/pause", nil, 409)

	id = start()
	e.API.Must("POST", "/api/v1/runs/"+id+"/pause", nil, 200, nil)
	e.API.Must("POST", "/api/v1/runs/"+id+"/abort", nil, 202, nil)
	if r := e.waitFinished(id); r.Status != jobflow.RunAborted || nodeStatus(r, ids["b"]) == jobflow.NodeSuccess {
		t.Fatalf("abort while paused: %s, b %s", r.Status, nodeStatus(r, ids["b"]))
	}
}
