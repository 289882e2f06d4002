package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// Every run answers its canvas edges, whatever started it: runs created
// with their snapshot (MANUAL, RERUN, INVOKE, BACKFILL, SUBFLOW) and runs a
// Temporal Schedule started, whose row FlowRun writes without a canvas
// (through RecordRunStart, or UpsertRun then RecordScheduledRun), and an
// old scheduled row written before its edges were copied.
func TestRunService_EdgesEveryTrigger(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		edges := []jobflow.Edge{{From: "job_a", To: "job_b"}, {From: "job_b", To: "job_c"}}
		cfg := jobflow.DefaultConfig()
		cfg.Schedule.Cron, cfg.Schedule.Enabled, cfg.Schedule.Timezone = "0 0 2 * * ?", true, "UTC"
		v := &jobflow.Version{TenantID: tn.ID, WorkflowID: w.ID, CreatedBy: "us_test",
			Snapshot: jobflow.Snapshot{WorkflowName: w.Name, Config: cfg, Canvas: jobflow.Canvas{Edges: edges}}}
		if err := s.CreateVersion(ctx, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPublished(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
		logical := time.Now().UTC().Truncate(time.Second)
		run := func(id string, tr jobflow.Trigger) *jobflow.Run {
			return &jobflow.Run{ID: id, TenantID: tn.ID, WorkflowID: w.ID, VersionID: v.ID, WorkflowName: "etl",
				Trigger: tr, Status: jobflow.RunRunning, LogicalTime: logical}
		}
		snap := v.Snapshot
		for _, tr := range []jobflow.Trigger{jobflow.TriggerManual, jobflow.TriggerRerun, jobflow.TriggerInvoke,
			jobflow.TriggerBackfill, jobflow.TriggerSubflow} {
			if err := s.CreateRun(ctx, run("run-"+string(tr), tr), &snap); err != nil {
				t.Fatal(err)
			}
		}
		// SCHEDULE: FlowRun's start record, in one transaction.
		if err := s.RecordRunStart(ctx, run("run-sched-tx", jobflow.TriggerSchedule), nil); err != nil {
			t.Fatal(err)
		}
		// SCHEDULE: the same record piece by piece (RecordRun's fallback).
		pieces := run("run-sched-pieces", jobflow.TriggerSchedule)
		if err := s.UpsertRun(ctx, pieces); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordScheduledRun(ctx, pieces); err != nil {
			t.Fatal(err)
		}
		// Later records (no edges on the row FlowRun sends) keep them.
		if err := s.UpsertRun(ctx, run("run-sched-pieces", jobflow.TriggerSchedule)); err != nil {
			t.Fatal(err)
		}
		// A scheduled row of before the fix: no edges, no snapshot copy.
		if err := s.UpsertRun(ctx, run("run-sched-old", jobflow.TriggerSchedule)); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"run-MANUAL", "run-RERUN", "run-INVOKE", "run-BACKFILL", "run-SUBFLOW",
			"run-sched-tx", "run-sched-pieces", "run-sched-old"} {
			got, err := s.FindRunByID(ctx, tn.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Edges) != 2 || got.Edges[0] != edges[0] || got.Edges[1] != edges[1] {
				t.Errorf("%s (%s): edges %+v, want %+v", id, got.Trigger, got.Edges, edges)
			}
		}
	})
}
