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

// countingRuns counts the run-row writes that reach the store.
type countingRuns struct {
	jobflow.RunService
	upserts int
}

func (c *countingRuns) UpsertRun(ctx context.Context, r *jobflow.Run) error {
	c.upserts++
	return c.RunService.UpsertRun(ctx, r)
}

// The final record of a run whose jobs wrote their own node rows is one
// write of the run row, on an existing row and on one that a failed start
// record left missing alike.
func TestRecordRun_FinalWithoutNodesIsOneWrite(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e := newTestEnvOn(t, s)
		ctx := context.Background()
		c := &countingRuns{RunService: s}
		e.a.Runs = c
		ended := time.Now().UTC().Truncate(time.Millisecond)
		missing := *e.run
		missing.ID = jobflow.NewID(jobflow.PrefixRun)
		for _, r := range []jobflow.Run{*e.run, missing} {
			r.Status, r.EndedAt = jobflow.RunSuccess, &ended
			c.upserts = 0
			if err := e.a.RecordRun(ctx, workflows.RecordRunInput{Run: r}); err != nil {
				t.Fatalf("RecordRun %s: %v", r.ID, err)
			}
			if c.upserts != 1 {
				t.Errorf("run %s: %d run-row writes, want 1", r.ID, c.upserts)
			}
			got, err := s.FindRunByID(ctx, r.TenantID, r.ID)
			if err != nil {
				t.Fatalf("FindRunByID %s: %v", r.ID, err)
			}
			if got.Status != jobflow.RunSuccess || got.EndedAt == nil {
				t.Errorf("run %s = %s, ended %v; want SUCCESS with its end time", r.ID, got.Status, got.EndedAt)
			}
		}
	})
}
