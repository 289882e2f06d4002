package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"syscall"
	"time"
)

// The CPU a run costs is the measure that does not depend on the machine's
// core count or on what else runs beside the benchmark: on a saturated
// machine, runs per second is about the cores divided by it. Each phase
// reports the process's CPU (user + system, server, worker, API and store
// all in this one process) and its children's (the jobs' processes), per
// run that it finished (docs/benchmarks.md#where-a-run-costs-more).

// cpuTime is the CPU used so far by this process and by its waited-for
// children.
func cpuTime() (self, children time.Duration) {
	var s, c syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &s)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(s.Utime) + tv(s.Stime), tv(c.Utime) + tv(c.Stime)
}

// phase measures one phase: its CPU per run and, with -cpuprofile, the
// phase's CPU profile in <dir>/<name>.pprof.
type phase struct {
	name          string
	self0, child0 time.Duration
	profiling     bool
}

var profileDir string

func startPhase(name string) *phase {
	p := &phase{name: name}
	if profileDir != "" {
		f, err := os.Create(profileDir + "/" + name + ".pprof")
		if err == nil && pprof.StartCPUProfile(f) == nil {
			p.profiling = true
		}
	}
	p.self0, p.child0 = cpuTime()
	return p
}

// end prints the phase's CPU per run and returns it in ms (process and children).
func (p *phase) end(runs int) float64 {
	self, child := cpuTime()
	if p.profiling {
		pprof.StopCPUProfile()
	}
	if runs == 0 {
		return 0
	}
	per := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(runs) }
	fmt.Printf("  CPU per run (%s): %.2f ms in this process + %.2f ms in job processes\n", p.name, per(self-p.self0), per(child-p.child0))
	return per(self - p.self0 + child - p.child0)
}
