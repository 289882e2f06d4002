package workflows

import (
	"time"

	"jobflow"
	"jobflow/jobtypes"
)

// The DEPENDENT part of the contract between FlowRun and activities/.
const (
	// CheckDependentActivity registers a DEPENDENT node's waits (so the
	// upstream runs' final records signal it) and then checks its items
	// in the store: CheckDependentInput -> CheckDependentResult. FlowRun
	// decides from the items whether the node is met or failed.
	CheckDependentActivity = "CheckDependent"
	// ForgetDependentActivity forgets a node's waits when it stops
	// waiting: ForgetDependentInput.
	ForgetDependentActivity = "ForgetDependent"
	// SignalDependent is the signal RecordRun sends, with a
	// DependentSignal, to every FlowRun waiting on the workflow of a run
	// whose final record it wrote.
	SignalDependent = "dependent-upstream"
)

// CheckDependentInput is one check of a DEPENDENT node.
type CheckDependentInput struct {
	TenantID           string                   `json:"tenantId"`
	RunID              string                   `json:"runId"`
	JobID              string                   `json:"jobId"`
	TemporalWorkflowID string                   `json:"temporalWorkflowId"` // where signals go
	LogicalTime        time.Time                `json:"logicalTime"`
	Timezone           string                   `json:"timezone"` // the waiting workflow's schedule zone
	Config             jobtypes.DependentConfig `json:"config"`
}

// CheckDependentResult is what a check found, item by item in the
// config's order.
type CheckDependentResult struct {
	Items []jobflow.DependentItemState `json:"items"`
	// Texts name each item and its window for messages, in the waiting
	// workflow's zone.
	Texts []string `json:"texts"`
}

// ForgetDependentInput names the node whose waits go.
type ForgetDependentInput struct {
	RunID string `json:"runId"`
	JobID string `json:"jobId"`
}

// DependentSignal is the payload of SignalDependent: the run that ended.
type DependentSignal struct {
	WorkflowID string            `json:"workflowId"`
	RunID      string            `json:"runId"`
	Status     jobflow.RunStatus `json:"status"`
}
