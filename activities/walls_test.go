package activities

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
	"jobflow/jobtypes"
	"jobflow/store"
)

// The job walls of docs/security.md, attacked from inside a job by the
// activities directly (the REST-level suite is cmd/jobflow's
// TestAttack_*). Each needs root: jobs then run as their tenant's user,
// sandboxed; CI runs as root.

func needRoot(t *testing.T) {
	t.Helper()
	testtier.Long(t, "root: OS users, bubblewrap, nftables, cgroups")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the job walls must be tested as root in CI")
		}
		t.Skip("needs root")
	}
}

// A job's connection to loopback is refused and the failure names the
// destination and the setting; allowed by the tenant's egressAllow, the
// same connection goes through.
func TestWalls_ShellEgress(t *testing.T) {
	needRoot(t)
	e := newTestEnv(t, store.DialectSQLite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	script := fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d && echo CONNECTED", port)

	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script})
	_, err = e.a.RunJob(context.Background(), e.input(j, nil))
	// The note lists what was refused to the job's OS user since it
	// started (to a second): a previous test's user, deleted just before,
	// may have had the same uid, so the destination is looked for in the
	// list rather than as the only one.
	want := fmt.Sprintf("127.0.0.1:%d", port)
	if err == nil || !refusedListHas(err.Error(), want) || !strings.Contains(err.Error(), "egressAllow") {
		t.Fatalf("RunJob = %v, want %s among the refused destinations, naming egressAllow", err, want)
	}
	if len(accepted) != 0 {
		t.Fatalf("the listener accepted %d connections of a refused job", len(accepted))
	}

	e.allowEgress(t, fmt.Sprintf("127.0.0.1:%d", port))
	j2 := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script})
	if _, err := e.a.RunJob(context.Background(), e.input(j2, nil)); err != nil {
		t.Fatalf("allowed job: %v\n%s", err, e.log(t, j2.ID))
	}
	if log := e.log(t, j2.ID); !strings.Contains(log, "CONNECTED") || len(accepted) != 1 {
		t.Fatalf("allowed job did not connect (%d accepted): %s", len(accepted), log)
	}
	// Another port of loopback stays closed.
	j3 := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "exec 3<>/dev/tcp/127.0.0.1/5432 && echo CONNECTED"})
	if _, err := e.a.RunJob(context.Background(), e.input(j3, nil)); err == nil || !strings.Contains(err.Error(), "127.0.0.1:5432") {
		t.Fatalf("port 5432 with only %d allowed: %v", port, err)
	}
}

// Limits: a job over its memory limit is killed and says so; a fork bomb
// stops at the process limit; a working directory over its size is
// stopped; /tmp and /var/tmp are the job's own and gone with it.
func TestWalls_Limits(t *testing.T) {
	needRoot(t)
	e := newTestEnv(t, store.DialectSQLite)
	run := func(script string, lim *jobflow.JobLimits) (error, string) {
		t.Helper()
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script, Limits: lim})
		start := time.Now()
		_, err := e.a.RunJob(context.Background(), e.input(j, nil))
		t.Logf("%.40q took %s: %v", script, time.Since(start).Round(time.Millisecond), err)
		return err, e.log(t, j.ID)
	}
	t.Run("Memory", func(t *testing.T) {
		err, log := run(`python3 -c 'b = bytearray(512 << 20); print("ALLOCATED", len(b))'`, &jobflow.JobLimits{MemoryMiB: 64})
		if err == nil || !strings.Contains(err.Error(), "memory limit of 64 MiB") || strings.Contains(log, "ALLOCATED 536870912") {
			t.Fatalf("err %v, log %s", err, log)
		}
	})
	t.Run("Processes", func(t *testing.T) {
		// Python reports a failed fork at once (bash retries for seconds).
		err, log := run(`python3 -c '
import os, time
for i in range(200):
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)
print("FORKED 200")'`, &jobflow.JobLimits{Processes: 32})
		if err == nil || !strings.Contains(err.Error(), "limit of 32 processes") || strings.Contains(log, "FORKED 200") {
			t.Fatalf("err %v, log %s", err, log)
		}
	})
	t.Run("WorkDir", func(t *testing.T) {
		err, log := run("for i in $(seq 100); do head -c 1048576 /dev/zero > f$i || exit 1; done; sleep 5", &jobflow.JobLimits{WorkDirMiB: 20})
		if err == nil || !strings.Contains(err.Error(), "limit of 20 MiB") {
			t.Fatalf("err %v, log %s", err, log)
		}
	})
	t.Run("Tmp", func(t *testing.T) {
		marker := "jobflow-walls-" + jobflow.NewID("x")
		if err, log := run("echo x > /tmp/"+marker+" && echo x > /var/tmp/"+marker+" && ls /tmp /var/tmp", nil); err != nil {
			t.Fatalf("err %v, log %s", err, log)
		}
		for _, d := range []string{"/tmp", "/var/tmp"} {
			if _, err := os.Stat(filepath.Join(d, marker)); !os.IsNotExist(err) {
				t.Errorf("%s/%s is on the host after the job (%v)", d, marker, err)
			}
		}
		// The file system outside the working directory is read-only.
		shared := jobdir.New(t)
		err, log := run("touch /etc/jobflow-walls || echo REFUSED; touch "+shared+"/ok && echo WROTE", nil)
		if err != nil || !strings.Contains(log, "REFUSED") || !strings.Contains(log, "WROTE") {
			t.Errorf("err %v, log %s", err, log)
		}
	})
}

