package store_test

import (
	"fmt"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// A run's version grows with every write of its row or of a node row, and
// FindRunDelta answers exactly the nodes written after a version.
func TestRunService_FindRunDelta(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		run := &jobflow.Run{ID: "delta-1", TenantID: tn.ID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual}
		if err := s.CreateRun(ctx, run, &jobflow.Snapshot{}); err != nil {
			t.Fatal(err)
		}
		nodes := make([]jobflow.NodeRun, 2000)
		for i := range nodes {
			nodes[i] = jobflow.NodeRun{RunID: run.ID, JobID: fmt.Sprintf("job_%04d", i), JobName: fmt.Sprintf("j%d", i),
				JobType: jobflow.JobShell, Status: jobflow.NodePending}
		}
		if err := s.UpsertNodeRuns(ctx, nodes); err != nil {
			t.Fatal(err)
		}
		whole, err := s.FindRunByID(ctx, tn.ID, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if whole.Version == 0 || len(whole.Nodes) != 2000 {
			t.Fatalf("version %d, %d nodes", whole.Version, len(whole.Nodes))
		}
		d, err := s.FindRunDelta(ctx, tn.ID, run.ID, 0)
		if err != nil || len(d.Nodes) != 2000 || d.Version != whole.Version {
			t.Fatalf("since 0: %v, version %d", err, d.Version)
		}
		if d, _ := s.FindRunDelta(ctx, tn.ID, run.ID, whole.Version); len(d.Nodes) != 0 {
			t.Fatalf("since the current version: %d nodes", len(d.Nodes))
		}
		started := time.Now().UTC().Truncate(time.Second)
		if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: run.ID, JobID: "job_1234", Status: jobflow.NodeRunning,
			Attempt: 1, StartedAt: &started}); err != nil {
			t.Fatal(err)
		}
		d, err = s.FindRunDelta(ctx, tn.ID, run.ID, whole.Version)
		if err != nil || len(d.Nodes) != 1 || d.Nodes[0].JobID != "job_1234" || d.Nodes[0].Status != jobflow.NodeRunning {
			t.Fatalf("one node changed: %v %+v", err, d.Nodes)
		}
		if d.Version <= whole.Version || len(d.Edges) != 0 {
			t.Fatalf("version %d after %d, edges %v", d.Version, whole.Version, d.Edges)
		}
		// The run row's own writes move the version too.
		run.Status = jobflow.RunAborting
		if err := s.UpsertRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.FindRunDelta(ctx, tn.ID, run.ID, d.Version); again.Version <= d.Version || len(again.Nodes) != 0 {
			t.Fatalf("after the run row: version %d (was %d), %d nodes", again.Version, d.Version, len(again.Nodes))
		}
		_, err = s.FindRunDelta(ctx, "other-tenant", run.ID, 0)
		wantCode(t, err, jobflow.ENOTFOUND)
	})
}
