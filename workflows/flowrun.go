package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// FlowRun interprets a run's frozen DAG (docs/run-semantics.md#how-a-run-proceeds): it starts every node whose
// parents are all SUCCESS or SKIPPED as a RunJob activity, at most
// maxParallelism at a time, applies the failure strategy, serves the `nodes`
// query and the `break` update, and treats cancellation as abort.
//
// It is one selector loop in one coroutine: a workflow task that delivers
// several completions schedules every node they make ready before it ends,
// so FlowRun needs no more workflow tasks than a hand-written workflow of the
// same shape.
//
// Large DAGs: when Temporal suggests continue-as-new, FlowRun stops starting
// nodes, waits for the running ones and continues as new with the node
// states in Carry (WAITING nodes are carried as PENDING and wait again for
// the same cron time). The run id, start time and records stay the same.
//
// Result: SUCCESS and BREAK-ended ABORTED runs complete with a FlowRunResult;
// a FAIL run fails with a non-retryable ApplicationError of type RunFailed,
// and a user abort ends as canceled, both carrying the FlowRunResult as
// details, so the Temporal Web UI shows the same outcome as jobflow.
func FlowRun(ctx workflow.Context, in FlowRunInput) (FlowRunResult, error) {
	r, err := newRunner(ctx, in)
	if err != nil {
		return FlowRunResult{}, err
	}
	if !in.continued() { // the run's first execution
		switch plan, why := r.checkPlan(ctx); plan {
		case planDrop:
			return FlowRunResult{Status: jobflow.RunSuccess, Nodes: []jobflow.NodeRun{}, Dropped: why}, nil
		case planDryRun:
			r.dryRun()
		default:
			switch r.admit(ctx) {
			case admitSkipped:
				return FlowRunResult{Status: jobflow.RunSkipped, Nodes: []jobflow.NodeRun{}}, nil
			case admitAborted:
				return r.finish(ctx)
			}
		}
		if r.invalid == "" && !r.wasQueued && !r.startWithJob() {
			r.record(ctx, jobflow.RunRunning, r.allNodes())
		}
		r.alarms = r.startAlarms(ctx)
	}
	if r.invalid != "" {
		return r.finish(ctx)
	}
	r.watchMaxDuration(ctx)
	r.boostSignals(ctx)
	r.loop(ctx)
	r.closed = true
	if r.draining && !r.cancelled && !r.ending && r.unfinished() {
		return r.continueAsNew(ctx)
	}
	return r.finish(ctx)
}

// loop runs until no job is running and no node can start.
func (r *runner) loop(ctx workflow.Context) {
	info := workflow.GetInfo(ctx)
	for {
		r.tendPools(ctx) // first: a node granted here starts in this turn
		r.startReady(ctx)
		r.recordStatus(ctx)
		r.recordWaiting(ctx)
		r.recordDecided(ctx)
		r.recordDependents(ctx)
		if r.running == 0 && (r.draining || r.timers == 0 && r.waits == 0 && !r.held()) {
			return
		}
		r.sel.Select(ctx)
		for r.sel.HasPending() { // take every completion of this workflow task before starting more
			r.sel.Select(ctx)
		}
		if r.cancelled && !r.abortingRecorded && r.running > 0 {
			r.abortingRecorded = true
			r.record(disconnected(ctx), jobflow.RunAborting, nil)
		}
		if !r.draining && (r.finishedHere > 0 || r.depChecks >= depChecksPerExecution) && info.GetContinueAsNewSuggested() {
			r.draining = true
		}
	}
}

// startReady starts ready nodes while slots are free: a discrete-mode job
// with a cron waits for it first (WAITING, holding no slot).
func (r *runner) startReady(ctx workflow.Context) {
	// A node that fails without starting (bad cron, missing job) may end
	// the run under END: check before each start.
	for !r.cancelled && !r.ending && !r.draining && !r.paused && len(r.ready) > 0 && r.running < r.maxParallel {
		i := r.ready[0]
		r.ready = r.ready[1:]
		if r.nodes[i].Status != jobflow.NodePending {
			continue // broken or failed upstream since it became ready
		}
		job := r.g.jobs[i]
		if job == nil {
			r.fail(i, "the job is missing from the run's snapshot", true)
			continue
		}
		if r.discrete && job.Cron != "" && !r.cronDone[i] {
			r.wait(ctx, i, job)
			continue
		}
		r.start(ctx, i, job)
	}
}

