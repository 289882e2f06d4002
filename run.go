package jobflow

import (
	"encoding/json"
	"time"
)

// Trigger says what started a run.
type Trigger string

// Triggers.
const (
	TriggerManual   Trigger = "MANUAL"
	TriggerSchedule Trigger = "SCHEDULE"
	TriggerInvoke   Trigger = "INVOKE"
	TriggerRerun    Trigger = "RERUN"
	TriggerBackfill Trigger = "BACKFILL"
	TriggerSubflow  Trigger = "SUBFLOW" // a child run of a SUBFLOW job
)

// RunStatus is the state of a run (作业流实例).
type RunStatus string

// Run statuses.
const (
	RunRunning  RunStatus = "RUNNING"
	RunSuccess  RunStatus = "SUCCESS"
	RunFail     RunStatus = "FAIL"
	RunAborting RunStatus = "ABORTING"
	RunAborted  RunStatus = "ABORTED"
	// RunPaused: a user paused the run (docs/run-semantics.md#pause-and-resume):
	// running jobs finish, nothing new starts until it is resumed.
	RunPaused RunStatus = "PAUSED"
	// RunQueued: the run waits for a slot under its workflow's concurrency
	// limit (docs/run-semantics.md#workflow-concurrency); none of its jobs
	// has started.
	RunQueued RunStatus = "QUEUED"
	// RunSkipped: the workflow's concurrency limit was reached and its
	// behavior is SKIP: the run never started.
	RunSkipped RunStatus = "SKIPPED"
)

// Live reports whether a run in status s is going on: RUNNING, PAUSED or
// QUEUED (it can be aborted; a RUNNING or PAUSED one paused or resumed,
// its nodes broken).
func (s RunStatus) Live() bool { return s == RunRunning || s == RunPaused || s == RunQueued }

// Finished reports whether s is a final status.
func (s RunStatus) Finished() bool {
	return s == RunSuccess || s == RunFail || s == RunAborted || s == RunSkipped
}

// HoldsSlot reports whether a run in status s counts against its
// workflow's concurrency limit, once admitted: it has started and not ended.
func (s RunStatus) HoldsSlot() bool { return s == RunRunning || s == RunPaused || s == RunAborting }

// NodeStatus is the state of one job in one run (作业实例).
type NodeStatus string

// Node statuses.
const (
	NodePending        NodeStatus = "PENDING"         // waiting for parents
	NodeWaiting        NodeStatus = "WAITING"         // discrete mode: waiting for the job's cron
	NodeRunning        NodeStatus = "RUNNING"         //
	NodeSuccess        NodeStatus = "SUCCESS"         //
	NodeFail           NodeStatus = "FAIL"            //
	NodeUpstreamFailed NodeStatus = "UPSTREAM_FAILED" // a parent failed; never started
	NodeAborted        NodeStatus = "ABORTED"         //
	NodeBreak          NodeStatus = "BREAK"           // held by a user, with its descendants
	NodeSkipped        NodeStatus = "SKIPPED"         // carried over as succeeded in a rerun
	NodeNotSelected    NodeStatus = "NOT_SELECTED"    // a CONDITION chose another branch, or its trigger rule was not needed
	NodeDisabled       NodeStatus = "DISABLED"        // disabled on the canvas: never executed, counted as succeeded
	NodeForcedSuccess  NodeStatus = "FORCED_SUCCESS"  // failed, then marked succeeded by a user (with who and why in error)
)

// Done reports whether a node in status s will not change any more.
func (s NodeStatus) Done() bool {
	switch s {
	case NodePending, NodeWaiting, NodeRunning:
		return false
	}
	return true
}

// Satisfied reports whether a child may start after a parent in status s.
func (s NodeStatus) Satisfied() bool {
	return s == NodeSuccess || s == NodeSkipped || s == NodeDisabled || s == NodeForcedSuccess
}

// RerunMode says which nodes a rerun runs again.
type RerunMode string

// Rerun modes.
const (
	RerunAll      RerunMode = "ALL"       // every node
	RerunFailed   RerunMode = "FAILED"    // nodes that did not succeed
	RerunFromNode RerunMode = "FROM_NODE" // the node and its descendants
	RerunNode     RerunMode = "NODE"      // only the node
)

