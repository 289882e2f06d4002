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

func TestRecordRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e := newTestEnvOn(t, s)
		ctx := context.Background()
		ended := time.Now().UTC().Truncate(time.Millisecond)
		run := *e.run
		run.Status = jobflow.RunFail
		run.EndedAt = &ended
		run.Error = "a node failed"
		in := workflows.RecordRunInput{
			Run: run,
			Nodes: []jobflow.NodeRun{
				// TenantID does not survive Temporal's JSON (json:"-"); RecordRun fills it in.
				{RunID: run.ID, JobID: "job_a", JobName: "a", JobType: jobflow.JobShell, Status: jobflow.NodeFail, Attempt: 1, Error: "exit code 1"},
				{RunID: run.ID, JobID: "job_b", JobName: "b", JobType: jobflow.JobShell, Status: jobflow.NodeUpstreamFailed},
			},
		}
		// Twice, as a retried activity would: nothing is written twice.
		for i := 0; i < 2; i++ {
			if err := e.a.RecordRun(ctx, in); err != nil {
				t.Fatalf("RecordRun #%d: %v", i+1, err)
			}
		}
		got, err := s.FindRunByID(ctx, run.TenantID, run.ID)
		if err != nil {
			t.Fatalf("FindRunByID: %v", err)
		}
		if got.Status != jobflow.RunFail || got.EndedAt == nil || got.Error != "a node failed" {
			t.Errorf("run = %+v, want FAIL with end time and error", got)
		}
		if len(got.Nodes) != 2 {
			t.Fatalf("%d node runs, want 2", len(got.Nodes))
		}
		want := map[string]jobflow.NodeStatus{"job_a": jobflow.NodeFail, "job_b": jobflow.NodeUpstreamFailed}
		for _, n := range got.Nodes {
			if n.Status != want[n.JobID] {
				t.Errorf("node %s status = %s, want %s", n.JobID, n.Status, want[n.JobID])
			}
		}
		_, total, err := s.FindRuns(ctx, run.TenantID, jobflow.RunFilter{WorkflowID: run.WorkflowID})
		if err != nil || total != 1 {
			t.Errorf("FindRuns total = %d (%v), want 1", total, err)
		}
	})
}
