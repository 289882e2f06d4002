package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/vars"
)

// FOREACH nodes (docs/run-semantics.md#foreach-jobs). FlowRun hands the
// node to a ForEach child workflow (foreach_run.go), which runs one child
// FlowRun per item; FlowRun's own history then grows by a handful of
// events per FOREACH node, not per item, and ForEach continues as new
// every forEachPerExecution items. The node holds its parallelism slot
// while ForEach runs; an abort or END cancels ForEach, which cancels its
// children. ForEach returns the counts; the node fails when more items
// failed than the config tolerates.
//
// Histories recorded before FOREACH existed failed such a node at once:
// the "foreach" version keeps them so.

const forEachVersion = "foreach"

// ForEachName is the Temporal workflow type of a FOREACH node's runner.
const ForEachName = "ForEach"

// Names of the FOREACH activities.
const (
	PrepareForEachActivity   = "PrepareForEach"
	NextForEachItemsActivity = "NextForEachItems"
	StartForEachItemActivity = "StartForEachItem"
	AbortForEachItemActivity = "AbortForEachItem"
)

// ForEachWorkflowID is the Temporal workflow id of the ForEach that
// attempt of FOREACH job jobID of run runID starts.
func ForEachWorkflowID(runID, jobID string, attempt int) string {
	return fmt.Sprintf("%s-%s-%d-foreach", runID, jobID, attempt)
}

// ForEachItemRunID is the run id (and Temporal workflow id) of item index
// of FOREACH job jobID of run runID.
func ForEachItemRunID(runID, jobID string, index int) string {
	return fmt.Sprintf("%s-%s-i%d", runID, jobID, index)
}

// ForEachInput is ForEach's input.
type ForEachInput struct {
	Prepare PrepareForEachInput    `json:"prepare"`
	Config  jobtypes.ForEachConfig `json:"config"`
	State   ForEachState           `json:"state"` // carried across continue-as-new
}

// PrepareForEachInput is the input of PrepareForEachActivity: what
// resolving the items and starting children needs of the parent run.
type PrepareForEachInput struct {
	TenantID    string            `json:"tenantId"`
	RunID       string            `json:"runId"`
	WorkflowID  string            `json:"workflowId"` // the parent's workflow
	Job         jobflow.Job       `json:"job"`
	LogicalTime time.Time         `json:"logicalTime"`
	Timezone    string            `json:"timezone"`
	Params      map[string]string `json:"params"` // the parent's
	Upstream    []vars.Upstream   `json:"upstream,omitempty"`
	CreatedBy   string            `json:"createdBy,omitempty"`
	TaskQueue   string            `json:"taskQueue"`
	Depth       int               `json:"depth"`     // the children's
	Ancestors   []string          `json:"ancestors"` // the workflows above the children
	RerunOf     string            `json:"rerunOf,omitempty"`
}

// ForEachPlan is what PrepareForEach decided: how many items there are,
// how many the run this one reruns has already done, and the version
// every item's child runs ("" for the target's draft).
type ForEachPlan struct {
	Total     int    `json:"total"`
	Carried   int    `json:"carried"`
	VersionID string `json:"versionId,omitempty"`
}

// ForEachState is ForEach's progress.
type ForEachState struct {
	Prepared   bool        `json:"prepared"`
	Plan       ForEachPlan `json:"plan"`
	Cursor     int         `json:"cursor"` // the last item started
	Succeeded  int         `json:"succeeded"`
	Failed     int         `json:"failed"`
	FirstError string      `json:"firstError,omitempty"`
}

// NextForEachItemsInput is the input of NextForEachItemsActivity.
type NextForEachItemsInput struct {
	TenantID string `json:"tenantId"`
	RunID    string `json:"runId"`
	JobID    string `json:"jobId"`
	After    int    `json:"after"`
	Limit    int    `json:"limit"`
}