// Run is one execution of a workflow (作业流实例).
type Run struct {
	ID                 string            `json:"id"`
	TenantID           string            `json:"tenantId"`
	WorkflowID         string            `json:"workflowId"`
	WorkflowName       string            `json:"workflowName"`
	VersionID          string            `json:"versionId"`               // "" for a manual run of the draft
	VersionNumber      int               `json:"versionNumber,omitempty"` // the version's number, read with the run
	Trigger            Trigger           `json:"trigger"`
	Status             RunStatus         `json:"status"`
	LogicalTime        time.Time         `json:"logicalTime"`
	Params             map[string]string `json:"params"`
	RerunOf            string            `json:"rerunOf"`
	ParentRunID        string            `json:"parentRunId"` // a SUBFLOW child: the run whose job started it
	ParentJobID        string            `json:"parentJobId"` // a SUBFLOW child: that job's id
	TemporalWorkflowID string            `json:"temporalWorkflowId"`
	TemporalRunID      string            `json:"temporalRunId"`
	TemporalURL        string            `json:"temporalUrl,omitempty"` // link into the Temporal Web UI
	StartedAt          time.Time         `json:"startedAt"`
	EndedAt            *time.Time        `json:"endedAt"`
	DurationMs         *int64            `json:"durationMs,omitempty"` // from start to end, once ended (read with the run)
	CreatedBy          string            `json:"createdBy"`
	Error              string            `json:"error,omitempty"`
	// QueuePosition is a QUEUED run's place in its workflow's queue, from 1
	// (read with the run).
	QueuePosition int `json:"queuePosition,omitempty"`
	// Version grows whenever the run row or one of its node rows is
	// written (the store's per-run change sequence); GET /runs/{id}?since=
	// answers the nodes written after a version.
	Version int64 `json:"version"`

	Nodes []*NodeRun `json:"nodes,omitempty"` // filled by FindRunByID
	Edges []Edge     `json:"edges,omitempty"`
	// Children are the runs that this run's SUBFLOW jobs started, oldest
	// first (filled by FindRunByID).
	Children []RunLink `json:"children,omitempty"`
	// Prediction is a live run's predicted finish (read with the run;
	// docs/baselines.md#prediction).
	Prediction *Prediction `json:"prediction,omitempty"`
}

// Node is the node run of jobID, nil if there is none.
func (r *Run) Node(jobID string) *NodeRun {
	for _, n := range r.Nodes {
		if n.JobID == jobID {
			return n
		}
	}
	return nil
}

// RunLink names another run: a SUBFLOW child of a run.
type RunLink struct {
	ID           string    `json:"id"`
	JobID        string    `json:"jobId"` // the parent's SUBFLOW job that started it
	WorkflowID   string    `json:"workflowId"`
	WorkflowName string    `json:"workflowName"`
	Status       RunStatus `json:"status"`
	RerunOf      string    `json:"rerunOf,omitempty"`
}

// NodeRun is one job in one run (作业实例).
type NodeRun struct {
	RunID     string          `json:"runId"`
	TenantID  string          `json:"-"`
	JobID     string          `json:"jobId"`
	JobName   string          `json:"jobName"`
	JobType   JobType         `json:"jobType"`
	Status    NodeStatus      `json:"status"`
	Attempt   int             `json:"attempt"`
	StartedAt *time.Time      `json:"startedAt"`
	EndedAt   *time.Time      `json:"endedAt"`
	ExitCode  *int            `json:"exitCode"`
	Error     string          `json:"error"`
	Result    json.RawMessage `json:"result"`
	// Outputs are the job's named values (docs/run-semantics.md#outputs), at most MaxOutputBytes
	// as JSON; a SKIPPED node of a rerun carries those of the run it reruns.
	Outputs map[string]string `json:"outputs,omitempty"`
	// ChildRunID is, for a SUBFLOW node, the child run it started last
	// (filled by FindRunByID from the run's Children; not stored).
	ChildRunID string `json:"childRunId,omitempty"`
	// WaitReason says why a WAITING node waits for a pool: "pool db-prod
	// 2/2, position 3" (read with the run; not stored).
	WaitReason string `json:"waitReason,omitempty"`
}

// RunFilter selects runs of one tenant; empty fields select all.
type RunFilter struct {
	Page       int
	PageSize   int
	WorkflowID string
	Status     RunStatus
	Trigger    Trigger
	// ParentRunID selects the SUBFLOW children of one run.
	ParentRunID string
	// From and To bound StartedAt, both included.
	From, To *time.Time
	// Q selects runs whose id or params JSON contains it, ignoring ASCII
	// case; % and _ are literal.
	Q string
}

// Snapshot is what a run executes: the DAG and every job on it, frozen. A
// published version holds one; a manual run takes one of the draft.
type Snapshot struct {
	TenantID     string         `json:"tenantId"`
	WorkflowID   string         `json:"workflowId"`
	WorkflowName string         `json:"workflowName"`
	VersionID    string         `json:"versionId"`
	Canvas       Canvas         `json:"canvas"`
	Jobs         []Job          `json:"jobs"` // the jobs on the canvas, in canvas order
	Config       WorkflowConfig `json:"config"`
	// Calendar is the business calendar the schedule names, as it was when
	// the version was published (or, in a schedule's action, when the
	// schedule was last applied): a later change never alters this run.
	Calendar *Calendar `json:"calendar,omitempty"`
}

// Job returns the job of the snapshot with id, or nil.
func (s *Snapshot) Job(id string) *Job {
	for i := range s.Jobs {
		if s.Jobs[i].ID == id {
			return &s.Jobs[i]
		}
	}
	return nil
}

// MaxLogBytes is how much of a node run's log is kept: the tail.
const MaxLogBytes = 1 << 20

// LogTruncatedMarker starts a log whose head was cut.
const LogTruncatedMarker = "[... earlier output truncated ...]\n"
