package e2e

import (
	"jobflow/internal/testproc"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
)

// lines counts the lines of a side-effect file (0 if it does not exist).
func lines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	} else if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// TestWorkerGracefulStop: SIGTERM to a real `jobflow worker` process with
// JOBFLOW_WORKER_STOP_TIMEOUT=5s while two jobs run. The worker takes no
// new job; the job that ends within the timeout ends SUCCESS on it; the
// one still running then is stopped (its process gone) and fails "worker
// stopped", and its retry policy runs it again on the next worker. Side
// effects are counted: nothing ran twice that should not have.
func TestWorkerGracefulStop(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{noWorker: true})
	dir := jobdir.New(t)
	quick := shell("quick", "sleep 2; echo quick >> "+dir+"/quick")
	long := shell("long", "echo attempt >> "+dir+"/long; if [ -f "+dir+"/long-once ]; then echo second attempt; exit 0; fi; "+
		"touch "+dir+"/long-once; sleep 601.51 & wait")
	long.Retry = map[string]int{"maxAttempts": 2, "intervalSeconds": 1}
	next := shell("next", "echo next >> "+dir+"/next")
	wf, ids := e.workflow("drain", []jobSpec{quick, long, next}, [][2]string{{"quick", "next"}}, nil)

	a := e.startWorker(t, "a", "JOBFLOW_WORKER_STOP_TIMEOUT=5s")
	id := e.start(wf, nil)
	e.waitRun(id, 60*time.Second, "quick and long to run", func(r *jobflow.Run) bool {
		q, l := findNode(r, ids["quick"]), findNode(r, ids["long"])
		return q != nil && q.Status == jobflow.NodeRunning && l != nil && l.Status == jobflow.NodeRunning &&
			lines(t, filepath.Join(dir, "long")) == 1
	})
	// The long job's sleep, by its command line (a sandboxed job's $! is a
	// pid of its own namespace).
	var sleepPID int
	eventually(5*time.Second, func() bool {
		if p := testproc.PIDs("sleep 601.51"); len(p) == 1 {
			sleepPID = p[0]
		}
		return sleepPID != 0
	})

	termAt := time.Now()
	if err := a.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- a.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("worker exited with %v, want 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker still running 30 s after SIGTERM (stop timeout 5 s)")
	}
	took := time.Since(termAt)
	t.Logf("worker exited %s after SIGTERM", took.Round(time.Millisecond))
	if took < 4*time.Second {
		t.Fatalf("worker exited after %s: it did not wait the 5 s stop timeout for the running job", took)
	}
	// A zombie counts as gone: only its reaping by PID 1 is left, which no
	// jobflow process controls (this VM's init reaps late).
	if sleepPID == 0 || !eventually(2*time.Second, func() bool { return testproc.Gone(sleepPID) }) {
		t.Fatalf("the stopped job's process %d outlived its worker", sleepPID)
	}

	r := e.run(id)
	if n := node(t, r, ids["quick"]); n.Status != jobflow.NodeSuccess {
		t.Fatalf("quick = %s %q; it ended within the stop timeout, want SUCCESS", n.Status, n.Error)
	}
	if n := node(t, r, ids["long"]); n.Status != jobflow.NodeFail || n.Error != "worker stopped" || n.Attempt != 1 {
		t.Fatalf("long = %s %q attempt %d, want FAIL \"worker stopped\" attempt 1", n.Status, n.Error, n.Attempt)
	}
	if n := findNode(r, ids["next"]); n != nil && n.Status != jobflow.NodePending {
		t.Fatalf("next = %s: the stopping worker took a new job", n.Status)
	}
	if got := lines(t, filepath.Join(dir, "next")); got != 0 {
		t.Fatalf("next ran %d times before another worker came", got)
	}

	e.startWorker(t, "b")
	r = e.waitFinished(id)
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("run %s %q, want SUCCESS", r.Status, r.Error)
	}
	if n := node(t, r, ids["long"]); n.Status != jobflow.NodeSuccess || n.Attempt != 2 {
		t.Fatalf("long = %s attempt %d, want SUCCESS on attempt 2", n.Status, n.Attempt)
	}
	if log := e.log(id, ids["long"]); !strings.Contains(log, "second attempt") || !strings.Contains(log, "shutting down") {
		t.Fatalf("long's log does not show the stop and the second attempt:\n%s", log)
	}
	q, l, nx := lines(t, filepath.Join(dir, "quick")), lines(t, filepath.Join(dir, "long")), lines(t, filepath.Join(dir, "next"))
	t.Logf("side effects: quick %d, long attempts %d, next %d", q, l, nx)
	if q != 1 || l != 2 || nx != 1 {
		t.Fatalf("side effects quick=%d long=%d next=%d, want 1, 2 (one per attempt), 1", q, l, nx)
	}
}
