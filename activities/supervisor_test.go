package activities

import (
	"context"
	"fmt"
	"jobflow/internal/testproc"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
	"jobflow/jobtypes"
	"jobflow/store"
)

// A supervisor runs one job after another: the second job has the same
// supervisor (its parent), none of the first job's environment and no
// supervisor socket among its files; a supervisor killed while idle is
// replaced and the next job runs.
func TestRunJob_SupervisorReused(t *testing.T) {
	testtier.Long(t, "many real job processes in a row")
	e := newTestEnv(t, store.DialectSQLite)
	ctx := context.Background()
	n := 0
	// The supervisor is found above the job's sleep, by its host pid.
	run := func(env map[string]string) (ppid int, log string) {
		t.Helper()
		n++
		marker := "sleep 2.0" + strconv.Itoa(n)
		script := `echo foo=${FOO:-unset}; for f in /proc/$$/fd/*; do echo fd=$(readlink $f); done; ` + marker
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script, Env: env})
		done := make(chan error, 1)
		go func() { _, err := e.a.RunJob(ctx, e.input(j, nil)); done <- err }()
		sup := 0
		testwait.Until(5*time.Second, func() bool {
			if p := testproc.PIDs(marker); len(p) == 1 {
				sup = supervisorOf(p[0])
			}
			return sup != 0
		})
		if err := <-done; err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		log = e.log(t, j.ID)
		if sup == 0 {
			t.Fatalf("no supervisor found above the job %q", log)
		}
		return sup, log
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
	testwait.For(t, 5*time.Second, fmt.Sprintf("the end of supervisor %d", second), func() bool { return gone(second) })
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
