// Package supervise is the job supervisor of jobflow's SHELL and PYTHON
// jobs, and the process-killing helpers it shares with the worker.
//
// A job is not a child of the worker but of a supervisor: the worker's own
// executable started again with Env set, which runs the jobs the worker
// sends it one at a time (protocol.go) and is kept for the next. The
// supervisor exists so that a job never outlives its worker: it watches its
// parent, and when the worker dies (SIGKILL, OOM kill) it kills everything
// the job started — its cgroup when there is one, else its process group
// and every process carrying the job's key in its environment — then
// exits. The worker cannot do that itself once it is dead.
//
// Why a module of its own, named a.jobflow/supervise: Go initializes
// packages in import-path order as soon as their imports are ready
// (Go 1.21+), and the supervisor takes over in its init. Under this name,
// importing only low-level standard packages, it runs before the Temporal
// server, gRPC and protobuf packages linked into the jobflow binary, whose
// initialization cost 120-230 ms and 118 MB per job when the supervisor
// ran after them. Keep its imports to os, syscall, strconv, strings, time.
package supervise

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Env marks a process started as a supervisor.
const Env = "JOBFLOW_JOB_SUPERVISOR"

// KeyEnv marks every process of a job with the job's key.
const KeyEnv = "JOBFLOW_JOB_KEY"

// Spec is what the worker asks a supervisor to run.
type Spec struct {
	Argv     []string // Argv[0] is an absolute path
	Dir      string
	Env      []string
	UID, GID int    // -1: the supervisor's own user
	Cgroup   string // cgroup v2 directory to start the job in; "" for none
	Key      string // the job's KeyEnv value
	// Join are cgroup v1 directories (one per controller) the job starts
	// in: v1 has no CLONE_INTO_CGROUP, so the supervisor, which runs one
	// job at a time, moves itself into each just before it forks and back
	// into the matching Home after.
	Join, Home []string
	Seccomp    bool // pass SeccompProgram to the job as fd 3 (bwrap --seccomp 3)
}

func init() {
	if os.Getenv(Env) == "" {
		return
	}
	os.Exit(run())
}

// run is the supervisor: it runs the jobs the worker sends on fd 3 (a unix
// stream socket, see protocol.go) one after the other, for as long as the
// worker keeps it. For each it reports "pid N" once the job started, then
// "exit N", "signal N" or "error text". Starting the jobflow binary costs
// 6-8 ms of CPU (the runtime's set-up of a binary that links the Temporal
// server: itabs, page faults), about five times bash's; one supervisor for
// many jobs pays it once.
func run() int {
	// fd 3 came without close-on-exec: a job must not inherit it and forge
	// its own status.
	syscall.CloseOnExec(3)
	report := func(line string) { syscall.Write(3, []byte(line+"\n")) }
	parent := os.Getppid()
	if parent == 1 {
		return 1 // the worker is gone already
	}
	// no_new_privs for every job, sandboxed or not: a setuid binary a job
	// runs gains nothing. The supervisor itself only forks and execs.
	const prSetNoNewPrivs = 38
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); errno != 0 {
		report("error no_new_privs: " + errno.Error())
		return 2
	}
	devnull, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		report("error /dev/null: " + err.Error())
		return 2
	}
	for {
		spec, out, err := receive(3)
		if err != nil {
			return 0 // the worker closed the socket (or died): nothing runs here
		}
		code := runJob(spec, out, devnull, parent, report)
		if code != 0 {
			return code
		}
	}
}

// runJob runs one job with out as its stdout and stderr, and returns
// non-zero when the supervisor must end (the worker died).
func runJob(spec Spec, out, devnull, parent int, report func(string)) int {
	defer func() {
		if out >= 0 {
			syscall.Close(out)
		}
	}()
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if spec.UID >= 0 {
		attr.Credential = &syscall.Credential{Uid: uint32(spec.UID), Gid: uint32(spec.GID), Groups: []uint32{}}
	}
	if spec.Cgroup != "" {
		fd, err := syscall.Open(spec.Cgroup, syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			report("error cgroup " + spec.Cgroup + ": " + err.Error())
			return 0
		}
		defer syscall.Close(fd)
		attr.UseCgroupFD, attr.CgroupFD = true, fd
	}
	if len(spec.Argv) == 0 {
		report("error no command")
		return 0
	}
	files := []uintptr{uintptr(devnull), uintptr(out), uintptr(out)}
	if spec.Seccomp {
		fd, err := seccompPipe()
		if err != nil {
			report("error seccomp: " + err.Error())
			return 0
		}
		defer syscall.Close(fd)
		files = append(files, uintptr(fd))
	}
	pid, err := forkInto(spec, files, attr)
	if err != nil {
		report("error cannot start " + spec.Argv[0] + ": " + err.Error())
		return 0
	}
	// The job holds its output now: the pipe ends when the job's processes
	// close it, not when this supervisor does.
	syscall.Close(out)
	out = -1
	report("pid " + strconv.Itoa(pid))

	type status struct {
		ws  syscall.WaitStatus
		err error
	}
	exited := make(chan status, 1)
	go func() {
		var st status
		for {
			_, st.err = syscall.Wait4(pid, &st.ws, 0, nil)
			if st.err != syscall.EINTR {
				break
			}
		}
		exited <- st
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case st := <-exited:
			// Whatever the script left behind goes with it.
			KillJob(pid, spec.Cgroup, spec.Key)
			switch {
			case st.err != nil:
				report("error wait: " + st.err.Error())
			case st.ws.Signaled():
				report("signal " + strconv.Itoa(int(st.ws.Signal())))
			default:
				report("exit " + strconv.Itoa(st.ws.ExitStatus()))
			}
			return 0
		case <-tick.C:
			if os.Getppid() == parent {
				continue
			}
			// The worker died: nothing of the job may outlive it.
			KillJob(pid, spec.Cgroup, spec.Key)
			<-exited
			return 1
		}
	}
}

