// Command soak runs jobflow under a steady load and real faults, then
// checks what was lost or done twice (docs/benchmarks.md#soak-test-under-faults):
//
//	go run ./bench/soak -mode server -duration 10m
//	go run ./bench/soak -mode standalone -duration 10m
//
// -mode server: `jobflow api` and two `jobflow worker` processes on
// PostgreSQL (a fresh database) through a TCP proxy, and an in-process
// Temporal server. -mode standalone: one `jobflow standalone` on SQLite
// with its embedded Temporal and its worker inside.
//
// Load: invokes at -rate per second (four tokens, unique requestIds), the
// invoked workflow's every-10-seconds schedule, a manual run of a two-job
// workflow every 2 s (every third aborted a second later; every fifth time
// an earlier run that ended is rerun). Every job prints "line 1" … "line
// 20" and then appends a line to <sidedir>/<run>.<job>.<attempt>; jobs
// may take 3 attempts. Faults: every -kill-every a worker is SIGKILLed and
// started again (standalone: the whole process, on the same data dir); the
// store is made unreachable for 5 s at 1/3 and 2/3 of the duration
// (server: every PostgreSQL connection cut and new ones refused at the
// proxy; standalone: SQLite's write lock held by another connection); in
// server mode the Temporal server is stopped for -temporal-down at 1/2
// and started again on the same port and data.
//
// Checks, after a drain: every accepted run is in the store and final, and
// agrees with its execution in Temporal; no attempt of a job ran to its
// end twice, and no node run ran to its end in two attempts; every SUCCESS
// node's attempt did run to its end; no node log misses or doubles a
// line; no HTTP answer other than 2xx and 503 (and, in server mode, none
// missing: the API process is never killed). It prints the counts and
// exits 1 when one of them is violated.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"jobflow/store"
)

var (
	mode         = flag.String("mode", "server", "server (api + 2 workers, PostgreSQL, Temporal server) or standalone (SQLite, embedded Temporal)")
	duration     = flag.Duration("duration", 10*time.Minute, "how long the load and the faults go on")
	rate         = flag.Int("rate", 20, "invokes per second")
	killEvery    = flag.Duration("kill-every", time.Minute, "SIGKILL and restart one worker this often")
	storeDown    = flag.Duration("store-down", 5*time.Second, "how long each of the two store outages lasts")
	temporalDown = flag.Duration("temporal-down", 20*time.Second, "server mode: how long the Temporal server is stopped")
	pgAdmin      = flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "server mode: PostgreSQL admin URL (a database is created and dropped)")
	drain        = flag.Duration("drain", 30*time.Minute, "how long to wait for accepted runs to end (a loaded machine runs fewer than -rate a second: the backlog drains after the load)")
	keep         = flag.Bool("keep", false, "keep the work dir (process logs, data) and the PostgreSQL database for a look afterwards")
)

// begin is when the load started (faults and log lines are timed from it).
var begin = time.Now()

func logf(format string, args ...any) {
	log.Printf("[%s] %s", time.Since(begin).Round(time.Second), fmt.Sprintf(format, args...))
}

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	bad, err := soak()
	if err != nil {
		log.Fatal(err)
	}
	if bad > 0 {
		os.Exit(1)
	}
}

