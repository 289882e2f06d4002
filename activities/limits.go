package activities

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"jobflow"
)

// Limits of a SHELL or PYTHON job (docs/security.md): memory, processes
// and CPU weight through cgroup controllers, the working directory's size
// by a watcher and RLIMIT_FSIZE, the log's rate by the reader. A tenant's
// jobLimits (set by a SYS_ADMIN) replace the defaults; a job's own limits
// may only lower them.

// effectiveLimits are a job's limits: the tenant's (zero fields: the
// defaults), then the job's own, which may lower them but not raise them.
func effectiveLimits(tenant jobflow.JobLimits, job *jobflow.JobLimits) (jobflow.JobLimits, error) {
	l := tenant.WithDefaults()
	if job == nil {
		return l, nil
	}
	for _, f := range []struct {
		name      string
		eff       *int
		requested int
	}{
		{"memoryMiB", &l.MemoryMiB, job.MemoryMiB},
		{"processes", &l.Processes, job.Processes},
		{"cpuWeight", &l.CPUWeight, job.CPUWeight},
		{"workDirMiB", &l.WorkDirMiB, job.WorkDirMiB},
		{"logKiBPerSecond", &l.LogKiBPerSecond, job.LogKiBPerSecond},
	} {
		if f.requested > *f.eff {
			return l, configErrorf("limits.%s %d is above the tenant's limit of %d (a SYS_ADMIN sets the tenant's jobLimits)", f.name, f.requested, *f.eff)
		}
		if f.requested > 0 {
			*f.eff = f.requested
		}
	}
	return l, nil
}

// jobCgroups are the cgroup directories that limit one job: on cgroup v1
// one per controller (the supervisor joins them for its fork); on cgroup v2
// the job's own cgroup, when the controllers are delegated to jobflow.
type jobCgroups struct {
	join, home          []string // v1: job directories and the worker's own
	memory, pids, cpuDr string   // where each controller's files are, "" without it
	memoryV2            bool     // memory is a v2 directory (memory.events)
}

// v1Mounts maps each cgroup v1 controller jobflow uses to where the
// worker's own cgroup of that controller is.
var v1Mounts = sync.OnceValue(func() map[string]string {
	own := map[string]string{}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.SplitN(line, ":", 3)
			if len(f) == 3 && f[1] != "" {
				for _, c := range strings.Split(f[1], ",") {
					own[c] = f[2]
				}
			}
		}
	}
	m := map[string]string{}
	fh, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return m
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, v := range fields {
			if v != "-" || i+3 >= len(fields) || fields[i+1] != "cgroup" {
				continue
			}
			for _, opt := range strings.Split(fields[i+3], ",") {
				if (opt == "memory" || opt == "pids" || opt == "cpu") && own[opt] != "" {
					m[opt] = filepath.Join(fields[4], own[opt])
				}
			}
		}
	}
	return m
})

// newJobCgroups makes the job's limiting cgroups and writes its limits;
// v2 is the job's cgroup v2 directory ("" without one). What cannot be
// limited here is left out: warnSandbox tells the operator at start-up.
func newJobCgroups(key, v2 string, l jobflow.JobLimits) *jobCgroups {
	cg := &jobCgroups{}
	if os.Geteuid() != 0 {
		return cg
	}
	mem := strconv.FormatInt(int64(l.MemoryMiB)<<20, 10)
	pids := strconv.Itoa(l.Processes)
	if v2 != "" && fileExists(filepath.Join(v2, "memory.max")) {
		cg.memoryV2, cg.memory = true, v2
		os.WriteFile(filepath.Join(v2, "memory.max"), []byte(mem), 0)
		os.WriteFile(filepath.Join(v2, "memory.swap.max"), []byte("0"), 0)
	}
	if v2 != "" && fileExists(filepath.Join(v2, "pids.max")) {
		cg.pids = v2
		os.WriteFile(filepath.Join(v2, "pids.max"), []byte(pids), 0)
	}
	if v2 != "" && fileExists(filepath.Join(v2, "cpu.weight")) {
		cg.cpuDr = v2
		os.WriteFile(filepath.Join(v2, "cpu.weight"), []byte(strconv.Itoa(l.CPUWeight)), 0)
	}
	for c, home := range v1Mounts() {
		if (c == "memory" && cg.memory != "") || (c == "pids" && cg.pids != "") || (c == "cpu" && cg.cpuDr != "") {
			continue
		}
		dir := filepath.Join(home, "jobflow", key)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			continue
		}
		var err error
		switch c {
		case "memory":
			err = os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), []byte(mem), 0)
			os.WriteFile(filepath.Join(dir, "memory.memsw.limit_in_bytes"), []byte(mem), 0) // without swap accounting: absent
			cg.memory = dir
		case "pids":
			err = os.WriteFile(filepath.Join(dir, "pids.max"), []byte(pids), 0)
			cg.pids = dir
		case "cpu":
			// cpu.shares is 1024 at the v2 weight's default of 100.
			err = os.WriteFile(filepath.Join(dir, "cpu.shares"), []byte(strconv.Itoa(max(2, l.CPUWeight*1024/100))), 0)
			cg.cpuDr = dir
		}
		if err != nil {
			os.Remove(dir)
			continue
		}
		cg.join, cg.home = append(cg.join, dir), append(cg.home, home)
	}
	return cg
}

// exceeded says which limit a job that ended badly ran into, "" for none.
func (cg *jobCgroups) exceeded(l jobflow.JobLimits) string {
	if cg.memory != "" {
		name := "memory.oom_control" // v1; "oom_kill N" since Linux 4.13
		if cg.memoryV2 {
			name = "memory.events"
		}
		if counter(filepath.Join(cg.memory, name), "oom_kill") > 0 {
			return fmt.Sprintf("the job exceeded its memory limit of %d MiB and was killed (limits.memoryMiB)", l.MemoryMiB)
		}
	}
	if cg.pids != "" && counter(filepath.Join(cg.pids, "pids.events"), "max") > 0 {
		return fmt.Sprintf("the job reached its limit of %d processes (limits.processes)", l.Processes)
	}
	return ""
}

// remove removes the v1 job directories once their killed processes are
// gone (the kernel frees them shortly after; up to half a second).
func (cg *jobCgroups) remove() {
	for _, d := range cg.join {
		for i := 0; i < 50; i++ {
			if err := os.Remove(d); err == nil || os.IsNotExist(err) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		os.Remove(filepath.Dir(d)) // the instance directory, once empty
	}
}

// counter reads "name N" from a cgroup's key-value file.
func counter(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == name {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// allocated is what a file takes on disk: its blocks, or its size where
// the file system does not say.
func allocated(info os.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return info.Size()
}