// forkInto starts the job in its v1 cgroups, which the supervisor joins
// only for the fork: a child starts in its parent's cgroups. (No rlimit is
// set this way: without CAP_SYS_RESOURCE, which root may lack in a
// container, a lowered hard limit could never be raised for the next job.)
func forkInto(spec Spec, files []uintptr, attr *syscall.SysProcAttr) (int, error) {
	self := []byte(strconv.Itoa(os.Getpid()))
	for i, dir := range spec.Join {
		defer os.WriteFile(spec.Home[i]+"/cgroup.procs", self, 0)
		if err := os.WriteFile(dir+"/cgroup.procs", self, 0); err != nil {
			return 0, err
		}
	}
	return syscall.ForkExec(spec.Argv[0], spec.Argv, &syscall.ProcAttr{Dir: spec.Dir, Env: spec.Env, Files: files, Sys: attr})
}

// seccompPipe is the read end of a pipe holding SeccompProgram, for bwrap
// to read on its fd 3.
func seccompPipe() (int, error) {
	prog := SeccompProgram()
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return -1, err
	}
	defer syscall.Close(p[1])
	// A pipe holds 64 KiB; the program is a few hundred bytes.
	if _, err := syscall.Write(p[1], prog); err != nil {
		syscall.Close(p[0])
		return -1, err
	}
	return p[0], nil
}

// KillJob kills every process of a job with SIGKILL: the whole cgroup when
// the job has one, else its process group and the processes that carry its
// key (which catches a setsid that left the group, not one that also
// cleared its environment).
func KillJob(pgid int, cgroup, key string) {
	if cgroup != "" && KillCgroup(cgroup) == nil {
		return
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	for _, pid := range PIDsWithKey(func(k string) bool { return k == key }) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// SignalJail sends sig to the processes of a job that runs inside
// bubblewrap, but not to bwrap's own two: the outer one dies of a SIGTERM
// and takes the job's PID namespace with it, which would leave the job no
// grace. The job's processes are its cgroup's, or else those with its key.
func SignalJail(cgroup, key string, sig syscall.Signal) {
	var pids []int
	if cgroup != "" {
		pids = CgroupPIDs(cgroup)
	} else {
		pids = PIDsWithKey(func(k string) bool { return k == key })
	}
	for _, pid := range pids {
		if comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); strings.TrimSpace(string(comm)) == "bwrap" {
			continue
		}
		syscall.Kill(pid, sig)
	}
}

// SignalGroup sends sig to a job's process group and, in a cgroup, to
// every process there (a job can leave its group, not its cgroup).
func SignalGroup(pgid int, cgroup string, sig syscall.Signal) {
	syscall.Kill(-pgid, sig)
	if cgroup == "" {
		return
	}
	for _, pid := range CgroupPIDs(cgroup) {
		syscall.Kill(pid, sig)
	}
}

// KillCgroup kills every process of the cgroup and waits (up to 2 s) until
// it is empty.
func KillCgroup(dir string) error {
	if err := os.WriteFile(dir+"/cgroup.kill", []byte("1"), 0); err != nil {
		return err
	}
	// A sandboxed job's namespace takes a few milliseconds to go: look
	// every millisecond at first, then every 10.
	start := time.Now()
	for len(CgroupPIDs(dir)) > 0 && time.Since(start) < 2*time.Second {
		if time.Since(start) < 20*time.Millisecond {
			time.Sleep(time.Millisecond)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nil
}

// CgroupPIDs lists the processes of a cgroup.
func CgroupPIDs(dir string) []int {
	b, err := os.ReadFile(dir + "/cgroup.procs")
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

// PIDsWithKey lists the processes whose KeyEnv matches. Only processes
// whose environment this process may read are seen: all as root, its own
// user's otherwise.
func PIDsWithKey(match func(key string) bool) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	prefix := KeyEnv + "="
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(env), "\x00") {
			if k, ok := strings.CutPrefix(kv, prefix); ok && match(k) {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}