func soak() (int, error) {
	work, err := os.MkdirTemp("", "jobflow-soak-")
	if err != nil {
		return 0, err
	}
	if *keep {
		logf("work dir %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	// Jobs run as their tenant's user, sandboxed, when the worker is root:
	// their side effects go to a directory that user may write to (sticky,
	// like /tmp), which the workers bind into the sandbox.
	sideDir, err := os.MkdirTemp("", "jobflow-soak-side-")
	if err != nil {
		return 0, err
	}
	jobWritable = sideDir
	defer os.RemoveAll(sideDir)
	if err := os.Chmod(sideDir, 0o1777); err != nil {
		return 0, err
	}
	bin := filepath.Join(work, "jobflow")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/jobflow").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build: %v\n%s", err, out)
	}
	var s stack
	switch *mode {
	case "server":
		s, err = newServerStack(bin, work, *pgAdmin, *keep)
	case "standalone":
		s, err = newStandaloneStack(bin, work)
	default:
		return 0, fmt.Errorf("-mode %q: server or standalone", *mode)
	}
	if s != nil {
		defer s.stop()
	}
	if err != nil {
		return 0, err
	}
	c := newAPI(s.base())
	if err := c.login(); err != nil {
		return 0, err
	}
	l, err := setUp(c, sideDir)
	if err != nil {
		return 0, err
	}

	begin = time.Now()
	logf("%s mode, load for %s: %d invokes/s, schedule every 10 s, manual runs every 2 s; faults: worker kill every %s, store out 2×%s, Temporal restart (server mode)",
		*mode, *duration, *rate, *killEvery, *storeDown)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); l.invoke(*rate, stop) }()
	go func() { defer wg.Done(); l.manual(stop) }()
	var faults []fault
	faultsDone := make(chan struct{})
	go func() {
		defer close(faultsDone)
		faults = inject(s, stop)
	}()
	time.Sleep(*duration)
	close(stop)
	wg.Wait()
	<-faultsDone
	codesDuringLoad := c.snapshot()
	// The schedule stops with the load, so that the runs checked are all
	// the runs there will be.
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(2 * time.Second) {
		code, body := c.call("POST", "/api/v1/workflows/"+l.inv+"/offline", nil, nil)
		if code/100 == 2 {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("offline: %d %s", code, body)
		}
	}
	logf("load stopped: %d invokes sent, %d manual runs, %d aborts, %d reruns", l.invokes.Load(), l.manuals.Load(), l.aborts.Load(), l.reruns.Load())
	for _, f := range faults {
		logf("fault: %s", f)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, s.storeURL(), nil)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	accepted := map[string]string{}
	l.accepted.Range(func(k, v any) bool { accepted[k.(string)] = v.(string); return true })
	logf("draining: %d runs accepted by the API (up to %s)", len(accepted), *drain)
	runs, err := waitFinal(ctx, st, c.tenant, []string{l.inv, l.man}, *drain)
	if err != nil {
		return 0, err
	}
	tc, err := s.temporal()
	if err != nil {
		return 0, err
	}
	defer tc.Close()
	logf("checking %d runs", len(runs))
	v, err := check(ctx, st, tc, c.tenant, runs, accepted, sideDir, faults)
	if err != nil {
		return 0, err
	}
	unexpected, missing := 0, codesDuringLoad[0]
	for code, n := range codesDuringLoad {
		if code != 0 && code/100 != 2 && code != 503 {
			unexpected += n
		}
	}
	if *mode == "standalone" {
		missing = 0 // the API goes down with its process at every kill
	}

	fmt.Printf("\nsoak, %s mode, %s of load (+ drain), %d invokes/s; %s\n", *mode, *duration, *rate, time.Now().UTC().Format(time.RFC3339))
	for _, f := range faults {
		fmt.Printf("  fault: %s\n", f)
	}
	fmt.Printf("requests: %d invokes, %d manual runs, %d aborts, %d reruns; %d runs accepted\n", l.invokes.Load(), l.manuals.Load(), l.aborts.Load(), l.reruns.Load(), len(accepted))
	fmt.Printf("runs in the store: %d; by trigger %v; by status %v\n", v.runs, v.byTrigger, v.byStatus)
	for _, k := range sortedStrings(v.failures) {
		fmt.Printf("  FAIL %s: %d\n", k, v.failures[k])
	}
	fmt.Printf("node runs: %d (%d took more than one attempt); attempts that ran to their end: %d; of which on a node not SUCCESS (aborted or failed at the last moment): %d\n",
		v.nodeRuns, v.retried, v.attempts, v.endedNotOK)
	fmt.Printf("node runs run again after an end that a worker killed (or Temporal stopped) within %s had not reported yet: %d (at least once: jobs with retries; not a violation)\n", lostWindow, v.rerunLost)
	fmt.Printf("HTTP answers during the load: %s\n", codeList(codesDuringLoad))
	fmt.Println("checks (each must be 0):")
	fmt.Printf("  accepted runs the store does not know:            %d\n", v.acceptedMissing)
	fmt.Printf("  runs not final after the drain:                   %d\n", v.notFinal)
	fmt.Printf("  final runs that disagree with Temporal:           %d\n", v.disagree)
	fmt.Printf("  attempts that ran to their end twice:             %d\n", v.attemptTwice)
	fmt.Printf("  node runs with an attempt that ended after a later attempt began (orphan): %d\n", v.concurrent)
	fmt.Printf("  node runs that ran to their end in two attempts, no fault to explain it: %d\n", v.ranTwice)
	fmt.Printf("  SUCCESS nodes whose attempt never ran to its end: %d\n", v.successNoEffect)
	fmt.Printf("  side effects of runs unknown to the store:        %d\n", v.strayEffects)
	fmt.Printf("  node logs missing or doubling a line:             %d\n", v.logBad)
	fmt.Printf("  HTTP answers other than 2xx and 503:              %d\n", unexpected)
	if *mode == "server" {
		fmt.Printf("  requests without an answer (API never killed):    %d\n", missing)
	} else {
		fmt.Printf("  (requests without an answer while the standalone process was down: %d, not a violation)\n", codesDuringLoad[0])
	}
	for _, e := range v.examples {
		fmt.Println("  e.g.", e)
	}
	for _, e := range c.oddAnswers() {
		fmt.Println("  answer:", e)
	}
	bad := v.violations() + unexpected + missing
	if bad > 0 {
		fmt.Printf("FAILED: %d violations\n", bad)
	} else {
		fmt.Println("OK: nothing lost, nothing twice")
	}
	return bad, nil
}

