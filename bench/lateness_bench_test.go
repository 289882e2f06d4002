package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"jobflow"
	"jobflow/activities"
	"jobflow/engine"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// BenchmarkLateness measures how late scheduled runs start: from a
// Temporal Schedule's fire time (the run's logicalTime) to the start of the
// run's first job (its node run's startedAt), on one in-process Temporal
// server with a real worker over PostgreSQL. It is run once, in
// package bench (so that the fast tier links one benchmark binary, not two):
//
//	go test ./bench -run '^$' -bench Lateness -benchtime 1x -timeout 30m
//
// BenchmarkLateness/one: one workflow on an every-second Quartz cron, at
// least 100 runs. BenchmarkLateness/many: 1,000 workflows published on a
// one-minute cron, the runs of two minutes' fires. Both report the median
// and p99 lateness in milliseconds; "many" also reports publishes per second.

// Figures on the 2-core development machine (AMD EPYC, PostgreSQL 127.0.0.1,
// temporaltest with the embedded server's settings), 2026-11-25:
//
//	one:  111 runs, lateness median 413 ms, p99 1.04 s; of which before the
//	      FlowRun execution started (Temporal's schedule): median 400 ms,
//	      p99 1.02 s. jobflow's own part (execution start → first job
//	      start) is about 15 ms at the median.
//	many: 1,000 workflows published in 15.4 s (65 publishes/s, 8 at a
//	      time); 2,000 runs of two minutes' fires: lateness median 23.0 s,
//	      p99 41.0 s, max 41.4 s; execution start median 19.7 s, p99 34.5 s.
//	      With Temporal's default 30 schedule starts/s (-schedlate.rps=30):
//	      median 27.2 s, p99 53.3 s. Every fire runs within its minute, but
//	      1,000 simultaneous runs saturate two cores (server, worker, 1,000
//	      bash processes, PostgreSQL), so they are not on time.

// lateStartRPS is the schedule start rate of the server: the embedded server's
// 200 by default; -schedlate.rps=30 gives Temporal's default.
var lateStartRPS = 200.0

func init() {
	flag.Float64Var(&lateStartRPS, "schedlate.rps", lateStartRPS, "worker.schedulerNamespaceStartWorkflowRPS of the server")
}

type lateEnv struct {
	eng    *engine.Engine
	store  *store.Store
	tenant string
}

func newLateEnv(b *testing.B) *lateEnv {
	b.Helper()
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	// The settings of the embedded server (temporalserver.dynamicConfig),
	// so the figures are those of a standalone jobflow; above all 200
	// schedule starts per second instead of Temporal's 30.
	v := func(x any) []dynamicconfig.ConstrainedValue { return []dynamicconfig.ConstrainedValue{{Value: x}} }
	dc := dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): v(true), // temporaltest's own
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():      v(1),
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key():     v(1),
		dynamicconfig.SchedulerNamespaceStartWorkflowRPS.Key():      v(lateStartRPS),
	}
	ts := temporaltest.NewServer(
		temporaltest.WithBaseServerOptions(temporal.WithDynamicConfigClient(dc)),
		temporaltest.WithBaseClientOptions(client.Options{Logger: quiet}))
	b.Cleanup(ts.Stop)
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), ts.GetDefaultNamespace()); err != nil {
		b.Fatal(err)
	}
	st, _ := storetest.OpenPostgres(b)
	acts := &activities.Activities{Runs: st, Datasources: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b.Cleanup(func() { acts.Close() })
	ts.NewWorkerWithOptions(workflows.DefaultTaskQueue, func(r worker.Registry) {
		workflows.Register(r)
		acts.Register(r)
	}, worker.Options{MaxHeartbeatThrottleInterval: time.Second})
	tn := &jobflow.Tenant{Name: "bench", MaxWorkflows: 10000}
	if err := st.CreateTenant(ctx, tn); err != nil {
		b.Fatal(err)
	}
	return &lateEnv{eng: &engine.Engine{Client: c, Store: st, TaskQueue: workflows.DefaultTaskQueue}, store: st, tenant: tn.ID}
}

// workflow creates a workflow of one shell job on cron.
func (e *lateEnv) workflow(b *testing.B, name, cron string) string {
	ctx := context.Background()
	w := &jobflow.Workflow{TenantID: e.tenant, Name: name, CreatedBy: "bench"}
	if err := e.store.CreateWorkflow(ctx, w, 100000); err != nil {
		b.Fatal(err)
	}
	j := &jobflow.Job{TenantID: e.tenant, WorkflowID: w.ID, Name: "a", Type: jobflow.JobShell,
		Config: json.RawMessage(`{"script":"true"}`)}
	if err := e.store.CreateJob(ctx, j); err != nil {
		b.Fatal(err)
	}
	if _, err := e.store.SaveCanvas(ctx, e.tenant, w.ID, jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: j.ID}}}, w.Revision, "bench"); err != nil {
		b.Fatal(err)
	}
	cfg := jobflow.DefaultConfig()
	cfg.Schedule.Cron, cfg.Schedule.Timezone, cfg.Schedule.Enabled = cron, "UTC", true
	if _, err := e.store.SaveConfig(ctx, e.tenant, w.ID, cfg, "bench"); err != nil {
		b.Fatal(err)
	}
	return w.ID
}

