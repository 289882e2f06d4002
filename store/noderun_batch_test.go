package store_test

import (
	"fmt"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// UpsertNodeRuns writes 1,200 rows in batches with UpsertNodeRun's rules: a
// row a job already moved on (RUNNING, SUCCESS) keeps its state, new rows
// go in, a repeat is written once, a retry writes nothing twice; another
// tenant's run is NOT_FOUND and a row without a status INVALID, changing
// nothing.
func TestRunService_UpsertNodeRuns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		started := time.Now().UTC().Truncate(time.Second)
		if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, JobID: "job_00007", Status: jobflow.NodeRunning, Attempt: 1, StartedAt: &started}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, JobID: "job_00900", Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &started, EndedAt: &started}); err != nil {
			t.Fatal(err)
		}
		var nodes []jobflow.NodeRun
		for i := range 1200 {
			nodes = append(nodes, jobflow.NodeRun{RunID: r.ID, JobID: fmt.Sprintf("job_%05d", i), JobName: fmt.Sprintf("j%d", i), JobType: jobflow.JobShell, Status: jobflow.NodePending})
		}
		nodes = append(nodes, nodes[3]) // a repeat in the same batch
		for range 2 {                   // a retried record
			if err := s.UpsertNodeRuns(ctx, nodes); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.FindRunByID(ctx, f.tenant.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Nodes) != 1200 {
			t.Fatalf("%d node rows, want 1200", len(got.Nodes))
		}
		by := map[string]*jobflow.NodeRun{}
		for _, n := range got.Nodes {
			by[n.JobID] = n
		}
		if n := by["job_00007"]; n.Status != jobflow.NodeRunning || n.StartedAt == nil || n.JobName != "j7" {
			t.Errorf("the RUNNING row became %s (started %v, name %q)", n.Status, n.StartedAt, n.JobName)
		}
		if n := by["job_00900"]; n.Status != jobflow.NodeSuccess || n.EndedAt == nil {
			t.Errorf("the SUCCESS row became %s", n.Status)
		}
		if n := by["job_01199"]; n.Status != jobflow.NodePending || n.JobName != "j1199" || n.JobType != jobflow.JobShell {
			t.Errorf("last row %+v", n)
		}

		other := []jobflow.NodeRun{{RunID: r.ID, TenantID: f.other.ID, JobID: "job_x", Status: jobflow.NodePending}}
		wantCode(t, s.UpsertNodeRuns(ctx, other), jobflow.ENOTFOUND)
		wantCode(t, s.UpsertNodeRuns(ctx, []jobflow.NodeRun{{RunID: r.ID, JobID: "job_y", Status: jobflow.NodePending}, {RunID: r.ID, JobID: "job_z"}}), jobflow.EINVALID)
		wantCode(t, s.UpsertNodeRuns(ctx, []jobflow.NodeRun{{RunID: "run_nope", JobID: "job_y", Status: jobflow.NodePending}}), jobflow.ENOTFOUND)
		if got, _ := s.FindRunByID(ctx, f.tenant.ID, r.ID); len(got.Nodes) != 1200 {
			t.Errorf("refused writes left %d rows, want 1200", len(got.Nodes))
		}
	})
}
