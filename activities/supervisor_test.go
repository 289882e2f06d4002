package activities

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
)

// A supervisor runs one job after another: the second job has the same
// supervisor (its parent), none of the first job's environment and no
// supervisor socket among its files; a supervisor killed while idle is
// replaced and the next job runs.
func TestRunJob_SupervisorReused(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	ctx := context.Background()
	script := `echo ppid=$PPID foo=${FOO:-unset}; for f in /proc/$$/fd/*; do echo fd=$(readlink $f); done`
	run := func(env map[string]string) (ppid int, log string) {
		t.Helper()
		j := e.job(jobflow.JobShell, jobflow.ShellConfig{Script: script, Env: env})
		if _, err := e.a.RunJob(ctx, e.input(j, nil)); err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		log = e.log(t, j.ID)
		m := regexp.MustCompile(`ppid=(\d+) `).FindStringSubmatch(log)
		if m == nil {
			t.Fatalf("no ppid in the log %q", log)
		}
		n, _ := strconv.Atoi(m[1])
		return n, log
	}
	first, log1 := run(map[string]string{"FOO": "first-job-only"})
	second, log2 := run(nil)
	if first != second {
		t.Errorf("the second job ran under supervisor %d, the first under %d: not reused", second, first)
	}
	if !strings.Contains(log1, "foo=first-job-only") || !strings.Contains(log2, "foo=unset") {
		t.Errorf("environment carried over: %q then %q", log1, log2)
	}
	for _, log := range []string{log1, log2} {
		if !strings.Contains(log, "fd=pipe:") || strings.Contains(log, "fd=socket:") {
			t.Errorf("the job's files are not its output pipe without the supervisor's socket: %q", log)
		}
	}

	if err := syscall.Kill(second, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); !gone(second); {
		if time.Now().After(deadline) {
			t.Fatalf("supervisor %d still there", second)
		}
		time.Sleep(10 * time.Millisecond)
	}
	third, _ := run(nil)
	if third == second {
		t.Errorf("the job ran under the killed supervisor %d", third)
	}
}

// gone reports whether process pid has exited (a zombie not yet reaped
// counts: the worker reaps a supervisor when it next finds it broken).
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "Z")
}
