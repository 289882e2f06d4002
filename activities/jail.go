package activities

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"a.jobflow/supervise"
)

// A root worker runs each SHELL and PYTHON job inside bubblewrap (bwrap,
// Debian's package), started as the job's own user (docs/security.md):
//
//   - the whole file system read-only, but for the job's working
//     directory and the operator's JOBFLOW_JOB_WRITABLE paths;
//   - a private /tmp, /var/tmp and /dev/shm (tmpfs of the job's working
//     directory size), gone with the job;
//   - the parent of working directories replaced by an empty tmpfs, so a
//     job sees no other job's directory at all;
//   - its own PID, IPC and UTS namespaces: /proc shows the job's own
//     processes only, and nothing of the job outlives its first process;
//   - no_new_privs (bwrap always sets it: a setuid binary gains nothing),
//     no capabilities, no further user namespaces (--disable-userns), and
//     the seccomp filter of package supervise.
//
// The network is the host's: egress is filtered per tenant user by
// nftables (egress.go). Without bwrap a root worker still runs jobs as the
// tenant's user in a root-owned 0711 directory with cgroup limits, and
// says at start-up what that loses.

// bwrapPath is bubblewrap's executable, "" when the machine has none or
// it cannot sandbox here (bwrapProblem says why).
var bwrapPath = sync.OnceValue(func() string {
	p, err := exec.LookPath("bwrap")
	if err != nil {
		p = ""
		for _, c := range []string{"/usr/bin/bwrap", "/usr/local/bin/bwrap"} {
			if st, err := os.Stat(c); err == nil && !st.IsDir() {
				p = c
			}
		}
	}
	if p == "" {
		bwrapProblem = "bubblewrap (bwrap) is not installed"
		return ""
	}
	if os.Geteuid() != 0 {
		return p
	}
	// A container's seccomp profile or a kernel without unprivileged user
	// namespaces stops bwrap: try it once as nobody, as jobs would run it.
	probe := exec.Command(p, "--unshare-user", "--disable-userns", "--unshare-pid", "--ro-bind", "/", "/",
		"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--", "/bin/sh", "-c", "exit 0")
	probe.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
	if out, err := probe.CombinedOutput(); err != nil {
		bwrapProblem = fmt.Sprintf("bubblewrap cannot sandbox here (%v: %s); in a container, allow user namespaces (e.g. --security-opt seccomp=unconfined)", err, strings.TrimSpace(string(out)))
		return ""
	}
	return p
})

// bwrapProblem says why jobs run without bwrap (set by bwrapPath).
var bwrapProblem string

// sandboxed reports whether a job of user u runs inside bwrap.
func sandboxed(u osUser) bool { return u.uid >= 0 && bwrapPath() != "" }

// jailArgv wraps argv in bwrap for a job of u in dir. tmpBytes sizes the
// private tmpfs mounts; noNet gives the job a network namespace of its
// own with only a loopback (when nftables cannot filter its egress);
// seccomp has bwrap read the filter from fd 3 (supervise.Spec.Seccomp).
func (a *Activities) jailArgv(argv []string, dir, root string, tmpBytes int64, noNet, seccomp bool) []string {
	size := strconv.FormatInt(tmpBytes, 10)
	j := []string{bwrapPath(),
		"--die-with-parent", "--unshare-user", "--disable-userns",
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--ro-bind", "/", "/",
		"--dev", "/dev", "--proc", "/proc",
		"--size", size, "--tmpfs", "/tmp",
		"--size", size, "--tmpfs", "/var/tmp",
		"--size", size, "--tmpfs", "/dev/shm",
		"--tmpfs", root,
		"--bind", dir, dir,
	}
	if noNet {
		j = append(j, "--unshare-net")
	}
	for _, p := range a.JobWritable {
		j = append(j, "--bind-try", p, p)
	}
	if seccomp {
		j = append(j, "--seccomp", "3")
	}
	j = append(j, "--chdir", dir, "--")
	return append(j, argv...)
}

// ReportSandbox logs, once at a worker's start, which of the job walls
// this machine gives (docs/security.md), and what is missing.
func ReportSandbox(log *slog.Logger) {
	if os.Geteuid() != 0 {
		log.Warn("the worker does not run as root: SHELL and PYTHON jobs run as the worker's own user, unsandboxed, and can read that user's files (the data dir included); run the worker as root for per-tenant users, the sandbox and limits")
		return
	}
	if bwrapPath() == "" {
		log.Warn(bwrapProblem + ": jobs run as their tenant's user with limits, but without a private /tmp, a read-only file system, their own PID namespace or the seccomp filter")
	}
	if nftPath() == "" {
		log.Warn("nftables (nft) is not installed: sandboxed jobs get no network at all, unsandboxed ones an unfiltered one; install the nftables package")
	}
	var missing []string
	for _, c := range []string{"memory", "pids", "cpu"} {
		if v1Mounts()[c] == "" && !v2Controller(c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		log.Warn("jobs' limits without cgroup controllers", "missing", strings.Join(missing, ","),
			"hint", "on cgroup v2, delegate the controllers to the worker's cgroup (systemd Delegate=yes)")
	}
	log.Info("job sandbox", "bwrap", bwrapPath(), "seccomp", supervise.SeccompProgram() != nil)
}
