package engine_test

import (
	"context"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// SUBFLOW child runs and the run reconciler: a parent terminated in
// Temporal (FlowRun never records its end) takes its child down through the
// parent close policy, the child records its own end, and the reconciler
// settles the parent; a child run whose parent is gone (and whose execution
// never started) is settled like any other run.
func TestEngine_ReconcileRuns_Subflow(t *testing.T) {
	testtier.Parallel(t)
	r := testrig.New(t, testrig.Options{})
	e := &env{Rig: r, t: t, tenant: r.API.Tenant}
	ctx := context.Background()
	r.Engine.RunGrace = time.Nanosecond
	child, cjobs := e.workflow("sleepy", []jobSpec{shell("sleep", "sleep 600")}, nil)
	parent, pjobs := e.workflow("caller", []jobSpec{{Name: "sub", Type: "SUBFLOW",
		Config: map[string]any{"workflowId": child, "version": "DRAFT"}}}, nil)

	var started struct{ RunID string }
	e.API.Must("POST", "/api/v1/workflows/"+parent+"/runs", map[string]any{}, 202, &started)
	childID := started.RunID + "-" + pjobs["sub"] + "-1"
	e.eventually(60*time.Second, "the child's job to run", func() bool {
		c, err := r.Store.FindRunByID(ctx, e.tenant, childID)
		if err != nil {
			return false
		}
		for _, n := range c.Nodes {
			if n.JobID == cjobs["sleep"] && n.Status == jobflow.NodeRunning {
				return true
			}
		}
		return false
	})
	if err := r.Client.TerminateWorkflow(ctx, started.RunID, "", "operator"); err != nil {
		t.Fatal(err)
	}
	e.eventually(60*time.Second, "the child to end", func() bool { return e.run(childID).Status.Finished() })
	if c := e.run(childID); c.Status != jobflow.RunAborted {
		t.Fatalf("child %s %q, want ABORTED by its terminated parent", c.Status, c.Error)
	}
	e.eventually(30*time.Second, "the parent to be settled", func() bool {
		if _, err := r.Engine.ReconcileRuns(ctx, nil); err != nil {
			t.Fatal(err)
		}
		return e.run(started.RunID).Status.Finished()
	})
	p := e.run(started.RunID)
	if p.Status != jobflow.RunAborted || len(p.Nodes) != 1 || !p.Nodes[0].Status.Done() || p.Nodes[0].ChildRunID != childID {
		t.Fatalf("parent %s %q, nodes %+v", p.Status, p.Error, p.Nodes)
	}

	// An orphan: a child row whose parent row does not exist and whose
	// execution never started.
	orphan := &jobflow.Run{ID: "rn_gone-jb_x-1", TenantID: e.tenant, WorkflowID: child, WorkflowName: "sleepy",
		Trigger: jobflow.TriggerSubflow, Status: jobflow.RunRunning, StartedAt: time.Now().Add(-time.Minute),
		ParentRunID: "rn_gone", ParentJobID: "jb_x", TemporalWorkflowID: "rn_gone-jb_x-1"}
	if err := r.Store.UpsertRun(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Engine.ReconcileRuns(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if o := e.run(orphan.ID); o.Status != jobflow.RunFail || o.Error != "the run was never started" || o.ParentRunID != "rn_gone" {
		t.Fatalf("orphan %s %q parent %q", o.Status, o.Error, o.ParentRunID)
	}
}
