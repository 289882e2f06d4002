// Command storm measures the schedule storm side by side on one embedded
// Temporal server (the standalone mode's: SQLite file, jobflow's dynamic
// config): -n published jobflow workflows of one SHELL job `true` whose
// schedules all fire on the same second, then -n bare Temporal Schedules
// firing on a later second, each starting a bare workflow that runs one
// no-op activity (or one `true` process with -bare exec).
//
//	go build -ldflags "-s -w" -o /tmp/storm ./bench/storm && /tmp/storm -n 1000
//
// Lateness is a run's first activity start minus its schedule's fire time:
// for jobflow the first node run's startedAt (written by RunJob as it
// begins), for the bare workflow the time its activity began. It is split
// at the execution's start (the schedule's own part, the same for both in
// principle) and reported as median, p99 and max, with the ratios jobflow /
// bare. The two storms run one after the other, each on an otherwise idle
// worker, so neither slows the other.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"jobflow"
	"jobflow/activities"
	"jobflow/bench/internal/figures"
	"jobflow/engine"
	"jobflow/store"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

func main() {
	n := flag.Int("n", 1000, "schedules per storm")
	dbURL := flag.String("db", "", "jobflow's store (default: a SQLite file, as standalone)")
	bareModes := flag.String("bare", "noop", "bare storms to run after jobflow's, comma-separated: noop, exec (one `true` process), mimic (the no-op workflow started by jobflow's schedule action: its input, memo and search attributes)")
	pollRPS := flag.Int("poll-rps", 0, "the embedded server's history queue read rate (0: jobflow's default)")
	lead := flag.Duration("lead", 10*time.Second, "at least this long between the end of a storm's setup and its fire time")
	flag.StringVar(&serverLog, "server-log", "", "the embedded server's log level (debug, info, warn, error; default: silent)")
	flag.IntVar(&rounds, "rounds", 1, "storm pairs to run, one after the other; the ratios of all of them pooled are printed too")
	flag.BoolVar(&bareFirst, "bare-first", false, "run the bare no-op and exec storms before jobflow's")
	flag.StringVar(&profileDir, "cpuprofile", "", "write a CPU profile of each storm (fire time → its runs counted) to this directory")
	jsonOut := flag.String("json", "", "also write each round's lateness as JSON to this file (bench/report reads it)")
	flag.Parse()
	res, err := run(*n, *dbURL, *bareModes, *pollRPS, *lead)
	if err != nil {
		log.Fatal(err)
	}
	if err := figures.Write(*jsonOut, res); err != nil {
		log.Fatal(err)
	}
}

// catchup is both storms' schedule catch-up window.
const catchup = time.Hour

// env is the server, client, store and jobflow worker both storms share.
type env struct {
	c    client.Client
	st   *store.Store
	eng  *engine.Engine
	lead time.Duration
	// sample is one of the jobflow storm's published versions (-bare mimic).
	sample *jobflow.Version
}

func run(n int, dbURL, bareModes string, pollRPS int, lead time.Duration) (*figures.Storm, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "storm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	quietLevel := slog.LevelError + 4 // a loaded server logs every persistence timeout
	if serverLog != "" {
		if err := quietLevel.UnmarshalText([]byte(serverLog)); err != nil {
			return nil, err
		}
	}
	ts, err := temporalserver.Start(ctx, temporalserver.Config{DataDir: dir, LogLevel: &quietLevel, QueuePollRPS: pollRPS})
	if err != nil {
		return nil, err
	}
	defer ts.Stop()
	opts := ts.ClientOptions(temporalserver.DefaultNamespace)
	opts.Logger = sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), temporalserver.DefaultNamespace); err != nil {
		return nil, err
	}
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(dir, "jobflow.db")
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	st, err := store.Open(ctx, dbURL, key)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	// The standalone worker's activities and options (cmd/jobflow).
	acts := &activities.Activities{Runs: st, Datasources: st, Alarms: st, Tenants: st, Variables: st, Dependents: st, Signaller: c,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	defer acts.Close()
	w := worker.New(c, workflows.DefaultTaskQueue, worker.Options{MaxHeartbeatThrottleInterval: time.Second})
	workflows.Register(w)
	acts.Register(w)
	if err := w.Start(); err != nil {
		return nil, err
	}
	defer w.Stop()
	e := &env{c: c, st: st, lead: lead,
		eng: &engine.Engine{Client: c, Store: st, Namespace: temporalserver.DefaultNamespace, TaskQueue: workflows.DefaultTaskQueue}}

	fmt.Printf("storm: %d schedules firing on the same second, embedded Temporal (SQLite), jobflow store %s, load average %s\n",
		n, st.Dialect(), figures.LoadAverage())
	// Storms on this machine move by ±20 % from one to the next, more than
	// the difference measured: -rounds repeats the pair, and the ratios of
	// all rounds' runs pooled are the figure.
	var all map[string]*pooled
	res := &figures.Storm{Schedules: n}
	for r := 1; r <= rounds; r++ {
		if rounds > 1 {
			fmt.Printf("round %d of %d\n", r, rounds)
		}
		got, fig, err := e.round(ctx, n, r, bareModes)
		if err != nil {
			return nil, err
		}
		res.Rounds = append(res.Rounds, fig)
		if all == nil {
			all = got
			continue
		}
		for what, p := range got {
			all[what].jobflow = append(all[what].jobflow, p.jobflow...)
			all[what].bare = append(all[what].bare, p.bare...)
		}
	}
	if rounds > 1 {
		for _, what := range slices.Sorted(maps.Keys(all)) {
			p := all[what]
			fmt.Printf("all %d rounds pooled, ratio jobflow / %s: median %.2f, p99 %.2f (target p99 <= 1.3 against no-op)\n", rounds, what,
				ratio(p.jobflow, p.bare, 0.5), ratio(p.jobflow, p.bare, 0.99))
		}
	}
	fmt.Printf("load average at the end: %s\n", figures.LoadAverage())
	return res, nil
}

