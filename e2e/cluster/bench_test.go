package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	tw "go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/internal/testrig"
)

// BenchmarkCluster is make bench's comparison on the production shape:
// the topology of deploy/cluster/up.sh (two Temporal nodes, two APIs, two
// workers, all on PostgreSQL) against bare Temporal on the same cluster,
// whose workflows run on two workers in this process
// (docs/benchmarks.md#the-cluster-against-bare-temporal).
//
//	go test -C e2e ./cluster -run '^$' -bench Cluster -benchtime 1x
//
// It reports one-job runs per second under sustained invoke load (8
// clients over both APIs for 20 s, then the drain) against bare workflows
// of one `true` process started at the same pace, and the lateness of a
// storm of 300 schedules firing on the same second against 300 bare
// Temporal Schedules.
func BenchmarkCluster(b *testing.B) {
	c := newCluster(b)
	c.up()
	apis := []*testrig.API{
		testrig.Login(b, c.apiURL(1), "admin", "cluster-test-pw"),
		testrig.Login(b, c.apiURL(2), "admin", "cluster-test-pw"),
	}
	var clients []client.Client
	for _, node := range []int{0, 100} {
		tc, err := client.Dial(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(c.base+node+33), Namespace: "default"})
		if err != nil {
			b.Fatal(err)
		}
		defer tc.Close()
		clients = append(clients, tc)
	}
	// Two bare workers, as the cluster has two jobflow workers.
	for _, tc := range clients {
		w := worker.New(tc, clusterBareQueue, worker.Options{})
		w.RegisterWorkflow(ClusterBare)
		w.RegisterActivity(ClusterBareJob)
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		defer w.Stop()
	}
	for i := range b.N {
		jf := invokeLoad(b, apis, clients[0], i, 20*time.Second, 8)
		bare := bareLoad(b, clients, 20*time.Second, 8)
		b.ReportMetric(jf, "jobflow-runs/s")
		b.ReportMetric(bare, "bare-runs/s")
		b.ReportMetric(jf/bare, "throughput-ratio")
		jl := clusterStorm(b, apis[0], i, 300)
		bl := bareClusterStorm(b, clients[0], 300)
		b.ReportMetric(pctMs(jl, 0.5), "jobflow-storm-p50-ms")
		b.ReportMetric(pctMs(jl, 0.99), "jobflow-storm-p99-ms")
		b.ReportMetric(pctMs(bl, 0.5), "bare-storm-p50-ms")
		b.ReportMetric(pctMs(bl, 0.99), "bare-storm-p99-ms")
		b.ReportMetric(pctMs(jl, 0.99)/pctMs(bl, 0.99), "storm-p99-ratio")
	}
}

