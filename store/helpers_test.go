package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"jobflow"
	"jobflow/store"
)

var ctx = context.Background()

func mustTenant(t *testing.T, s *store.Store, name string) *jobflow.Tenant {
	t.Helper()
	tn := &jobflow.Tenant{Name: name}
	if err := s.CreateTenant(ctx, tn); err != nil {
		t.Fatalf("CreateTenant(%q): %v", name, err)
	}
	return tn
}

func mustWorkflow(t *testing.T, s *store.Store, tenantID, name, remark string) *jobflow.Workflow {
	t.Helper()
	w := &jobflow.Workflow{TenantID: tenantID, Name: name, Remark: remark, CreatedBy: "us_test"}
	if err := s.CreateWorkflow(ctx, w, 1000); err != nil {
		t.Fatalf("CreateWorkflow(%q): %v", name, err)
	}
	return w
}

func mustShellJob(t *testing.T, s *store.Store, tenantID, workflowID, name string) *jobflow.Job {
	t.Helper()
	j := &jobflow.Job{
		TenantID:   tenantID,
		WorkflowID: workflowID,
		Name:       name,
		Type:       jobflow.JobShell,
		Config:     json.RawMessage(`{"script":"echo hi"}`),
	}
	if err := s.CreateJob(ctx, j); err != nil {
		t.Fatalf("CreateJob(%q): %v", name, err)
	}
	return j
}

// wantCode fails unless err carries the application error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := jobflow.ErrorCode(err); got != want {
		t.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
}

func ptr[T any](v T) *T { return &v }
