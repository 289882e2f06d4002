package activities

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/internal/testwait"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/workflows"
)

// runOneJob is a minimal workflow that calls RunJob by its registered name,
// the way FlowRun does: heartbeat timeout, cancellation waited for.
func runOneJob(ctx workflow.Context, in workflows.RunJobInput) (workflows.RunJobResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    5 * time.Second,
		WaitForCancellation: true,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	var res workflows.RunJobResult
	err := workflow.ExecuteActivity(ctx, workflows.RunJobActivity, in).Get(ctx, &res)
	return res, err
}

// TestActivities_Register registers the activities on a workflow test
// environment (a worker.Registry) and drives RunJob from a workflow: the
// result, a failure as the workflow sees it, and a workflow cancellation
// reaching the job through heartbeats.
func TestActivities_Register(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	var suite testsuite.WorkflowTestSuite

	newEnv := func() *testsuite.TestWorkflowEnvironment {
		env := suite.NewTestWorkflowEnvironment()
		// The jobs are real processes: on a loaded machine they outlast the
		// test environment's 3 s default and its 1 s deadlock detector.
		env.SetTestTimeout(time.Minute)
		env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
		e.a.Register(env)
		env.RegisterWorkflow(runOneJob)
		return env
	}

	t.Run("Success", func(t *testing.T) {
		env := newEnv()
		env.ExecuteWorkflow(runOneJob, e.input(e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo ok"}), nil))
		var res workflows.RunJobResult
		if err := env.GetWorkflowResult(&res); err != nil || res.ExitCode == nil || *res.ExitCode != 0 {
			t.Fatalf("result %+v (%v), want exit code 0", res, err)
		}
	})

	t.Run("FailureSeenByWorkflow", func(t *testing.T) {
		env := newEnv()
		env.ExecuteWorkflow(runOneJob, e.input(e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "exit 3"}), nil))
		var ae *temporal.ApplicationError
		if err := env.GetWorkflowError(); !errors.As(err, &ae) || ae.Type() != ErrTypeJobFailed || ae.Message() != "exit code 3" {
			t.Fatalf("workflow error %v, want an application error JobFailed \"exit code 3\"", err)
		}
	})

	t.Run("CancelAborts", func(t *testing.T) {
		env := newEnv()
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "sleep 600"})
		env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
		start := time.Now()
		env.ExecuteWorkflow(runOneJob, e.input(j, nil))
		if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
			t.Errorf("workflow error %v, want canceled", err)
		}
		// The test environment does not wait for the activity to return;
		// the job's own ABORTED row says when it stopped.
		var status jobflow.NodeStatus
		if !testwait.Until(10*time.Second-time.Since(start), func() bool {
			status = e.node(t, j.ID).Status
			return status == jobflow.NodeAborted
		}) {
			t.Errorf("node status = %s 10 s after the cancel, want ABORTED", status)
		}
	})
}
