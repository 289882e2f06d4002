package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Job timeouts that warn and a run's maximum duration
// (docs/run-semantics.md#job-timeouts-and-a-runs-maximum-duration). Both are FlowRun timers, not polls.
//
// A job whose timeoutAction is WARN or WARN_AND_FAIL runs without its own
// activity timeout (the day's bound beyond it); a timer of timeoutSeconds
// from the node's start sends JOB_TIMEOUT to the rules that name it and,
// for WARN_AND_FAIL, then cancels the job, which fails "timed out". FAIL
// (the default) stays the activity's own timeout, as before.
//
// maxDurationSeconds starts a timer at the run's start (kept across
// continue-as-new): when it fires the run sends RUN_TIMEOUT and, by
// onMaxDuration, goes on (ALERT), stops its jobs and fails (FAIL), or
// aborts (ABORT). Both asks a version only when configured, so other runs'
// histories are unchanged.

const (
	jobTimeoutVersion  = "job-timeout-action"
	maxDurationVersion = "max-duration"
)

// warnsOnTimeout reports whether job's timeout is FlowRun's timer.
func warnsOnTimeout(job *jobflow.Job) bool {
	return job.TimeoutSeconds > 0 && (job.TimeoutAction == jobflow.TimeoutWarn || job.TimeoutAction == jobflow.TimeoutWarnAndFail)
}

// watchJobTimeout arms node i's timeout timer, for a job of a warning
// timeoutAction; stop cancels the job. It returns the timer's cancel,
// which the job's end calls.
func (r *runner) watchJobTimeout(ctx workflow.Context, i int, job *jobflow.Job, stop workflow.CancelFunc) workflow.CancelFunc {
	tctx, cancel := workflow.WithCancel(r.jobsCtx)
	r.timers++
	d := time.Duration(job.TimeoutSeconds) * time.Second
	t := workflow.NewTimerWithOptions(tctx, d, workflow.TimerOptions{Summary: "timeout of " + job.Name})
	r.sel.AddFuture(t, func(f workflow.Future) {
		r.timers--
		if f.Get(ctx, nil) != nil || r.nodes[i].Status != jobflow.NodeRunning {
			return // the job ended first
		}
		r.sendAlarm(ctx, jobflow.EventJobTimeout, SendAlarmInput{Run: r.runRow(r.liveStatus()), JobID: job.ID, JobName: job.Name})
		if job.TimeoutAction == jobflow.TimeoutWarnAndFail {
			if r.timedOut == nil {
				r.timedOut = map[int]bool{}
			}
			r.timedOut[i] = true
			stop()
		}
	})
	return cancel
}

// timeoutMessage is the error of a job FlowRun stopped at its timeout.
func timeoutMessage(job *jobflow.Job) string {
	return fmt.Sprintf("the job timed out after %d s (timeoutAction WARN_AND_FAIL)", job.TimeoutSeconds)
}

// watchMaxDuration arms the run's maximum duration timer, in every
// execution (from the run's start) until it has fired once.
func (r *runner) watchMaxDuration(ctx workflow.Context) {
	max := r.cfg.MaxDurationSeconds
	if max <= 0 || r.in.MaxDurationHit || workflow.GetVersion(ctx, maxDurationVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	limit := time.Duration(max) * time.Second
	wait := r.startedAt.Add(limit).Sub(workflow.Now(ctx))
	if wait < time.Millisecond {
		wait = time.Millisecond // passed while the run continued as new: now
	}
	// Not counted in r.timers: a run that ends first does not wait for it.
	t := workflow.NewTimerWithOptions(r.rootCtx, wait, workflow.TimerOptions{Summary: "maximum duration"})
	r.sel.AddFuture(t, func(f workflow.Future) {
		if f.Get(ctx, nil) != nil || r.cancelled || r.closed {
			return
		}
		r.maxDurationHit = true
		msg := fmt.Sprintf("the run exceeded its maximum duration of %s", limit)
		r.sendAlarm(ctx, jobflow.EventRunTimeout, SendAlarmInput{Run: r.runRow(r.liveStatus())})
		switch r.cfg.OnMaxDuration {
		case jobflow.OnMaxDurationFail:
			if !r.ending {
				r.firstError = msg
				r.end()
			}
		case jobflow.OnMaxDurationAbort:
			r.abortReason = "aborted: " + msg
			r.onCancel()
			r.cancelJobs()
		}
	})
}

// sendAlarm raises ev for the run's FlowRunAlarms (alarms.go), which
// sends it to every channel of the rules that name it: FlowRun waits for
// no channel, and an alarm raised just before the run ends is still sent.
// in holds the event's run (and job or approval).
func (r *runner) sendAlarm(ctx workflow.Context, ev jobflow.AlarmEvent, in SendAlarmInput) {
	named := false
	for _, rule := range r.cfg.Alarms {
		named = named || ruleWants(rule, ev, in.JobID)
	}
	if !named {
		return
	}
	r.raise(ctx, ev, in)
	r.armRepeats(ctx, ev, in)
}

// raise signals ev to the run's FlowRunAlarms.
func (r *runner) raise(ctx workflow.Context, ev jobflow.AlarmEvent, in SendAlarmInput) {
	in.Event = ev
	dctx := disconnected(ctx)
	if r.alarms != nil { // this execution started it: it may not have started yet
		if err := r.alarms.GetChildWorkflowExecution().Get(dctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("alarm workflow did not start", "runId", r.runID, "event", ev, "error", err)
			return
		}
	}
	f := workflow.SignalExternalWorkflow(dctx, AlarmsWorkflowID(r.runID), "", SignalAlarm, in)
	r.sel.AddFuture(f, func(f workflow.Future) {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("alarm not raised", "runId", r.runID, "event", ev, "error", err)
		}
	})
}

// jobEventsVersion gates the job events a run raises for its jobs.
const jobEventsVersion = "job-events"

// jobEvent raises JOB_START, JOB_SUCCESS or JOB_FAIL for node i when a rule
// wants it (docs/scheduling.md#alarms). A run whose rules name no job
// event asks no version.
func (r *runner) jobEvent(ctx workflow.Context, i int, ev jobflow.AlarmEvent) {
	job := r.g.jobs[i]
	wanted := false
	for _, rule := range r.cfg.Alarms {
		wanted = wanted || ruleWants(rule, ev, job.ID)
	}
	if !wanted {
		return
	}
	if r.jobEventsOn == 0 {
		r.jobEventsOn = 1
		if workflow.GetVersion(ctx, jobEventsVersion, workflow.DefaultVersion, 1) == 1 {
			r.jobEventsOn = 2
		}
	}
	if r.jobEventsOn == 2 {
		r.sendAlarm(ctx, ev, SendAlarmInput{Run: r.runRow(r.liveStatus()), JobID: job.ID, JobName: job.Name})
	}
}
