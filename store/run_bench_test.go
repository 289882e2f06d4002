package store_test

import (
	"slices"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// BenchmarkRunHistory: one tenant holds 1,000,000 ended runs of 100
// workflows (10,000 each) with 3 node runs each, on PostgreSQL. It times
// page 1 of one workflow's run list (20 runs and the total) and one run
// with its nodes; the target is a median ≤ 10 ms for both (docs/benchmarks.md#run-history-at-scale).
// Making the rows takes a minute or two.
//
//	go test ./store -run '^$' -bench BenchmarkRunHistory -benchtime 500x -timeout 30m
func BenchmarkRunHistory(b *testing.B) {
	s := storetest.Open(b, store.DialectPostgres)
	tn := &jobflow.Tenant{Name: "history", MaxWorkflows: 1000}
	if err := s.CreateTenant(ctx, tn); err != nil {
		b.Fatal(err)
	}
	var wfIDs []string
	for i := 0; i < 100; i++ {
		wf := &jobflow.Workflow{TenantID: tn.ID, Name: "flow-" + string(rune('a'+i%26)) + time.Duration(i).String(), Config: jobflow.DefaultConfig()}
		if err := s.CreateWorkflow(ctx, wf, 1000); err != nil {
			b.Fatal(err)
		}
		wfIDs = append(wfIDs, wf.ID)
	}
	begin := time.Now()
	if err := s.GenerateRunHistory(ctx, tn.ID, wfIDs, 1_000_000, 3); err != nil {
		b.Fatal(err)
	}
	b.Logf("1,000,000 runs and 3,000,000 node runs made in %s", time.Since(begin).Round(time.Second))
	list, total, err := s.FindRuns(ctx, tn.ID, jobflow.RunFilter{WorkflowID: wfIDs[7]})
	if err != nil || len(list) != 20 || total != jobflow.RunCountCap+1 {
		b.Fatalf("FindRuns = %d runs, total %d, %v; want 20 and the capped count", len(list), total, err)
	}
	one := list[0].ID
	bench := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				if err := fn(); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			ms := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))]) / 1e6 }
			b.ReportMetric(ms(0.5), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
		})
	}
	i := 0
	bench("ListOfWorkflow", func() error {
		i++
		_, _, err := s.FindRuns(ctx, tn.ID, jobflow.RunFilter{WorkflowID: wfIDs[i%len(wfIDs)]})
		return err
	})
	bench("ListOfTenant", func() error {
		_, _, err := s.FindRuns(ctx, tn.ID, jobflow.RunFilter{})
		return err
	})
	bench("GetRun", func() error {
		r, err := s.FindRunByID(ctx, tn.ID, one)
		if err == nil && len(r.Nodes) != 3 {
			b.Fatalf("run with %d nodes", len(r.Nodes))
		}
		return err
	})
}
