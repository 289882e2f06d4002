package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/vars"
)

// SUBFLOW jobs (docs/run-semantics.md#subflow-jobs) run another workflow of the tenant as a child
// FlowRun, a run of its own in the store (trigger SUBFLOW, parentRunId,
// parentJobId). A node goes through three steps, each a future in the
// run's selector, holding its parallelism slot throughout:
//
//  1. PrepareSubflow (an activity: FlowRun never reads the store) records
//     the node RUNNING, picks the child's snapshot (the target's published
//     version or draft, or in a rerun the previous child run's snapshot
//     with a FAILED or ALL plan), resolves the params and creates the
//     child's run row. It runs on a context an abort does not cancel, so
//     FlowRun always knows whether the child's row exists.
//  2. The child FlowRun, with workflow id <runId>-<jobId>-<attempt>
//     (stable across replay and retry), on a context the abort and END
//     cancel: the cancellation reaches the child, which aborts its jobs,
//     and ParentClosePolicy REQUEST_CANCEL covers a parent that is
//     terminated. wait: false abandons the child once it has started.
//  3. EndSubflow writes the node's end and, when the child succeeded,
//     returns its outputs: every child job's outputs as <jobName>.<key>,
//     and runId, the child's run id.
//
// Histories recorded before SUBFLOW existed failed such a node at once:
// the "subflow" version keeps them so.

const subflowVersion = "subflow"

// Names of the SUBFLOW activities.
const (
	PrepareSubflowActivity = "PrepareSubflow"
	EndSubflowActivity     = "EndSubflow"
)

// SubflowRunID is the run id (and Temporal workflow id) of the child that
// attempt of job jobID of run runID starts.
func SubflowRunID(runID, jobID string, attempt int) string {
	return fmt.Sprintf("%s-%s-%d", runID, jobID, attempt)
}

// PrepareSubflowInput is the input of PrepareSubflowActivity.
type PrepareSubflowInput struct {
	Node        jobflow.NodeRun   `json:"node"` // the SUBFLOW node, RUNNING: recorded first
	ChildRunID  string            `json:"childRunId"`
	TenantID    string            `json:"tenantId"`
	WorkflowID  string            `json:"workflowId"` // the parent's workflow
	Job         jobflow.Job       `json:"job"`
	LogicalTime time.Time         `json:"logicalTime"`
	Timezone    string            `json:"timezone"`
	Params      map[string]string `json:"params"` // the parent's
	Upstream    []vars.Upstream   `json:"upstream,omitempty"`
	CreatedBy   string            `json:"createdBy,omitempty"`
	TaskQueue   string            `json:"taskQueue"`
	// The child's depth and the workflows above it (the parent's included).
	Depth     int      `json:"depth"`
	Ancestors []string `json:"ancestors"`
	// A rerun of the parent: the run it reruns and its mode; the child then
	// reruns the child that run's job started.
	RerunOf   string            `json:"rerunOf,omitempty"`
	RerunMode jobflow.RerunMode `json:"rerunMode,omitempty"`
}

// EndSubflowInput is the input of EndSubflowActivity.
type EndSubflowInput struct {
	TenantID   string          `json:"tenantId"`
	Node       jobflow.NodeRun `json:"node"` // the SUBFLOW node's end
	ChildRunID string          `json:"childRunId"`
	Outputs    bool            `json:"outputs"`              // the child succeeded: read its outputs into the node
	NotStarted bool            `json:"notStarted,omitempty"` // the child's row exists but it never started: ABORTED
}

// startSubflow starts step 1 for node i.
func (r *runner) startSubflow(ctx workflow.Context, i int, job *jobflow.Job) {
	if workflow.GetVersion(ctx, subflowVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		r.fail(i, "job type "+string(job.Type)+" is not supported by this worker yet", true)
		return
	}
	now := workflow.Now(ctx)
	n := &r.nodes[i]
	n.Status, n.Attempt, n.StartedAt, n.EndedAt = jobflow.NodeRunning, n.Attempt+1, &now, nil
	r.ours[i] = true // FlowRun, not RunJob, decides this node's row
	r.running++
	childID := SubflowRunID(r.runID, job.ID, n.Attempt)
	in := PrepareSubflowInput{
		Node:        *n,
		ChildRunID:  childID,
		TenantID:    r.in.Snapshot.TenantID,
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
	}
	if r.in.Plan != nil {
		in.RerunMode = r.in.Plan.Mode
	}
	in.Node.Outputs = nil
	f := workflow.ExecuteActivity(r.subflowCtx("prepare "+job.Name), PrepareSubflowActivity, in)
	r.sel.AddFuture(f, func(f workflow.Future) {
		var child FlowRunInput
		if err := f.Get(ctx, &child); err != nil {
			r.subflowFailed(ctx, i, childID, subflowError(err), false)
			return
		}
		if r.cancelled || r.ending { // aborted while it was being prepared
			r.subflowFailed(ctx, i, childID, "", true)
			return
		}
		r.startChild(ctx, i, job, child)
	})
}

