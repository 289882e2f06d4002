// Package workflows holds the Temporal workflow code of jobflow: FlowRun,
// which interprets a run's frozen DAG snapshot and fans its jobs out as
// activities. It is deterministic: no I/O, no clock, no goroutines, no map
// ranging, and it never imports store/ or httpapi/. Everything it needs comes
// in its input or from activities.
//
// This file is the contract between the workflow and activities/: names,
// inputs and results. Both sides import it.
package workflows

import (
	"encoding/json"
	"time"

	"jobflow"
	"jobflow/vars"
)

// Names registered with the worker.
const (
	FlowRunName = "FlowRun"

	// RunJobActivity executes one job (SHELL, PYTHON, SQL, HTTP). It records
	// its own node-run row (RUNNING at start, then the outcome), streams the
	// log, and heartbeats so that cancellation reaches it.
	RunJobActivity = "RunJob"
	// RecordRunActivity upserts the run row and the rows of the given nodes.
	RecordRunActivity = "RecordRun"
	// AdmitRunActivity asks the store for a slot under the workflow's
	// concurrency limit (queue.go): AdmitRunInput → jobflow.Admission.
	AdmitRunActivity = "AdmitRun"
	// AcquirePoolActivity asks for a node's pool slots (pool.go):
	// jobflow.PoolRequest → jobflow.PoolGrant. ReleasePoolActivity drops a
	// node's lease (or every lease of the run) and signals the FlowRuns the
	// freed slots granted: ReleasePoolInput.
	AcquirePoolActivity = "AcquirePool"
	ReleasePoolActivity = "ReleasePool"
	// SignalPoolGranted tells a FlowRun that a node's pool slots were
	// granted: PoolGranted.
	SignalPoolGranted = "pool-granted"
	// SignalSlotGranted tells a QUEUED FlowRun that the store granted it a
	// slot: no argument.
	SignalSlotGranted = "slot-granted"

	QueryNodes   = "nodes"  // live node states: []jobflow.NodeRun
	UpdateBreak  = "break"  // break a PENDING or WAITING node: BreakRequest
	UpdatePause  = "pause"  // pause a running run: no argument (pause.go)
	UpdateResume = "resume" // resume a paused run: no argument
	// UpdateMarkSuccess marks a FAIL or UPSTREAM_FAILED node FORCED_SUCCESS
	// so that its descendants run: MarkSuccessRequest (marksuccess.go).
	UpdateMarkSuccess = "markSuccess"
	// UpdateApprove decides a WAITING APPROVAL node: ApprovalDecision
	// (approval.go).
	UpdateApprove = "approve"
)

// Search attributes registered at start-up, so the Temporal Web UI can
// filter the runs of one workflow.
const (
	SATenantID   = "JobflowTenantId"
	SAWorkflowID = "JobflowWorkflowId"
	SATrigger    = "JobflowTrigger"
)

// DefaultTaskQueue is the queue of jobs without a worker group.
const DefaultTaskQueue = "jobflow"

// TaskQueue returns the task queue of a worker group: the base queue for "",
// "<base>-<group>" otherwise.
func TaskQueue(base, group string) string {
	if group == "" {
		return base
	}
	return base + "-" + group
}

// ScheduleID is the id of a published workflow's Temporal Schedule.
func ScheduleID(workflowID string) string { return "jobflow-" + workflowID }

// FlowRunInput is everything a run needs; the DAG never comes from the store.
type FlowRunInput struct {
	RunID       string            `json:"runId"` // also the Temporal workflow id of manual, invoke and rerun runs
	Snapshot    jobflow.Snapshot  `json:"snapshot"`
	Params      map[string]string `json:"params"` // workflow defaults already merged with the caller's
	LogicalTime time.Time         `json:"logicalTime"`
	Trigger     jobflow.Trigger   `json:"trigger"`
	RerunOf     string            `json:"rerunOf,omitempty"`
	Plan        *RerunPlan        `json:"plan,omitempty"` // nil: every node runs
	CreatedBy   string            `json:"createdBy,omitempty"`
	TaskQueue   string            `json:"taskQueue"` // base task queue for jobs

	// SnapshotRef, when set, names the stored snapshot FlowRun loads (a
	// large DAG, bigdag.go); Snapshot then holds only its header.
	SnapshotRef *SnapshotRef `json:"snapshotRef,omitempty"`

	// Carry is set when FlowRun continues as new: the node states so far.
	Carry []jobflow.NodeRun `json:"carry,omitempty"`
	// CarryPacked replaces Carry on a run loaded by reference (packNodes).
	CarryPacked []byte `json:"carryPacked,omitempty"`
	// StartedAt is the run's start, kept across continue-as-new; zero on the
	// first execution (its start time is used).
	StartedAt time.Time `json:"startedAt,omitempty"`
	// Paused carries a pause across continue-as-new (pause.go).
	Paused bool `json:"paused,omitempty"`
	// MaxDurationHit: the run's maximum duration has passed (timeouts.go).
	MaxDurationHit bool `json:"maxDurationHit,omitempty"`
	// Created: the engine wrote the run's row before it started this
	// execution (manual, invoke, rerun), so a one-job run's start record
	// can go with its job's (endrecord.go).
	Created bool `json:"created,omitempty"`

	// A SUBFLOW child run (subflow.go): the run and job that started it,
	// its nesting depth (1 for a top-level run's child) and the workflows
	// on the way to it, top-level first, for the recursion check.
	ParentRunID string   `json:"parentRunId,omitempty"`
	ParentJobID string   `json:"parentJobId,omitempty"`
	Depth       int      `json:"depth,omitempty"`
	Ancestors   []string `json:"ancestors,omitempty"`
}

