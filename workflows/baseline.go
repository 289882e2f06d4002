package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Baseline watches one baseline (docs/baselines.md), one data date at a
// time: it checks the date's instance (EvaluateBaseline) at each check
// time, sends the alarm of each status change once, and when the date is
// settled (MET or BREACHED) continues as new on the next date. It lives
// as long as the baseline: a check that finds the baseline deleted ends it.
const BaselineName = "Baseline"

// Activities and signal of Baseline.
const (
	EvaluateBaselineActivity  = "EvaluateBaseline"
	SendBaselineAlarmActivity = "SendBaselineAlarm"
	// SignalBaselineChanged wakes a Baseline to check now: its baseline
	// was edited. No argument.
	SignalBaselineChanged = "baseline-changed"
)

// BaselineWorkflowID is the Temporal workflow id of a baseline's watcher.
func BaselineWorkflowID(baselineID string) string { return "baseline-" + baselineID }

// BaselineInput is one data date's watch, carried across continue-as-new.
type BaselineInput struct {
	TenantID   string                 `json:"tenantId"`
	BaselineID string                 `json:"baselineId"`
	Date       string                 `json:"date"`   // YYYY-MM-DD in the baseline's zone
	Status     jobflow.BaselineStatus `json:"status"` // the last status seen ("" before the first check)
	// CheckEvery overrides the time between checks (tests); 0: the
	// default, which checks more often as the deadline nears.
	CheckEvery time.Duration `json:"checkEvery,omitempty"`
}

// EvaluateBaselineInput asks for the instance of a date at Now.
type EvaluateBaselineInput struct {
	TenantID   string    `json:"tenantId"`
	BaselineID string    `json:"baselineId"`
	Date       string    `json:"date"`
	Now        time.Time `json:"now"` // workflow time, so checks and timers agree
}

// EvaluateBaselineResult is the date's instance as judged.
type EvaluateBaselineResult struct {
	Deleted  bool                   `json:"deleted"` // the baseline is gone: stop
	Status   jobflow.BaselineStatus `json:"status"`
	Deadline time.Time              `json:"deadline"`
	WarnAt   time.Time              `json:"warnAt"`
}

// SendBaselineAlarmInput sends one status change of a date.
type SendBaselineAlarmInput struct {
	TenantID   string             `json:"tenantId"`
	BaselineID string             `json:"baselineId"`
	Date       string             `json:"date"`
	Event      jobflow.AlarmEvent `json:"event"`
}

// Baseline check cadence: between minCheck and maxCheck, a twentieth of
// the time left to the next boundary (warnAt, then the deadline), so a
// day costs about a hundred checks and the boundaries are checked on time.
const (
	minCheck = 30 * time.Second
	maxCheck = 30 * time.Minute
	// baselineChecksPerRun bounds the checks of one execution before it
	// continues as new on the same date.
	baselineChecksPerRun = 500
)

// Baseline is the workflow.
func Baseline(ctx workflow.Context, in BaselineInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	changed := workflow.GetSignalChannel(ctx, SignalBaselineChanged)
	for checks := 0; ; checks++ {
		// This check covers every edit signalled before it (a signal left
		// unread would be dropped by continue-as-new, with a warning).
		for changed.ReceiveAsync(nil) {
		}
		now := workflow.Now(ctx)
		var res EvaluateBaselineResult
		err := workflow.ExecuteActivity(ctx, EvaluateBaselineActivity, EvaluateBaselineInput{
			TenantID: in.TenantID, BaselineID: in.BaselineID, Date: in.Date, Now: now,
		}).Get(ctx, &res)
		if err != nil {
			return err
		}
		if res.Deleted {
			return nil
		}
		if ev := baselineEvent(in.Status, res.Status); ev != "" {
			// A failed send is retried by Temporal; the watch goes on.
			_ = workflow.ExecuteActivity(ctx, SendBaselineAlarmActivity, SendBaselineAlarmInput{
				TenantID: in.TenantID, BaselineID: in.BaselineID, Date: in.Date, Event: ev,
			}).Get(ctx, nil)
		}
		in.Status = res.Status
		if res.Status.Final() {
			next := in
			next.Date, next.Status = jobflow.NextDate(in.Date), ""
			return workflow.NewContinueAsNewError(ctx, Baseline, next)
		}
		if checks >= baselineChecksPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return workflow.NewContinueAsNewError(ctx, Baseline, in)
		}
		wait := in.CheckEvery
		if wait <= 0 {
			wait = checkWait(now, res.WarnAt, res.Deadline)
		}
		sel := workflow.NewSelector(ctx)
		tctx, cancel := workflow.WithCancel(ctx)
		sel.AddFuture(workflow.NewTimerWithOptions(tctx, wait, workflow.TimerOptions{Summary: "next baseline check"}), func(workflow.Future) {})
		sel.AddReceive(changed, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
		sel.Select(ctx)
		cancel()
	}
}

// checkWait is the time to the next check at now: a twentieth of the time
// to the next boundary, within [minCheck, maxCheck], never past it.
func checkWait(now, warnAt, deadline time.Time) time.Duration {
	next := deadline
	if now.Before(warnAt) {
		next = warnAt
	}
	left := next.Sub(now)
	if left <= 0 {
		return minCheck
	}
	w := min(max(left/20, minCheck), maxCheck)
	return min(w, left)
}

// baselineEvent is the alarm of a change from status from to status to,
// or "" for none: entering WARNING or BREACHED, leaving WARNING for SAFE
// or MET.
func baselineEvent(from, to jobflow.BaselineStatus) jobflow.AlarmEvent {
	if from == to {
		return ""
	}
	switch to {
	case jobflow.BaselineWarning:
		return jobflow.EventBaselineWarning
	case jobflow.BaselineBreached:
		return jobflow.EventBaselineBreached
	case jobflow.BaselineSafe, jobflow.BaselineMet:
		if from == jobflow.BaselineWarning {
			return jobflow.EventBaselineRecovered
		}
	}
	return ""
}