// invokeLoad invokes a published one-job workflow (SHELL `true`) from conc
// clients for d, alternating between the APIs, and returns the runs per
// second over the load and the drain. Every run must succeed.
func invokeLoad(b *testing.B, apis []*testrig.API, tc client.Client, round int, d time.Duration, conc int) float64 {
	a := apis[0]
	wf := workflow(a, fmt.Sprintf("bench-invoked-%d", round), [][2]any{{"a", 0}}, func(int) string { return "true" })
	a.Must("PUT", "/api/v1/workflows/"+wf+"/config", map[string]any{"invoke": map[string]any{"enabled": true}}, 200, nil)
	a.Must("POST", "/api/v1/workflows/"+wf+"/publish", nil, 200, nil)
	// Many third parties: the per-token rate limit is not what is measured.
	var tokens []string
	for range 60 {
		var tok struct{ Token string }
		a.Must("POST", "/api/v1/workflows/"+wf+"/invoke-tokens", nil, 201, &tok)
		tokens = append(tokens, tok.Token)
	}
	var mu sync.Mutex
	var ids []string
	var next, failed atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for time.Now().Before(stop) {
				i := next.Add(1)
				st, body := apis[i%2].Do("POST", "/workflow/open/invokeWorkflow", map[string]any{"workflowId": wf, "token": tokens[i%int64(len(tokens))]})
				if st != 200 {
					failed.Add(1)
					continue
				}
				var out struct{ RunID string }
				if json.Unmarshal(body, &out) != nil || out.RunID == "" {
					failed.Add(1)
					continue
				}
				mu.Lock()
				ids = append(ids, out.RunID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	drain := time.Now()
	ctx := context.Background()
	for _, id := range ids {
		_ = tc.GetWorkflow(ctx, id, "").Get(ctx, nil)
	}
	took := d + time.Since(drain)
	ok := len(runs(a, wf, jobflow.RunSuccess))
	b.Logf("jobflow: %d invokes answered 200 (%d refused), %d runs SUCCESS, drained %.1f s after the load", len(ids), failed.Load(), ok, time.Since(drain).Seconds())
	if ok != len(ids) {
		b.Errorf("%d of %d runs did not succeed", len(ids)-ok, len(ids))
	}
	return float64(len(ids)) / took.Seconds()
}

const clusterBareQueue = "bench-bare"

// ClusterBare runs one ClusterBareJob: the bare workflow.
func ClusterBare(ctx tw.Context) error {
	ctx = tw.WithActivityOptions(ctx, tw.ActivityOptions{StartToCloseTimeout: time.Minute})
	return tw.ExecuteActivity(ctx, ClusterBareJob).Get(ctx, nil)
}

// bareStarts is when each bare workflow's activity began, by workflow id.
var bareStarts sync.Map

// ClusterBareJob notes when it began and runs `true` as a process.
func ClusterBareJob(ctx context.Context) error {
	bareStarts.LoadOrStore(activity.GetInfo(ctx).WorkflowExecution.ID, time.Now())
	return exec.CommandContext(ctx, "true").Run()
}

// bareLoad starts ClusterBare runs from conc clients for d, alternating
// between the frontends, and returns the runs per second over the load
// and the drain.
func bareLoad(b *testing.B, clients []client.Client, d time.Duration, conc int) float64 {
	ctx := context.Background()
	var mu sync.Mutex
	var started []client.WorkflowRun
	var next atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for time.Now().Before(stop) {
				i := next.Add(1)
				r, err := clients[i%2].ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bare-load-%d-%d", time.Now().UnixNano(), i), TaskQueue: clusterBareQueue}, ClusterBare)
				if err != nil {
					b.Errorf("start: %v", err)
					return
				}
				mu.Lock()
				started = append(started, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	drain := time.Now()
	bad := 0
	for _, r := range started {
		if err := r.Get(ctx, nil); err != nil {
			bad++
		}
	}
	took := d + time.Since(drain)
	b.Logf("bare: %d runs, %d failed, drained %.1f s after the load", len(started), bad, time.Since(drain).Seconds())
	if bad > 0 {
		b.Errorf("%d bare runs failed", bad)
	}
	return float64(len(started)) / took.Seconds()
}

// clusterStorm publishes n one-job workflows whose schedules all fire on
// the same second and returns each run's lateness: its job's start minus
// the fire time.
func clusterStorm(b *testing.B, a *testrig.API, round, n int) []time.Duration {
	wfs := make([]string, n)
	for i := range wfs {
		wfs[i] = workflow(a, fmt.Sprintf("storm-%d-%03d", round, i), [][2]any{{"a", 0}}, func(int) string { return "true" })
	}
	fire := time.Now().Add(time.Duration(n)*40*time.Millisecond + 15*time.Second).Truncate(time.Second).UTC()
	cron := fmt.Sprintf("%d %d %d * * ?", fire.Second(), fire.Minute(), fire.Hour())
	parallelDo(b, wfs, func(wf string) {
		expect(b, a, "PUT", "/api/v1/workflows/"+wf+"/config", map[string]any{"schedule": map[string]any{
			"mode": "SINGLE", "cron": cron, "timezone": "UTC", "enabled": true, "catchupWindowSeconds": 3600}}, 200)
		expect(b, a, "POST", "/api/v1/workflows/"+wf+"/publish", nil, 200)
	})
	if left := time.Until(fire); left < 2*time.Second {
		b.Fatalf("the storm's setup ended %.1f s before its fire time: too late for every schedule to fire", left.Seconds())
	}
	late := make([]time.Duration, n)
	waitFor(b, 10*time.Minute, "every storm run done", func() bool {
		done := 0
		for i, wf := range wfs {
			if late[i] > 0 {
				done++
				continue
			}
			rs := runs(a, wf, jobflow.RunSuccess)
			if len(rs) == 0 {
				continue
			}
			var r jobflow.Run
			a.Must("GET", "/api/v1/runs/"+rs[0].ID, nil, 200, &r)
			if len(r.Nodes) == 1 && r.Nodes[0].StartedAt != nil {
				late[i] = max(r.Nodes[0].StartedAt.Sub(fire), time.Microsecond)
				done++
			}
		}
		return done == n
	})
	parallelDo(b, wfs, func(wf string) { expect(b, a, "POST", "/api/v1/workflows/"+wf+"/offline", nil, 200) })
	return late
}

// bareClusterStorm creates n Temporal Schedules firing ClusterBare on the
// same second and returns each run's lateness: its activity's start minus
// the fire time.
func bareClusterStorm(b *testing.B, tc client.Client, n int) []time.Duration {
	ctx := context.Background()
	fire := time.Now().Add(time.Duration(n)*20*time.Millisecond + 15*time.Second).Truncate(time.Second).UTC()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("bare-storm-%d-%03d", fire.Unix(), i)
	}
	parallelDo(b, ids, func(id string) {
		_, err := tc.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id,
			Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
				Second: []client.ScheduleRange{{Start: fire.Second()}},
				Minute: []client.ScheduleRange{{Start: fire.Minute()}},
				Hour:   []client.ScheduleRange{{Start: fire.Hour()}},
			}}},
			Action:        &client.ScheduleWorkflowAction{ID: id, Workflow: ClusterBare, TaskQueue: clusterBareQueue},
			CatchupWindow: time.Hour,
		})
		if err != nil {
			b.Errorf("schedule %s: %v", id, err)
		}
	})
	if left := time.Until(fire); left < 2*time.Second {
		b.Fatalf("the bare storm's setup ended %.1f s before its fire time", left.Seconds())
	}
	// A scheduled run's workflow id is the schedule's action id and the fire time.
	suffix := "-" + fire.Format(time.RFC3339)
	late := make([]time.Duration, n)
	waitFor(b, 10*time.Minute, "every bare storm run started", func() bool {
		for i, id := range ids {
			if v, ok := bareStarts.Load(id + suffix); ok {
				late[i] = v.(time.Time).Sub(fire)
			} else {
				return false
			}
		}
		return true
	})
	parallelDo(b, ids, func(id string) { _ = tc.ScheduleClient().GetHandle(ctx, id).Delete(ctx) })
	return late
}

// expect calls the API from a goroutine of parallelDo: a wrong status is
// an error there, not Must's Fatal (FailNow ends only the test's own
// goroutine), and parallelDo stops the benchmark once all calls are done.
func expect(b *testing.B, a *testrig.API, method, path string, in any, status int) {
	if got, body := a.Do(method, path, in); got != status {
		b.Errorf("%s %s = %d, want %d: %s", method, path, got, status, body)
	}
}

// parallelDo calls f for every item, eight at a time.
func parallelDo(b *testing.B, items []string, f func(string)) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, it := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(it)
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

func pctMs(d []time.Duration, p float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))]) / float64(time.Millisecond)
}
