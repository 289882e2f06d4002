package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"jobflow"
	"jobflow/workflows"
)

// The run reconciler settles runs that the store has as RUNNING, PAUSED,
// QUEUED or ABORTING but whose Temporal execution is closed or does not exist: an
// execution terminated from the Temporal Web UI, one that timed out or
// failed before FlowRun could record its end, or a run recorded by a
// process that died before it started the execution. Temporal's word is
// final: the run gets the status the execution ended with, its unfinished
// node runs are settled, and the run's alarm workflow gets the end signal
// FlowRun never sent, so RUN_END/RUN_FAIL go out once and the alarm
// workflow ends instead of waiting out its 31 days. A settled run that held
// a slot under its workflow's concurrency limit frees it by its final
// status, and the reconciler hands it to the oldest QUEUED run.
//
// Each pass looks at one page (RunBatch) of unsettled runs, walking on
// from where the previous pass stopped, so its work is bounded however
// many runs are in flight, and it only describes executions by id (it
// never lists Temporal).

// Defaults of the run reconciler.
const (
	// DefaultRunGrace is how old a run must be before it is reconciled:
	// the engine records a run just before it starts its execution, and a
	// backfill's runs become visible a moment after the backfill starts.
	DefaultRunGrace = 2 * time.Minute
	// DefaultRunBatch is how many runs one pass looks at.
	DefaultRunBatch = 100
)

// Messages of settled runs.
const (
	MsgNeverStarted   = "the run was never started"
	MsgExecutionGone  = "the run's execution no longer exists in Temporal"
	msgTerminated     = "terminated in Temporal: "
	msgTimedOut       = "timed out in Temporal"
	msgFailed         = "failed in Temporal: "
	msgCanceled       = "cancelled in Temporal"
	msgNodeRunEnded   = "the run ended before this job did: "
	msgNoFlowRunState = "the execution completed without a run status"
)

// RunReconcileReport says what one pass did.
type RunReconcileReport struct {
	Checked, Settled, Failed int
}

// runCursor is where the walk over unsettled runs goes on.
type runCursor struct {
	mu  sync.Mutex
	pos jobflow.RunCursor
}

// ReconcileRuns is one pass of the run reconciler (see above).
func (e *Engine) ReconcileRuns(ctx context.Context, log *slog.Logger) (RunReconcileReport, error) {
	var rep RunReconcileReport
	if err := e.check(); err != nil {
		return rep, err
	}
	if log == nil {
		log = slog.Default()
	}
	grace, batch := e.RunGrace, e.RunBatch
	if grace == 0 {
		grace = DefaultRunGrace
	}
	if batch <= 0 {
		batch = DefaultRunBatch
	}
	e.runs.mu.Lock()
	defer e.runs.mu.Unlock()
	runs, err := e.Store.FindUnsettledRuns(ctx, e.runs.pos, e.now().Add(-grace), batch)
	if err != nil {
		return rep, err
	}
	if len(runs) < batch {
		e.runs.pos = jobflow.RunCursor{} // the end: the next pass starts over
	} else {
		last := runs[len(runs)-1]
		e.runs.pos = jobflow.RunCursor{StartedAt: last.StartedAt, ID: last.ID}
	}
	var firstErr error
	for _, r := range runs {
		rep.Checked++
		settled, err := e.reconcileRun(ctx, r)
		switch {
		case err != nil:
			rep.Failed++
			log.Error("reconcile run", "run", r.ID, "err", err)
			if firstErr == nil {
				firstErr = err
			}
		case settled:
			rep.Settled++
			e.auditRepair(ctx, log, jobflow.AuditEntry{TenantID: r.TenantID, Action: "run.reconcile", ObjectType: "run",
				ObjectID: r.ID, ObjectName: r.WorkflowName, Version: r.VersionNumber,
				Summary: "reconciler: settled the run its workflow execution left unrecorded"})
		}
	}
	return rep, firstErr
}

// reconcileRun settles r if its execution is closed or missing.
func (e *Engine) reconcileRun(ctx context.Context, r *jobflow.Run) (bool, error) {
	if r.TemporalWorkflowID == "" {
		return true, e.settle(ctx, r, outcome{status: jobflow.RunFail, msg: MsgNeverStarted, ended: e.now()})
	}
	d, err := e.Client.DescribeWorkflowExecution(ctx, r.TemporalWorkflowID, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		if r.Trigger == jobflow.TriggerBackfill && e.backfillRunning(ctx, r) {
			return false, nil // queued behind earlier runs of its backfill
		}
		msg := MsgNeverStarted
		if r.TemporalRunID != "" {
			msg = MsgExecutionGone // started once; gone past the retention
		}
		return true, e.settle(ctx, r, outcome{status: jobflow.RunFail, msg: msg, ended: e.now()})
	} else if err != nil {
		return false, temporalError(err)
	}
	info := d.GetWorkflowExecutionInfo()
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
		enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED:
		return false, nil
	}
	o, err := e.closedOutcome(ctx, r.TemporalWorkflowID, info.GetExecution().GetRunId(), info.GetStatus())
	if err != nil {
		return false, err
	}
	o.ended = e.now()
	if ct := info.GetCloseTime(); ct != nil {
		o.ended = ct.AsTime().UTC()
	}
	return true, e.settle(ctx, r, o)
}

