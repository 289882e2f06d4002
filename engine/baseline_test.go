package engine_test

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
	"jobflow/workflows"
)

// A baseline whose workflow is missing (created while Temporal was down)
// gets it from the reconciler, once; a deleted baseline's workflow, woken,
// finds it gone and completes.
func TestEngine_BaselineWorkflowEnsured(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	ctx := context.Background()
	wfID, _ := e.workflow("nightly", []jobSpec{shell("a", "true")}, nil)
	b := &jobflow.Baseline{TenantID: e.tenant, Name: "by 7", FinishBy: "07:00", Targets: []jobflow.BaselineTarget{{WorkflowID: wfID}}}
	if err := e.Store.CreateBaseline(ctx, b); err != nil { // the store only: no workflow yet
		t.Fatal(err)
	}
	id := workflows.BaselineWorkflowID(b.ID)
	if _, err := e.Client.DescribeWorkflowExecution(ctx, id, ""); err == nil {
		t.Fatal("a baseline workflow exists before the reconciler ran")
	}
	if n := e.Engine.EnsureBaselines(ctx, nil); n != 1 {
		t.Fatalf("started %d baseline workflows, want 1", n)
	}
	d, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("baseline workflow: %v %v", d.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	if n := e.Engine.EnsureBaselines(ctx, nil); n != 0 {
		t.Fatalf("a running baseline workflow was started again (%d)", n)
	}
	// Its first check stored today's (or tomorrow's) instance.
	if !testwait.Until(20*time.Second, func() bool {
		list, err := e.Store.FindBaselineInstances(ctx, e.tenant, b.ID, 5)
		return err == nil && len(list) == 1
	}) {
		t.Fatal("no instance after the first check")
	}

	if err := e.Store.DeleteBaseline(ctx, e.tenant, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Engine.ForgetBaseline(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if !testwait.Until(20*time.Second, func() bool {
		d, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}) {
		t.Fatal("the deleted baseline's workflow did not end")
	}
}
