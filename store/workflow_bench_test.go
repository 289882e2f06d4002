package store_test

import (
	"slices"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// BenchmarkFindWorkflows_Search lists page 1 (20 items and the total) of a
// search in a tenant holding 10,000 workflows, beside another tenant with
// 10,000 more. The target is a median under 5 ms on PostgreSQL; p50-ms and
// p99-ms are reported from the timed calls themselves.
//
//	go test ./store -run '^$' -bench BenchmarkFindWorkflows -benchtime 2000x
func BenchmarkFindWorkflows_Search(b *testing.B) {
	benchFindWorkflows(b, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Search: "flow-12", PageSize: 20}})
}

// BenchmarkFindWorkflows_Page lists a later page without a search.
func BenchmarkFindWorkflows_Page(b *testing.B) {
	benchFindWorkflows(b, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Page: 5, PageSize: 20}})
}

// BenchmarkFindWorkflows_SearchRemark searches text found only in remarks.
func BenchmarkFindWorkflows_SearchRemark(b *testing.B) {
	benchFindWorkflows(b, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Search: "OPS WARE", PageSize: 20}})
}

func benchFindWorkflows(b *testing.B, f jobflow.WorkflowFilter) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			s := storetest.Open(b, dialect)
			tn := &jobflow.Tenant{Name: "big", MaxWorkflows: 100000}
			other := &jobflow.Tenant{Name: "neighbour", MaxWorkflows: 100000}
			for _, t := range []*jobflow.Tenant{tn, other} {
				if err := s.CreateTenant(ctx, t); err != nil {
					b.Fatal(err)
				}
				store.BulkInsertWorkflows(b, s, t.ID, 10000)
			}
			list, total, err := s.FindWorkflows(ctx, tn.ID, f)
			if err != nil || len(list) == 0 || total < len(list) {
				b.Fatalf("FindWorkflows = %d items, total %d, %v", len(list), total, err)
			}
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				if _, _, err := s.FindWorkflows(ctx, tn.ID, f); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(times)
			ms := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))]) / 1e6 }
			b.ReportMetric(ms(0.5), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
			b.ReportMetric(float64(total), "matches")
		})
	}
}
