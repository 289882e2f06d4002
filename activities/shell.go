package activities

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"a.jobflow/supervise"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/workflows"
)

// inheritedEnv are the only variables a job inherits from the worker; the
// worker's own secrets (database URL, keys) never reach a job.
var inheritedEnv = []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ"}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// runShell is Env.RunScript: it runs a SHELL or PYTHON job's script, through
// a supervisor (supervisor.go) so that nothing of the job outlives the
// worker. As root the job runs as its tenant's unprivileged OS user
// (sandbox.go). The script goes to a file in a fresh working directory of
// that user (an argument is limited to 128 KiB, a script may be 256 KiB).
// The job leads its own process group (and, as root, its own cgroup), so an
// abort or a timeout stops everything the script started: SIGTERM, then
// SIGKILL after the grace period. When the script ends its leftover
// background processes are killed too.
func (a *Activities) runShell(ctx context.Context, in workflows.RunJobInput, cfg jobtypes.Script, vars resolver, log *nodeLog) (outcome, error) {
	u, err := a.jobUser(ctx, in.TenantID)
	if err != nil {
		return outcome{}, err
	}
	tenant, err := a.tenant(ctx, in.TenantID)
	if err != nil {
		return outcome{}, fmt.Errorf("cannot read the tenant: %v", err)
	}
	var tenantLimits jobflow.JobLimits
	if tenant != nil {
		tenantLimits = tenant.JobLimits
	}
	lim, err := effectiveLimits(tenantLimits, cfg.Limits)
	if err != nil {
		return outcome{}, err
	}

	name, argv := cfg.File, slices.Clone(cfg.Argv)
	root, err := a.jobsRoot()
	if err != nil {
		return outcome{}, failf("cannot create a working directory: %v", err)
	}
	dir, err := a.workDir(root, u, jobFile{name, cfg.Text}, jobFile{outputFileName, ""})
	if err != nil {
		return outcome{}, failf("cannot create a working directory: %v", err)
	}
	defer os.RemoveAll(dir)
	outputFile := filepath.Join(dir, outputFileName)
	env, err := jobEnv(ctx, in, u, dir, cfg.Env, vars)
	if err != nil {
		return outcome{}, err
	}
	env = append(env, "JOBFLOW_OUTPUT="+outputFile)
	setValues := &setValueScanner{}
	// The supervisor execs an absolute path: the job user's system PATH,
	// or the worker's own PATH when jobs share its user.
	if u.uid >= 0 {
		argv[0] = lookPath(argv[0], defaultPath)
	} else if p, err := exec.LookPath(argv[0]); err == nil {
		argv[0] = p
	}
	prog := filepath.Base(argv[0])
	jail := sandboxed(u)
	noNet, err := a.jobNetwork(ctx, in.TenantID, u, jail, log)
	if err != nil {
		return outcome{}, err
	}
	seccomp := jail && supervise.SeccompProgram() != nil
	if jail {
		argv = a.jailArgv(argv, dir, root, int64(lim.WorkDirMiB)<<20, noNet, seccomp)
	}
	key := newJobKey()
	cgroup := newJobCgroup(key)
	defer removeCgroup(cgroup)
	limits := newJobCgroups(key, cgroup, lim)
	// The kernel frees an emptied v1 cgroup a moment after its last
	// process: removed in the background, the job's end does not wait.
	defer func() { go limits.remove() }()
	env = append(env, "TMPDIR="+dir, supervise.KeyEnv+"="+key)

	// One pipe for stdout and stderr, owned here rather than by os/exec, so
	// that a background child holding it open cannot block the end of the job.
	pr, pw, err := os.Pipe()
	if err != nil {
		return outcome{}, failf("cannot create a pipe: %v", err)
	}
	spec := supervise.Spec{Argv: argv, Dir: dir, Env: env, UID: u.uid, GID: u.gid, Cgroup: cgroup, Key: key,
		Join: limits.join, Home: limits.home, Seccomp: seccomp}
	started := time.Now()
	sup, err := startSupervised(spec, pw)
	pw.Close()
	if err != nil {
		pr.Close()
		return outcome{}, failf("cannot start %s: %v", prog, err)
	}
	pgid := sup.pgid
	switch {
	case jail:
		log.Printf("%s started (pid %d, user %s, sandboxed)", prog, pgid, u.name)
	case u.uid >= 0:
		log.Printf("%s started (pid %d, user %s)", prog, pgid, u.name)
	default:
		log.Printf("%s started (pid %d)", prog, pgid)
	}

	copied := make(chan struct{})
	go func() {
		rate := &rateReader{r: pr, rate: lim.LogKiBPerSecond << 10, onLimit: func() {
			log.Printf("this job writes more than %d KiB/s of output: it is slowed to that rate (limits.logKiBPerSecond)", lim.LogKiBPerSecond)
		}}
		io.Copy(io.MultiWriter(log, setValues), rate)
		close(copied)
	}()
	type status struct {
		code, signal int
		err          error
	}
	exited := make(chan status, 1)
	go func() {
		var st status
		st.code, st.signal, st.err = sup.wait()
		exited <- st
	}()
	watchDone := make(chan struct{})
	defer close(watchDone)
	overDisk := make(chan struct{})
	if u.uid >= 0 {
		go watchWorkDir(dir, int64(lim.WorkDirMiB)<<20, watchDone, func() {
			close(overDisk)
			supervise.KillJob(pgid, cgroup, key)
		})
	}

	var st status
	select {
	case st = <-exited:
	case <-ctx.Done():
		grace := a.KillGrace
		if grace == 0 {
			grace = DefaultKillGrace
		}
		log.Printf("stopping: SIGTERM to process group %d", pgid)
		if jail {
			supervise.SignalJail(cgroup, key, syscall.SIGTERM)
		} else {
			supervise.SignalGroup(pgid, cgroup, syscall.SIGTERM)
		}
		select {
		case st = <-exited:
		case <-time.After(grace):
			log.Printf("still running after %s: SIGKILL to process group %d", grace, pgid)
			supervise.KillJob(pgid, cgroup, key)
			st = <-exited
		}
	}
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
		// A process that left the group (setsid) still holds the pipe.
		pr.Close()
		<-copied
	}
	pr.Close()

	outputs, oerr := setValues.result()
	if oerr == nil {
		var fromFile map[string]string
		fromFile, oerr = readOutputFile(outputFile, u)
		outputs = mergeOutputs(outputs, fromFile)
	}
	if jail && st.err == nil && st.code > 128 && st.code <= 128+64 {
		// bwrap reports its job's death by signal n as exit code 128+n,
		// as a shell's $? does.
		st.signal, st.code = st.code-128, -1
	}
	failed := st.err != nil || st.signal != 0 || st.code != 0
	refused := ""
	if failed {
		// A refused connection is worth naming only when the job failed
		// (reading the set costs two nft calls).
		if refused = refusedNote(u, started); refused != "" {
			log.Printf("%s", refused)
		}
	}
	select {
	case <-overDisk:
		return outcome{}, failf("the job's working directory grew over its limit of %d MiB and the job was killed (limits.workDirMiB)", lim.WorkDirMiB)
	default:
	}
	if failed && ctx.Err() == nil {
		if why := limits.exceeded(lim); why != "" {
			log.Printf("%s", why)
			return outcome{}, failf("%s", why)
		}
	}
	switch {
	case failed && refused != "" && ctx.Err() == nil:
		what := fmt.Sprintf("exit code %d", st.code)
		if st.err != nil {
			what = st.err.Error()
		} else if st.signal != 0 {
			what = fmt.Sprintf("killed by signal %d", st.signal)
		}
		return outcome{ExitCode: exitCode(st.code, st.signal)}, failf("%s; %s", what, refused)
	case st.err != nil:
		return outcome{}, failf("%s: %v", prog, st.err)
	case st.signal == 0 && st.code == 0 && oerr != nil:
		return outcome{ExitCode: intPtr(0)}, oerr
	case st.signal == 0 && st.code == 0:
		return outcome{ExitCode: intPtr(0), Outputs: outputs}, nil
	case ctx.Err() != nil:
		return outcome{}, ctx.Err()
	case st.signal != 0:
		sig := syscall.Signal(st.signal)
		return outcome{}, failf("killed by signal %d (%s)", st.signal, sig)
	}
	code := st.code
	return outcome{ExitCode: &code, Outputs: outputs}, failf("exit code %d", code)
}

// exitCode is a failed job's exit code, nil when a signal ended it.
func exitCode(code, signal int) *int {
	if signal != 0 || code < 0 {
		return nil
	}
	return &code
}

// lookPath finds name in the directories of path, name itself if none has it.
func lookPath(name, path string) string {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return name
}

// jobEnv is a job's environment: its user's identity (as root), a few inherited variables, the job's own
// env (variables resolved), then the JOBFLOW_* facts of the run, which the
// job's env cannot override.
func jobEnv(ctx context.Context, in workflows.RunJobInput, u osUser, dir string, jobEnv map[string]string, vars resolver) ([]string, error) {
	var env []string
	if u.uid >= 0 {
		env = userEnv(u, dir) // the worker's identity variables are not the job's
	}
	for _, k := range inheritedEnv {
		if u.uid >= 0 && slices.Contains([]string{"PATH", "HOME", "USER", "LOGNAME"}, k) {
			continue
		}
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