// StartForEachItemInput is the input of StartForEachItemActivity: it
// creates the item's child run row and returns the child's input. It
// holds no list and no config: 10,000 of them go into histories.
type StartForEachItemInput struct {
	TenantID    string    `json:"tenantId"`
	ParentRunID string    `json:"parentRunId"`
	JobID       string    `json:"jobId"`
	WorkflowID  string    `json:"workflowId"`          // the target
	VersionID   string    `json:"versionId,omitempty"` // "": the target's draft
	Param       string    `json:"param"`
	Index       int       `json:"index"`
	Item        string    `json:"item"`
	ChildRunID  string    `json:"childRunId"`
	LogicalTime time.Time `json:"logicalTime"`
	CreatedBy   string    `json:"createdBy,omitempty"`
	TaskQueue   string    `json:"taskQueue"`
	Depth       int       `json:"depth"`
	Ancestors   []string  `json:"ancestors"`
}

// AbortForEachItemInput settles a child run whose row exists but that
// was never started.
type AbortForEachItemInput struct {
	TenantID   string `json:"tenantId"`
	ChildRunID string `json:"childRunId"`
}

// ForEachResult is what ForEach returns, and the FOREACH node run's result.
type ForEachResult struct {
	Total     int    `json:"total"`
	Succeeded int    `json:"succeeded"` // carried ones included
	Failed    int    `json:"failed"`
	NotRun    int    `json:"notRun,omitempty"` // left once more failed than tolerated
	Carried   int    `json:"carried,omitempty"`
	Error     string `json:"error,omitempty"` // set: the node fails with it
}

// startForEach starts FOREACH node i: its ForEach child.
func (r *runner) startForEach(ctx workflow.Context, i int, job *jobflow.Job) {
	if workflow.GetVersion(ctx, forEachVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		r.fail(i, "job type "+string(job.Type)+" is not supported by this worker yet", true)
		return
	}
	cfg, err := jobtypes.ParseForEachConfig(job.Config)
	if err != nil {
		r.fail(i, "invalid FOREACH config: "+jobflow.ErrorMessage(err), true)
		return
	}
	now := workflow.Now(ctx)
	n := &r.nodes[i]
	n.Status, n.Attempt, n.StartedAt, n.EndedAt = jobflow.NodeRunning, n.Attempt+1, &now, nil
	r.ours[i] = true
	r.running++
	r.newlyDecided = append(r.newlyDecided, i) // the run view shows it RUNNING
	in := ForEachInput{Config: cfg, Prepare: PrepareForEachInput{
		TenantID:    r.in.Snapshot.TenantID,
		RunID:       r.runID,
		WorkflowID:  r.in.Snapshot.WorkflowID,
		Job:         *job,
		LogicalTime: r.logicalTime,
		Timezone:    r.cfg.Schedule.Timezone,
		Params:      r.in.Params,
		Upstream:    r.upstream(i),
		CreatedBy:   r.in.CreatedBy,
		TaskQueue:   r.taskQueue,
		Depth:       r.in.Depth + 1,
		Ancestors:   append(append([]string(nil), r.in.Ancestors...), r.in.Snapshot.WorkflowID),
		RerunOf:     r.in.RerunOf,
	}}
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            ForEachWorkflowID(r.runID, job.ID, n.Attempt),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		WaitForCancellation:   true, // an abort waits until the items' jobs have stopped
		StaticSummary:         "FOREACH " + job.Name + " of run " + r.runID,
	}
	cf := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(r.jobsCtx, opts), ForEachName, in)
	r.sel.AddFuture(cf, func(f workflow.Future) {
		var res ForEachResult
		err := f.Get(ctx, &res)
		r.running--
		r.finishedHere++
		end := workflow.Now(ctx)
		n := &r.nodes[i]
		n.EndedAt = &end
		switch {
		case err != nil && (r.cancelled || r.ending):
			n.Status, n.Error = jobflow.NodeAborted, "aborted"
		case err != nil:
			r.fail(i, "FOREACH: "+subflowError(err), true)
		case res.Error != "":
			r.fail(i, res.Error, true)
		default:
			r.succeed(i, RunJobResult{Outputs: map[string]string{
				"total": fmt.Sprint(res.Total), "succeeded": fmt.Sprint(res.Succeeded), "failed": fmt.Sprint(res.Failed)}})
		}
		if err == nil {
			n.Result, _ = json.Marshal(res)
		}
		r.newlyDecided = append(r.newlyDecided, i)
	})
}