// RerunPlan says which nodes of a rerun run again. Prior holds the final
// node statuses of the run being rerun, as a list (not a map) so the
// workflow can walk it deterministically.
type RerunPlan struct {
	Mode   jobflow.RerunMode `json:"mode"`
	NodeID string            `json:"nodeId,omitempty"` // FROM_NODE and NODE
	Prior  []PriorNode       `json:"prior"`
	// PriorPacked replaces Prior on a run loaded by reference (PackPlan).
	PriorPacked []byte `json:"priorPacked,omitempty"`
}

// PriorNode is one node's outcome in the run being rerun.
type PriorNode struct {
	JobID  string             `json:"jobId"`
	Status jobflow.NodeStatus `json:"status"`
	// Outputs of a node that succeeded, copied into its SKIPPED node.
	Outputs map[string]string `json:"outputs,omitempty"`
	// Note of a FORCED_SUCCESS node (who marked it and why), kept in the
	// rerun, where the node stays FORCED_SUCCESS (marksuccess.go).
	Note string `json:"note,omitempty"`
}

// FlowRunResult is what FlowRun returns. A run loaded by reference packs
// its nodes (Packed, see AllNodes) instead of listing them in Nodes.
type FlowRunResult struct {
	Status jobflow.RunStatus `json:"status"`
	Nodes  []jobflow.NodeRun `json:"nodes"`
	Packed []byte            `json:"packed,omitempty"`
	// Dropped says why a scheduled fire was not a run (schedplan.go): no
	// run was recorded.
	Dropped string `json:"dropped,omitempty"`
}

// continued reports whether this execution follows a continue-as-new.
func (in *FlowRunInput) continued() bool { return len(in.Carry) > 0 || len(in.CarryPacked) > 0 }

// RunJobInput is the input of RunJobActivity.
type RunJobInput struct {
	RunID       string            `json:"runId"`
	TenantID    string            `json:"tenantId"`
	WorkflowID  string            `json:"workflowId"`
	Job         jobflow.Job       `json:"job"`
	LogicalTime time.Time         `json:"logicalTime"`
	Timezone    string            `json:"timezone"` // the schedule's; variables are evaluated in it
	Params      map[string]string `json:"params"`
	// Upstream are the outputs of the ancestors the job's config names
	// (docs/run-semantics.md#outputs), in canvas order.
	Upstream []vars.Upstream `json:"upstream,omitempty"`
	// FinalRun is set when the job is its run's only job: the run's row as
	// it ends if the job succeeds. RunJob then writes the run's end with
	// the node's, and FlowRun has no final record to make: one local
	// activity (and its history marker) fewer per one-job run
	// (docs/benchmarks.md#where-a-run-costs-more).
	FinalRun *jobflow.Run `json:"finalRun,omitempty"`
	// StartRun is set when FlowRun made no start record of its own (a
	// one-job run the engine created): RunJob writes this run row with
	// the node's start, in one transaction (endrecord.go).
	StartRun *jobflow.Run `json:"startRun,omitempty"`
}

// RunJobResult is the result of a successful RunJobActivity. A failed job
// is an activity error (its message says why, a timeout says so).
type RunJobResult struct {
	ExitCode *int              `json:"exitCode,omitempty"`
	Result   json.RawMessage   `json:"result,omitempty"`
	Outputs  map[string]string `json:"outputs,omitempty"`
	// RunRecorded: RunJob wrote the input's FinalRun as SUCCESS. FlowRun
	// decides on this recorded result, so a replay decides the same.
	RunRecorded bool `json:"runRecorded,omitempty"`
}

// RecordRunInput is the input of RecordRunActivity: the run row (without
// Nodes) and the node rows to upsert with it.
type RecordRunInput struct {
	Run   jobflow.Run       `json:"run"`
	Nodes []jobflow.NodeRun `json:"nodes"`
	// Start marks the run's first record (its start, for metrics).
	Start bool `json:"start,omitempty"`
	// Queue: the run's workflow limits its concurrency; a final record
	// hands the freed slot on to the oldest QUEUED run (queue.go).
	Queue bool `json:"queue,omitempty"`
}

// ReleasePoolInput names the lease to drop: the node's, or with JobID ""
// every lease of the run.
type ReleasePoolInput struct {
	TenantID string `json:"tenantId"`
	RunID    string `json:"runId"`
	JobID    string `json:"jobId,omitempty"`
}

// PoolGranted is the argument of the pool-granted signal.
type PoolGranted struct {
	JobID string `json:"jobId"`
}

// AdmitRunInput is the input of AdmitRunActivity: the run's row as FlowRun
// knows it and its snapshot's limit.
type AdmitRunInput struct {
	Run         jobflow.Run         `json:"run"`
	Concurrency jobflow.Concurrency `json:"concurrency"`
}

// MarkSuccessRequest is the argument of the markSuccess update: who
// marks which FAIL or UPSTREAM_FAILED node succeeded, and why.
type MarkSuccessRequest struct {
	JobID  string `json:"jobId"`
	By     string `json:"by"`
	Reason string `json:"reason"`
}

// ApprovalDecision is the argument of the approve update: who approved
// (Approve) or rejected which APPROVAL node, and why.
type ApprovalDecision struct {
	JobID   string `json:"jobId"`
	Approve bool   `json:"approve"`
	By      string `json:"by"`
	Comment string `json:"comment,omitempty"`
}

// BreakRequest is the argument of the break update.
type BreakRequest struct {
	JobID string `json:"jobId"`
}