// startChild is step 2.
func (r *runner) startChild(ctx workflow.Context, i int, job *jobflow.Job, child FlowRunInput) {
	var cfg jobtypes.SubflowConfig
	_ = json.Unmarshal(job.Config, &cfg) // PrepareSubflow has parsed it
	wait := cfg.Wait == nil || *cfg.Wait
	cctx := r.jobsCtx
	opts := flowRunChildOptions(child, child.Snapshot.WorkflowName+" ("+string(jobflow.TriggerSubflow)+" of "+job.Name+")")
	if !wait {
		cctx, opts.ParentClosePolicy = disconnected(r.rootCtx), enumspb.PARENT_CLOSE_POLICY_ABANDON
	}
	cf := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(cctx, opts), FlowRunName, child)
	if !wait {
		r.sel.AddFuture(cf.GetChildWorkflowExecution(), func(f workflow.Future) {
			if err := f.Get(ctx, nil); err != nil {
				r.subflowFailed(ctx, i, child.RunID, "the child run could not be started: "+subflowError(err), false)
				return
			}
			r.endSubflow(ctx, i, child.RunID, false)
		})
		return
	}
	r.sel.AddFuture(cf, func(f workflow.Future) {
		if err := f.Get(ctx, nil); err != nil {
			r.subflowFailed(ctx, i, child.RunID, "subflow run "+child.RunID+" failed: "+subflowError(err), false)
			return
		}
		r.endSubflow(ctx, i, child.RunID, true)
	})
}

// endSubflow is step 3 after a child that succeeded (or started, with
// wait: false): the node succeeds with the outputs EndSubflow returns.
func (r *runner) endSubflow(ctx workflow.Context, i int, childID string, outputs bool) {
	now := workflow.Now(ctx)
	n := &r.nodes[i]
	n.EndedAt = &now
	end := *n
	end.Status, end.Outputs = jobflow.NodeSuccess, nil
	in := EndSubflowInput{TenantID: r.in.Snapshot.TenantID, Node: end, ChildRunID: childID, Outputs: outputs}
	f := workflow.ExecuteActivity(r.subflowCtx("end "+r.g.jobs[i].Name), EndSubflowActivity, in)
	r.sel.AddFuture(f, func(f workflow.Future) {
		var out map[string]string
		if err := f.Get(ctx, &out); err != nil {
			r.subflowFailed(ctx, i, childID, "the outputs of subflow run "+childID+" cannot be read: "+subflowError(err), false)
			return
		}
		r.running--
		r.finishedHere++
		r.succeed(i, RunJobResult{Outputs: out})
	})
}

// subflowFailed ends node i FAIL with msg, or ABORTED when the run is being
// aborted or ended, and writes the node's row (and, when the child never
// started, the child's) with EndSubflow.
func (r *runner) subflowFailed(ctx workflow.Context, i int, childID, msg string, notStarted bool) {
	r.running--
	r.finishedHere++
	n := &r.nodes[i]
	now := workflow.Now(ctx)
	n.EndedAt = &now
	if r.cancelled || r.ending {
		n.Status, n.Error = jobflow.NodeAborted, "aborted"
	} else {
		r.fail(i, msg, true)
	}
	end := *n
	end.Outputs = nil
	// The write holds the loop (running) until it is done; its failure is
	// repaired by the run's final record, which writes this node too.
	r.running++
	f := workflow.ExecuteActivity(r.subflowCtx("end "+r.g.jobs[i].Name), EndSubflowActivity,
		EndSubflowInput{TenantID: r.in.Snapshot.TenantID, Node: end, ChildRunID: childID, NotStarted: notStarted})
	r.sel.AddFuture(f, func(f workflow.Future) { r.running-- })
}

// subflowCtx runs a SUBFLOW activity: quick store work, retried through a
// store outage, and never cancelled by an abort (its writes must land).
func (r *runner) subflowCtx(summary string) workflow.Context {
	return storeCtx(disconnected(r.rootCtx), summary)
}

// storeCtx runs an activity of quick store work, retried through a store
// outage.
func storeCtx(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		Summary:                summary,
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: recordTotal,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}

// subflowError is the text of a SUBFLOW step's error: for a child that
// failed, its own first error.
func subflowError(err error) string {
	var canceled *temporal.CanceledError
	var terminated *temporal.TerminatedError
	var timeout *temporal.TimeoutError
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &canceled):
		return "the child run was aborted"
	case errors.As(err, &terminated):
		return "the child run was terminated"
	case errors.As(err, &timeout):
		return "the child run timed out"
	case errors.As(err, &appErr):
		return appErr.Message()
	}
	return err.Error()
}