// outcome is how a run ended, as Temporal tells it.
type outcome struct {
	status jobflow.RunStatus
	msg    string
	nodes  []jobflow.NodeRun // FlowRun's final node states, when it completed
	ended  time.Time
	// flowRunSignalled: FlowRun itself ran to its end and signalled the
	// alarm workflow; the reconciler must not signal it again.
	flowRunSignalled bool
}

// closedOutcome reads the close event of a closed execution.
func (e *Engine) closedOutcome(ctx context.Context, workflowID, runID string, st enumspb.WorkflowExecutionStatus) (outcome, error) {
	it := e.Client.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	var ev *historypb.HistoryEvent
	for it.HasNext() {
		next, err := it.Next()
		if err != nil {
			return outcome{}, temporalError(err)
		}
		ev = next
	}
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		reason := ev.GetWorkflowExecutionTerminatedEventAttributes().GetReason()
		if reason == "" {
			reason = "no reason given"
		}
		return outcome{status: jobflow.RunAborted, msg: msgTerminated + reason}, nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return outcome{status: jobflow.RunFail, msg: msgTimedOut}, nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return outcome{status: jobflow.RunAborted, msg: msgCanceled}, nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		msg := ev.GetWorkflowExecutionFailedEventAttributes().GetFailure().GetMessage()
		return outcome{status: jobflow.RunFail, msg: msgFailed + msg}, nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		var res workflows.FlowRunResult
		p := ev.GetWorkflowExecutionCompletedEventAttributes().GetResult()
		if err := converter.GetDefaultDataConverter().FromPayloads(p, &res); err != nil || !res.Status.Finished() {
			return outcome{status: jobflow.RunFail, msg: msgNoFlowRunState}, nil
		}
		nodes, err := res.AllNodes() // packed on a large DAG
		if err != nil {
			return outcome{status: jobflow.RunFail, msg: msgNoFlowRunState}, nil
		}
		return outcome{status: res.Status, nodes: nodes, flowRunSignalled: true}, nil
	}
	return outcome{}, fmt.Errorf("execution %s in unknown status %s", workflowID, st)
}

// settle writes the outcome: unfinished node runs first (so a run that
// reads final never shows a RUNNING node), then the alarm signal, then the
// run row. A failure part-way leaves the run unsettled, and the next pass
// does it again; every write is an idempotent upsert.
func (e *Engine) settle(ctx context.Context, r *jobflow.Run, o outcome) error {
	full, err := e.Store.FindRunByID(ctx, r.TenantID, r.ID)
	if err != nil {
		return err
	}
	final := make(map[string]jobflow.NodeRun, len(o.nodes))
	for _, n := range o.nodes {
		final[n.JobID] = n
	}
	var failed []string
	for _, n := range full.Nodes {
		if n.Status.Done() {
			if n.Status == jobflow.NodeFail {
				failed = append(failed, n.JobName)
			}
			continue
		}
		next := *n
		if f, ok := final[n.JobID]; ok && f.Status.Done() {
			next.Status, next.Error, next.ExitCode, next.Result = f.Status, f.Error, f.ExitCode, f.Result
		} else if n.Status == jobflow.NodeRunning && o.status == jobflow.RunFail {
			next.Status, next.Error = jobflow.NodeFail, msgNodeRunEnded+o.msg
		} else {
			next.Status, next.Error = jobflow.NodeAborted, msgNodeRunEnded+o.msg
		}
		next.EndedAt = &o.ended
		if err := e.Store.UpsertNodeRun(ctx, &next); err != nil {
			return err
		}
		if next.Status == jobflow.NodeFail {
			failed = append(failed, next.JobName)
		}
	}
	run := *r
	run.Nodes, run.Edges = nil, nil
	run.Status, run.Error, run.EndedAt = o.status, o.msg, &o.ended
	if !o.flowRunSignalled {
		if err := e.signalAlarms(ctx, &run, failed); err != nil {
			return err
		}
	}
	if err := e.Store.UpsertRun(ctx, &run); err != nil {
		return err
	}
	if err := e.releasePools(ctx, r.TenantID, r.ID); err != nil { // its pool slots go on
		return err
	}
	return e.wakeQueued(ctx, r.TenantID, r.WorkflowID) // the slot it held, if any, goes on
}

// signalAlarms gives the run's alarm workflow the end FlowRun never
// signalled. No alarm workflow (no rules) or one that has ended is fine;
// a repeated signal is never read (the workflow reads one and ends).
func (e *Engine) signalAlarms(ctx context.Context, run *jobflow.Run, failed []string) error {
	err := e.Client.SignalWorkflow(ctx, workflows.AlarmsWorkflowID(run.ID), "", workflows.SignalRunEnded,
		workflows.RunEnded{Run: *run, FailedJobs: failed})
	var notFound *serviceerror.NotFound
	if err == nil || errors.As(err, &notFound) {
		return nil
	}
	return temporalError(err)
}

// backfillRunning reports whether a Backfill of the run's workflow is
// still running, so that a run it has not started yet is left alone. When
// Temporal cannot say, the run is left alone too (the next pass asks again).
func (e *Engine) backfillRunning(ctx context.Context, r *jobflow.Run) bool {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'",
		workflows.BackfillName, workflows.SAWorkflowID, r.WorkflowID)
	resp, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: e.Namespace, PageSize: 1, Query: q,
	})
	return err != nil || len(resp.GetExecutions()) > 0
}
