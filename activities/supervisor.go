package activities

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"a.jobflow/supervise"
)

// SHELL and PYTHON jobs start through a supervisor (package supervise): the
// worker's own executable started again, which kills its job when the
// worker dies. A supervisor runs one job at a time and then waits for the
// next: starting the jobflow binary costs several times what the job's
// bash does, so idle supervisors are kept (up to maxIdleSupervisors) and
// reused. The worker keeps the status socket and the job's process group
// id; everything else about the job is the supervisor's.

// maxIdleSupervisors is how many idle supervisors the worker keeps. More
// jobs than that at once start new ones, which end after their job when
// the pool is full.
const maxIdleSupervisors = 32

// supervisor is one supervisor process, seen from the worker.
type supervisor struct {
	cmd    *exec.Cmd
	conn   *net.UnixConn
	status *bufio.Reader
}

// idle holds the supervisors waiting for a job.
var idle struct {
	sync.Mutex
	list []*supervisor
}

// supervised is a running job, seen from the worker.
type supervised struct {
	sup  *supervisor
	pgid int
}

// startSupervised runs spec on a supervisor with out as the job's stdout
// and stderr, and returns once the job itself has started. An idle
// supervisor that turns out to be gone (killed) is replaced by a new one.
func startSupervised(spec supervise.Spec, out *os.File) (*supervised, error) {
	for {
		s, reused, err := takeSupervisor()
		if err != nil {
			return nil, err
		}
		line, err := s.send(spec, out)
		if err != nil {
			s.discard()
			if reused {
				continue
			}
			return nil, fmt.Errorf("the job supervisor failed: %w", err)
		}
		if pid, ok := strings.CutPrefix(line, "pid "); ok {
			pgid, _ := strconv.Atoi(pid)
			return &supervised{sup: s, pgid: pgid}, nil
		}
		s.release()
		if msg, ok := strings.CutPrefix(line, "error "); ok {
			return nil, errors.New(msg)
		}
		return nil, fmt.Errorf("the job supervisor failed (%q)", line)
	}
}

// takeSupervisor returns an idle supervisor (reused) or a new one.
func takeSupervisor() (*supervisor, bool, error) {
	idle.Lock()
	if n := len(idle.list); n > 0 {
		s := idle.list[n-1]
		idle.list = idle.list[:n-1]
		idle.Unlock()
		return s, true, nil
	}
	idle.Unlock()
	s, err := newSupervisor()
	return s, false, err
}

// newSupervisor starts a supervisor with one end of a socket pair as its
// fd 3.
func newSupervisor() (*supervisor, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the worker's executable: %w", err)
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot create the supervisor's socket: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "supervisor"), os.NewFile(uintptr(fds[1]), "supervisor")
	defer theirs.Close()
	cmd := exec.Command(exe)
	cmd.Args = []string{"jobflow-job-supervisor"}
	cmd.Env = []string{supervise.Env + "=1"}
	cmd.ExtraFiles = []*os.File{theirs}
	// Its own process group: a terminal's Ctrl-C is the worker's to handle.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		mine.Close()
		return nil, fmt.Errorf("cannot start the job supervisor: %w", err)
	}
	fc, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		cmd.Process.Kill()
		go cmd.Wait()
		return nil, err
	}
	conn := fc.(*net.UnixConn)
	return &supervisor{cmd: cmd, conn: conn, status: bufio.NewReader(conn)}, nil
}

// send gives the supervisor its next job and returns its first report.
func (s *supervisor) send(spec supervise.Spec, out *os.File) (string, error) {
	msg := spec.Message()
	n, _, err := s.conn.WriteMsgUnix(msg, syscall.UnixRights(int(out.Fd())), nil)
	if err == nil && n < len(msg) {
		_, err = s.conn.Write(msg[n:])
	}
	if err != nil {
		return "", err
	}
	return s.next()
}

func (s *supervisor) next() (string, error) {
	line, err := s.status.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// release puts the supervisor back among the idle ones, or ends it when
// there are enough.
func (s *supervisor) release() {
	idle.Lock()
	if len(idle.list) < maxIdleSupervisors {
		idle.list = append(idle.list, s)
		idle.Unlock()
		return
	}
	idle.Unlock()
	s.discard()
}

// discard ends the supervisor: it exits when its socket closes (it runs no
// job now), and is reaped.
func (s *supervisor) discard() {
	s.conn.Close()
	go s.cmd.Wait()
}

// wait waits for the job's end as the supervisor reports it: the exit code,
// or the signal that killed it (0 when it exited).
func (s *supervised) wait() (code, signal int, err error) {
	line, rerr := s.sup.next()
	if rerr != nil {
		s.sup.discard()
		return -1, 0, fmt.Errorf("the job supervisor ended without a status (%v)", rerr)
	}
	s.sup.release()
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
	return -1, 0, fmt.Errorf("the job supervisor ended with %q", line)
}
