package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"jobflow"
	"jobflow/workflows"
)

// inheritedEnv are the only variables a job inherits from the worker; the
// worker's own secrets (database URL, keys) never reach a job.
var inheritedEnv = []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ"}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// runShell runs a SHELL job with bash or a PYTHON job with python3. The
// script goes to a file in a fresh working directory (an argument is limited
// to 128 KiB, a script may be 256 KiB). The process leads its own process
// group, so that an abort or a timeout stops everything the script started:
// SIGTERM to the group, SIGKILL after the grace period. When the script ends
// its leftover background processes are killed too.
func (a *Activities) runShell(ctx context.Context, in workflows.RunJobInput, cfg jobflow.ShellConfig, vars resolver, log *nodeLog) (outcome, error) {
	script, err := vars.resolve("script", cfg.Script)
	if err != nil {
		return outcome{}, err
	}
	env, err := jobEnv(ctx, in, cfg.Env, vars)
	if err != nil {
		return outcome{}, err
	}

	dir, err := os.MkdirTemp("", "jobflow-"+in.Job.ID+"-")
	if err != nil {
		return outcome{}, failf("cannot create a working directory: %v", err)
	}
	defer os.RemoveAll(dir)
	name, argv := "job.sh", []string{"bash", "job.sh"}
	if in.Job.Type == jobflow.JobPython {
		name, argv = "job.py", []string{"python3", "-u", "job.py"}
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o600); err != nil {
		return outcome{}, failf("cannot write the script: %v", err)
	}

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(env, "TMPDIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// One pipe for stdout and stderr, owned here rather than by os/exec, so
	// that a background child holding it open cannot block the end of the job.
	pr, pw, err := os.Pipe()
	if err != nil {
		return outcome{}, failf("cannot create a pipe: %v", err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return outcome{}, failf("cannot start %s: %v", argv[0], err)
	}
	pw.Close()
	pgid := cmd.Process.Pid
	log.Printf("%s started (pid %d)", argv[0], pgid)

	copied := make(chan struct{})
	go func() {
		io.Copy(log, pr)
		close(copied)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var waitErr error
	select {
	case waitErr = <-exited:
	case <-ctx.Done():
		grace := a.KillGrace
		if grace == 0 {
			grace = DefaultKillGrace
		}
		log.Printf("stopping: SIGTERM to process group %d", pgid)
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case waitErr = <-exited:
		case <-time.After(grace):
			log.Printf("still running after %s: SIGKILL to process group %d", grace, pgid)
			syscall.Kill(-pgid, syscall.SIGKILL)
			waitErr = <-exited
		}
	}
	// Whatever the script left behind in its group goes with it.
	syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
		// A process that left the group (setsid) still holds the pipe.
		pr.Close()
		<-copied
	}
	pr.Close()

	if waitErr == nil {
		return outcome{ExitCode: intPtr(0)}, nil
	}
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	var exitErr *exec.ExitError
	if !errors.As(waitErr, &exitErr) {
		return outcome{}, failf("%s: %v", argv[0], waitErr)
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return outcome{}, failf("killed by signal %d (%s)", int(ws.Signal()), ws.Signal())
	}
	code := exitErr.ExitCode()
	return outcome{ExitCode: &code}, failf("exit code %d", code)
}

// jobEnv is a job's environment: a few inherited variables, the job's own
// env (variables resolved), then the JOBFLOW_* facts of the run, which the
// job's env cannot override.
func jobEnv(ctx context.Context, in workflows.RunJobInput, jobEnv map[string]string, vars resolver) ([]string, error) {
	var env []string
	for _, k := range inheritedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		} else if k == "PATH" {
			env = append(env, "PATH="+defaultPath)
		}
	}
	for _, k := range sortedKeys(jobEnv) {
		v, err := vars.resolve(fmt.Sprintf("env %s", k), jobEnv[k])
		if err != nil {
			return nil, err
		}
		env = append(env, k+"="+v)
	}
	env = append(env,
		"JOBFLOW_RUN_ID="+in.RunID,
		"JOBFLOW_TENANT_ID="+in.TenantID,
		"JOBFLOW_WORKFLOW_ID="+in.WorkflowID,
		"JOBFLOW_JOB_ID="+in.Job.ID,
		"JOBFLOW_JOB_NAME="+in.Job.Name,
		"JOBFLOW_ATTEMPT="+strconv.Itoa(attemptOf(ctx)),
		"JOBFLOW_LOGICAL_TIME="+in.LogicalTime.In(vars.loc).Format(time.RFC3339),
	)
	return env, nil
}