// start starts node i: a RunJob activity, or for the control job types
// (CONDITION, SUBFLOW, DEPENDENT, APPROVAL) what FlowRun does itself (control.go).
func (r *runner) start(ctx workflow.Context, i int, job *jobflow.Job) {
	if !r.holdPool(ctx, i, job) {
		return
	}
	if r.startControl(ctx, i, job) {
		return
	}
	opts := JobActivityOptions(r.taskQueue, job)
	opts.Priority = r.boosted(i, opts.Priority)
	jctx, stopTimer := r.jobsCtx, workflow.CancelFunc(func() {})
	if warnsOnTimeout(job) && workflow.GetVersion(ctx, jobTimeoutVersion, workflow.DefaultVersion, 1) == 1 {
		// The timeout is FlowRun's timer (timeouts.go); the activity keeps
		// a day's bound beyond it.
		opts.StartToCloseTimeout = time.Duration(job.TimeoutSeconds)*time.Second + DefaultJobTimeout
		var stop workflow.CancelFunc
		jctx, stop = workflow.WithCancel(r.jobsCtx)
		stopTimer = r.watchJobTimeout(ctx, i, job, stop)
	}
	actx := workflow.WithActivityOptions(jctx, opts)
	f := workflow.ExecuteActivity(actx, RunJobActivity, RunJobInput{
		RunID:       r.runID,
		TenantID:    r.in.Snapshot.TenantID,
		WorkflowID:  r.in.Snapshot.WorkflowID,
		Job:         *job,
		LogicalTime: r.logicalTime,
		Timezone:    r.cfg.Schedule.Timezone,
		Params:      r.in.Params,
		Upstream:    r.upstream(i),
		FinalRun:    r.finalRunFor(job),
		StartRun:    r.startRunFor(),
	})
	now := workflow.Now(ctx)
	n := &r.nodes[i]
	n.Status, n.Attempt, n.StartedAt, n.EndedAt = jobflow.NodeRunning, n.Attempt+1, &now, nil
	r.running++
	r.jobEvent(ctx, i, jobflow.EventJobStart)
	r.sel.AddFuture(f, func(f workflow.Future) {
		var res RunJobResult
		err := f.Get(ctx, &res)
		stopTimer()
		r.running--
		r.finishedHere++
		r.jobDone(ctx, i, res, err, opts)
		switch r.nodes[i].Status {
		case jobflow.NodeSuccess:
			r.jobEvent(ctx, i, jobflow.EventJobSuccess)
		case jobflow.NodeFail:
			r.jobEvent(ctx, i, jobflow.EventJobFail)
		}
	})
}

// jobDone applies the outcome of node i's activity.
func (r *runner) jobDone(ctx workflow.Context, i int, res RunJobResult, err error, opts workflow.ActivityOptions) {
	now := workflow.Now(ctx)
	n := &r.nodes[i]
	n.EndedAt = &now
	switch {
	case err == nil:
		// The job's result (up to 64 KiB each) stays in RunJob's row: kept
		// here it would swell the query, the carry and the run's result
		// past Temporal's payload limit on a large DAG. Its outputs are
		// kept, for the nodes downstream (outputs.go).
		r.succeed(i, res)
		r.endRecorded = res.RunRecorded
	case r.cancelled || r.ending:
		// We cancelled it: whatever it answered on the way out, it was aborted.
		n.Status, n.Error = jobflow.NodeAborted, "aborted"
		r.ours[i] = true
	case r.timedOut[i]:
		r.fail(i, timeoutMessage(r.g.jobs[i]), true)
	default:
		r.fail(i, failureMessage(err, opts), !reportedByJob(err))
	}
}