// pooled is the lateness of jobflow's runs and of one bare kind's, over
// the rounds.
type pooled struct{ jobflow, bare []time.Duration }

// round runs jobflow's storm and the bare ones beside it (-bare-first puts
// the bare no-op and exec storms before jobflow's; mimic needs a version of
// jobflow's and always comes after it) and prints their ratios.
func (e *env) round(ctx context.Context, n, round int, bareModes string) (map[string]*pooled, figures.StormRound, error) {
	type storm struct {
		what string
		res  result
	}
	var bares []storm
	fig := figures.StormRound{Bare: map[string]figures.Lateness{}}
	runBare := func(modes ...string) error {
		for _, mode := range modes {
			if !strings.Contains(bareModes, mode) {
				continue
			}
			b, err := e.bareStorm(ctx, n, mode)
			if err != nil {
				return err
			}
			what := map[string]string{"noop": "bare, one no-op activity", "exec": "bare, one `true` process",
				"mimic": "bare with jobflow's schedule action"}[mode]
			b.print(what)
			bares = append(bares, storm{what, b})
			fig.Bare[mode] = b.lateness()
		}
		return nil
	}
	if bareFirst {
		if err := runBare("noop", "exec"); err != nil {
			return nil, fig, err
		}
	}
	jf, err := e.jobflowStorm(ctx, n, round)
	if err != nil {
		return nil, fig, err
	}
	jf.print("jobflow, one SHELL `true` job")
	fig.Jobflow = jf.lateness()
	if !bareFirst {
		if err := runBare("noop", "exec"); err != nil {
			return nil, fig, err
		}
	}
	if err := runBare("mimic"); err != nil {
		return nil, fig, err
	}
	out := map[string]*pooled{}
	for _, b := range bares {
		fmt.Printf("ratio jobflow / %s: median %.2f, p99 %.2f (target p99 <= 1.3 against no-op)\n", b.what,
			ratio(jf.late, b.res.late, 0.5), ratio(jf.late, b.res.late, 0.99))
		out[b.what] = &pooled{jobflow: jf.late, bare: b.res.late}
	}
	return out, fig, nil
}

// lateness is the storm's lateness as bench/report reads it.
func (r result) lateness() figures.Lateness {
	return figures.Lateness{Runs: len(r.late), P50Ms: ms(q(r.late, 0.5)), P99Ms: ms(q(r.late, 0.99)), MaxMs: ms(q(r.late, 1))}
}

// result is one storm's lateness (first activity start − fire time) and
// the part of it before the execution started, one entry per run.
type result struct {
	late, exec []time.Duration
	job        []time.Duration // jobflow: the job's start → end (RunJob's own time)
	setup      time.Duration
	events     int           // history events of one run
	drained    time.Duration // fire time → every run finished
}

func (r result) print(what string) {
	fmt.Printf("%s: %d runs of %d history events, setup %.1f s, all finished %.1f s after the fire time\n",
		what, len(r.late), r.events, r.setup.Seconds(), r.drained.Seconds())
	fmt.Printf("  lateness (fire -> first activity start): median %7.0f ms  p99 %7.0f ms  max %7.0f ms\n",
		ms(q(r.late, 0.5)), ms(q(r.late, 0.99)), ms(q(r.late, 1)))
	own := make([]time.Duration, len(r.late))
	for i := range own {
		own[i] = r.late[i] - r.exec[i]
	}
	fmt.Printf("  of which fire -> execution start:        median %7.0f ms  p99 %7.0f ms  (the schedule's part)\n", ms(q(r.exec, 0.5)), ms(q(r.exec, 0.99)))
	fmt.Printf("  and execution start -> activity start:   median %7.0f ms  p99 %7.0f ms  (the workflow's part)\n", ms(q(own, 0.5)), ms(q(own, 0.99)))
	if len(r.job) > 0 {
		fmt.Printf("  the job itself (start -> end):            median %7.0f ms  p99 %7.0f ms\n", ms(q(r.job, 0.5)), ms(q(r.job, 0.99)))
	}
}

// fireTime is the whole second lead after est from now, the fire time of
// a storm whose setup should take about est: every schedule of the storm
// fires on that second (a cron with seconds), once.
func (e *env) fireTime(est time.Duration) time.Time {
	return time.Now().Add(est + e.lead).Truncate(time.Second).UTC()
}

// checkSetup fails when a storm's setup ended too close to its fire time:
// schedules created after their fire time would not fire.
func (e *env) checkSetup(fire time.Time) error {
	if left := time.Until(fire); left < 2*time.Second {
		return fmt.Errorf("the setup ended %.1f s after the fire time, less than 2 s before: the storm would not be whole", -left.Seconds())
	}
	return nil
}

// historyLength is the number of events in the history of a closed
// workflow execution (its last run).
func (e *env) historyLength(ctx context.Context, workflowID string) (int, error) {
	d, err := e.c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return 0, err
	}
	return int(d.GetWorkflowExecutionInfo().GetHistoryLength()), nil
}

var (
	profileDir string // -cpuprofile: where each storm's CPU profile goes
	bareFirst  bool   // -bare-first
	serverLog  string // -server-log
	rounds     int    // -rounds
)

// profile starts the CPU profile of the storm named name, if asked for,
// and returns its stop.
func profile(name string) func() {
	if profileDir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(profileDir, name+".pprof"))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func q(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ratio(a, b []time.Duration, p float64) float64 {
	return float64(q(a, p)) / float64(max(q(b, p), time.Millisecond))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
