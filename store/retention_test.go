package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// TestPurgeRuns: runs that ended before the cut go in batches, with their
// node runs and logs; newer runs and running ones stay.
func TestPurgeRuns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		now := time.Now().UTC()
		var old, recent, running []*jobflow.Run
		for i := 0; i < 7; i++ {
			r := f.run(jobflow.TriggerManual, now.Add(-100*24*time.Hour))
			old = append(old, r)
		}
		recent = append(recent, f.run(jobflow.TriggerManual, now.Add(-time.Hour)))
		running = append(running, f.run(jobflow.TriggerManual, now.Add(-200*24*time.Hour)))
		for _, r := range append(append(append([]*jobflow.Run{}, old...), recent...), running...) {
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, TenantID: r.TenantID, JobID: "j", JobName: "j", JobType: jobflow.JobShell, Status: jobflow.NodeRunning}); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendNodeLog(ctx, r.ID, "j", []byte("line\n")); err != nil {
				t.Fatal(err)
			}
		}
		end := func(rs []*jobflow.Run, at time.Time) {
			for _, r := range rs {
				r.Status, r.EndedAt = jobflow.RunSuccess, &at
				if err := s.UpsertRun(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
		}
		end(old, now.Add(-95*24*time.Hour))
		end(recent, now.Add(-time.Minute))

		n, err := s.PurgeRuns(ctx, now.Add(-90*24*time.Hour), 3)
		if err != nil || n != 7 {
			t.Fatalf("PurgeRuns = %d, %v; want the 7 old runs (in batches of 3)", n, err)
		}
		for _, r := range old {
			if _, err := s.FindRunByID(ctx, r.TenantID, r.ID); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
				t.Errorf("old run %s: %v, want NOT_FOUND", r.ID, err)
			}
			if log, _ := s.FindNodeLog(ctx, r.TenantID, r.ID, "j"); log != "" {
				t.Errorf("old run %s kept its log %q", r.ID, log)
			}
		}
		for _, r := range append(recent, running...) {
			got, err := s.FindRunByID(ctx, r.TenantID, r.ID)
			if err != nil || len(got.Nodes) != 1 {
				t.Errorf("kept run %s: %+v, %v", r.ID, got, err)
			}
		}
		if n, err := s.PurgeRuns(ctx, now.Add(-90*24*time.Hour), 3); err != nil || n != 0 {
			t.Fatalf("second PurgeRuns = %d, %v", n, err)
		}
	})
}

// TestFindRuns_CountCapped: a run list counts at most RunCountLimit+1 runs
// (more means "more"), except to reach a page beyond the cap.
func TestFindRuns_CountCapped(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		now := time.Now().UTC()
		const n = jobflow.RunCountCap + 25
		for i := 0; i < n; i++ {
			if err := s.UpsertRun(ctx, f.run(jobflow.TriggerManual, now.Add(-time.Duration(i)*time.Second))); err != nil {
				t.Fatal(err)
			}
		}
		list, total, err := s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{WorkflowID: f.wf.ID})
		if err != nil || len(list) != 20 || total != jobflow.RunCountCap+1 {
			t.Fatalf("page 1: %d runs, total %d (%v); want 20 and the capped %d", len(list), total, err, jobflow.RunCountCap+1)
		}
		// The last page lies beyond the cap: it is counted as far as needed.
		list, total, err = s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{WorkflowID: f.wf.ID, Page: 51, PageSize: 20})
		if err != nil || len(list) != 20 || total != 1020+1 {
			t.Fatalf("page 51: %d runs, total %d (%v); want 20 and 1021 (one more page exists)", len(list), total, err)
		}
		list, total, err = s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{WorkflowID: f.wf.ID, Page: 52, PageSize: 20})
		if err != nil || len(list) != 5 || total != n {
			t.Fatalf("page 52: %d runs, total %d (%v); want the last 5 and the exact %d", len(list), total, err, n)
		}
	})
}
