// Command fairbench measures per-tenant fairness (docs/operations.md#fairness):
// whether one tenant's backlog holds back another tenant's run.
//
//	go run ./bench/fairbench                  # 1,000-run flood, 8 job slots
//	go run ./bench/fairbench -n 300 -probes 3 # a quick look
//
// FlowRun runs on an in-process Temporal server (the bench harness, with
// the embedded server's settings) whose worker runs at most -slots jobs at
// once, each a -job sleep. Tenant A starts -n one-job runs at once, as a
// backfill does; once they are started, tenant B starts -probes one-job
// runs one after the other, and the time from B's start request to its
// job's start is its latency. Every execution carries its tenant as
// Temporal fairness key, as the engine starts them (engine.Fairness). The
// same is measured on an idle server first (B's idle latency), and the
// whole is done twice: with Temporal's fairness on (as jobflow runs) and
// off (Temporal's default), so the table shows what fairness buys. The
// target is B's median latency under the flood within 2× its idle one.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"jobflow"
	"jobflow/bench"
	"jobflow/bench/internal/figures"
	"jobflow/engine"
	"jobflow/workflows"
)

func main() {
	n := flag.Int("n", 1000, "tenant A's runs, started at once")
	slots := flag.Int("slots", 8, "jobs the worker runs at once")
	job := flag.Duration("job", 50*time.Millisecond, "how long each of tenant A's jobs runs")
	probes := flag.Int("probes", 9, "tenant B's runs, one after the other")
	every := flag.Duration("every", 500*time.Millisecond, "tenant B's probes start this far apart during the flood")
	wft := flag.Int("wft", 0, "workflow tasks the worker runs at once (0: the SDK's default)")
	jsonOut := flag.String("json", "", "also write both modes' figures as JSON to this file (bench/report reads it)")
	flag.Parse()
	log.SetFlags(0)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("fairbench: %d runs of tenant A (%v jobs, %d slots), %d probes of tenant B; %s, %d CPUs, load %s\n",
		*n, *job, *slots, *probes, time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), strings.Fields(string(load))[0])
	fmt.Printf("%-9s %14s %16s %8s %14s %12s %10s\n", "fairness", "B idle (p50)", "B flooded (p50)", "ratio", "B flooded max", "A drained", "flood on")
	var out []figures.Fair
	for _, on := range []bool{true, false} {
		r, err := measure(on, *n, *slots, *wft, *job, *probes, *every)
		if err != nil {
			log.Fatal(err)
		}
		mode := "on"
		if !on {
			mode = "off"
		}
		fmt.Printf("%-9s %14s %16s %7.2fx %14s %12s %10v\n", mode, ms(r.idle), ms(r.flooded), float64(r.flooded)/float64(r.idle), ms(r.floodedMax), r.drained.Round(100*time.Millisecond), r.floodOn)
		out = append(out, figures.Fair{Fairness: on, IdleP50Ms: float64(r.idle.Microseconds()) / 1000,
			FloodedP50Ms: float64(r.flooded.Microseconds()) / 1000, FloodOn: r.floodOn})
	}
	if err := figures.Write(*jsonOut, out); err != nil {
		log.Fatal(err)
	}
}

// started holds, per probe run id, the channel its job's start is sent on.
var started sync.Map

type result struct {
	idle, flooded, floodedMax, drained time.Duration
	floodOn                            bool // A's backlog outlasted the probes
}

