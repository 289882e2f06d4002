package activities

import (
	"context"
	"jobflow/internal/testproc"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

func TestRunJob_Shell(t *testing.T) {
	e := newTestEnv(t, storetest.Primary())
	ctx := context.Background()

	t.Run("Success", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo hello; echo oops >&2"})
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		if res.ExitCode == nil || *res.ExitCode != 0 {
			t.Errorf("exit code = %v, want 0", res.ExitCode)
		}
		n := e.node(t, j.ID)
		if n.Status != jobflow.NodeSuccess || n.Attempt != 1 || n.StartedAt == nil || n.EndedAt == nil || n.ExitCode == nil || *n.ExitCode != 0 {
			t.Errorf("node run = %+v, want SUCCESS, attempt 1, times and exit code 0", n)
		}
		if log := e.log(t, j.ID); !strings.Contains(log, "hello\n") || !strings.Contains(log, "oops\n") {
			t.Errorf("log %q lacks stdout or stderr", log)
		}
	})

	t.Run("ExitCode", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo before; exit 3"})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		ae := appError(t, err)
		if ae.Type() != ErrTypeJobFailed || ae.NonRetryable() || ae.Message() != "exit code 3" {
			t.Errorf("error = %q type %s nonRetryable %v, want retryable JobFailed \"exit code 3\"", ae.Message(), ae.Type(), ae.NonRetryable())
		}
		n := e.node(t, j.ID)
		if n.Status != jobflow.NodeFail || n.Error != "exit code 3" || n.ExitCode == nil || *n.ExitCode != 3 {
			t.Errorf("node run = %+v, want FAIL with exit code 3", n)
		}
	})

	t.Run("KilledBySignal", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "kill -9 $$"})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); ae.Message() != "killed by signal 9 (killed)" {
			t.Errorf("error = %q, want killed by signal 9", ae.Message())
		}
	})

	t.Run("Env", func(t *testing.T) {
		t.Setenv("JOBFLOW_TEST_WORKER_SECRET", "do-not-leak")
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{
			Script: `echo "foo=$FOO run=$JOBFLOW_RUN_ID job=$JOBFLOW_JOB_ID attempt=$JOBFLOW_ATTEMPT secret=$JOBFLOW_TEST_WORKER_SECRET"; pwd`,
			Env:    map[string]string{"FOO": "bar-${params.x}", "JOBFLOW_RUN_ID": "overridden"},
		})
		if _, err := e.a.RunJob(ctx, e.input(j, map[string]string{"x": "42"})); err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		want := "foo=bar-42 run=" + e.run.ID + " job=" + j.ID + " attempt=1 secret=\n"
		if log := e.log(t, j.ID); !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	})

	t.Run("Variables", func(t *testing.T) {
		// logicalTime is 2026-11-25 02:00 in Asia/Shanghai, 2026-11-24 in UTC.
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo day=$[yyyyMMdd-1] today=${qing.current_date}"})
		if _, err := e.a.RunJob(ctx, e.input(j, nil)); err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		if log := e.log(t, j.ID); !strings.Contains(log, "day=20261124 today=2026-11-25\n") {
			t.Errorf("log %q lacks the resolved variables", log)
		}
	})

	t.Run("UnknownVariable", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo ${params.nope}"})
		_, err := e.a.RunJob(ctx, e.input(j, map[string]string{"x": "1"}))
		ae := appError(t, err)
		if ae.Type() != ErrTypeConfig || !ae.NonRetryable() || !strings.Contains(ae.Message(), "params.nope") {
			t.Errorf("error = %q type %s nonRetryable %v, want non-retryable JobConfig naming params.nope", ae.Message(), ae.Type(), ae.NonRetryable())
		}
		if n := e.node(t, j.ID); n.Status != jobflow.NodeFail || !strings.Contains(n.Error, "params.nope") {
			t.Errorf("node run = %+v, want FAIL naming params.nope", n)
		}
	})

	t.Run("Timeout", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo start; sleep 600"})
		j.TimeoutSeconds = 1
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		ae := appError(t, err)
		if ae.Type() != ErrTypeJobFailed || ae.Message() != "timed out after 1 s" {
			t.Errorf("error = %q type %s, want JobFailed \"timed out after 1 s\"", ae.Message(), ae.Type())
		}
		if n := e.node(t, j.ID); n.Status != jobflow.NodeFail || n.Error != "timed out after 1 s" {
			t.Errorf("node run = %+v, want FAIL timed out", n)
		}
	})
}