// lateness returns first-job-start minus logical time of every finished
// SCHEDULE run whose logical time keep accepts, and, for the same runs, the
// part of it before the run's execution started (the schedule's own delay).
func (e *lateEnv) lateness(b *testing.B, keep func(time.Time) bool) (out, start []time.Duration) {
	ctx := context.Background()
	for page := 1; ; page++ {
		runs, total, err := e.store.FindRuns(ctx, e.tenant, jobflow.RunFilter{Trigger: jobflow.TriggerSchedule, Page: page, PageSize: 200})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range runs {
			if !r.Status.Finished() || !keep(r.LogicalTime) {
				continue
			}
			full, err := e.store.FindRunByID(ctx, e.tenant, r.ID)
			if err != nil {
				b.Fatal(err)
			}
			var first *time.Time
			for _, n := range full.Nodes {
				if n.StartedAt != nil && (first == nil || n.StartedAt.Before(*first)) {
					first = n.StartedAt
				}
			}
			if first != nil {
				out = append(out, first.Sub(r.LogicalTime))
				start = append(start, full.StartedAt.Sub(r.LogicalTime))
			}
		}
		if page*200 >= total {
			return out, start
		}
	}
}

func reportLateness(b *testing.B, d, start []time.Duration) {
	slices.Sort(d)
	slices.Sort(start)
	q := func(d []time.Duration, p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(float64(len(d)), "runs")
	b.ReportMetric(ms(q(d, 0.5)), "median-ms")
	b.ReportMetric(ms(q(d, 0.99)), "p99-ms")
	b.ReportMetric(ms(d[len(d)-1]), "max-ms")
	b.ReportMetric(ms(q(start, 0.5)), "start-median-ms")
	b.ReportMetric(ms(q(start, 0.99)), "start-p99-ms")
	fmt.Fprintf(os.Stderr, "%s: %d runs, lateness median %v, p99 %v, max %v; execution start median %v, p99 %v\n",
		b.Name(), len(d), q(d, 0.5), q(d, 0.99), d[len(d)-1], q(start, 0.5), q(start, 0.99))
}

func lateWaitFor(b *testing.B, timeout time.Duration, what string, cond func() bool) {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(2 * time.Second)
	}
}

func BenchmarkLateness(b *testing.B) {
	b.Run("one", func(b *testing.B) {
		for range b.N {
			e := newLateEnv(b)
			ctx := context.Background()
			id := e.workflow(b, "every-second", "* * * * * ?")
			if _, err := e.eng.Publish(ctx, e.tenant, id, "bench"); err != nil {
				b.Fatal(err)
			}
			all := func(time.Time) bool { return true }
			var d, start []time.Duration
			lateWaitFor(b, 5*time.Minute, "110 finished scheduled runs", func() bool {
				d, start = e.lateness(b, all)
				return len(d) >= 110
			})
			if _, err := e.eng.Offline(ctx, e.tenant, id); err != nil {
				b.Fatal(err)
			}
			reportLateness(b, d, start)
		}
	})

	b.Run("many", func(b *testing.B) {
		const n = 1000
		for range b.N {
			e := newLateEnv(b)
			ctx := context.Background()
			ids := make([]string, n)
			for i := range ids {
				ids[i] = e.workflow(b, fmt.Sprintf("minutely-%04d", i), "0 * * * * ?")
			}
			begin := time.Now()
			var wg sync.WaitGroup
			next := make(chan string)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for id := range next {
						if _, err := e.eng.Publish(ctx, e.tenant, id, "bench"); err != nil {
							b.Error(err)
						}
					}
				}()
			}
			for _, id := range ids {
				next <- id
			}
			close(next)
			wg.Wait()
			took := time.Since(begin)
			b.ReportMetric(float64(n)/took.Seconds(), "publishes/s")
			fmt.Fprintf(os.Stderr, "published %d workflows in %v\n", n, took)

			// The two first whole minutes after every publish is done.
			first := time.Now().Truncate(time.Minute).Add(time.Minute)
			second := first.Add(time.Minute)
			keep := func(t time.Time) bool { return t.Equal(first) || t.Equal(second) }
			var d, start []time.Duration
			lateWaitFor(b, time.Until(second)+5*time.Minute, "the runs of two minutes' fires", func() bool {
				if time.Now().Before(second.Add(5 * time.Second)) {
					return false
				}
				d, start = e.lateness(b, keep)
				return len(d) >= 2*n
			})
			for _, id := range ids {
				if _, err := e.eng.Offline(ctx, e.tenant, id); err != nil {
					b.Fatal(err)
				}
			}
			reportLateness(b, d, start)
		}
	})
}
