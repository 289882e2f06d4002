package store_test

import (
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func mustVersion(t *testing.T, s *store.Store, w *jobflow.Workflow, cron string) *jobflow.Version {
	t.Helper()
	cfg := jobflow.DefaultConfig()
	cfg.Schedule.Cron, cfg.Schedule.Enabled, cfg.Schedule.Timezone = cron, cron != "", "UTC"
	v := &jobflow.Version{TenantID: w.TenantID, WorkflowID: w.ID, CreatedBy: "us_test",
		Snapshot: jobflow.Snapshot{WorkflowName: w.Name, Config: cfg}}
	if err := s.CreateVersion(ctx, v); err != nil {
		t.Fatalf("CreateVersion: %v", err)
	}
	return v
}

func TestVersionService_Create(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")

		t.Run("NumbersConcurrent", func(t *testing.T) {
			var wg sync.WaitGroup
			nums := make([]int, 8)
			for i := range nums {
				wg.Add(1)
				go func() {
					defer wg.Done()
					nums[i] = mustVersion(t, s, w, "").Number
				}()
			}
			wg.Wait()
			seen := map[int]bool{}
			for _, n := range nums {
				if n < 1 || n > len(nums) || seen[n] {
					t.Fatalf("numbers = %v, want 1..%d each once", nums, len(nums))
				}
				seen[n] = true
			}
		})

		t.Run("Find", func(t *testing.T) {
			v := mustVersion(t, s, w, "0 0 2 * * ?")
			got, err := s.FindVersionByID(ctx, tn.ID, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Number != v.Number || got.Snapshot.VersionID != v.ID || got.Snapshot.Config.Schedule.Cron != "0 0 2 * * ?" || got.CreatedBy != "us_test" {
				t.Fatalf("got %+v, want %+v", got, v)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			other := mustTenant(t, s, "other")
			v := mustVersion(t, s, w, "")
			_, err := s.FindVersionByID(ctx, other.ID, v.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
			err = s.CreateVersion(ctx, &jobflow.Version{TenantID: other.ID, WorkflowID: w.ID})
			wantCode(t, err, jobflow.ENOTFOUND)
		})
	})
}

func TestVersionService_Publish(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		v1 := mustVersion(t, s, w, "0 0 2 * * ?")
		v2 := mustVersion(t, s, w, "0 0 3 * * ?")
		next := time.Date(2030, 1, 1, 3, 0, 0, 0, time.UTC)

		if ok, err := s.SetPublished(ctx, v2, &next); err != nil || !ok {
			t.Fatalf("SetPublished(v2) = %v, %v", ok, err)
		}
		// The older version loses: a concurrent publish of v2 won.
		if ok, err := s.SetPublished(ctx, v1, nil); err != nil || ok {
			t.Fatalf("SetPublished(v1) after v2 = %v, %v; want false", ok, err)
		}
		got, err := s.FindWorkflowByID(ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobflow.StatusPublished || got.PublishedVersionID != v2.ID || got.NextRunTime == nil || !got.NextRunTime.Equal(next) {
			t.Fatalf("workflow = %s %s %v, want PUBLISHED %s %v", got.Status, got.PublishedVersionID, got.NextRunTime, v2.ID, next)
		}
		wantCode(t, s.DeleteWorkflow(ctx, tn.ID, w.ID), jobflow.ECONFLICT)

		pub, err := s.FindPublishedVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub) != 1 || pub[0].WorkflowID != w.ID || pub[0].Version.ID != v2.ID || pub[0].Version.Snapshot.Config.Schedule.Cron != "0 0 3 * * ?" {
			t.Fatalf("FindPublishedVersions = %+v", pub)
		}

		if err := s.SetOffline(ctx, tn.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SetOffline(ctx, tn.ID, w.ID), jobflow.ECONFLICT)
		got, _ = s.FindWorkflowByID(ctx, tn.ID, w.ID)
		if got.Status != jobflow.StatusOffline || got.NextRunTime != nil {
			t.Fatalf("after offline: %s %v", got.Status, got.NextRunTime)
		}
		if pub, _ := s.FindPublishedVersions(ctx); len(pub) != 0 {
			t.Fatalf("published after offline: %d", len(pub))
		}

		// Versions go with the workflow.
		if err := s.DeleteWorkflow(ctx, tn.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.FindVersionByID(ctx, tn.ID, v1.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
	})
}

func TestVersionService_RecordScheduledRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		v := mustVersion(t, s, w, "0 0 2 * * ?")
		if _, err := s.SetPublished(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
		logical := time.Now().UTC().Truncate(time.Second)
		run := &jobflow.Run{ID: "sched-1", TenantID: tn.ID, WorkflowID: w.ID, VersionID: v.ID,
			Trigger: jobflow.TriggerSchedule, LogicalTime: logical}
		if err := s.UpsertRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second call changes nothing
			if err := s.RecordScheduledRun(ctx, run); err != nil {
				t.Fatal(err)
			}
		}
		snap, err := s.FindRunSnapshot(ctx, tn.ID, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if snap.VersionID != v.ID {
			t.Fatalf("run snapshot version = %q, want %q", snap.VersionID, v.ID)
		}
		got, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID)
		want := time.Date(logical.Year(), logical.Month(), logical.Day(), 2, 0, 0, 0, time.UTC)
		if !want.After(logical) {
			want = want.AddDate(0, 0, 1)
		}
		if got.NextRunTime == nil || !got.NextRunTime.Equal(want) {
			t.Fatalf("next run time = %v, want %v", got.NextRunTime, want)
		}

		// A run of a version that is not (or no longer) stored is left alone.
		stray := &jobflow.Run{ID: "sched-2", TenantID: tn.ID, WorkflowID: w.ID, VersionID: "ver_gone",
			Trigger: jobflow.TriggerSchedule, LogicalTime: logical}
		if err := s.UpsertRun(ctx, stray); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordScheduledRun(ctx, stray); err != nil {
			t.Fatalf("RecordScheduledRun of an unknown version: %v", err)
		}
		_, err = s.FindRunSnapshot(ctx, tn.ID, stray.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
	})
}
