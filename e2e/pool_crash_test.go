package e2e

import (
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testproc"
	"jobflow/internal/testtier"
)

// TestPoolWorkerCrash: a job holding a pool's only slot loses its worker
// process (SIGKILL) mid-job. The slot is not leaked: once Temporal times
// the job out (its heartbeat stops), its FlowRun — on a new worker —
// fails the node and releases the slot, and the job of another run that
// waited for it (WAITING, with the pool's reason) runs, once. At the end
// the pool holds nothing (docs/run-semantics.md#pools).
func TestPoolWorkerCrash(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and a heartbeat timeout (end-to-end)")
	e := newEnv(t, envOptions{noWorker: true})
	var pool jobflow.Pool
	e.API.Must("POST", "/api/v1/pools", map[string]any{"name": "db-prod", "slots": 1}, 201, &pool)
	holderWF, hids := e.workflow("holder", []jobSpec{{Name: "hold", Type: "SHELL", Pool: "db-prod",
		Config: map[string]any{"script": "sleep 600.02"}}}, nil, nil)
	waiterWF, wids := e.workflow("waiter", []jobSpec{{Name: "next", Type: "SHELL", Pool: "db-prod",
		Config: map[string]any{"script": "echo next"}}}, nil, nil)

	w1 := e.startWorker(t, "worker1")
	holder := e.start(holderWF, nil)
	e.waitRun(holder, 120*time.Second, "hold RUNNING", func(r *jobflow.Run) bool {
		n := findNode(r, hids["hold"])
		return n != nil && n.Status == jobflow.NodeRunning && len(testproc.PIDs("sleep 600.02")) == 1
	})
	waiter := e.start(waiterWF, nil)
	e.waitRun(waiter, 60*time.Second, "next WAITING for the pool", func(r *jobflow.Run) bool {
		n := findNode(r, wids["next"])
		return n != nil && n.Status == jobflow.NodeWaiting && n.WaitReason == "pool db-prod 1/1, position 1"
	})

	if err := w1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w1.Wait()
	e.startWorker(t, "worker2")

	// The holder's job times out on its heartbeat (60 s), its node fails,
	// and the slot goes to the waiter.
	r := e.waitRun(waiter, 180*time.Second, "the waiter's end", func(r *jobflow.Run) bool { return r.Status.Finished() })
	if n := node(t, r, wids["next"]); r.Status != jobflow.RunSuccess || n.Attempt != 1 {
		t.Fatalf("waiter %s, next attempt %d: want SUCCESS, run once", r.Status, n.Attempt)
	}
	h := e.waitRun(holder, 60*time.Second, "the holder's end", func(r *jobflow.Run) bool { return r.Status.Finished() })
	if h.Status != jobflow.RunFail {
		t.Fatalf("holder %s, want FAIL (its job's worker died)", h.Status)
	}
	var after jobflow.Pool
	e.API.Must("GET", "/api/v1/pools/"+pool.ID, nil, 200, &after)
	if after.Used != 0 || after.Waiting != 0 || len(after.Holders) != 0 {
		t.Fatalf("the pool at the end: %+v", after)
	}
}
