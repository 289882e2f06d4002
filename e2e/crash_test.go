package e2e

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testrig"
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
// job of a 3-job chain runs, and started again. The run finishes SUCCESS;
// the first job ran exactly once (its side effect counted in a file).
//
// The middle job allows 2 attempts: a job that was running on a dead
// worker cannot be known to have finished, so it runs again only when its
// retry policy allows it (jobs are not assumed idempotent).
func TestWorkerCrash(t *testing.T) {
	e := newEnv(t, envOptions{noWorker: true})
	dir := t.TempDir()
	count, pidFile := filepath.Join(dir, "count"), filepath.Join(dir, "pid")
	wf, ids := e.workflow("crash", []jobSpec{
		shell("first", "echo ran >> "+count),
		{Name: "middle", Type: "SHELL", Config: map[string]any{"script": "echo $$ > " + pidFile + "\nsleep 5"},
			Retry: map[string]int{"maxAttempts": 2, "intervalSeconds": 1}},
		shell("last", "echo last >> "+count+".last"),
	}, [][2]string{{"first", "middle"}, {"middle", "last"}}, nil)

	w1 := e.startWorker(t, "worker1")
	runID := e.start(wf, nil)
	e.waitRun(runID, 120*time.Second, "middle RUNNING", func(r *jobflow.Run) bool {
		n := findNode(r, ids["middle"])
		_, err := os.Stat(pidFile)
		return n != nil && n.Status == jobflow.NodeRunning && err == nil
	})
	if err := w1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w1.Wait()
	// The orphaned attempt's shell is no business of the new worker's.
	if b, err := os.ReadFile(pidFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			syscall.Kill(-pid, syscall.SIGKILL)
		}
	}

	e.startWorker(t, "worker2")
	r := e.waitRun(runID, 150*time.Second, "the end", func(r *jobflow.Run) bool { return r.Status.Finished() })
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("run %s after the crash, want SUCCESS: %+v", r.Status, r.Nodes)
	}
	if b, _ := os.ReadFile(count); string(b) != "ran\n" {
		t.Errorf("first job side effects %q, want exactly one", b)
	}
	if b, _ := os.ReadFile(count + ".last"); string(b) != "last\n" {
		t.Errorf("last job side effects %q, want exactly one", b)
	}
	if m := node(t, r, ids["middle"]); m.Status != jobflow.NodeSuccess || m.Attempt != 2 {
		t.Errorf("middle node %s attempt %d, want SUCCESS on attempt 2", m.Status, m.Attempt)
	}
}
