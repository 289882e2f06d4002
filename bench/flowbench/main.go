// Command flowbench prints how much slower FlowRun is than a hand-written
// Temporal workflow of the same shape (docs/benchmarks.md#flowrun-against-a-hand-written-workflow-of-the-same-shape): a 50-job chain, a
// 200-wide fan-out/fan-in and a 1,000-job layered random DAG of no-op jobs,
// on one in-process Temporal server. `make bench` runs it.
//
//	go run ./bench/flowbench [-runs 9] [-shapes chain,fan,dag] [-cpuprofile file] [-record-histories dir]
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"jobflow"
	"jobflow/bench"
	"jobflow/workflows"
)

func main() {
	runs := flag.Int("runs", 9, "measured runs per shape and workflow (after one warm-up run); the median is printed")
	only := flag.String("shapes", "chain,fan,dag", "shapes to measure: chain (50 jobs), fan (200 wide), dag (1,000 jobs)")
	record := flag.String("record-histories", "", "instead of measuring, record FlowRun histories for the replay test into this directory")
	scenarios := flag.String("scenarios", "", "with -record-histories: record only these scenarios (comma-separated names, e.g. subflow,subflow-fail)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measurement to this file")
	largest := flag.Int("largest", 0, "instead of measuring ratios, run one layered DAG of this many jobs (e.g. 10000) and print its time and history size")
	forEach := flag.Int("foreach", 0, "instead of measuring ratios, run one FOREACH job of this many items (e.g. 10000) and print its time and histories")
	forEachConc := flag.Int("foreach-concurrency", 100, "with -foreach: the job's maxConcurrency")
	pollRPS := flag.Int("poll-rps", 0, "history queue read rate (default temporalserver.QueuePollRPS as in standalone; 20 is Temporal's default)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "flowbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *forEach > 0 {
		if err := runForEach(*forEach, *forEachConc, *pollRPS); err != nil {
			fmt.Fprintln(os.Stderr, "flowbench:", err)
			os.Exit(1)
		}
		return
	}
	if *largest > 0 {
		if err := runLargest(*largest, *pollRPS); err != nil {
			fmt.Fprintln(os.Stderr, "flowbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*runs, *only, *record, *scenarios, *pollRPS); err != nil {
		fmt.Fprintln(os.Stderr, "flowbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(runs int, only, record, scenarios string, pollRPS int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	started := time.Now()
	opts := bench.Options{QueuePollRPS: pollRPS}
	if record != "" {
		opts.SuggestContinueAsNewAt = bench.RecordSuggestContinueAsNewAt
	}
	h, err := bench.Start(opts)
	if err != nil {
		return err
	}
	defer h.Stop()
	fmt.Printf("in-process Temporal server ready in %s\n", time.Since(started).Round(time.Millisecond))
	if record != "" {
		var names []string
		if scenarios != "" {
			names = strings.Split(scenarios, ",")
		}
		files, err := h.RecordHistories(ctx, record, names...)
		for _, f := range files {
			fmt.Println("recorded", f)
		}
		return err
	}
	var shapes []bench.Shape
	for _, s := range []bench.Shape{bench.Chain(50), bench.FanOutIn(200), bench.Layered(1000, 50, 1)} {
		if strings.Contains(only, s.Kind) {
			shapes = append(shapes, s)
		}
	}
	fmt.Printf("%-10s %6s %12s %12s %7s %14s\n", "shape", "nodes", "FlowRun", "hand-written", "ratio", "overhead/node")
	worst := 0.0
	for _, s := range shapes {
		r, err := h.Measure(ctx, s, runs)
		if err != nil {
			return err
		}
		worst = max(worst, r.Ratio())
		fmt.Printf("%-10s %6d %12s %12s %7.3f %11.3f ms   (FlowRun %v, hand %v)\n", r.Shape, r.Nodes,
			r.FlowRun.Round(time.Millisecond), r.Hand.Round(time.Millisecond), r.Ratio(), r.PerNodeOverheadMs(),
			rounded(r.FlowRuns), rounded(r.Hands))
		fmt.Printf("%-10s history: FlowRun %d events, %d workflow tasks, %d execution(s); hand-written %d events, %d workflow tasks\n",
			"", r.FlowEvents, r.FlowTasks, r.FlowExecutions, r.HandEvents, r.HandTasks)
	}
	verdict := "met"
	if worst > 1.10 {
		verdict = "NOT met"
	}
	fmt.Printf("worst ratio %.3f: target <= 1.10 %s\n", worst, verdict)
	return nil
}

func rounded(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// runLargest runs one layered DAG of n no-op jobs (100 wide) on a fresh
// server and prints how long it took and how large its histories grew
// (FlowRun loads a large snapshot by reference and continues as new when
// Temporal suggests it).
func runLargest(n, pollRPS int) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	h, err := bench.Start(bench.Options{QueuePollRPS: pollRPS})
	if err != nil {
		return err
	}
	defer h.Stop()
	snap := bench.Layered(n, 100, 7).Snapshot
	raw, _ := json.Marshal(snap)
	pages, packed := 0, 0
	for from := 0; from < len(snap.Jobs); pages++ {
		b, err := workflows.EncodeSnapshotPage(&snap, from)
		if err != nil {
			return err
		}
		var p workflows.SnapshotPage
		zr, _ := gzip.NewReader(bytes.NewReader(b))
		if err := json.NewDecoder(zr).Decode(&p); err != nil {
			return err
		}
		from += len(p.Jobs)
		packed += len(b)
	}
	fmt.Printf("snapshot: %d jobs, %d edges, %d bytes of JSON inline; by reference %d page(s), %d bytes gzipped\n",
		n, len(snap.Canvas.Edges), len(raw), pages, packed)
	d, ids, err := h.RunFlow(ctx, snap) // checks SUCCESS with every node
	if err != nil {
		return err
	}
	execs, err := h.Executions(ctx, ids)
	if err != nil {
		return err
	}
	events, tasks, size, most := 0, 0, 0, 0
	for i, x := range execs {
		fmt.Printf("  execution %2d: %6d events, %5d workflow tasks, %9d bytes (input %d bytes)\n", i+1, x.Events, x.Tasks, x.Bytes, x.InputBytes)
		events, tasks, size, most = events+x.Events, tasks+x.Tasks, size+x.Bytes, max(most, x.Bytes)
	}
	fmt.Printf("layered DAG of %d jobs: SUCCESS in %s; %d executions (%d continue-as-new); %d history events, %d workflow tasks, %d bytes in all, largest execution %d bytes\n",
		n, d.Round(time.Millisecond), len(execs), len(execs)-1, events, tasks, size, most)
	// The nodes query answers a page (2,000 nodes by default on a run
	// loaded by reference: 10,000 would pass the 2 MB query result limit).
	for _, q := range []workflows.NodesQuery{{}, {Offset: n - 500, Limit: 1000}} {
		v, err := h.Client.QueryWorkflow(ctx, ids[0], "", workflows.QueryNodes, q)
		if err != nil {
			return fmt.Errorf("nodes query %+v: %w", q, err)
		}
		var nodes []jobflow.NodeRun
		if err := v.Get(&nodes); err != nil {
			return err
		}
		b, _ := json.Marshal(nodes)
		fmt.Printf("nodes query %+v: %d nodes, %d bytes\n", q, len(nodes), len(b))
	}
	return nil
}

// runForEach runs one FOREACH job of n items on a fresh server and prints
// how long it took and how large the histories grew (ForEach continues as
// new every 1,000 items; FlowRun's history does not grow per item).
func runForEach(n, concurrency, pollRPS int) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	h, err := bench.Start(bench.Options{QueuePollRPS: pollRPS})
	if err != nil {
		return err
	}
	defer h.Stop()
	r, err := h.RunForEach(ctx, n, concurrency)
	if err != nil {
		return err
	}
	most := func(xs []bench.Execution) (events, bytes int) {
		for _, x := range xs {
			events, bytes = max(events, x.Events), max(bytes, x.Bytes)
		}
		return
	}
	fe, fb := most(r.ForEach)
	pe, pb := most(r.FlowRun)
	fmt.Printf("FOREACH of %d items, %d at once: SUCCESS in %s (%.1f items/s)\n", r.Items, r.Concurrency, r.Took.Round(time.Millisecond),
		float64(r.Items)/r.Took.Seconds())
	fmt.Printf("  ForEach: %d executions (%d continue-as-new), largest %d events / %d bytes\n", len(r.ForEach), len(r.ForEach)-1, fe, fb)
	fmt.Printf("  FlowRun: %d execution(s), largest %d events / %d bytes\n", len(r.FlowRun), pe, pb)
	return nil
}
