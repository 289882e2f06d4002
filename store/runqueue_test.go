package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// A workflow limited to 2 runs at once: the first two run, the next queue
// in order; a finished holder's slot goes to the oldest queued run and to
// no other; a stale RUNNING write cannot start a queued run, nor a QUEUED
// write send a running one back; an aborted queued run leaves the queue.
func TestRunQueue_Queue(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		c := jobflow.Concurrency{Limit: 2, Behavior: jobflow.ConcurrencyQueue}
		base := time.Now().UTC().Truncate(time.Second)
		var ids []string
		for i := range 4 {
			r := queueRun(tn.ID, w.ID, fmt.Sprintf("run_q%d", i), base.Add(time.Duration(i)*time.Second))
			adm, err := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: r, Snapshot: queueSnap(tn.ID, w.ID), Concurrency: c})
			if err != nil {
				t.Fatal(err)
			}
			want, pos := jobflow.RunRunning, 0
			if i >= 2 {
				want, pos = jobflow.RunQueued, i-1
			}
			if adm.Status != want || adm.Position != pos {
				t.Fatalf("run %d: admission %+v, want %s at %d", i, adm, want, pos)
			}
			ids = append(ids, r.ID)
		}
		wantStatuses(t, s, tn.ID, ids, jobflow.RunRunning, jobflow.RunRunning, jobflow.RunQueued, jobflow.RunQueued)

		// Its FlowRun asks again: the same answer, nothing granted.
		adm, err := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: queueRun(tn.ID, w.ID, ids[3], base), Concurrency: c})
		if err != nil || adm.Status != jobflow.RunQueued || adm.Position != 2 || !adm.Existed {
			t.Fatalf("repeat: %+v, %v", adm, err)
		}
		// Late writes on either side change nothing.
		if err := s.UpsertRun(ctx, queueRun(tn.ID, w.ID, ids[2], base)); err != nil {
			t.Fatal(err)
		}
		late := queueRun(tn.ID, w.ID, ids[0], base)
		late.Status = jobflow.RunQueued
		if err := s.UpsertRun(ctx, late); err != nil {
			t.Fatal(err)
		}
		wantStatuses(t, s, tn.ID, ids, jobflow.RunRunning, jobflow.RunRunning, jobflow.RunQueued, jobflow.RunQueued)
		if got, err := s.GrantQueuedRuns(ctx, tn.ID, w.ID); err != nil || len(got) != 0 {
			t.Fatalf("grant with no free slot: %v, %v", got, err)
		}

		// A holder ends: its slot goes to the oldest queued run only.
		endRun(t, s, tn.ID, w.ID, ids[0], jobflow.RunSuccess)
		got, err := s.GrantQueuedRuns(ctx, tn.ID, w.ID)
		if err != nil || len(got) != 1 || got[0].ID != ids[2] || got[0].TemporalWorkflowID != ids[2] {
			t.Fatalf("grant: %+v, %v", got, err)
		}
		wantStatuses(t, s, tn.ID, ids, jobflow.RunSuccess, jobflow.RunRunning, jobflow.RunRunning, jobflow.RunQueued)
		if adm, _ := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: queueRun(tn.ID, w.ID, ids[3], base), Concurrency: c}); adm.Position != 1 {
			t.Fatalf("the last run moved up to %d, want 1", adm.Position)
		}
		if got, err := s.FindRunByID(ctx, tn.ID, ids[3]); err != nil || got.QueuePosition != 1 {
			t.Fatalf("the run as read: %+v, %v", got, err)
		}

		// The queued run is aborted: it leaves the queue, and a new run
		// finds no one ahead of it once a slot is free.
		endRun(t, s, tn.ID, w.ID, ids[3], jobflow.RunAborted)
		endRun(t, s, tn.ID, w.ID, ids[1], jobflow.RunFail)
		if got, err := s.GrantQueuedRuns(ctx, tn.ID, w.ID); err != nil || len(got) != 0 {
			t.Fatalf("grant after the queue emptied: %v, %v", got, err)
		}
		r := queueRun(tn.ID, w.ID, "run_q9", base.Add(time.Minute))
		if adm, err := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: r, Snapshot: queueSnap(tn.ID, w.ID), Concurrency: c}); err != nil || adm.Status != jobflow.RunRunning || adm.Holders != 1 {
			t.Fatalf("a new run beside one holder: %+v, %v", adm, err)
		}
	})
}