// succeed marks node i SUCCESS with res's exit code and outputs, and
// readies the children it unblocks.
func (r *runner) succeed(i int, res RunJobResult) {
	n := &r.nodes[i]
	n.Status, n.ExitCode = jobflow.NodeSuccess, res.ExitCode
	if n.EndedAt == nil {
		now := workflow.Now(r.rootCtx)
		n.EndedAt = &now
	}
	if r.outputsOn {
		n.Outputs = res.Outputs
	}
	r.propagate(i)
}

// fail marks node i FAIL and applies the failure strategy.
func (r *runner) fail(i int, msg string, ours bool) {
	n := &r.nodes[i]
	n.Status, n.Error = jobflow.NodeFail, clip(msg)
	if n.EndedAt == nil {
		now := workflow.Now(r.rootCtx)
		n.EndedAt = &now
	}
	r.ours[i] = r.ours[i] || ours
	if r.g.allowFail[i] { // tolerated: the run goes on, and its rules see a failure
		r.propagate(i)
		return
	}
	if r.firstError == "" {
		r.firstError = r.failureText(i)
	}
	if r.cfg.FailureStrategy == jobflow.FailureEnd {
		r.end()
		return
	}
	r.propagate(i)
}

// failureText is the run's error for failed node i.
func (r *runner) failureText(i int) string {
	return fmt.Sprintf("job %s failed: %s", r.nodeName(i), r.nodes[i].Error)
}

// end is FailureStrategy END: cancel every running job and waiting timer,
// start no more, and abort what has not started.
func (r *runner) end() {
	if r.ending {
		return
	}
	r.ending = true
	r.cancelJobs()
	r.abortUnstarted()
}

// abortUnstarted marks every PENDING or WAITING node ABORTED.
func (r *runner) abortUnstarted() {
	for i := range r.nodes {
		r.settle(i, jobflow.NodeAborted)
	}
}

// settle gives a node that has not started (PENDING or WAITING) its final
// status, cancelling its cron timer. Other nodes are left alone.
func (r *runner) settle(i int, st jobflow.NodeStatus) {
	n := &r.nodes[i]
	if n.Status != jobflow.NodePending && n.Status != jobflow.NodeWaiting {
		return
	}
	if n.Status == jobflow.NodeWaiting && r.timerCancel[i] != nil {
		r.timerCancel[i]()
	}
	now := workflow.Now(r.rootCtx)
	n.Status, n.EndedAt = st, &now
	switch st {
	case jobflow.NodeAborted:
		n.Error = "aborted before it started"
	case jobflow.NodeBreak:
		n.Error = "held by a user"
	}
	r.ours[i] = true
}

// wait parks node i until its cron's first fire time at or after the run's
// logical time (discrete mode).
func (r *runner) wait(ctx workflow.Context, i int, job *jobflow.Job) {
	at, err := cronFireTime(job.Cron, r.logicalTime, r.loc)
	if err != nil {
		r.fail(i, "invalid job cron "+job.Cron+": "+err.Error(), true)
		return
	}
	d := at.Sub(workflow.Now(ctx))
	if d <= 0 {
		r.cronDone[i] = true
		r.start(ctx, i, job)
		return
	}
	tctx, cancel := workflow.WithCancel(r.jobsCtx)
	r.timerCancel[i] = cancel
	r.nodes[i].Status = jobflow.NodeWaiting
	r.newlyWaiting = append(r.newlyWaiting, i)
	r.timers++
	t := workflow.NewTimerWithOptions(tctx, d, workflow.TimerOptions{Summary: "cron " + job.Cron + " of " + job.Name})
	r.sel.AddFuture(t, func(f workflow.Future) {
		r.timers--
		r.timerCancel[i] = nil
		err := f.Get(ctx, nil)
		n := &r.nodes[i]
		if n.Status != jobflow.NodeWaiting {
			return // broken, failed upstream or aborted meanwhile
		}
		if err != nil { // cancelled by abort or END
			r.settle(i, jobflow.NodeAborted)
			return
		}
		r.cronDone[i] = true
		n.Status = jobflow.NodePending
		r.ready = append([]int{i}, r.ready...) // its time has come: first in line
	})
}

