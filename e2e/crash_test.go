package e2e

import (
	"encoding/base64"
	"jobflow/internal/testproc"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
	"jobflow/store/storetest"
)

// startWorker starts a `jobflow worker` process on the env's Temporal
// server and database, with extra environment settings (NAME=value).
func (e *env) startWorker(t *testing.T, name string, extraEnv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(testrig.Binary(t), "worker")
	cmd.Env = append(os.Environ(),
		"JOBFLOW_TEMPORAL_ADDRESS="+e.Temporal.GetFrontendHostPort(),
		"JOBFLOW_TEMPORAL_NAMESPACE="+e.Temporal.GetDefaultNamespace(),
		"JOBFLOW_DATABASE_URL="+e.DBURL,
		"JOBFLOW_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(storetest.Key),
		"JOBFLOW_DATA_DIR="+t.TempDir(),
		"JOBFLOW_LOG_LEVEL=warn",
		"JOBFLOW_JOB_WRITABLE="+jobdir.Base(), // the jobs' marks (internal/jobdir)
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	logFile, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start worker %s: %v", name, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("worker %s output:\n%s", name, b)
		}
	})
	return cmd
}

// TestWorkerCrash: the worker process is killed (SIGKILL) while the middle
// job of a 3-job chain runs, and started again. The killed attempt's
// processes die with the worker (its supervisor kills them), so they cannot
// finish beside the retry: the side effects read exactly "a b c". The run
// finishes SUCCESS.
//
// The middle job allows 3 attempts: a job that was running on a dead
// worker cannot be known to have finished, so it runs again only when its
// retry policy allows it (jobs are not assumed idempotent).
func TestWorkerCrash(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{noWorker: true})
	dir := jobdir.New(t)
	count := filepath.Join(dir, "count")
	wf, ids := e.workflow("crash", []jobSpec{
		shell("first", "echo a >> "+count),
		{Name: "middle", Type: "SHELL", Config: map[string]any{"script": "sleep 8.01 &\nwait $!\necho b >> " + count},
			Retry: map[string]int{"maxAttempts": 3, "intervalSeconds": 1}},
		shell("last", "echo c >> "+count),
	}, [][2]string{{"first", "middle"}, {"middle", "last"}}, nil)

	w1 := e.startWorker(t, "worker1")
	runID := e.start(wf, nil)
	var pids []int
	e.waitRun(runID, 120*time.Second, "middle RUNNING", func(r *jobflow.Run) bool {
		n := findNode(r, ids["middle"])
		// The job's sleep, by its command line (a sandboxed job's $! is a
		// pid of its own namespace).
		pids = testproc.PIDs("sleep 8.01")
		return n != nil && n.Status == jobflow.NodeRunning && len(pids) == 1
	})
	if err := w1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w1.Wait()
	// Before any other worker starts: the dead worker's job is gone.
	for _, pid := range pids {
		if !eventually(3*time.Second, func() bool { return testproc.Gone(pid) }) {
			t.Errorf("process %d of the killed worker's job is still alive", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}

	e.startWorker(t, "worker2")
	r := e.waitRun(runID, 150*time.Second, "the end", func(r *jobflow.Run) bool { return r.Status.Finished() })
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("run %s after the crash, want SUCCESS: %+v", r.Status, r.Nodes)
	}
	if b, _ := os.ReadFile(count); string(b) != "a\nb\nc\n" {
		t.Errorf("side effects %q, want exactly a, b, c: one per attempt that reached its end", b)
	}
	if m := node(t, r, ids["middle"]); m.Status != jobflow.NodeSuccess || m.Attempt != 2 {
		t.Errorf("middle node %s attempt %d, want SUCCESS on attempt 2", m.Status, m.Attempt)
	}
}

// eventually reports whether cond holds within d.
func eventually(d time.Duration, cond func() bool) bool {
	return testwait.Until(d, cond)
}
