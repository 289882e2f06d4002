package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// A SUBFLOW child run keeps its parent (fixed by the first write), is
// listed by parentRunId and trigger SUBFLOW, and the parent's view links it
// from its node and its children.
func TestRunService_SubflowChildren(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		child := mustWorkflow(t, s, f.tenant.ID, "child", "")
		start := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
		parent := f.run(jobflow.TriggerManual, start)
		if err := s.UpsertRun(ctx, parent); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: parent.ID, TenantID: f.tenant.ID, JobID: "jb_sub",
			JobName: "sub", JobType: jobflow.JobSubflow, Status: jobflow.NodeRunning}); err != nil {
			t.Fatal(err)
		}
		mk := func(id string, at time.Time) *jobflow.Run {
			return &jobflow.Run{ID: id, TenantID: f.tenant.ID, WorkflowID: child.ID, WorkflowName: child.Name,
				Trigger: jobflow.TriggerSubflow, Status: jobflow.RunRunning, StartedAt: at,
				ParentRunID: parent.ID, ParentJobID: "jb_sub"}
		}
		first, second := mk(parent.ID+"-jb_sub-1", start.Add(time.Second)), mk(parent.ID+"-jb_sub-2", start.Add(time.Minute))
		snap := &jobflow.Snapshot{TenantID: f.tenant.ID, WorkflowID: child.ID}
		if err := s.CreateRun(ctx, first, snap); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertRun(ctx, second); err != nil {
			t.Fatal(err)
		}
		// A later write without the parent (or with another) does not move it.
		if err := s.UpsertRun(ctx, &jobflow.Run{ID: first.ID, TenantID: f.tenant.ID, WorkflowID: child.ID,
			Status: jobflow.RunFail, ParentRunID: "rn_other", ParentJobID: "jb_other"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindRunByID(ctx, f.tenant.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ParentRunID != parent.ID || got.ParentJobID != "jb_sub" || got.Trigger != jobflow.TriggerSubflow || got.Status != jobflow.RunFail {
			t.Fatalf("child = %+v", got)
		}

		p, err := s.FindRunByID(ctx, f.tenant.ID, parent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Children) != 2 || p.Children[0].ID != first.ID || p.Children[1].ID != second.ID ||
			p.Children[0].JobID != "jb_sub" || p.Children[0].Status != jobflow.RunFail || p.Children[0].WorkflowName != "child" {
			t.Fatalf("children = %+v", p.Children)
		}
		if len(p.Nodes) != 1 || p.Nodes[0].ChildRunID != second.ID {
			t.Fatalf("node = %+v, want childRunId %s", p.Nodes[0], second.ID)
		}
		if p.ParentRunID != "" {
			t.Fatalf("a top-level run has parent %q", p.ParentRunID)
		}

		list, total, err := s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{ParentRunID: parent.ID})
		if err != nil || total != 2 || len(list) != 2 || list[0].ID != second.ID || list[0].ParentJobID != "jb_sub" {
			t.Fatalf("by parent: %d %v %v", total, list, err)
		}
		list, total, err = s.FindRuns(ctx, f.tenant.ID, jobflow.RunFilter{Trigger: jobflow.TriggerSubflow})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("by trigger: %d %v %v", total, list, err)
		}
		// Another tenant sees no children of it.
		if _, total, err := s.FindRuns(ctx, f.other.ID, jobflow.RunFilter{ParentRunID: parent.ID}); err != nil || total != 0 {
			t.Fatalf("other tenant: %d %v", total, err)
		}
	})
}
