package activities

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A SHELL or PYTHON job is not a child of the worker but of a supervisor:
// the worker's own executable started again with supervisorEnv set, so a
// test binary supervises as well as the jobflow binary. The supervisor
// exists so that a job never outlives its worker: it is started with a
// parent-death signal and also watches its parent, and when the worker dies
// (SIGKILL, OOM kill) it kills everything the job started — its cgroup when
// there is one, else its process group and every process carrying the job's
// key in its environment — then exits. The worker cannot do that itself
// once it is dead.
//
// The supervisor is the only process that holds the job's spec; it drops
// to the job's OS user for the job (Credential), never for itself, so that
// it can still kill a job that changed its own process group.
const supervisorEnv = "JOBFLOW_JOB_SUPERVISOR"

// jobKeyEnv marks every process of a job; a worker that starts again kills
// the processes whose key names a dead worker instance (see leftovers.go).
const jobKeyEnv = "JOBFLOW_JOB_KEY"

// jobSpec is what the worker asks the supervisor to run.
type jobSpec struct {
	Argv   []string `json:"argv"`
	Dir    string   `json:"dir"`
	Env    []string `json:"env"`
	UID    int      `json:"uid"` // -1: the supervisor's own user
	GID    int      `json:"gid"`
	Cgroup string   `json:"cgroup,omitempty"` // cgroup v2 directory to start the job in
	Key    string   `json:"key"`              // the job's jobKeyEnv value
}

func init() {
	if spec := os.Getenv(supervisorEnv); spec != "" {
		os.Exit(supervise(spec))
	}
}

// supervise runs in the supervisor process. It reports on fd 3: "pid N"
// once the job started, then "exit N", "signal N" or "error text".
func supervise(specJSON string) int {
	// fd 3 came without close-on-exec: the job must not inherit it and
	// forge its own status.
	syscall.CloseOnExec(3)
	status := os.NewFile(3, "status")
	report := func(format string, args ...any) { fmt.Fprintf(status, format+"\n", args...) }
	var spec jobSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		report("error bad spec: %v", err)
		return 2
	}
	// Terminal signals are for the worker; SIGTERM means the worker died.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	parent := os.Getppid()
	if parent == 1 {
		return 1 // the worker is gone already
	}

	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	cmd.Dir, cmd.Env = spec.Dir, spec.Env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if spec.UID >= 0 {
		attr.Credential = &syscall.Credential{Uid: uint32(spec.UID), Gid: uint32(spec.GID), Groups: []uint32{}}
	}
	if spec.Cgroup != "" {
		fd, err := syscall.Open(spec.Cgroup, syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			report("error cgroup %s: %v", spec.Cgroup, err)
			return 2
		}
		attr.UseCgroupFD, attr.CgroupFD = true, fd
	}
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		report("error cannot start %s: %v", spec.Argv[0], err)
		return 2
	}
	pgid := cmd.Process.Pid
	report("pid %d", pgid)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			// Whatever the script left behind goes with it.
			killJob(pgid, spec.Cgroup, spec.Key)
			var exitErr *exec.ExitError
			switch {
			case err == nil:
				report("exit 0")
			case errors.As(err, &exitErr):
				if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					report("signal %d", int(ws.Signal()))
				} else {
					report("exit %d", exitErr.ExitCode())
				}
			default:
				report("error %v", err)
			}
			return 0
		case <-term:
		case <-tick.C:
			if os.Getppid() == parent {
				continue
			}
		}
		// The worker died: nothing of the job may outlive it.
		killJob(pgid, spec.Cgroup, spec.Key)
		<-exited
		return 1
	}
}

// killJob kills every process of a job with SIGKILL: the whole cgroup when
// the job has one, else its process group and the processes that carry its
// key (which catches a setsid that left the group, not one that also
// cleared its environment).
func killJob(pgid int, cgroup, key string) {
	if cgroup != "" && killCgroup(cgroup) == nil {
		return
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	for _, pid := range pidsWithKey(func(k string) bool { return k == key }) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// signalGroup sends sig to a job's process group and, in a cgroup, to
// every process there (a job can leave its group, not its cgroup).
func signalGroup(pgid int, cgroup string, sig syscall.Signal) {
	syscall.Kill(-pgid, sig)
	if cgroup == "" {
		return
	}
	for _, pid := range cgroupPIDs(cgroup) {
		syscall.Kill(pid, sig)
	}
}

// supervised is a running supervisor, seen from the worker.
type supervised struct {
	cmd    *exec.Cmd
	status *bufio.Scanner
	pgid   int
}

// startSupervised starts the supervisor for spec with out as the job's
// stdout and stderr, and returns once the job itself has started.
func startSupervised(spec jobSpec, out *os.File) (*supervised, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the worker's executable: %w", err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	sr, sw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer sw.Close()
	cmd := exec.Command(exe)
	cmd.Env = []string{supervisorEnv + "=" + string(b)}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.ExtraFiles = []*os.File{sw}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		sr.Close()
		return nil, fmt.Errorf("cannot start the job supervisor: %w", err)
	}
	sw.Close()
	s := &supervised{cmd: cmd, status: bufio.NewScanner(sr)}
	line := s.next()
	if pid, ok := strings.CutPrefix(line, "pid "); ok {
		s.pgid, _ = strconv.Atoi(pid)
		return s, nil
	}
	s.wait()
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return nil, errors.New(msg)
	}
	return nil, fmt.Errorf("the job supervisor failed (%q)", line)
}

func (s *supervised) next() string {
	if s.status.Scan() {
		return s.status.Text()
	}
	return ""
}

// wait waits for the job's end as the supervisor reports it: the exit code,
// or the signal that killed it (0 when it exited).
func (s *supervised) wait() (code, signal int, err error) {
	line := s.next()
	s.cmd.Wait()
	if v, ok := strings.CutPrefix(line, "exit "); ok {
		code, _ = strconv.Atoi(v)
		return code, 0, nil
	}
	if v, ok := strings.CutPrefix(line, "signal "); ok {
		signal, _ = strconv.Atoi(v)
		return -1, signal, nil
	}
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return -1, 0, errors.New(msg)
	}
	return -1, 0, fmt.Errorf("the job supervisor ended without a status (%s)", s.cmd.ProcessState)
}
