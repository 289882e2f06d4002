package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// runFixture is a tenant with one workflow, and another tenant.
type runFixture struct {
	tenant, other *jobflow.Tenant
	wf            *jobflow.Workflow
}

func newRunFixture(t *testing.T, s *store.Store) runFixture {
	t.Helper()
	tn := mustTenant(t, s, "acme")
	return runFixture{tenant: tn, other: mustTenant(t, s, "other"), wf: mustWorkflow(t, s, tn.ID, "flow", "")}
}

func (f runFixture) run(trigger jobflow.Trigger, started time.Time) *jobflow.Run {
	return &jobflow.Run{
		ID: jobflow.NewID(jobflow.PrefixRun), TenantID: f.tenant.ID, WorkflowID: f.wf.ID, WorkflowName: f.wf.Name,
		Trigger: trigger, Status: jobflow.RunRunning, LogicalTime: started.Truncate(time.Second),
		Params: map[string]string{"day": "1"}, StartedAt: started,
	}
}

func TestRunService_UpsertRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		start := time.Date(2026, 11, 25, 2, 0, 0, 123456000, time.UTC)
		r := f.run(jobflow.TriggerManual, start)
		r.Edges = []jobflow.Edge{{From: "a", To: "b"}}
		r.CreatedBy = "us_x"
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		// A replay of the same write changes nothing.
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		// The engine adds the Temporal run id without knowing params or edges.
		if err := s.UpsertRun(ctx, &jobflow.Run{ID: r.ID, TenantID: r.TenantID, WorkflowID: r.WorkflowID,
			Status: jobflow.RunRunning, TemporalRunID: "tr-1", StartedAt: start.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindRunByID(ctx, f.tenant.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobflow.RunRunning || got.TemporalRunID != "tr-1" || got.Params["day"] != "1" ||
			len(got.Edges) != 1 || !got.StartedAt.Equal(start) || got.CreatedBy != "us_x" || got.Trigger != jobflow.TriggerManual ||
			got.WorkflowName != "flow" {
			t.Fatalf("after upserts: %+v", got)
		}

		// ABORTING, then a late RUNNING replay: stays ABORTING.
		r.Status = jobflow.RunAborting
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Status = jobflow.RunRunning
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindRunByID(ctx, f.tenant.ID, r.ID); got.Status != jobflow.RunAborting {
			t.Fatalf("status = %s, want ABORTING", got.Status)
		}

		// Finished, then replays of RUNNING and another end: the first end stays.
		end := start.Add(time.Minute)
		r.Status, r.EndedAt, r.Error = jobflow.RunAborted, &end, "aborted by a user"
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		later := end.Add(time.Hour)
		for _, st := range []jobflow.RunStatus{jobflow.RunRunning, jobflow.RunAborting, jobflow.RunSuccess} {
			r.Status, r.EndedAt, r.Error = st, &later, "late"
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got, _ = s.FindRunByID(ctx, f.tenant.ID, r.ID)
		if got.Status != jobflow.RunAborted || got.EndedAt == nil || !got.EndedAt.Equal(end) || got.Error != "aborted by a user" {
			t.Fatalf("finished run changed: status %s ended %v error %q", got.Status, got.EndedAt, got.Error)
		}

		t.Run("ErrOtherTenant", func(t *testing.T) {
			steal := *r
			steal.TenantID, steal.Status = f.other.ID, jobflow.RunFail
			wantCode(t, s.UpsertRun(ctx, &steal), jobflow.ENOTFOUND)
			_, err := s.FindRunByID(ctx, f.other.ID, r.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
			if got, _ := s.FindRunByID(ctx, f.tenant.ID, r.ID); got.Status != jobflow.RunAborted {
				t.Fatalf("status = %s", got.Status)
			}
		})
		t.Run("ErrWorkflowNotFound", func(t *testing.T) {
			bad := f.run(jobflow.TriggerManual, start)
			bad.WorkflowID = "wf_nope"
			wantCode(t, s.UpsertRun(ctx, bad), jobflow.ENOTFOUND)
		})
	})
}

func TestRunService_CreateRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		snap := &jobflow.Snapshot{
			TenantID: f.tenant.ID, WorkflowID: f.wf.ID, WorkflowName: f.wf.Name,
			Canvas: jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: "a"}, {JobID: "b"}}, Edges: []jobflow.Edge{{From: "a", To: "b"}}},
			Jobs:   []jobflow.Job{{ID: "a", Name: "A", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`)}},
			Config: jobflow.DefaultConfig(),
		}
		if err := s.CreateRun(ctx, r, snap); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindRunByID(ctx, f.tenant.ID, r.ID)
		if err != nil || len(got.Edges) != 1 || got.Edges[0].To != "b" {
			t.Fatalf("FindRunByID = %+v, %v", got, err)
		}
		gotSnap, err := s.FindRunSnapshot(ctx, f.tenant.ID, r.ID)
		if err != nil || len(gotSnap.Jobs) != 1 || gotSnap.Jobs[0].Name != "A" || len(gotSnap.Canvas.Nodes) != 2 {
			t.Fatalf("FindRunSnapshot = %+v, %v", gotSnap, err)
		}
		t.Run("ErrDuplicate", func(t *testing.T) {
			wantCode(t, s.CreateRun(ctx, r, snap), jobflow.ECONFLICT)
		})
		t.Run("ErrOtherTenant", func(t *testing.T) {
			_, err := s.FindRunSnapshot(ctx, f.other.ID, r.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
		})
	})
}

func TestRunService_FindRuns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		wf2 := mustWorkflow(t, s, f.tenant.ID, "flow2", "")
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		var ids []string
		for i := range 5 {
			r := f.run(jobflow.TriggerManual, base.Add(time.Duration(i)*time.Hour))
			if i%2 == 1 {
				r.Trigger, r.Status = jobflow.TriggerSchedule, jobflow.RunSuccess
			}
			if i == 4 {
				r.WorkflowID = wf2.ID
			}
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		list, total, err := s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{PageSize: 2, Page: 1})
		if err != nil || total != 5 || len(list) != 2 || list[0].ID != ids[4] || list[1].ID != ids[3] {
			t.Fatalf("page 1 = %v total %d err %v", runIDs(list), total, err)
		}
		list, _, _ = s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{PageSize: 2, Page: 3})
		if len(list) != 1 || list[0].ID != ids[0] {
			t.Fatalf("page 3 = %v", runIDs(list))
		}
		for _, tc := range []struct {
			f    jobflow.RunFilter
			want string
		}{
			{jobflow.RunFilter{WorkflowID: f.wf.ID}, fmt.Sprint([]string{ids[3], ids[2], ids[1], ids[0]})},
			{jobflow.RunFilter{Trigger: jobflow.TriggerSchedule}, fmt.Sprint([]string{ids[3], ids[1]})},
			{jobflow.RunFilter{Status: jobflow.RunRunning, WorkflowID: f.wf.ID}, fmt.Sprint([]string{ids[2], ids[0]})},
		} {
			list, total, err := s.FindRuns(ctx, f.tenant.ID, tc.f)
			if err != nil || fmt.Sprint(runIDs(list)) != tc.want || total != len(list) {
				t.Errorf("FindRuns(%+v) = %v (total %d, %v), want %s", tc.f, runIDs(list), total, err, tc.want)
			}
		}
		if list, total, _ := s.FindRuns(ctx, f.other.ID, jobflow.RunFilter{}); total != 0 || len(list) != 0 {
			t.Fatalf("other tenant sees %d runs", total)
		}
		t.Run("ErrBadFilter", func(t *testing.T) {
			_, _, err := s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{Status: "DONE"})
			wantCode(t, err, jobflow.EINVALID)
			_, _, err = s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{Trigger: "CRON"})
			wantCode(t, err, jobflow.EINVALID)
			_, _, err = s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{PageSize: 500})
			wantCode(t, err, jobflow.EINVALID)
		})
	})
}

func runIDs(rs []*jobflow.Run) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestRunService_FindRunOutcomes: the latest run per logical time, top-level
// runs only, within the range (backfill reprocess).
func TestRunService_FindRunOutcomes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		day := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
		put := func(logical time.Time, started time.Time, st jobflow.RunStatus) {
			r := f.run(jobflow.TriggerBackfill, started)
			r.LogicalTime, r.Status = logical, st
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		put(day, day.Add(time.Hour), jobflow.RunFail)
		put(day, day.Add(2*time.Hour), jobflow.RunSuccess) // a later rerun succeeded
		put(day.AddDate(0, 0, 1), day.Add(25*time.Hour), jobflow.RunFail)
		put(day.AddDate(0, 0, 5), day.Add(121*time.Hour), jobflow.RunSuccess) // outside the range
		got, err := s.FindRunOutcomes(ctx, f.tenant.ID, f.wf.ID, day, day.AddDate(0, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[day.Unix()] != jobflow.RunSuccess || got[day.AddDate(0, 0, 1).Unix()] != jobflow.RunFail {
			t.Fatalf("FindRunOutcomes = %v", got)
		}
		if other, _ := s.FindRunOutcomes(ctx, f.other.ID, f.wf.ID, day, day.AddDate(0, 0, 2)); len(other) != 0 {
			t.Fatalf("another tenant sees %v", other)
		}
	})
}
