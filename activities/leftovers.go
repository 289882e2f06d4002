package activities

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"a.jobflow/supervise"
)

// Every job's processes carry a key "<instance>/<n>", where instance names
// the worker process on this machine by pid and start time (a pid alone is
// reused). When the worker runs as root on a writable cgroup v2 hierarchy,
// each job also gets a cgroup <base>/<instance>/<n>, which no process of the
// job can leave. A worker that starts kills what dead instances left behind.

var instance = sync.OnceValue(func() string {
	return fmt.Sprintf("%d-%d", os.Getpid(), procStart(os.Getpid()))
})

var jobSeq atomic.Int64

func newJobKey() string { return instance() + "/" + strconv.FormatInt(jobSeq.Add(1), 10) }

// procStart is the start time of pid in clock ticks since boot (field 22
// of /proc/<pid>/stat), 0 when there is no such process.
func procStart(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0
	}
	n, _ := strconv.ParseInt(f[19], 10, 64)
	return n
}

// instanceAlive reports whether the worker instance that made key still runs.
func instanceAlive(inst string) bool {
	pid, start, ok := strings.Cut(inst, "-")
	if !ok {
		return false
	}
	p, err1 := strconv.Atoi(pid)
	s, err2 := strconv.ParseInt(start, 10, 64)
	return err1 == nil && err2 == nil && procStart(p) == s
}

// cgroupBase is the cgroup v2 directory under which jobs get their
// cgroups, "" when jobs cannot have one (not root, no cgroup v2 mount, or
// the worker's cgroup has controllers that forbid child processes).
var cgroupBase = sync.OnceValue(func() string {
	if os.Geteuid() != 0 {
		return ""
	}
	mount := cgroup2Mount()
	if mount == "" {
		return ""
	}
	own := "/"
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if p, ok := strings.CutPrefix(line, "0::"); ok {
				own = p
			}
		}
	}
	parent := filepath.Join(mount, own)
	if own != "/" {
		if b, _ := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control")); len(bytes.TrimSpace(b)) > 0 {
			return ""
		}
	}
	base := filepath.Join(parent, "jobflow")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return ""
	}
	if _, err := os.Stat(filepath.Join(base, "cgroup.kill")); err != nil {
		return "" // a kernel before 5.14: no cgroup.kill
	}
	enableControllers(base)
	return base
})

// enableControllers turns on, for dir's children, the limiting controllers
// that dir has (cgroup v2; best effort: a worker whose own cgroup has
// processes cannot, and then limits come from cgroup v1 or not at all).
func enableControllers(dir string) {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	for _, c := range strings.Fields(string(b)) {
		if c == "memory" || c == "pids" || c == "cpu" {
			os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+"+c), 0)
		}
	}
}

// v2Controller reports whether jobs' cgroup v2 directories get controller c.
func v2Controller(c string) bool {
	base := cgroupBase()
	if base == "" {
		return false
	}
	b, _ := os.ReadFile(filepath.Join(base, "cgroup.subtree_control"))
	return slices.Contains(strings.Fields(string(b)), c)
}

func cgroup2Mount() string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, v := range fields {
			if v == "-" && i+1 < len(fields) && fields[i+1] == "cgroup2" && len(fields) > 4 {
				return fields[4]
			}
		}
	}
	return ""
}

// newJobCgroup makes the cgroup of the job with key, "" when there is none.
func newJobCgroup(key string) string {
	base := cgroupBase()
	if base == "" {
		return ""
	}
	dir := filepath.Join(base, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	enableControllers(filepath.Dir(dir))
	return dir
}

// removeCgroup removes an emptied job cgroup (and its instance directory
// once that is empty too).
func removeCgroup(dir string) {
	if dir == "" {
		return
	}
	for i := 0; i < 50 && os.Remove(dir) != nil && len(supervise.CgroupPIDs(dir)) == 0; i++ {
		time.Sleep(10 * time.Millisecond) // the kernel frees a cgroup shortly after its last process
	}
	os.Remove(filepath.Dir(dir)) // fails while other jobs of the instance run
}

// KillLeftovers kills the processes of jobs whose worker died on this
// machine (SIGKILL, OOM kill, power loss of the supervisor too) and removes
// their cgroups. A worker calls it once at start-up, before it takes jobs;
// jobs of other live workers on the machine are left alone.
func KillLeftovers(log *slog.Logger) int {
	dead := func(key string) bool {
		inst, _, _ := strings.Cut(key, "/")
		return inst != instance() && !instanceAlive(inst)
	}
	killed := 0
	if base := cgroupBase(); base != "" {
		insts, _ := os.ReadDir(base)
		for _, inst := range insts {
			if !inst.IsDir() || !dead(inst.Name()) {
				continue
			}
			jobs, _ := os.ReadDir(filepath.Join(base, inst.Name()))
			for _, j := range jobs {
				if !j.IsDir() {
					continue
				}
				dir := filepath.Join(base, inst.Name(), j.Name())
				killed += len(supervise.CgroupPIDs(dir))
				supervise.KillCgroup(dir)
				removeCgroup(dir)
			}
			os.Remove(filepath.Join(base, inst.Name()))
		}
	}
	for _, pid := range supervise.PIDsWithKey(dead) {
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			killed++
		}
	}
	// The limiting cgroup v1 directories of dead instances (limits.go):
	// their processes carried the key and are gone now.
	for _, home := range v1Mounts() {
		insts, _ := os.ReadDir(filepath.Join(home, "jobflow"))
		for _, inst := range insts {
			if !inst.IsDir() || !dead(inst.Name()) {
				continue
			}
			jobs, _ := os.ReadDir(filepath.Join(home, "jobflow", inst.Name()))
			for _, j := range jobs {
				os.Remove(filepath.Join(home, "jobflow", inst.Name(), j.Name()))
			}
			os.Remove(filepath.Join(home, "jobflow", inst.Name()))
		}
	}
	if killed > 0 {
		log.Warn("killed processes left behind by jobs of a worker that died", "processes", killed)
	}
	return killed
}
