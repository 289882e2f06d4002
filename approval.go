package jobflow

import (
	"context"
	"time"
)

// PendingApproval is a WAITING APPROVAL node of a running run
// (docs/run-semantics.md#approval-jobs): what the 待我审批 page lists.
type PendingApproval struct {
	RunID        string    `json:"runId"`
	JobID        string    `json:"jobId"`
	JobName      string    `json:"jobName"`
	WorkflowID   string    `json:"workflowId"`
	WorkflowName string    `json:"workflowName"`
	Message      string    `json:"message"`
	Since        time.Time `json:"since"`
	Deadline     time.Time `json:"deadline"`
	OnTimeout    string    `json:"onTimeout" enum:"REJECT,APPROVE"`
}

// ApprovalService finds the approvals that wait in a tenant (store).
type ApprovalService interface {
	// FindWaitingApprovals lists the tenant's WAITING APPROVAL node runs of
	// RUNNING or PAUSED runs, oldest first, at most limit; who may decide
	// each is the engine's filter (it reads the run's snapshot).
	FindWaitingApprovals(ctx context.Context, tenantID string, limit int) ([]PendingApproval, error)
}
