package activities

import (
	"context"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// A one-job run's end is written by RunJob when its job succeeds, after
// the node's own end, and RunJob says so; a failed job leaves the run to
// FlowRun's final record (workflows/endrecord.go).
func TestRunJob_RecordsOneJobRunEnd(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newTestEnvOn(t, s)
		for _, c := range []struct {
			script    string
			final     bool
			wantRun   jobflow.RunStatus
			recorded  bool
			wantError bool
		}{
			{"true", true, jobflow.RunSuccess, true, false},
			{"true", false, jobflow.RunRunning, false, false},
			{"exit 3", true, jobflow.RunRunning, false, true},
		} {
			run := *e.run
			run.ID = jobflow.NewID(jobflow.PrefixRun)
			if err := s.UpsertRun(ctx, &run); err != nil {
				t.Fatal(err)
			}
			e.run = &run
			in := e.input(e.job(jobflow.JobShell, map[string]string{"script": c.script}), nil)
			if c.final {
				fr := *e.run
				fr.Status = jobflow.RunSuccess
				in.FinalRun = &fr
			}
			res, err := e.a.RunJob(ctx, in)
			if (err != nil) != c.wantError {
				t.Fatalf("%s (final %v): RunJob error %v", c.script, c.final, err)
			}
			if res.RunRecorded != c.recorded {
				t.Errorf("%s (final %v): RunRecorded %v, want %v", c.script, c.final, res.RunRecorded, c.recorded)
			}
			got, err := s.FindRunByID(ctx, e.run.TenantID, e.run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != c.wantRun {
				t.Errorf("%s (final %v): run %s, want %s", c.script, c.final, got.Status, c.wantRun)
			}
			node := e.node(t, in.Job.ID)
			if c.recorded && (got.EndedAt == nil || node.EndedAt == nil || !got.EndedAt.Equal(*node.EndedAt)) {
				t.Errorf("run ended %v, node ended %v: want the job's end as the run's", got.EndedAt, node.EndedAt)
			}
		}
	})
}

// RunJob with a StartRun writes the run's start record with its node's
// start: the run row's Temporal run id lands, the node is RUNNING, and a
// retried attempt (its node row there already) writes them piece by piece.
func TestRunJob_RecordsOneJobRunStart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newTestEnvOn(t, s)
		start := *e.run
		start.TemporalRunID = "temporal-run-1"
		start.Nodes = nil
		node := &jobflow.NodeRun{RunID: start.ID, TenantID: start.TenantID, JobID: "job_a", JobName: "a",
			JobType: jobflow.JobShell, Status: jobflow.NodeRunning, Attempt: 1}
		for attempt := 1; attempt <= 2; attempt++ {
			node.Attempt = attempt
			if err := e.a.recordNodeStart(ctx, &start, node); err != nil {
				t.Fatalf("attempt %d: %v", attempt, err)
			}
			got, err := s.FindRunByID(ctx, start.TenantID, start.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.TemporalRunID != "temporal-run-1" || got.Status != jobflow.RunRunning {
				t.Errorf("attempt %d: run %s, temporal run id %q", attempt, got.Status, got.TemporalRunID)
			}
			if len(got.Nodes) != 1 || got.Nodes[0].Status != jobflow.NodeRunning || got.Nodes[0].Attempt != attempt {
				t.Errorf("attempt %d: nodes %+v, want job_a RUNNING on attempt %d", attempt, got.Nodes, attempt)
			}
		}
	})
}