// allDone reports whether every run has ended, asking the last started
// first (the likeliest to still be queued).
func allDone(ctx context.Context, h *bench.Harness, runs []client.WorkflowRun) bool {
	for _, r := range slices.Backward(runs) {
		d, err := h.Client.DescribeWorkflowExecution(ctx, r.GetID(), r.GetRunID())
		if err != nil || d.GetWorkflowExecutionInfo().GetCloseTime() == nil {
			return false
		}
	}
	return true
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// measure runs one round on a fresh server.
func measure(fair bool, n, slots, wft int, job time.Duration, probes int, every time.Duration) (result, error) {
	var res result
	runJob := func(ctx context.Context, in workflows.RunJobInput) (workflows.RunJobResult, error) {
		if ch, ok := started.Load(in.RunID); ok {
			ch.(chan time.Time) <- time.Now()
			return workflows.RunJobResult{}, nil
		}
		select {
		case <-time.After(job):
		case <-ctx.Done():
		}
		return workflows.RunJobResult{}, nil
	}
	h, err := bench.Start(bench.Options{NoFairness: !fair, RunJob: runJob, Partitions: 1, // as standalone
		Worker: worker.Options{MaxConcurrentActivityExecutionSize: slots, MaxConcurrentWorkflowTaskExecutionSize: wft}})
	if err != nil {
		return res, err
	}
	defer h.Stop()
	ctx := context.Background()

	probe := func(i int) (time.Duration, error) {
		id := fmt.Sprintf("b-%v-%d-%d", fair, i, time.Now().UnixNano())
		ch := make(chan time.Time, 1)
		started.Store(id, ch)
		t0 := time.Now()
		if _, err := h.Client.ExecuteWorkflow(ctx, options(id, "tenant-b"), workflows.FlowRunName, input(id, "tenant-b")); err != nil {
			return 0, err
		}
		select {
		case at := <-ch:
			return at.Sub(t0), nil
		case <-time.After(5 * time.Minute):
			return 0, fmt.Errorf("probe %s: its job never started", id)
		}
	}
	probeAll := func() ([]time.Duration, error) {
		var ds []time.Duration
		for i := range probes {
			d, err := probe(i)
			if err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
		return ds, nil
	}
	if _, err := probe(-1); err != nil { // warm-up
		return res, err
	}
	idle, err := probeAll()
	if err != nil {
		return res, err
	}
	res.idle = median(idle)

	// Tenant A's flood, started by 16 clients at once.
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	runs := make([]client.WorkflowRun, n)
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				id := fmt.Sprintf("a-%v-%d", fair, i)
				r, err := h.Client.ExecuteWorkflow(ctx, options(id, "tenant-a"), workflows.FlowRunName, input(id, "tenant-a"))
				if err != nil {
					errs <- err
					continue
				}
				runs[i] = r
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	// B's probes while the flood goes on: one every -every, each on its
	// own (a slow one does not delay the next).
	flooded := make([]time.Duration, probes)
	perrs := make(chan error, probes)
	var pg sync.WaitGroup
	for i := range probes {
		pg.Go(func() {
			d, err := probe(100 + i)
			flooded[i] = d
			if err != nil {
				perrs <- err
			}
		})
		time.Sleep(every)
	}
	pg.Wait()
	close(perrs)
	if err := <-perrs; err != nil {
		return res, err
	}
	res.flooded, res.floodedMax = median(flooded), slices.Max(flooded)
	if os.Getenv("FAIRBENCH_TRACE") != "" {
		trace(ctx, h, fmt.Sprintf("b-%v-%d-", fair, 100+probes/2))
	}
	res.floodOn = !allDone(ctx, h, runs)
	for _, r := range runs {
		if err := r.Get(ctx, nil); err != nil {
			return res, err
		}
	}
	res.drained = time.Since(t0)
	return res, nil
}

// options start a run as the engine does: its tenant is its fairness key.
func options(id, tenant string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: bench.TaskQueue, Priority: engine.Fairness(tenant)}
}

// input is a one-job run of tenant.
func input(id, tenant string) workflows.FlowRunInput {
	snap := jobflow.Snapshot{TenantID: tenant, WorkflowID: "wf-" + tenant, WorkflowName: tenant, Config: jobflow.DefaultConfig()}
	snap.Canvas.Nodes = []jobflow.CanvasNode{{JobID: "j"}}
	snap.Jobs = []jobflow.Job{{ID: "j", Name: "j", Type: jobflow.JobShell, Config: []byte(`{"script":"true"}`)}}
	return workflows.FlowRunInput{RunID: id, Snapshot: snap, Trigger: jobflow.TriggerBackfill, TaskQueue: bench.TaskQueue,
		LogicalTime: time.Now().UTC().Truncate(time.Second)}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// trace prints the history of the probe whose id starts with prefix, each
// event's time from the first (FAIRBENCH_TRACE=1: where B's time goes).
func trace(ctx context.Context, h *bench.Harness, prefix string) {
	var id string
	started.Range(func(k, _ any) bool {
		if strings.HasPrefix(k.(string), prefix) {
			id = k.(string)
			return false
		}
		return true
	})
	if id == "" {
		return
	}
	it := h.Client.GetWorkflowHistory(ctx, id, "", false, 0)
	var t0 time.Time
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return
		}
		at := e.GetEventTime().AsTime()
		if t0.IsZero() {
			t0 = at
		}
		fmt.Printf("  %8s %s\n", ms(at.Sub(t0)), e.GetEventType())
	}
}
