package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"jobflow/internal/testtier"
	"jobflow/workflows"
)

func TestEngine_Reconcile(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	ctx := context.Background()
	wfID, _ := e.workflow("nightly", []jobSpec{shell("a", "echo a")}, schedule("0 0 2 * * ?", "Asia/Shanghai", nil))
	p := e.publish(wfID)
	sc := e.Client.ScheduleClient()

	t.Run("MissingScheduleComesBack", func(t *testing.T) {
		if err := sc.GetHandle(ctx, workflows.ScheduleID(wfID)).Delete(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := e.Engine.Reconcile(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 1 {
			t.Fatalf("report = %+v, want one created", rep)
		}
		if got := e.scheduleVersion(wfID); got != p.Version.ID {
			t.Fatalf("schedule version after reconcile = %q, want %q", got, p.Version.ID)
		}
		// The repair is in the audit log, once.
		if n := audited(t, e.Store, "schedule.reconcile.create", workflows.ScheduleID(wfID)); n != 1 {
			t.Fatalf("%d audit rows of the re-created schedule, want 1", n)
		}
	})

	t.Run("ChangedSpecIsRestored", func(t *testing.T) {
		h := sc.GetHandle(ctx, workflows.ScheduleID(wfID))
		err := h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec.TimeZoneName = "UTC"
			return &client.ScheduleUpdate{Schedule: &s}, nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.Engine.Reconcile(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Updated != 1 || d.Schedule.Spec.TimeZoneName != "Asia/Shanghai" {
			t.Fatalf("report = %+v, zone = %q; want one update back to Asia/Shanghai", rep, d.Schedule.Spec.TimeZoneName)
		}
		if n := audited(t, e.Store, "schedule.reconcile.update", workflows.ScheduleID(wfID)); n != 1 {
			t.Fatalf("%d audit rows of the restored schedule, want 1", n)
		}
	})

	t.Run("OrphanIsDeleted", func(t *testing.T) {
		const orphan = "jobflow-wf_orphan"
		_, err := sc.Create(ctx, client.ScheduleOptions{
			ID:   orphan,
			Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
			Action: &client.ScheduleWorkflowAction{ID: orphan, Workflow: workflows.FlowRunName,
				TaskQueue: workflows.DefaultTaskQueue, Args: []any{workflows.FlowRunInput{}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		// The schedule list comes from visibility and may lag a moment.
		e.eventually(30*time.Second, "the orphan schedule to be deleted", func() bool {
			if _, err := e.Engine.Reconcile(ctx, nil); err != nil {
				t.Fatal(err)
			}
			_, err := sc.GetHandle(ctx, orphan).Describe(ctx)
			var nf *serviceerror.NotFound
			return errors.As(err, &nf)
		})
		// The published workflow's schedule was left alone.
		if got := e.scheduleVersion(wfID); got != p.Version.ID {
			t.Fatalf("published schedule version = %q, want %q", got, p.Version.ID)
		}
	})

	t.Run("OfflineWorkflowsScheduleIsDeleted", func(t *testing.T) {
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 200, nil)
		// Half-way failure: a schedule written, the store never updated.
		w, _ := e.Store.FindWorkflowByID(ctx, e.tenant, wfID)
		v, _ := e.Store.FindVersionByID(ctx, e.tenant, w.PublishedVersionID)
		if _, err := e.Engine.Reconcile(ctx, nil); err != nil { // nothing to do yet
			t.Fatal(err)
		}
		opts := client.ScheduleOptions{ID: workflows.ScheduleID(wfID),
			Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
			Action: &client.ScheduleWorkflowAction{ID: workflows.ScheduleID(wfID), Workflow: workflows.FlowRunName,
				TaskQueue: workflows.DefaultTaskQueue, Args: []any{workflows.FlowRunInput{Snapshot: v.Snapshot}},
				Memo: map[string]any{"versionId": v.ID}},
			Memo: map[string]any{"tenantId": e.tenant}}
		if _, err := sc.Create(ctx, opts); err != nil {
			t.Fatal(err)
		}
		e.eventually(30*time.Second, "the schedule of the offline workflow to be deleted", func() bool {
			if _, err := e.Engine.Reconcile(ctx, nil); err != nil {
				t.Fatal(err)
			}
			_, err := sc.GetHandle(ctx, workflows.ScheduleID(wfID)).Describe(ctx)
			var nf *serviceerror.NotFound
			return errors.As(err, &nf)
		})
	})
}
