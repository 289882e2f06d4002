// Package figures holds what each benchmark command writes with -json and
// what bench/report reads back: one struct per command in one place, so
// the commands and the table made from them (docs/benchmarks.md) never
// drift apart. Durations are in milliseconds.
package figures

import (
	"encoding/json"
	"os"
	"strings"
)

// Invoke is bench/invokelat's result.
type Invoke struct {
	Store string `json:"store"`
	// The latency phase: sequential invokes.
	OKP50Ms  float64 `json:"okP50Ms"`  // request → 200
	OKP99Ms  float64 `json:"okP99Ms"`  // request → 200
	JobP50Ms float64 `json:"jobP50Ms"` // request → first job start
	JobP99Ms float64 `json:"jobP99Ms"` // request → first job start
	// The sustained phase: jobflow, then each bare kind at the same load.
	Jobflow Throughput            `json:"jobflow"`
	Bare    map[string]Throughput `json:"bare"` // "noop", "exec"
}

// Throughput is one sustained phase: end-to-end runs per second over the
// load and the drain, the CPU each run cost, and the runs that did not
// succeed.
type Throughput struct {
	RunsPerSec  float64 `json:"runsPerSec"`
	CPUPerRunMs float64 `json:"cpuPerRunMs"`
	Runs        int     `json:"runs"`
	Failed      int     `json:"failed"`
}

// Storm is bench/storm's result: one entry per round.
type Storm struct {
	Schedules int          `json:"schedules"`
	Rounds    []StormRound `json:"rounds"`
}

// StormRound is one round's lateness (fire time → first activity start),
// jobflow's and each bare kind's ("noop", "exec", "mimic").
type StormRound struct {
	Jobflow Lateness            `json:"jobflow"`
	Bare    map[string]Lateness `json:"bare"`
}

// Lateness is one storm's lateness percentiles.
type Lateness struct {
	Runs  int     `json:"runs"`
	P50Ms float64 `json:"p50Ms"`
	P99Ms float64 `json:"p99Ms"`
	MaxMs float64 `json:"maxMs"`
}

// Fair is bench/fairbench's result for one mode (fairness on or off).
type Fair struct {
	Fairness     bool    `json:"fairness"`
	IdleP50Ms    float64 `json:"idleP50Ms"`    // tenant B's job start, worker idle
	FloodedP50Ms float64 `json:"floodedP50Ms"` // the same while tenant A floods
	FloodOn      bool    `json:"floodOn"`      // A's backlog outlasted B's probes
}

// Write writes v as JSON to path; an empty path writes nothing.
func Write(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// Read reads the JSON at path into v.
func Read(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// LoadAverage is the machine's load average over 1, 5 and 15 minutes, as
// /proc/loadavg has it: every figure is written down with it.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