func TestRunJob_Python(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	ctx := context.Background()
	j := e.job(jobflow.JobPython, jobtypes.ShellConfig{Script: "import os, sys\nprint('py', sys.version_info[0], os.environ['GREETING'])\n"})
	j.Config = []byte(`{"script":"import os, sys\nprint('py', sys.version_info[0], os.environ['GREETING'])\n","env":{"GREETING":"hi"}}`)
	if _, err := e.a.RunJob(ctx, e.input(j, nil)); err != nil {
		t.Fatalf("RunJob: %v", err)
	}
	if log := e.log(t, j.ID); !strings.Contains(log, "py 3 hi\n") {
		t.Errorf("log %q lacks the script's output", log)
	}

	bad := e.job(jobflow.JobPython, jobtypes.ShellConfig{Script: "raise ValueError('broken')"})
	_, err := e.a.RunJob(ctx, e.input(bad, nil))
	if ae := appError(t, err); ae.Message() != "exit code 1" {
		t.Errorf("error = %q, want exit code 1", ae.Message())
	}
	if log := e.log(t, bad.ID); !strings.Contains(log, "ValueError: broken") {
		t.Errorf("log %q lacks the traceback", log)
	}
}

// TestRunJob_LogStreaming reads the node log from the store while the job
// still runs: lines printed early are there before the job ends.
func TestRunJob_LogStreaming(t *testing.T) {
	e := newTestEnv(t, storetest.Primary())
	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "for i in 1 2 3; do echo line$i; sleep 1; done"})
	done := make(chan error, 1)
	go func() {
		_, err := e.a.RunJob(context.Background(), e.input(j, nil))
		done <- err
	}()
	var seenWhileRunning bool
	for !seenWhileRunning {
		select {
		case err := <-done:
			t.Fatalf("job ended (err %v) before its first line was in the store", err)
		case <-time.After(100 * time.Millisecond):
		}
		log, err := e.s.FindNodeLog(context.Background(), e.run.TenantID, e.run.ID, j.ID)
		if err == nil && strings.Contains(log, "line1\n") {
			seenWhileRunning = true
			if strings.Contains(log, "line3") {
				t.Errorf("log %q already holds the last line", log)
			}
		}
	}
	if n := e.node(t, j.ID); n.Status != jobflow.NodeRunning {
		t.Errorf("node status while running = %s, want RUNNING", n.Status)
	}
	if err := <-done; err != nil {
		t.Fatalf("RunJob: %v", err)
	}
	if log := e.log(t, j.ID); !strings.Contains(log, "line1\nline2\nline3\n") {
		t.Errorf("final log %q lacks the lines in order", log)
	}
}

// TestRunJob_LogTruncation: 3 MB of output leave the last 1 MiB behind the marker.
func TestRunJob_LogTruncation(t *testing.T) {
	testtier.Long(t, "megabytes of log through a real job on both stores")
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			e := newTestEnv(t, d)
			j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo THE-END"})
			if _, err := e.a.RunJob(context.Background(), e.input(j, nil)); err != nil {
				t.Fatalf("RunJob: %v", err)
			}
			log := e.log(t, j.ID)
			if !strings.HasPrefix(log, jobflow.LogTruncatedMarker) {
				t.Errorf("log starts %q, want the truncation marker", log[:min(len(log), 60)])
			}
			if len(log) > jobflow.MaxLogBytes+len(jobflow.LogTruncatedMarker) || len(log) < jobflow.MaxLogBytes {
				t.Errorf("log is %d bytes, want the 1 MiB tail (%d) plus the marker", len(log), jobflow.MaxLogBytes)
			}
			if !strings.Contains(log, "xxx\nTHE-END\n") {
				t.Errorf("log tail %q lacks the last lines", log[max(0, len(log)-200):])
			}
		})
	}
}

// TestRunJob_Abort cancels a running job (what a run abort does to its
// activities): bash, its foreground sleep and a background sleep are all
// gone within 10 s, and the node run is ABORTED.
func TestRunJob_Abort(t *testing.T) {
	e := newTestEnv(t, storetest.Primary())
	script := "sleep 600.11 &\nsleep 600.12\n"
	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		done <- err
	}()
	var pids []int
	if !testwait.Until(10*time.Second, func() bool {
		pids = append(testproc.PIDs("sleep 600.11"), testproc.PIDs("sleep 600.12")...)
		return len(pids) == 2
	}) {
		t.Fatal("the script did not start")
	}
	cancel()
	start := time.Now()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("RunJob succeeded after an abort")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunJob did not return within 10 s of the abort")
	}
	for _, pid := range pids {
		if !testwait.Until(10*time.Second-time.Since(start), func() bool { return testproc.Gone(pid) }) {
			t.Errorf("process %d still runs after the abort", pid)
		}
	}
	if n := e.node(t, j.ID); n.Status != jobflow.NodeAborted || n.EndedAt == nil {
		t.Errorf("node run = %+v, want ABORTED with an end time", n)
	}
}

