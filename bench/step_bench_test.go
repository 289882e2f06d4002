package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/activities"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// BenchmarkStep measures a sequential step of a run — one job's end → the
// next job's start — on a 20-job chain, at Temporal's default history
// queue read rate (20/s) and at jobflow's (temporalserver.QueuePollRPS),
// for no-op jobs (the harness's RunJob, timed at its entry and return) and
// for SHELL `true` through the real activities on SQLite (the node runs'
// own end and start times, as users see them). The no-op case runs the
// hand-written workflow of the same chain on the same server too and
// reports the ratio. Targets (docs/benchmarks.md#a-sequential-step): ≤ 8 ms median for no-op jobs,
// ≤ 12 ms for SHELL true.
//
//	go test ./bench -run '^$' -bench BenchmarkStep -benchtime 5x
func BenchmarkStep(b *testing.B) {
	for _, rps := range []int{20, temporalserver.QueuePollRPS} {
		b.Run(fmt.Sprintf("poll-rps=%d/noop", rps), func(b *testing.B) { benchNoopSteps(b, rps) })
		b.Run(fmt.Sprintf("poll-rps=%d/shell", rps), func(b *testing.B) { benchShellSteps(b, rps) })
	}
}

// benchNoopSteps runs FlowRun and the hand-written workflow on the same
// chain, one after the other in each iteration, and reports both steps and
// their ratio: the part of a step that is FlowRun's and not Temporal's.
func benchNoopSteps(b *testing.B, rps int) {
	var mu sync.Mutex
	spans := map[string][2]time.Time{} // run id/job id -> entry, return
	timed := func(ctx context.Context, in workflows.RunJobInput) (workflows.RunJobResult, error) {
		start := time.Now()
		res, err := RunJob(ctx, in)
		mu.Lock()
		spans[in.RunID+"/"+in.Job.ID] = [2]time.Time{start, time.Now()}
		mu.Unlock()
		return res, err
	}
	h, err := Start(Options{QueuePollRPS: rps, RunJob: timed})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Stop()
	shape := Chain(20)
	jobs := shape.Snapshot.Jobs
	collect := func(runID string, into *[]time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		for i := 1; i < len(jobs); i++ {
			prev, next := spans[runID+"/"+jobs[i-1].ID], spans[runID+"/"+jobs[i].ID]
			*into = append(*into, next[0].Sub(prev[1]))
		}
	}
	var steps, hand []time.Duration
	for b.Loop() {
		_, ids, err := h.RunFlow(context.Background(), shape.Snapshot)
		if err != nil {
			b.Fatal(err)
		}
		collect(ids[0], &steps)
		if _, _, err := h.RunHand(context.Background(), shape); err != nil {
			b.Fatal(err)
		}
		collect("hand", &hand) // HandWritten's RunJob inputs all have run id "hand"
	}
	reportSteps(b, steps) // sorts steps
	slices.Sort(hand)
	median := func(d []time.Duration) float64 { return float64(d[(len(d)-1)/2]) / 1e6 }
	p50, hp50 := median(steps), median(hand)
	b.ReportMetric(hp50, "hand-step-p50-ms")
	b.ReportMetric(p50/hp50, "ratio")
	fmt.Fprintf(os.Stderr, "step, no-op jobs, history reads %d/s: FlowRun p50 %.1f ms, hand-written p50 %.1f ms, ratio %.2f (%d steps each)\n",
		rps, p50, hp50, p50/hp50, len(steps))
}

func benchShellSteps(b *testing.B, rps int) {
	st := storetest.Open(b, store.DialectSQLite)
	ctx := context.Background()
	tn := &jobflow.Tenant{Name: "bench"}
	if err := st.CreateTenant(ctx, tn); err != nil {
		b.Fatal(err)
	}
	wf := &jobflow.Workflow{TenantID: tn.ID, Name: "steps", Config: jobflow.DefaultConfig()}
	if err := st.CreateWorkflow(ctx, wf, 10); err != nil {
		b.Fatal(err)
	}
	acts := &activities.Activities{Runs: st, Datasources: st, Alarms: st, Tenants: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	defer acts.Close()
	h, err := Start(Options{QueuePollRPS: rps, Activities: acts})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Stop()
	shape := Chain(20)
	snap := shape.Snapshot
	snap.TenantID, snap.WorkflowID = tn.ID, wf.ID
	var steps []time.Duration
	for b.Loop() {
		_, ids, err := h.RunFlow(ctx, snap)
		if err != nil {
			b.Fatal(err)
		}
		run, err := st.FindRunByID(ctx, tn.ID, ids[0])
		if err != nil {
			b.Fatal(err)
		}
		byJob := map[string]*jobflow.NodeRun{}
		for _, n := range run.Nodes {
			byJob[n.JobID] = n
		}
		for i := 1; i < len(snap.Jobs); i++ {
			prev, next := byJob[snap.Jobs[i-1].ID], byJob[snap.Jobs[i].ID]
			if prev == nil || next == nil || prev.EndedAt == nil || next.StartedAt == nil {
				b.Fatalf("node runs without times: %+v %+v", prev, next)
			}
			steps = append(steps, next.StartedAt.Sub(*prev.EndedAt))
		}
	}
	reportSteps(b, steps)
}

func reportSteps(b *testing.B, steps []time.Duration) {
	slices.Sort(steps)
	ms := func(q float64) float64 { return float64(steps[int(q*float64(len(steps)-1))]) / 1e6 }
	b.ReportMetric(ms(0.5), "step-p50-ms")
	b.ReportMetric(ms(0.9), "step-p90-ms")
	b.ReportMetric(float64(len(steps)), "steps")
}
