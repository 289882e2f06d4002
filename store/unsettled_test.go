package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestUnsettledRunService_Walk(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		base := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
		snap := &jobflow.Snapshot{TenantID: f.tenant.ID, WorkflowID: f.wf.ID}
		var want []string
		for i, st := range []jobflow.RunStatus{jobflow.RunRunning, jobflow.RunSuccess, jobflow.RunAborting,
			jobflow.RunFail, jobflow.RunPaused, jobflow.RunAborted, jobflow.RunRunning} {
			// Runs 4 and 6 start at the same second: the id breaks the tie.
			r := f.run(jobflow.TriggerManual, base.Add(time.Duration(min(i, 4))*time.Minute))
			r.Status = st
			if err := s.CreateRun(ctx, r, snap); err != nil {
				t.Fatal(err)
			}
			if !st.Finished() {
				want = append(want, r.ID)
			}
		}
		// The last one is too young for the walk.
		young := f.run(jobflow.TriggerManual, base.Add(time.Hour))
		if err := s.CreateRun(ctx, young, snap); err != nil {
			t.Fatal(err)
		}

		var got []string
		var cur jobflow.RunCursor
		pages := 0
		for {
			page, err := s.FindUnsettledRuns(ctx, cur, base.Add(30*time.Minute), 2)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, r := range page {
				if r.Status.Finished() {
					t.Fatalf("walk returned a finished run %s (%s)", r.ID, r.Status)
				}
				got = append(got, r.ID)
				cur = jobflow.RunCursor{StartedAt: r.StartedAt, ID: r.ID}
			}
			if len(page) < 2 {
				break
			}
		}
		if len(got) != 4 || pages != 3 {
			t.Fatalf("walk = %v in %d pages, want 4 runs in 3 pages", got, pages)
		}
		seen := map[string]bool{}
		for _, id := range got {
			seen[id] = true
		}
		for _, id := range want {
			if !seen[id] {
				t.Fatalf("walk %v misses %s", got, id)
			}
		}
		if seen[young.ID] {
			t.Fatal("walk returned a run started after startedBefore")
		}
	})
}
