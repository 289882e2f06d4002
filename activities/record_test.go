package activities

import (
	"context"
	"errors"
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

// TestRecordRun_FinalFirst: a final record of a run whose start record never
// landed (the store was down) still writes the run and its nodes, and a
// reader never sees the run final before its nodes: the nodes are written
// first. The reader here is a store that fails the run's final write, which
// must leave the nodes final and the run not final yet.
func TestRecordRun_FinalFirst(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e := newTestEnvOn(t, s)
		ctx := context.Background()
		ended := time.Now().UTC()
		run := *e.run
		run.ID = jobflow.NewID(jobflow.PrefixRun) // no row yet
		run.Status, run.EndedAt = jobflow.RunAborted, &ended
		in := workflows.RecordRunInput{Run: run, Nodes: []jobflow.NodeRun{
			{RunID: run.ID, JobID: "job_a", JobName: "a", JobType: jobflow.JobShell, Status: jobflow.NodeAborted},
		}}
		e.a.Runs = failFinalRun{RunService: s}
		if err := e.a.RecordRun(ctx, in); err == nil {
			t.Fatal("RecordRun succeeded though the final run write failed")
		}
		got, err := s.FindRunByID(ctx, run.TenantID, run.ID)
		if err != nil {
			t.Fatalf("FindRunByID: %v", err)
		}
		if got.Status.Finished() || len(got.Nodes) != 1 || got.Nodes[0].Status != jobflow.NodeAborted {
			t.Fatalf("after the failed final write: run %s with nodes %+v; want RUNNING with the ABORTED node", got.Status, got.Nodes)
		}
		e.a.Runs = s
		if err := e.a.RecordRun(ctx, in); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindRunByID(ctx, run.TenantID, run.ID); got.Status != jobflow.RunAborted {
			t.Fatalf("run %s, want ABORTED", got.Status)
		}
	})
}

// failFinalRun refuses to write a final run row.
type failFinalRun struct{ jobflow.RunService }

func (f failFinalRun) UpsertRun(ctx context.Context, r *jobflow.Run) error {
	if r.Status.Finished() {
		return errors.New("store down")
	}
	return f.RunService.UpsertRun(ctx, r)
}
