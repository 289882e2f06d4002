package activities

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"jobflow"
	"jobflow/internal/testwait"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/workflows"
)

// TestRunJob_WorkerStop: a job stopped because its worker shuts down (the
// Temporal worker's stop timeout cancelled it) is not an abort of the run:
// it fails "worker stopped" with a retryable error, for its retry policy.
func TestRunJob_WorkerStop(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	var suite testsuite.WorkflowTestSuite
	bg, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	env := suite.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{BackgroundActivityContext: bg})
	env.SetWorkerStopChannel(stop)
	env.RegisterActivityWithOptions(e.a.RunJob, activity.RegisterOptions{Name: workflows.RunJobActivity})

	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "sleep 600"})
	time.AfterFunc(time.Second, func() { close(stop); cancel() })
	_, err := env.ExecuteActivity(workflows.RunJobActivity, e.input(j, nil))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrTypeWorkerStopped || appErr.NonRetryable() {
		t.Fatalf("err = %v, want a retryable %s", err, ErrTypeWorkerStopped)
	}
	if n := e.node(t, j.ID); n.Status != jobflow.NodeFail || n.Error != MsgWorkerStopped {
		t.Errorf("node = %s %q, want FAIL %q", n.Status, n.Error, MsgWorkerStopped)
	}
	if log := e.log(t, j.ID); !strings.Contains(log, "the worker is shutting down") {
		t.Errorf("log %q does not say why the job stopped", log)
	}
}

// TestRunJob_StopJobs: StopJobs (the end of JOBFLOW_WORKER_STOP_TIMEOUT)
// stops a running job's process at once; it fails "worker stopped".
func TestRunJob_StopJobs(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo started; sleep 600"})
	done := make(chan error, 1)
	go func() {
		_, err := e.a.RunJob(context.Background(), e.input(j, nil))
		done <- err
	}()
	testwait.For(t, 10*time.Second, "the job's start", func() bool {
		text, _ := e.s.FindNodeLog(context.Background(), e.run.TenantID, e.run.ID, j.ID)
		return strings.Contains(text, "started")
	})
	stoppedAt := time.Now()
	if n := e.a.StopJobs(); n != 1 {
		t.Fatalf("StopJobs stopped %d jobs, want 1", n)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the job was still running 10 s after StopJobs")
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrTypeWorkerStopped {
		t.Fatalf("err = %v, want %s", err, ErrTypeWorkerStopped)
	}
	if n := e.node(t, j.ID); n.Status != jobflow.NodeFail || n.Error != MsgWorkerStopped {
		t.Errorf("node = %s %q, want FAIL %q", n.Status, n.Error, MsgWorkerStopped)
	}
	t.Logf("job stopped %s after StopJobs", time.Since(stoppedAt).Round(time.Millisecond))
}
