package main

import (
	"fmt"
	"jobflow/bench/internal/figures"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// row is one line of the table: a figure per run, the target it is held
// to, and whether it holds in every run (a margin that holds in only some
// runs does not hold: docs/benchmarks.md#make-bench-one-table).
type row struct {
	what   string
	target string
	cells  []string  // per run, as printed
	values []float64 // per run, the value the target is about
	ok     func(v float64) bool
}

type report struct{ rows []row }

func atMost(x float64) func(float64) bool  { return func(v float64) bool { return v <= x } }
func atLeast(x float64) func(float64) bool { return func(v float64) bool { return v >= x } }

// table turns the runs into rows.
func table(ms []measurement, sz sizes) report {
	var r report
	add := func(what, target string, ok func(float64) bool, cell func(m measurement) (string, float64)) {
		rw := row{what: what, target: target, ok: ok}
		for _, m := range ms {
			c, v := cell(m)
			rw.cells = append(rw.cells, c)
			rw.values = append(rw.values, v)
		}
		r.rows = append(r.rows, rw)
	}
	ratio := func(a, b float64, unit string) (string, float64) {
		v := a / b
		return fmt.Sprintf("%.1f / %.1f %s = **%.2f**", a, b, unit, v), v
	}
	add("sequential step, 20-job chain of no-op jobs, p50: jobflow / hand-written", "≤ 1.05", atMost(1.05),
		func(m measurement) (string, float64) { return ratio(m.stepMs, m.handStepMs, "ms") })
	add("one-job runs per second (8 clients, load + drain): jobflow SHELL `true` / bare one `true` process", "≥ 0.9", atLeast(0.9),
		func(m measurement) (string, float64) {
			return ratio(m.invoke.Jobflow.RunsPerSec, m.invoke.Bare["exec"].RunsPerSec, "runs/s")
		})
	add("the same: jobflow SHELL `true` / bare no-op activity", "≥ 0.8", atLeast(0.8),
		func(m measurement) (string, float64) {
			return ratio(m.invoke.Jobflow.RunsPerSec, m.invoke.Bare["noop"].RunsPerSec, "runs/s")
		})
	add("CPU per run (process + job processes): jobflow / bare one `true` process", "—", nil,
		func(m measurement) (string, float64) {
			return ratio(m.invoke.Jobflow.CPUPerRunMs, m.invoke.Bare["exec"].CPUPerRunMs, "ms")
		})
	add("runs that did not succeed (jobflow, bare no-op, bare `true`)", "0", atMost(0),
		func(m measurement) (string, float64) {
			n := m.invoke.Jobflow.Failed + m.invoke.Bare["noop"].Failed + m.invoke.Bare["exec"].Failed
			return fmt.Sprintf("%d of %d, %d of %d, %d of %d", m.invoke.Jobflow.Failed, m.invoke.Jobflow.Runs,
				m.invoke.Bare["noop"].Failed, m.invoke.Bare["noop"].Runs, m.invoke.Bare["exec"].Failed, m.invoke.Bare["exec"].Runs), float64(n)
		})
	add(fmt.Sprintf("invoke request → 200, p99 over %d sequential invokes", sz.invokeN), "≤ 20 ms", atMost(20),
		func(m measurement) (string, float64) {
			return fmt.Sprintf("%.1f ms (p50 %.1f)", m.invoke.OKP99Ms, m.invoke.OKP50Ms), m.invoke.OKP99Ms
		})
	for i := range sz.stormRound {
		add(fmt.Sprintf("storm of %d schedules, round %d, lateness p99: jobflow / bare no-op", sz.stormN, i+1), "≤ 1.3", atMost(1.3),
			func(m measurement) (string, float64) {
				if i >= len(m.storm.Rounds) {
					return "missing", 1e9
				}
				rd := m.storm.Rounds[i]
				return ratio(rd.Jobflow.P99Ms/1000, rd.Bare["noop"].P99Ms/1000, "s")
			})
	}
	add("tenant B's job start while tenant A floods / idle (fairness on), p50", "≤ 2", atMost(2),
		func(m measurement) (string, float64) {
			for _, f := range m.fair {
				if f.Fairness {
					return ratio(f.FloodedP50Ms, f.IdleP50Ms, "ms")
				}
			}
			return "missing", 1e9
		})
	add("load average before → after the run (the benchmarks' own load included)", "quiet: < 2.5 before", atMost(2.5),
		func(m measurement) (string, float64) {
			var v float64
			fmt.Sscan(m.loadBefore, &v)
			return m.loadBefore + " → " + m.loadAfter, v
		})
	return r
}

// markdown is the table as docs/benchmarks.md carries it.
func (r report) markdown(m string, from, to time.Time, isSmoke bool) string {
	var b strings.Builder
	runs := len(r.rows[0].cells)
	fmt.Fprintf(&b, "Made by `go run ./bench/report -runs %d` (`make bench`) on %s, %s – %s UTC.\n",
		runs, m, from.Format("2006-01-02 15:04"), to.Format("15:04"))
	if isSmoke {
		b.WriteString("Smoke sizes: these figures only show that every benchmark builds and runs.\n")
	}
	b.WriteString("\n| what | target |")
	for i := range runs {
		fmt.Fprintf(&b, " run %d |", i+1)
	}
	b.WriteString(" median | holds in every run |\n|---|---|")
	b.WriteString(strings.Repeat("---|", runs+2) + "\n")
	for _, rw := range r.rows {
		fmt.Fprintf(&b, "| %s | %s |", rw.what, rw.target)
		for _, c := range rw.cells {
			fmt.Fprintf(&b, " %s |", c)
		}
		fmt.Fprintf(&b, " %.2f | %s |\n", median(rw.values), rw.verdict())
	}
	return b.String()
}

func (rw row) verdict() string {
	if rw.ok == nil {
		return "—"
	}
	for _, v := range rw.values {
		if !rw.ok(v) {
			return "no"
		}
	}
	return "yes"
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// The markers the table goes between in docs/benchmarks.md.
const (
	beginMarker = "<!-- bench/report: begin (generated by make bench; do not edit) -->"
	endMarker   = "<!-- bench/report: end -->"
)

// writeBetweenMarkers replaces what is between the markers in the file at
// path with doc, and leaves the rest of the file as it was.
func writeBetweenMarkers(path, doc string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %q … %q markers", path, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + doc + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}

// machine names the CPU, its cores and the kernel, with the load average
// now: a figure means little without them.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s/%s, load average %s at the start", cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, figures.LoadAverage())
}
