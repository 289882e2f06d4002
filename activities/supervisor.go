package activities

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"a.jobflow/supervise"
)

// SHELL and PYTHON jobs start through a supervisor (package supervise): the
// worker's own executable started again, which kills the job when the
// worker dies. The worker keeps the status pipe and the job's process
// group id; everything else about the job is the supervisor's.

// supervised is a running supervisor, seen from the worker.
type supervised struct {
	cmd    *exec.Cmd
	status *bufio.Scanner
	pgid   int
}

// startSupervised starts the supervisor for spec with out as the job's
// stdout and stderr, and returns once the job itself has started.
func startSupervised(spec supervise.Spec, out *os.File) (*supervised, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the worker's executable: %w", err)
	}
	sr, sw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer sw.Close()
	cmd := exec.Command(exe)
	cmd.Args = spec.Args()
	cmd.Env = spec.Environ()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.ExtraFiles = []*os.File{sw}
	// Its own process group: a terminal's Ctrl-C is the worker's to handle.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
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
	s.cmd.Wait()
	sr.Close()
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return nil, errors.New(msg)
	}
	return nil, fmt.Errorf("the job supervisor failed (%q, %s)", line, s.cmd.ProcessState)
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