// TestRunJob_Leftovers: a script that ends leaves nothing behind: its
// background children are killed, its working directory is removed, and a
// process that escaped the group (setsid) and holds the output pipe does not
// keep the job from ending.
func TestRunJob_Leftovers(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	dir := jobdir.New(t)
	script := "sleep 600.21 &\nsetsid sleep 601.22 &\n" +
		"pwd > " + dir + "/wd\necho done\n"
	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script})
	start := time.Now()
	if _, err := e.a.RunJob(context.Background(), e.input(j, nil)); err != nil {
		t.Fatalf("RunJob: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the job took %s: it waited for the escaped process", d)
	}
	// Outside a sandbox the escaped one is not ours to kill; inside, it
	// dies with the job's PID namespace.
	t.Cleanup(func() {
		for _, pid := range testproc.PIDs("sleep 601.22") {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if !testwait.Until(5*time.Second, func() bool { return len(testproc.PIDs("sleep 600.21")) == 0 }) {
		t.Errorf("background process %v outlived its job", testproc.PIDs("sleep 600.21"))
	}
	wd, err := os.ReadFile(filepath.Join(dir, "wd"))
	if err != nil || !strings.HasPrefix(filepath.Base(strings.TrimSpace(string(wd))), "jobflow-") {
		t.Fatalf("working directory %q (%v), want a jobflow- directory", wd, err)
	}
	if strings.Contains(string(wd), j.ID) {
		t.Errorf("working directory %q is named after the job: guessable", wd)
	}
	if _, err := os.Stat(strings.TrimSpace(string(wd))); !os.IsNotExist(err) {
		t.Errorf("working directory %s still exists (%v)", wd, err)
	}
	if log := e.log(t, j.ID); !strings.Contains(log, "done\n") {
		t.Errorf("log %q lacks the output", log)
	}
}

// TestRunJob_AbortKillsStubbornGroup: a script that ignores SIGTERM is killed
// with SIGKILL after the grace period.
func TestRunJob_AbortKillsStubbornGroup(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	e.a.KillGrace = 500 * time.Millisecond
	// The ignored SIGTERM is inherited by sleep, which SIGKILL must end.
	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "trap '' TERM\nsleep 600.31\n"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		done <- err
	}()
	var pids []int
	if !testwait.Until(10*time.Second, func() bool { pids = testproc.PIDs("sleep 600.31"); return len(pids) == 1 }) {
		t.Fatal("the script did not start")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunJob did not return within 10 s of the abort")
	}
	if !testwait.Until(5*time.Second, func() bool { return testproc.Gone(pids[0]) }) {
		t.Errorf("process %d survived SIGKILL", pids[0])
	}
	if log := e.log(t, j.ID); !strings.Contains(log, "SIGKILL to process group") {
		t.Errorf("log %q does not say the group was killed", log)
	}
}

// TestRunJob_ActivityEnvironment runs RunJob by its registered name in the
// SDK's activity test environment: the attempt comes from the activity info,
// heartbeats flow, and cancelling the worker's activity context aborts it.
func TestRunJob_ActivityEnvironment(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	var suite testsuite.WorkflowTestSuite
	bg, cancel := context.WithCancel(context.Background())
	env := suite.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{BackgroundActivityContext: bg})
	env.RegisterActivityWithOptions(e.a.RunJob, activity.RegisterOptions{Name: workflows.RunJobActivity})
	heartbeats := make(chan struct{}, 100)
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) {
		select {
		case heartbeats <- struct{}{}:
		default:
		}
	})

	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo ok; sleep 2"})
	val, err := env.ExecuteActivity(workflows.RunJobActivity, e.input(j, nil))
	if err != nil {
		t.Fatalf("ExecuteActivity: %v", err)
	}
	var res workflows.RunJobResult
	if err := val.Get(&res); err != nil || res.ExitCode == nil || *res.ExitCode != 0 {
		t.Fatalf("result %+v (%v), want exit code 0", res, err)
	}
	if len(heartbeats) == 0 {
		t.Error("a 2 s job sent no heartbeat")
	}

	long := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "sleep 600"})
	time.AfterFunc(time.Second, cancel)
	start := time.Now()
	if _, err := env.ExecuteActivity(workflows.RunJobActivity, e.input(long, nil)); err == nil {
		t.Fatal("a cancelled job succeeded")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the cancelled job took %s to stop", d)
	}
	if n := e.node(t, long.ID); n.Status != jobflow.NodeAborted {
		t.Errorf("node status = %s, want ABORTED", n.Status)
	}
}

// BenchmarkRunJob_Shell measures what RunJob adds around the smallest shell
// job (`true`): recording RUNNING and the outcome, the log, bash start-up.
func BenchmarkRunJob_Shell(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(d, func(b *testing.B) {
			e := newTestEnv(b, d)
			in := e.input(e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "true"}), nil)
			for b.Loop() {
				in.Job.ID = jobflow.NewID(jobflow.PrefixJob)
				if _, err := e.a.RunJob(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