// The seccomp filter and no_new_privs: a job's namespace, ptrace, keyring,
// bpf and mount calls fail with EPERM, clone3 with ENOSYS, and a setuid
// root binary gives it no root.
func TestWalls_Syscalls(t *testing.T) {
	needRoot(t)
	e := newTestEnv(t, store.DialectSQLite)
	shared := jobdir.New(t)
	// A setuid-root copy of id, where the job can run it.
	suid := filepath.Join(shared, "suid-id")
	if b, err := os.ReadFile("/usr/bin/id"); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(suid, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(suid, 0o4755); err != nil {
		t.Fatal(err)
	}
	script := `import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
def call(name, nr, *args):
    r = libc.syscall(nr, *args)
    print(name, "=", r, "errno", ctypes.get_errno())
call("unshare-user", 272, 0x10000000)
call("unshare-net", 272, 0x40000000)
call("clone-newuser", 56, 0x10000000 | 17, 0, 0, 0, 0)
call("clone3", 435, 0, 0)
call("ptrace-traceme", 101, 0, 0, 0, 0)
call("keyctl", 250, 0, 0, 0, 0)
call("bpf", 321, 0, 0, 0)
call("mount", 165, b"none", b"/tmp", b"tmpfs", 0, 0)
call("setns", 308, 0, 0)
for line in open("/proc/self/status"):
    if line.startswith(("NoNewPrivs", "Seccomp:", "CapEff")):
        print(line.strip())
print("suid:", subprocess.run([os.environ["SUID"]], capture_output=True, text=True).stdout.strip())
print("SYSCALLS-DONE")
`
	j := e.job(jobflow.JobPython, jobtypes.ShellConfig{Script: script, Env: map[string]string{"SUID": suid}})
	if _, err := e.a.RunJob(context.Background(), e.input(j, nil)); err != nil {
		t.Fatalf("RunJob: %v\n%s", err, e.log(t, j.ID))
	}
	log := e.log(t, j.ID)
	t.Log(log)
	if !strings.Contains(log, "SYSCALLS-DONE") {
		t.Fatalf("the job did not run to its end:\n%s", log)
	}
	for _, want := range []string{
		"unshare-user = -1 errno 1", "unshare-net = -1 errno 1", "clone-newuser = -1 errno 1",
		"clone3 = -1 errno 38", "ptrace-traceme = -1 errno 1", "keyctl = -1 errno 1", "bpf = -1 errno 1",
		"mount = -1 errno 1", "setns = -1 errno 1",
		"NoNewPrivs:\t1", "Seccomp:\t2", "CapEff:\t0000000000000000",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(log, "euid=0") || strings.Contains(log, "uid=0(") {
		t.Errorf("the setuid binary ran as root:\n%s", log)
	}
	if !strings.Contains(log, "suid: uid=") {
		t.Errorf("the setuid binary did not run:\n%s", log)
	}
}

// The symlink race: a job of the same tenant hunts for the working
// directories of 30 jobs that start beside it (each with 2,000 environment
// entries, which widened the window before) and plants jobflow-output and
// job.sh links to a root-owned canary in every one it finds. Afterwards
// the canary is untouched and still root's; outside the sandbox too, the
// tenant's user cannot list the directories' parent.
func TestWalls_SymlinkRace(t *testing.T) {
	needRoot(t)
	e := newTestEnv(t, store.DialectSQLite)
	canary := filepath.Join("/etc", "jobflow-canary-"+jobflow.NewID("x"))
	if err := os.WriteFile(canary, []byte("canary\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(canary)
	root, err := e.a.jobsRoot()
	if err != nil {
		t.Fatal(err)
	}
	attacker := `import os, time, glob
root, canary = os.environ["ROOT"], os.environ["CANARY"]
seen, planted, errors = set(), 0, set()
end = time.time() + 8
while time.time() < end:
    dirs = []
    for way in (lambda: os.listdir(root), lambda: glob.glob("/proc/*/cwd"), lambda: glob.glob("/tmp/jobflow-*")):
        try:
            dirs += way()
        except OSError as e:
            errors.add(e.strerror)
    for d in dirs:
        p = d if d.startswith("/") else os.path.join(root, d)
        if p in seen or os.path.realpath(p) == os.getcwd():  # its own directory is its own
            continue
        seen.add(p)
        for name in ("jobflow-output", "job.sh"):
            try:
                os.symlink(canary, os.path.join(p, name))
                planted += 1
            except OSError as e:
                errors.add(e.strerror)
print("seen", sorted(seen))
print("planted", planted, "errors", sorted(errors))
`
	aj := e.job(jobflow.JobPython, jobtypes.ShellConfig{Script: attacker, Env: map[string]string{"ROOT": root, "CANARY": canary}})
	done := make(chan error, 1)
	go func() { _, err := e.a.RunJob(context.Background(), e.input(aj, nil)); done <- err }()
	env := map[string]string{}
	for i := 0; i < 2000; i++ {
		env[fmt.Sprintf("WIDE_%04d", i)] = strings.Repeat("x", 64)
	}
	victims := make(chan error, 30)
	for i := 0; i < 30; i++ {
		go func() {
			j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo k=v > $JOBFLOW_OUTPUT; sleep 0.2", Env: env})
			_, err := e.a.RunJob(context.Background(), e.input(j, nil))
			victims <- err
		}()
	}
	for i := 0; i < 30; i++ {
		if err := <-victims; err != nil {
			t.Errorf("victim job: %v", err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("attacker: %v", err)
	}
	log := e.log(t, aj.ID)
	t.Log(log)
	if !strings.Contains(log, "planted 0 ") {
		t.Errorf("the attacker planted links:\n%s", log)
	}
	st, err := os.Stat(canary)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(canary)
	if string(b) != "canary\n" || st.Sys().(*syscall.Stat_t).Uid != 0 || st.Mode().Perm() != 0o644 {
		t.Fatalf("the canary changed: %q uid %d mode %v", b, st.Sys().(*syscall.Stat_t).Uid, st.Mode())
	}
	// Without the sandbox (a machine with no bwrap) the parent still hides
	// the directories: the tenant's user cannot list it.
	u, err := e.a.jobUser(context.Background(), e.run.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("setpriv", "--reuid="+strconv.Itoa(u.uid), "--regid="+strconv.Itoa(u.gid), "--clear-groups", "ls", root).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("the tenant user listed %s: %v %s", root, err, out)
	}
}

// A tenant without an osUser runs its jobs as its own jf- user, created on
// the first job; a SYS_ADMIN's osUser wins.
func TestWalls_TenantUsers(t *testing.T) {
	needRoot(t)
	e := newTestEnv(t, store.DialectSQLite)
	whoami := func() string {
		t.Helper()
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo user=$(id -un)"})
		if _, err := e.a.RunJob(context.Background(), e.input(j, nil)); err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		log := e.log(t, j.ID)
		i := strings.Index(log, "user=")
		if i < 0 {
			t.Fatalf("no user in %q", log)
		}
		return strings.Fields(log[i+len("user="):])[0]
	}
	if got, want := whoami(), TenantOSUser(e.run.TenantID); got != want || !strings.HasPrefix(want, "jf-") {
		t.Fatalf("job ran as %q, want the tenant's own %q", got, want)
	}
	if _, err := ensureOSUser("jobflow-t2", "test"); err != nil {
		t.Fatal(err)
	}
	name := "jobflow-t2"
	if _, err := e.s.UpdateTenant(context.Background(), e.run.TenantID, jobflow.TenantUpdate{OSUser: &name}); err != nil {
		t.Fatal(err)
	}
	e.a.mu.Lock()
	delete(e.a.tenants, e.run.TenantID)
	e.a.mu.Unlock()
	if got := whoami(); got != "jobflow-t2" {
		t.Fatalf("job ran as %q, want the tenant's osUser jobflow-t2", got)
	}
	if TenantOSUser("tn_abc") != "jf-abc" || len(TenantOSUser(strings.Repeat("x", 80))) != len("jf-")+16 {
		t.Errorf("TenantOSUser naming rule: %q %q", TenantOSUser("tn_abc"), TenantOSUser(strings.Repeat("x", 80)))
	}
}

// Log spam is held back, not read: a `yes` job with a log rate of 64 KiB/s
// gets at most that much a second (plus the first second's burst and a pipe
// buffer) into jobflow, whatever the machine's speed, and its log says it
// was slowed.
func TestWalls_LogRate(t *testing.T) {
	needRoot(t)
	e := newTestEnv(t, store.DialectSQLite)
	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "timeout 3 yes; echo END", Limits: &jobflow.JobLimits{LogKiBPerSecond: 64}})
	start := time.Now()
	_, err := e.a.RunJob(context.Background(), e.input(j, nil))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("RunJob: %v", err)
	}
	log := e.log(t, j.ID)
	lines := strings.Count(log, "y\n")
	// Each second's 64 KiB, the first second's burst, and one 64 KiB pipe
	// buffer drained at the end: over a run of elapsed seconds.
	budget := int(64<<10*(elapsed.Seconds()+1)) + 64<<10
	t.Logf("%d bytes of y in %s (budget %d)", 2*lines, elapsed.Round(time.Millisecond), budget)
	if 2*lines > budget {
		t.Errorf("jobflow read %d bytes of log in %s, over the rate's %d", 2*lines, elapsed, budget)
	}
	if lines == 0 || !strings.Contains(log, "slowed to that rate") || !strings.Contains(log, "END") {
		t.Errorf("log %.300q… lacks the output, the rate note or the end", log)
	}
}

// Without bubblewrap (a container whose seccomp profile refuses user
// namespaces, or no package) a root worker still runs each tenant's jobs as
// the tenant's own user, in a root-owned 0711 directory, with cgroup
// limits, no_new_privs and uid-filtered egress; it loses the private /tmp,
// the read-only file system, the PID namespace and the seccomp filter
// (docs/security.md).
func TestWalls_WithoutBwrap(t *testing.T) {
	needRoot(t)
	saved := bwrapPath
	bwrapPath = func() string { return "" }
	t.Cleanup(func() { bwrapPath = saved })
	e := newTestEnv(t, store.DialectSQLite)

	j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "echo user=$(id -un) dir=$(pwd); grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"})
	if _, err := e.a.RunJob(context.Background(), e.input(j, nil)); err != nil {
		t.Fatalf("RunJob: %v", err)
	}
	log := e.log(t, j.ID)
	root, _ := e.a.jobsRoot()
	if !strings.Contains(log, "user="+TenantOSUser(e.run.TenantID)) || !strings.Contains(log, "dir="+root+"/jobflow-") ||
		strings.Contains(log, "sandboxed") || !strings.Contains(log, "NoNewPrivs:\t1") {
		t.Errorf("unsandboxed job: %s", log)
	}
	if err, log := func() (error, string) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: `python3 -c 'b = bytearray(512 << 20); print("ALLOCATED", len(b))'`, Limits: &jobflow.JobLimits{MemoryMiB: 64}})
		_, err := e.a.RunJob(context.Background(), e.input(j, nil))
		return err, e.log(t, j.ID)
	}(); err == nil || !strings.Contains(err.Error(), "memory limit of 64 MiB") {
		t.Errorf("memory limit without bwrap: %v %s", err, log)
	}
	j = e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "exec 3<>/dev/tcp/127.0.0.1/5432 && echo CONNECTED"})
	if _, err := e.a.RunJob(context.Background(), e.input(j, nil)); err == nil || !refusedListHas(err.Error(), "127.0.0.1:5432") {
		t.Errorf("egress without bwrap: %v %s", err, e.log(t, j.ID))
	}
}

// refusedListHas reports whether the "egress to A, B was refused" note in
// msg lists dest.
func refusedListHas(msg, dest string) bool {
	_, rest, ok := strings.Cut(msg, "egress to ")
	if !ok {
		return false
	}
	list, _, ok := strings.Cut(rest, " was refused")
	return ok && slices.Contains(strings.Split(list, ", "), dest)
}
