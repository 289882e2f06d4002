// Package testproc finds a job's processes from a test. A sandboxed job
// has a PID namespace of its own, so the $$ and $! it could report mean
// nothing out here: tests mark a process by a unique command line (say
// `sleep 600.11`) and look it up in the host's /proc.
package testproc

import (
	"os"
	"os/exec"
	"os/user"
	"slices"
	"strconv"
	"strings"
)

// PIDs are the live processes whose command line holds marker.
func PIDs(marker string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.Contains(strings.ReplaceAll(string(b), "\x00", " "), marker) && !Gone(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Gone reports whether pid has exited (a zombie not yet reaped counts).
func Gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] == "Z"
}

// Parent is pid's parent, 0 when unknown.
func Parent(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

// RemoveUser deletes the OS user name (and its group) if it exists: the
// tenant users a root worker creates for the tests' tenants, so repeated
// runs on one machine do not pile them up.
func RemoveUser(name string) {
	if os.Geteuid() != 0 {
		return
	}
	if _, err := user.Lookup(name); err == nil {
		exec.Command("userdel", name).Run()
	}
}

// PIDsWithEnv are the live processes whose environment holds every one of
// kv ("NAME=value"): a job's processes by its JOBFLOW_RUN_ID and
// JOBFLOW_JOB_NAME (a root test reads any process's environment).
func PIDsWithEnv(kv ...string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || Gone(pid) {
			continue
		}
		env := strings.Split(string(b), "\x00")
		all := true
		for _, want := range kv {
			all = all && slices.Contains(env, want)
		}
		if all {
			pids = append(pids, pid)
		}
	}
	return pids
}

// DescendsFrom reports whether ancestor is above pid.
func DescendsFrom(pid, ancestor int) bool {
	for i := 0; i < 64 && pid > 1; i++ {
		if pid = Parent(pid); pid == ancestor {
			return true
		}
	}
	return false
}
