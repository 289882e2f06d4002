package store_test

import (
	"errors"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// Baselines: create checks that targets and channels exist in the tenant
// (another tenant's workflow is as unknown as a made-up one); a name is
// unique; an instance is written per date and replaced; a target run is
// found by its logical date; deleting the baseline takes its instances.
func TestBaselines_CRUDAndInstances(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		wf := mustWorkflow(t, s, tn.ID, "nightly", "")
		job := mustShellJob(t, s, tn.ID, wf.ID, "load")
		foreign := mustWorkflow(t, s, other.ID, "theirs", "")

		bad := []struct {
			b     jobflow.Baseline
			field string
		}{
			{jobflow.Baseline{TenantID: tn.ID, Name: "x", FinishBy: "07:00", Targets: []jobflow.BaselineTarget{{WorkflowID: foreign.ID}}}, "targets[0].workflowId"},
			{jobflow.Baseline{TenantID: tn.ID, Name: "x", FinishBy: "07:00", Targets: []jobflow.BaselineTarget{{WorkflowID: wf.ID, JobID: "nope"}}}, "targets[0].jobId"},
			{jobflow.Baseline{TenantID: tn.ID, Name: "x", FinishBy: "07:00", Targets: []jobflow.BaselineTarget{{WorkflowID: wf.ID}}, ChannelIDs: []string{"ch_nope"}}, "channelIds[0]"},
			{jobflow.Baseline{TenantID: tn.ID, Name: "x", FinishBy: "7:00", Targets: []jobflow.BaselineTarget{{WorkflowID: wf.ID}}}, "finishBy"},
			{jobflow.Baseline{TenantID: tn.ID, Name: "x", FinishBy: "07:00", Targets: []jobflow.BaselineTarget{{WorkflowID: wf.ID}}, Priority: 6}, "priority"},
		}
		for _, c := range bad {
			err := s.CreateBaseline(ctx, &c.b)
			if jobflow.ErrorCode(err) != jobflow.EINVALID || errorField(err) != c.field {
				t.Fatalf("%+v: %v, want INVALID on %s", c.b, err, c.field)
			}
		}
		if _, n, _ := s.FindBaselines(ctx, tn.ID, jobflow.ListParams{}); n != 0 {
			t.Fatalf("a refused baseline was stored: %d", n)
		}

		b := &jobflow.Baseline{TenantID: tn.ID, Name: "ready by 7", FinishBy: "+1d 07:00", MarginMinutes: 30,
			Targets: []jobflow.BaselineTarget{{WorkflowID: wf.ID}, {WorkflowID: wf.ID, JobID: job.ID}}}
		if err := s.CreateBaseline(ctx, b); err != nil {
			t.Fatal(err)
		}
		if b.Timezone != "Asia/Shanghai" || b.Priority != 1 {
			t.Fatalf("defaults: %+v", b)
		}
		wantCode(t, s.CreateBaseline(ctx, &jobflow.Baseline{TenantID: tn.ID, Name: "ready by 7", FinishBy: "07:00",
			Targets: []jobflow.BaselineTarget{{WorkflowID: wf.ID}}}), jobflow.ECONFLICT)
		if _, err := s.FindBaselineByID(ctx, other.ID, b.ID); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("another tenant read the baseline: %v", err)
		}
		got, err := s.UpdateBaseline(ctx, tn.ID, b.ID, jobflow.BaselineUpdate{MarginMinutes: ptr(45)})
		if err != nil || got.MarginMinutes != 45 || len(got.Targets) != 2 || got.FinishBy != "+1d 07:00" {
			t.Fatalf("update: %+v %v", got, err)
		}
		dl, warn, _ := got.Deadline("2026-12-01")
		if want := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC); !dl.Equal(want) || !warn.Equal(want.Add(-45*time.Minute)) {
			t.Fatalf("deadline %v warnAt %v, want %v (07:00 Shanghai the next day)", dl, warn, want)
		}

		in := &jobflow.BaselineInstance{BaselineID: b.ID, Date: "2026-12-01", Status: jobflow.BaselineWarning, CheckedAt: time.Now().UTC()}
		if err := s.PutBaselineInstance(ctx, tn.ID, in); err != nil {
			t.Fatal(err)
		}
		in.Status = jobflow.BaselineMet
		if err := s.PutBaselineInstance(ctx, tn.ID, in); err != nil {
			t.Fatal(err)
		}
		if err := s.PutBaselineInstance(ctx, tn.ID, &jobflow.BaselineInstance{BaselineID: b.ID, Date: "2026-12-02", Status: jobflow.BaselineSafe}); err != nil {
			t.Fatal(err)
		}
		list, err := s.FindBaselineInstances(ctx, tn.ID, b.ID, 10)
		if err != nil || len(list) != 2 || list[0].Date != "2026-12-02" || list[1].Status != jobflow.BaselineMet {
			t.Fatalf("instances %+v %v", list, err)
		}
		if _, err := s.FindBaselineInstance(ctx, other.ID, b.ID, "2026-12-01"); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("another tenant read the instance: %v", err)
		}

		// The target run of a date: the latest run whose logical time falls in it.
		loc, _ := time.LoadLocation("Asia/Shanghai")
		day := time.Date(2026, 12, 1, 0, 0, 0, 0, loc)
		for i, lt := range []time.Time{day.Add(-time.Minute), day.Add(2 * time.Hour), day.Add(3 * time.Hour)} {
			r := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: tn.ID, WorkflowID: wf.ID, WorkflowName: wf.Name,
				Trigger: jobflow.TriggerSchedule, Status: jobflow.RunRunning, LogicalTime: lt.UTC(), Params: map[string]string{},
				StartedAt: time.Date(2026, 12, 1, i, 0, 0, 0, time.UTC)}
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		r, err := s.FindTargetRun(ctx, tn.ID, wf.ID, day, day.AddDate(0, 0, 1))
		if err != nil || r == nil || !r.LogicalTime.Equal(day.Add(3*time.Hour)) {
			t.Fatalf("target run %+v %v, want the 03:00 one", r, err)
		}
		if r, err := s.FindTargetRun(ctx, tn.ID, wf.ID, day.AddDate(0, 0, 1), day.AddDate(0, 0, 2)); err != nil || r != nil {
			t.Fatalf("a date with no run: %+v %v", r, err)
		}

		if err := s.DeleteBaseline(ctx, tn.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindBaselineInstance(ctx, tn.ID, b.ID, "2026-12-01"); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("instance outlived its baseline: %v", err)
		}
		if err := s.PutBaselineInstance(ctx, tn.ID, in); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("an instance of a deleted baseline was written: %v", err)
		}
	})
}

// errorField is the field an INVALID error names, or "".
func errorField(err error) string {
	var e *jobflow.Error
	if !errors.As(err, &e) {
		return ""
	}
	d, _ := e.Details.(map[string]string)
	return d["field"]
}
