package activities

import (
	"context"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// TestRecordRun_ScheduledRunEdges: a run a Temporal Schedule started is
// first written by FlowRun's RecordRun, whose run row carries no canvas;
// the run still answers its version's edges (it answered none before).
func TestRecordRun_ScheduledRunEdges(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e := newTestEnvOn(t, s)
		ctx := context.Background()
		edges := []jobflow.Edge{{From: "job_a", To: "job_b"}}
		cfg := jobflow.DefaultConfig()
		cfg.Schedule.Cron, cfg.Schedule.Enabled, cfg.Schedule.Timezone = "0 0 2 * * ?", true, "UTC"
		v := &jobflow.Version{TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, CreatedBy: "us_test",
			Snapshot: jobflow.Snapshot{WorkflowName: "nightly", Config: cfg, Canvas: jobflow.Canvas{Edges: edges}}}
		if err := s.CreateVersion(ctx, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPublished(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
		run := jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID,
			WorkflowName: "nightly", VersionID: v.ID, Trigger: jobflow.TriggerSchedule, Status: jobflow.RunRunning,
			LogicalTime: logicalTime, StartedAt: time.Now().UTC()}
		in := workflows.RecordRunInput{Run: run, Start: true, Nodes: []jobflow.NodeRun{
			{RunID: run.ID, JobID: "job_a", JobName: "a", JobType: jobflow.JobShell, Status: jobflow.NodePending},
			{RunID: run.ID, JobID: "job_b", JobName: "b", JobType: jobflow.JobShell, Status: jobflow.NodePending},
		}}
		if err := e.a.RecordRun(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindRunByID(ctx, run.TenantID, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Edges) != 1 || got.Edges[0] != edges[0] {
			t.Fatalf("scheduled run's edges %+v, want %+v", got.Edges, edges)
		}
	})
}
