package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// RecordRunStart writes a scheduled run's run row, node rows, snapshot copy
// and next run time together; a repeat writes nothing twice; a refused
// record (a finished run, a node of another run or tenant, an unknown
// workflow) changes nothing, the run row included.
func TestRunService_RecordRunStart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		v := mustVersion(t, s, w, "0 0 2 * * ?")
		if _, err := s.SetPublished(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
		logical := time.Now().UTC().Truncate(time.Second)
		run := func(id string) *jobflow.Run {
			return &jobflow.Run{ID: id, TenantID: tn.ID, WorkflowID: w.ID, VersionID: v.ID, WorkflowName: "etl",
				Trigger: jobflow.TriggerSchedule, Status: jobflow.RunRunning, LogicalTime: logical}
		}
		nodes := func(runID string) []jobflow.NodeRun {
			return []jobflow.NodeRun{
				{RunID: runID, TenantID: tn.ID, JobID: "job_a", JobName: "a", JobType: jobflow.JobShell, Status: jobflow.NodePending},
				{RunID: runID, TenantID: tn.ID, JobID: "job_b", JobName: "b", JobType: jobflow.JobShell, Status: jobflow.NodePending},
			}
		}
		r := run("sched-1")
		for range 2 { // a retried record
			if err := s.RecordRunStart(ctx, r, nodes(r.ID)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.FindRunByID(ctx, tn.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobflow.RunRunning || len(got.Nodes) != 2 || got.Nodes[0].Status != jobflow.NodePending {
			t.Fatalf("run %s with %d nodes", got.Status, len(got.Nodes))
		}
		if snap, err := s.FindRunSnapshot(ctx, tn.ID, r.ID); err != nil || snap.VersionID != v.ID {
			t.Fatalf("run snapshot %+v, %v", snap, err)
		}
		wf, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID)
		if wf.NextRunTime == nil || !wf.NextRunTime.After(logical) || wf.NextRunTime.Hour() != 2 {
			t.Fatalf("next run time %v", wf.NextRunTime)
		}
		// A job's own row is not sent back to PENDING by a later record.
		started := time.Now().UTC().Truncate(time.Second)
		if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, JobID: "job_a", Status: jobflow.NodeRunning, Attempt: 1, StartedAt: &started}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordRunStart(ctx, r, nodes(r.ID)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindRunByID(ctx, tn.ID, r.ID); got.Nodes[0].Status != jobflow.NodeRunning {
			t.Fatalf("job_a went back to %s", got.Nodes[0].Status)
		}

		// Refused: nothing of the record is written.
		done := run("sched-2")
		done.Status = jobflow.RunSuccess
		wantCode(t, s.RecordRunStart(ctx, done, nil), jobflow.EINVALID)
		wantCode(t, s.RecordRunStart(ctx, run("sched-3"), nodes("sched-x")), jobflow.EINVALID)
		foreign := nodes("sched-4")
		foreign[1].TenantID = other.ID
		wantCode(t, s.RecordRunStart(ctx, run("sched-4"), foreign), jobflow.ENOTFOUND)
		lost := run("sched-5")
		lost.WorkflowID = "wf_gone"
		wantCode(t, s.RecordRunStart(ctx, lost, nodes("sched-5")), jobflow.ENOTFOUND)
		for _, id := range []string{"sched-2", "sched-3", "sched-4", "sched-5"} {
			_, err := s.FindRunByID(ctx, tn.ID, id)
			wantCode(t, err, jobflow.ENOTFOUND)
			_, err = s.FindRunSnapshot(ctx, tn.ID, id)
			wantCode(t, err, jobflow.ENOTFOUND)
		}
	})
}
