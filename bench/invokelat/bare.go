package main

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobflow/bench/internal/figures"
)

// The bare phase is the limit jobflow is measured against: a hand-written
// Temporal workflow that runs one activity, started with the same client
// on the same server at the same pace, with no store, no HTTP and no
// interpretation.

const bareQueue = "bare"

// BareFlow runs one BareJob.
func BareFlow(ctx workflow.Context, execTrue bool) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	return workflow.ExecuteActivity(ctx, BareJob, execTrue).Get(ctx, nil)
}

// BareJob does nothing, or runs `true` as a process when execTrue.
func BareJob(ctx context.Context, execTrue bool) error {
	if execTrue {
		return exec.CommandContext(ctx, "true").Run()
	}
	return nil
}

// bare starts BareFlow runs for d with conc clients (at most rate a
// second), waits for all of them and returns the end-to-end runs per second.
func bare(ctx context.Context, c client.Client, d time.Duration, conc int, rate float64, execTrue bool) (figures.Throughput, error) {
	w := worker.New(c, bareQueue, worker.Options{})
	w.RegisterWorkflow(BareFlow)
	w.RegisterActivity(BareJob)
	if err := w.Start(); err != nil {
		return figures.Throughput{}, err
	}
	defer w.Stop()
	ph := startPhase(map[bool]string{false: "bare-noop", true: "bare-exec"}[execTrue])
	var pace <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		pace = t.C
	}
	var mu sync.Mutex
	var runs []client.WorkflowRun
	var failed atomic.Int64
	var seq atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if pace != nil {
					<-pace
				}
				id := fmt.Sprintf("bare-%d-%d", time.Now().UnixNano(), seq.Add(1))
				run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: bareQueue}, BareFlow, execTrue)
				if err != nil {
					failed.Add(1)
					continue
				}
				mu.Lock()
				runs = append(runs, run)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	drainStart := time.Now()
	bad := 0
	for _, r := range runs {
		if err := r.Get(ctx, nil); err != nil {
			bad++
		}
	}
	drained := time.Since(drainStart)
	perSec := float64(len(runs)) / (d + drained).Seconds()
	fmt.Printf("bare Temporal (one %s activity): %d runs started (%.1f/s), %d start errors; all finished %.1f s after the last start (%.1f runs/s); %d failed\n",
		map[bool]string{false: "no-op", true: "`true` process"}[execTrue], len(runs), float64(len(runs))/d.Seconds(), failed.Load(), drained.Seconds(), perSec, bad)
	return figures.Throughput{RunsPerSec: perSec, CPUPerRunMs: ph.end(len(runs)), Runs: len(runs), Failed: bad}, nil
}