// fault is one fault injected: what, and when it began and ended.
type fault struct {
	what       string
	begin, end time.Time
	workerLost bool // a worker (or Temporal) went away: its jobs' ends may not have been reported
}

func (f fault) String() string {
	return fmt.Sprintf("%s at %s", f.what, f.begin.Sub(begin).Round(time.Second))
}

// inject runs the faults until stop and says what it did, when.
func inject(s stack, stop <-chan struct{}) []fault {
	var done []fault
	note := func(lost bool, fn func() string) {
		f := fault{begin: time.Now(), workerLost: lost}
		if f.what = fn(); f.what != "" {
			f.end = time.Now()
			done = append(done, f)
			logf("%s", f.what)
		}
	}
	kill := time.NewTicker(*killEvery)
	defer kill.Stop()
	outages := []time.Duration{*duration / 3, 2 * *duration / 3}
	restarted := false
	for {
		select {
		case <-stop:
			return done
		case <-kill.C:
			note(true, s.killWorker)
		case <-time.After(time.Second):
		}
		el := time.Since(begin)
		if len(outages) > 0 && el >= outages[0] {
			outages = outages[1:]
			note(false, func() string { return s.storeOutage(*storeDown) })
		}
		if !restarted && el >= *duration/2 {
			restarted = true
			note(true, func() string { return s.restartTemporal(*temporalDown) })
		}
	}
}

func (a *api) snapshot() map[int]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[int]int{}
	for k, v := range a.codes {
		out[k] = v
	}
	return out
}

func (a *api) oddAnswers() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, code := range sortedKeys(a.odd) {
		out = append(out, a.odd[code]...)
	}
	return out
}

func sortedStrings(m map[string]int) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedKeys[V any](m map[int]V) []int {
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

func codeList(m map[int]int) string {
	var parts []string
	for _, c := range sortedKeys(m) {
		name := fmt.Sprint(c)
		if c == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, m[c]))
	}
	return strings.Join(parts, ", ")
}