// recordWaiting writes the nodes that started WAITING for their cron, so
// the REST API shows them waiting (and not PENDING) for what may be hours.
// Histories recorded before this record existed replay without it.
func (r *runner) recordWaiting(ctx workflow.Context) {
	if len(r.newlyWaiting) == 0 {
		return
	}
	nodes := make([]jobflow.NodeRun, 0, len(r.newlyWaiting))
	for _, i := range r.newlyWaiting {
		if r.nodes[i].Status == jobflow.NodeWaiting {
			nodes = append(nodes, r.nodes[i])
		}
	}
	r.newlyWaiting = r.newlyWaiting[:0]
	if len(nodes) == 0 || workflow.GetVersion(ctx, "record-waiting", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	r.record(ctx, r.liveStatus(), nodes)
}

// onCancel is the user's abort: start nothing more and abort what has not
// started. The loop records ABORTING while running jobs are being stopped
// (not here: selector callbacks must not block).
func (r *runner) onCancel() {
	if r.cancelled {
		return
	}
	r.cancelled = true
	r.abortUnstarted()
}

// unfinished reports whether some node has not reached a final status.
func (r *runner) unfinished() bool {
	for i := range r.nodes {
		if !r.nodes[i].Status.Done() {
			return true
		}
	}
	return false
}

// status is the run's final status (docs/run-semantics.md#statuses).
func (r *runner) status() jobflow.RunStatus {
	if r.cancelled {
		return jobflow.RunAborted
	}
	// A FAIL fails the run unless its node has allowFailure; UPSTREAM_FAILED
	// nodes follow from a FAIL and do not count themselves. A failure that
	// a ONE_FAILED node handled still fails the run (docs/run-semantics.md#final-status).
	broken := false
	for i := range r.nodes {
		switch r.nodes[i].Status {
		case jobflow.NodeFail:
			if !r.g.allowFail[i] {
				return jobflow.RunFail
			}
		case jobflow.NodeBreak:
			broken = true
		}
	}
	if r.invalid != "" || r.ending {
		return jobflow.RunFail
	}
	if broken {
		return jobflow.RunAborted
	}
	return jobflow.RunSuccess
}

// finish records the final state and returns it.
func (r *runner) finish(ctx workflow.Context) (FlowRunResult, error) {
	// Whatever is still PENDING here can never start (its parents will not
	// succeed any more): it was aborted.
	r.abortUnstarted()
	st := r.status()
	now := workflow.Now(ctx)
	r.endedAt = &now
	if ours := r.ourNodes(); !r.endRecorded || st != jobflow.RunSuccess || r.cancelled || len(ours) > 0 {
		r.record(disconnected(ctx), st, ours)
	}
	r.releaseAllPools(ctx)
	if !r.notStarted {
		r.endAlarms(ctx, r.alarms, st)
	}
	res := FlowRunResult{Status: st, Nodes: withoutOutputs(r.nodes)}
	if r.large { // 10,000 node rows would pass the 2 MB result limit
		res.Nodes, res.Packed = nil, packNodes(res.Nodes)
	}
	switch {
	case r.cancelled && r.abortReason != "":
		// Aborted by itself, not by a cancel request: a failure of type
		// RunAborted (a cancel without a request is no Temporal outcome).
		return res, temporal.NewNonRetryableApplicationError(r.errorText(), "RunAborted", nil, res)
	case r.cancelled:
		return res, temporal.NewCanceledError(res)
	case st == jobflow.RunFail:
		return res, temporal.NewNonRetryableApplicationError(r.errorText(), "RunFailed", nil, res)
	}
	return res, nil
}

// continueAsNew records what this execution decided and hands the node
// states to a fresh execution of the same run.
func (r *runner) continueAsNew(ctx workflow.Context) (FlowRunResult, error) {
	if ours := r.ourNodes(); len(ours) > 0 {
		r.record(ctx, r.liveStatus(), ours)
	}
	next := r.in
	next.RunID = r.runID
	next.LogicalTime = r.logicalTime
	next.StartedAt = r.startedAt
	next.Paused = r.paused
	next.MaxDurationHit = r.in.MaxDurationHit || r.maxDurationHit
	next.Carry = make([]jobflow.NodeRun, len(r.nodes))
	copy(next.Carry, r.nodes)
	r.carriedOutputs(next.Carry)
	for i := range next.Carry {
		if next.Carry[i].Status == jobflow.NodeWaiting {
			next.Carry[i].Status = jobflow.NodePending // waits again for the same cron time
		}
	}
	if r.large { // the header and the reference go again, and the states packed
		next.Carry, next.CarryPacked = nil, packNodes(next.Carry)
	}
	return FlowRunResult{}, workflow.NewContinueAsNewError(ctx, FlowRunName, next)
}

// record runs RecordRun with the run row in status st and the given nodes.
// A record that still fails after its retries is logged: the run goes on,
// and the final record repeats the run row.
func (r *runner) record(ctx workflow.Context, st jobflow.RunStatus, nodes []jobflow.NodeRun) {
	// The first record of the run's first execution is its start. Only a
	// local activity's input changes, not the commands: replay is unaffected.
	in := RecordRunInput{Run: r.runRow(st), Nodes: nodes, Start: !r.in.continued() && !r.startRecorded,
		Queue: r.cfg.Concurrency.Limited()}
	r.startRecorded = true
	lctx := workflow.WithLocalActivityOptions(ctx, recordOptions())
	if err := workflow.ExecuteLocalActivity(lctx, RecordRunActivity, in).Get(lctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("RecordRun failed", "runId", r.runID, "status", st, "error", err)
	}
}

// runRow is the run's row in status st.
func (r *runner) runRow(st jobflow.RunStatus) jobflow.Run {
	s := &r.in.Snapshot
	run := jobflow.Run{
		ID:                 r.runID,
		TenantID:           s.TenantID,
		WorkflowID:         s.WorkflowID,
		WorkflowName:       s.WorkflowName,
		VersionID:          s.VersionID,
		Trigger:            r.in.Trigger,
		Status:             st,
		LogicalTime:        r.logicalTime,
		Params:             r.in.Params,
		RerunOf:            r.in.RerunOf,
		ParentRunID:        r.in.ParentRunID,
		ParentJobID:        r.in.ParentJobID,
		TemporalWorkflowID: r.temporalWorkflowID,
		TemporalRunID:      r.temporalRunID,
		StartedAt:          r.startedAt,
		CreatedBy:          r.in.CreatedBy,
	}
	if st.Finished() {
		run.EndedAt = r.endedAt
		run.Error = r.errorText()
	}
	return run
}

// errorText says why a run did not succeed.
func (r *runner) errorText() string {
	switch {
	case r.invalid != "":
		return r.invalid
	case r.cancelled && r.abortReason != "":
		return r.abortReason
	case r.cancelled:
		return "aborted by a user"
	case r.firstError != "":
		return r.firstError
	case r.status() == jobflow.RunAborted:
		return "nodes were broken by a user"
	}
	return ""
}

func (r *runner) nodeName(i int) string {
	if j := r.g.jobs[i]; j != nil && j.Name != "" {
		return fmt.Sprintf("%q", j.Name)
	}
	return r.g.ids[i]
}

// allNodes copies every node row.
func (r *runner) allNodes() []jobflow.NodeRun {
	out := make([]jobflow.NodeRun, len(r.nodes))
	copy(out, r.nodes)
	return out
}

// ourNodes are the node rows FlowRun decided itself (never started, aborted,
// timed out, lost): RunJob has written the others.
func (r *runner) ourNodes() []jobflow.NodeRun {
	var out []jobflow.NodeRun
	for i := range r.nodes {
		if r.ours[i] {
			out = append(out, r.nodes[i])
		}
	}
	return out
}

// disconnected is a context that an abort does not cancel, for the records
// that must still be written after it.
func disconnected(ctx workflow.Context) workflow.Context {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	return dctx
}

// maxErrorBytes bounds a node's error text in the workflow's state.
const maxErrorBytes = 2048

func clip(msg string) string {
	if len(msg) <= maxErrorBytes {
		return msg
	}
	return strings.ToValidUTF8(msg[:maxErrorBytes], "") + " [...]"
}