// SKIP records the run SKIPPED with why; FAIL refuses a new run of the
// engine without writing anything, and writes a FlowRun's own run FAIL.
// A row the engine recorded RUNNING before its FlowRun asked is decided
// when it asks. Bad limits are refused.
func TestRunQueue_SkipFailAndPrecreated(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		now := time.Now().UTC().Truncate(time.Second)
		one := func(b string) jobflow.Concurrency { return jobflow.Concurrency{Limit: 1, Behavior: b} }
		if _, err := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: queueRun(tn.ID, w.ID, "run_h", now), Snapshot: queueSnap(tn.ID, w.ID), Concurrency: one("FAIL")}); err != nil {
			t.Fatal(err)
		}

		skip := queueRun(tn.ID, w.ID, "run_skip", now)
		adm, err := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: skip, Snapshot: queueSnap(tn.ID, w.ID), Concurrency: one("SKIP")})
		if err != nil || adm.Status != jobflow.RunSkipped {
			t.Fatalf("skip: %+v, %v", adm, err)
		}
		got, err := s.FindRunByID(ctx, tn.ID, skip.ID)
		if err != nil || got.Status != jobflow.RunSkipped || got.EndedAt == nil || got.Error != "skipped: the workflow allows 1 run(s) at once and 1 are going on" {
			t.Fatalf("skipped run %+v, %v", got, err)
		}

		refused := queueRun(tn.ID, w.ID, "run_refused", now)
		adm, err = s.AdmitRun(ctx, jobflow.AdmitRequest{Run: refused, Snapshot: queueSnap(tn.ID, w.ID), Concurrency: one("FAIL")})
		if err != nil || adm.Status != jobflow.RunFail || adm.Error == "" {
			t.Fatalf("refused: %+v, %v", adm, err)
		}
		if _, err := s.FindRunByID(ctx, tn.ID, refused.ID); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("a refused new run was written: %v", err)
		}
		scheduled := queueRun(tn.ID, w.ID, "run_sched", now)
		scheduled.Trigger = jobflow.TriggerSchedule
		adm, err = s.AdmitRun(ctx, jobflow.AdmitRequest{Run: scheduled, Concurrency: one("FAIL")})
		if err != nil || adm.Status != jobflow.RunFail {
			t.Fatalf("refused scheduled run: %+v, %v", adm, err)
		}
		if got, err := s.FindRunByID(ctx, tn.ID, scheduled.ID); err != nil || got.Status != jobflow.RunFail || got.EndedAt == nil {
			t.Fatalf("a FlowRun's refused run: %+v, %v", got, err)
		}

		// A backfill or SUBFLOW run recorded RUNNING before it asked.
		pre := queueRun(tn.ID, w.ID, "run_pre", now)
		if err := s.CreateRun(ctx, pre, queueSnap(tn.ID, w.ID)); err != nil {
			t.Fatal(err)
		}
		adm, err = s.AdmitRun(ctx, jobflow.AdmitRequest{Run: queueRun(tn.ID, w.ID, "run_pre", now), Concurrency: one("QUEUE")})
		if err != nil || adm.Status != jobflow.RunQueued || adm.Position != 1 {
			t.Fatalf("pre-recorded run: %+v, %v", adm, err)
		}

		for _, bad := range []jobflow.Concurrency{{Limit: 0}, {Limit: 1001}, {Limit: 1, Behavior: "WAIT"}} {
			if _, err := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: queueRun(tn.ID, w.ID, "run_bad", now), Concurrency: bad}); jobflow.ErrorCode(err) != jobflow.EINVALID {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
		if _, err := s.FindRunByID(ctx, tn.ID, "run_bad"); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("a refused admission wrote its run: %v", err)
		}
	})
}

// Twenty runs asking at once under a limit of 3: exactly 3 run, the other
// 17 queue with the places 1 to 17, each once.
func TestRunQueue_ConcurrentAdmissions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		c := jobflow.Concurrency{Limit: 3, Behavior: jobflow.ConcurrencyQueue}
		now := time.Now().UTC().Truncate(time.Second)
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			run  int
			pos  []int
			errs []error
		)
		for i := range 20 {
			wg.Go(func() {
				r := queueRun(tn.ID, w.ID, fmt.Sprintf("run_c%02d", i), now)
				adm, err := s.AdmitRun(ctx, jobflow.AdmitRequest{Run: r, Snapshot: queueSnap(tn.ID, w.ID), Concurrency: c})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case adm.Status == jobflow.RunRunning:
					run++
				case adm.Status == jobflow.RunQueued:
					pos = append(pos, adm.Position)
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatal(errs[0])
		}
		slices.Sort(pos)
		want := make([]int, 17)
		for i := range want {
			want[i] = i + 1
		}
		if run != 3 || !slices.Equal(pos, want) {
			t.Fatalf("%d admitted, queue places %v", run, pos)
		}
	})
}

func queueRun(tenantID, workflowID, id string, started time.Time) *jobflow.Run {
	return &jobflow.Run{ID: id, TenantID: tenantID, WorkflowID: workflowID, WorkflowName: "etl",
		Trigger: jobflow.TriggerManual, Status: jobflow.RunRunning, StartedAt: started, LogicalTime: started,
		TemporalWorkflowID: id}
}

func queueSnap(tenantID, workflowID string) *jobflow.Snapshot {
	return &jobflow.Snapshot{TenantID: tenantID, WorkflowID: workflowID, WorkflowName: "etl"}
}

func endRun(t *testing.T, s *store.Store, tenantID, workflowID, id string, st jobflow.RunStatus) {
	t.Helper()
	r := queueRun(tenantID, workflowID, id, time.Now())
	ended := time.Now().UTC()
	r.Status, r.EndedAt = st, &ended
	if err := s.UpsertRun(ctx, r); err != nil {
		t.Fatal(err)
	}
}

func wantStatuses(t *testing.T, s *store.Store, tenantID string, ids []string, want ...jobflow.RunStatus) {
	t.Helper()
	for i, id := range ids {
		got, err := s.FindRunByID(ctx, tenantID, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != want[i] {
			t.Fatalf("run %d (%s) is %s, want %s", i, id, got.Status, want[i])
		}
	}
}
