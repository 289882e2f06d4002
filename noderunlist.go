package jobflow

import (
	"slices"
	"time"
)

// NodeRunFilter selects task instances (node runs) of one tenant across
// runs; empty fields select all.
type NodeRunFilter struct {
	Page       int
	PageSize   int
	WorkflowID string
	JobID      string
	Status     NodeStatus
	// From and To bound StartedAt, both included; a bound leaves out the
	// nodes that never started.
	From, To *time.Time
}

// NodeRunItem is a task instance in a list: a node run without its log,
// result or outputs.
type NodeRunItem struct {
	RunID        string     `json:"runId"`
	WorkflowID   string     `json:"workflowId"`
	WorkflowName string     `json:"workflowName"`
	JobID        string     `json:"jobId"`
	JobName      string     `json:"jobName"`
	JobType      JobType    `json:"jobType"`
	Status       NodeStatus `json:"status"`
	Attempt      int        `json:"attempt"`
	StartedAt    *time.Time `json:"startedAt" required:"true"`
	EndedAt      *time.Time `json:"endedAt" required:"true"`
	DurationMs   *int64     `json:"durationMs" required:"true"` // null until the node ended
	Error        string     `json:"error"`
}

// ValidNodeStatus reports whether s is a node status.
func ValidNodeStatus(s NodeStatus) bool {
	return slices.Contains(NodeStatuses, s)
}
