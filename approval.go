package jobflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// ApprovalLink is a one-click link to decide a WAITING APPROVAL node, sent
// through an alarm channel of the workflow's rules
// (docs/run-semantics.md#approval-jobs). Its token is a random capability,
// kept only as its SHA-256; it decides once and expires with the approval.
type ApprovalLink struct {
	TenantID    string     `json:"tenantId"`
	RunID       string     `json:"runId"`
	JobID       string     `json:"jobId"`
	JobName     string     `json:"jobName"`
	ChannelID   string     `json:"channelId"`
	ChannelName string     `json:"channelName"`
	Message     string     `json:"message"`
	ExpiresAt   time.Time  `json:"expiresAt"`
	UsedAt      *time.Time `json:"usedAt,omitempty"`
}

// ApprovalLinkService keeps approval links (store).
type ApprovalLinkService interface {
	// CreateApprovalLink keeps l under tokenHash; a link for the same run,
	// job and channel is replaced (a retried send mints a new token).
	CreateApprovalLink(ctx context.Context, l *ApprovalLink, tokenHash string) error
	// FindApprovalLink finds a link by its token's hash (NOT_FOUND).
	FindApprovalLink(ctx context.Context, tokenHash string) (*ApprovalLink, error)
	// UseApprovalLink marks the link used at now, once: CONFLICT when it
	// was used already or has expired, NOT_FOUND when there is none.
	UseApprovalLink(ctx context.Context, tokenHash string, now time.Time) (*ApprovalLink, error)
	// ReleaseApprovalLink makes a used link usable again (the decision it
	// carried could not be delivered).
	ReleaseApprovalLink(ctx context.Context, tokenHash string) error
}

// ApprovalLinkPath is where the API serves an approval link's page.
const ApprovalLinkPath = "/approval/"

// ApprovalTokenHash is the stored form of an approval link's token.
func ApprovalTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
