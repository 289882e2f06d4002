package activities

import (
	"context"
	"testing"
	"time"

	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// TestRunAt: the workflow's run at its logical time is found; another
// time, another workflow or another tenant is not.
func TestRunAt(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e := newTestEnvOn(t, s)
		ctx := context.Background()
		for _, c := range []struct {
			in   workflows.RunAtInput
			want bool
		}{
			{workflows.RunAtInput{TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, LogicalTime: logicalTime}, true},
			{workflows.RunAtInput{TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, LogicalTime: logicalTime.Add(time.Hour)}, false},
			{workflows.RunAtInput{TenantID: e.run.TenantID, WorkflowID: "wf_other", LogicalTime: logicalTime}, false},
			{workflows.RunAtInput{TenantID: "tn_other", WorkflowID: e.run.WorkflowID, LogicalTime: logicalTime}, false},
		} {
			got, err := e.a.RunAt(ctx, c.in)
			if err != nil || got != c.want {
				t.Errorf("RunAt(%+v) = %v, %v; want %v", c.in, got, err, c.want)
			}
		}
	})
}
