package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Repeats of lasting alarms (docs/scheduling.md#repeats): after FlowRun
// raises JOB_TIMEOUT, RUN_TIMEOUT or APPROVAL_WAITING, each rule with
// repeatEverySeconds has a timer; when it fires and the state still holds
// (the job runs, the run runs, the node waits), the event is raised again
// for that rule alone, up to its maxRepeats. The timers hold no run open
// and are not carried across continue-as-new.

const repeatVersion = "alarm-repeat"

// armRepeats arms the repeat timers of ev (raised with in) for every rule
// that wants it and repeats.
func (r *runner) armRepeats(ctx workflow.Context, ev jobflow.AlarmEvent, in SendAlarmInput) {
	if !jobflow.IsLastingEvent(ev) {
		return
	}
	for k, rule := range r.cfg.Alarms {
		if rule.Repeats() == 0 || !ruleWants(rule, ev, in.JobID) {
			continue
		}
		if workflow.GetVersion(ctx, repeatVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return
		}
		r.repeatLater(ctx, k, ev, in, 1)
	}
}

// repeatLater raises repeat n of ev for rule k after the rule's interval,
// if the state still holds then.
func (r *runner) repeatLater(ctx workflow.Context, k int, ev jobflow.AlarmEvent, in SendAlarmInput, n int) {
	rule := r.cfg.Alarms[k]
	every := time.Duration(rule.RepeatEverySeconds) * time.Second
	t := workflow.NewTimerWithOptions(r.rootCtx, every, workflow.TimerOptions{Summary: "repeat " + string(ev)})
	r.sel.AddFuture(t, func(f workflow.Future) {
		if f.Get(ctx, nil) != nil || r.closed || !r.stillHolds(ev, in) {
			return
		}
		again := in
		again.Repeat, again.Rule, again.Run = n, k+1, r.runRow(r.liveStatus())
		r.raise(ctx, ev, again)
		if n < rule.Repeats() {
			r.repeatLater(ctx, k, ev, in, n+1)
		}
	})
}

// stillHolds reports whether the state that raised ev goes on.
func (r *runner) stillHolds(ev jobflow.AlarmEvent, in SendAlarmInput) bool {
	if r.cancelled || r.ending {
		return false
	}
	jobID := in.JobID
	if in.Approval != nil {
		jobID = in.Approval.JobID
	}
	switch ev {
	case jobflow.EventRunTimeout:
		return true
	case jobflow.EventJobTimeout:
		i, ok := r.g.index[jobID]
		return ok && r.nodes[i].Status == jobflow.NodeRunning
	case jobflow.EventApprovalWaiting:
		i, ok := r.g.index[jobID]
		return ok && r.nodes[i].Status == jobflow.NodeWaiting
	}
	return false
}
