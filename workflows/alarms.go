package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Baseline alarms (基线告警, docs/scheduling.md#alarms) are sent by FlowRunAlarms, a child
// workflow that FlowRun starts when the run's config has alarm rules and
// abandons when it closes. FlowRun never waits for a channel: it starts the
// child at run start without waiting, and at the end only signals it the
// final run (after recording the run's final status), so a channel that is
// down, slow or answering 500 changes neither the jobs' timing, nor the
// run's status, nor when its execution closes (a Temporal Schedule's
// overlap policy and a serial backfill see the run end on time).
//
// The child sends RUN_START, then waits for the end signal and sends
// RUN_END and then RUN_FAIL or RUN_SUCCESS, one event after the other, so a
// channel receives a run's alarms in that order. Each (rule, event,
// channel) is one SendAlarm activity with retries and backoff; every
// attempt is recorded by the activity.

// Names of the alarm workflow, its activity and its signal.
const (
	FlowRunAlarmsName = "FlowRunAlarms"
	SendAlarmActivity = "SendAlarm"
	SignalRunEnded    = "runEnded"
	// SignalAlarm carries an event FlowRun raised during the run
	// (APPROVAL_WAITING, JOB_TIMEOUT, RUN_TIMEOUT): a SendAlarmInput
	// without channel, sent to every channel of the rules naming it.
	SignalAlarm = "alarm"
)

// Alarm timing. One attempt may take a hanging SMTP conversation (30 s)
// plus the store writes; three attempts with backoff bound the whole send
// of one alarm to about two minutes.
const (
	AlarmAttemptTimeout = 40 * time.Second
	AlarmMaxAttempts    = 3
	// alarmEndWait is how long the alarm workflow waits for its run to end
	// (a run that is terminated never signals).
	alarmEndWait = 31 * 24 * time.Hour
	// alarmsChangeID guards FlowRun's alarm commands for histories recorded
	// before alarms existed.
	alarmsChangeID = "baseline-alarms"
)

// ErrTypeAlarmChannelMissing is SendAlarm's non-retryable error for a rule
// naming a channel that does not exist (any more) in the run's tenant.
const ErrTypeAlarmChannelMissing = "AlarmChannelMissing"

// AlarmsWorkflowID is the workflow id of a run's FlowRunAlarms.
func AlarmsWorkflowID(runID string) string { return runID + "-alarms" }

// AlarmsInput is the input of FlowRunAlarms: the run row at its start and
// the alarm rules of the run's snapshot.
type AlarmsInput struct {
	Run      jobflow.Run         `json:"run"`
	Rules    []jobflow.AlarmRule `json:"rules"`
	Timezone string              `json:"timezone"` // ${qing.current_datetime} is written in it
}

// RunEnded is the signal FlowRun sends when the run has ended.
type RunEnded struct {
	Run        jobflow.Run `json:"run"`
	FailedJobs []string    `json:"failedJobs"`
}

// SendAlarmInput is the input of SendAlarmActivity: one event of one run
// to one channel, with the rule's template ("" for the default).
type SendAlarmInput struct {
	Run        jobflow.Run        `json:"run"`
	Event      jobflow.AlarmEvent `json:"event"`
	ChannelID  string             `json:"channelId"`
	Template   string             `json:"template"`
	FailedJobs []string           `json:"failedJobs"`
	Timezone   string             `json:"timezone"`
	// Silence is the rule's daily silence window (none when nil).
	Silence *jobflow.Silence `json:"silence,omitempty"`
	// JobID and JobName are the job of a job event (JOB_TIMEOUT).
	JobID   string `json:"jobId,omitempty"`
	JobName string `json:"jobName,omitempty"`
	// Approval is set for APPROVAL_WAITING: the node to decide, for the
	// one-click link the activity mints (approval_link.go).
	Approval *ApprovalAsk `json:"approval,omitempty"`
	// Repeat numbers a repeat of a lasting event (1, 2, …; 0 for the
	// first send) and Rule is the 1-based index of the one rule it is for.
	Repeat int `json:"repeat,omitempty"`
	Rule   int `json:"rule,omitempty"`
}

// AlarmActivityOptions are the options of one SendAlarm: an attempt may
// take AlarmAttemptTimeout, then it is retried with backoff, at most
// AlarmMaxAttempts times in all.
func AlarmActivityOptions(ev jobflow.AlarmEvent, channelID string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		Summary:             string(ev) + " to " + channelID,
		StartToCloseTimeout: AlarmAttemptTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			MaximumAttempts:        AlarmMaxAttempts,
			NonRetryableErrorTypes: []string{ErrTypeAlarmChannelMissing},
		},
	}
}

// EndEvents are the events of a run that ended in status st, in the order
// they are sent.
func EndEvents(st jobflow.RunStatus) []jobflow.AlarmEvent {
	switch st {
	case jobflow.RunSuccess:
		return []jobflow.AlarmEvent{jobflow.EventRunEnd, jobflow.EventRunSuccess}
	case jobflow.RunFail:
		return []jobflow.AlarmEvent{jobflow.EventRunEnd, jobflow.EventRunFail}
	}
	return []jobflow.AlarmEvent{jobflow.EventRunEnd}
}

// FlowRunAlarms sends the alarms of one run (see the comment at the top).
// It never fails: a channel that refuses an alarm is recorded and left.
func FlowRunAlarms(ctx workflow.Context, in AlarmsInput) error {
	sendAlarms(ctx, in, jobflow.EventRunStart, in.Run, nil)

	var ended RunEnded
	got, late := false, false
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalRunEnded), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, &ended)
		got = true
	})
	raised := workflow.GetSignalChannel(ctx, SignalAlarm)
	sel.AddReceive(raised, func(c workflow.ReceiveChannel, _ bool) {
		var a SendAlarmInput
		c.Receive(ctx, &a)
		sendRaised(ctx, in, a)
	})
	sel.AddFuture(workflow.NewTimer(timerCtx, alarmEndWait), func(workflow.Future) { late = true })
	for !got && !late {
		sel.Select(ctx)
	}
	cancelTimer()
	for { // events raised just before the end go before the end's
		var a SendAlarmInput
		if !raised.ReceiveAsync(&a) {
			break
		}
		sendRaised(ctx, in, a)
	}
	if !got {
		workflow.GetLogger(ctx).Warn("the run never ended: no end alarms", "runId", in.Run.ID)
		return nil
	}
	for _, ev := range EndEvents(ended.Run.Status) {
		sendAlarms(ctx, in, ev, ended.Run, ended.FailedJobs)
	}
	return nil
}

// sendAlarms sends event ev to every channel of every rule that has it, in
// parallel, and waits for all of them.
func sendAlarms(ctx workflow.Context, in AlarmsInput, ev jobflow.AlarmEvent, run jobflow.Run, failed []string) {
	var futures []workflow.Future
	for _, rule := range in.Rules {
		if !hasEvent(rule.Events, ev) {
			continue
		}
		for _, chID := range rule.ChannelIDs {
			actx := workflow.WithActivityOptions(ctx, AlarmActivityOptions(ev, chID))
			futures = append(futures, workflow.ExecuteActivity(actx, SendAlarmActivity, SendAlarmInput{
				Run: run, Event: ev, ChannelID: chID, Template: rule.Template, FailedJobs: failed, Timezone: in.Timezone,
				Silence: rule.Silence,
			}))
		}
	}
	for _, f := range futures {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("alarm not delivered", "runId", run.ID, "event", ev, "error", err)
		}
	}
}

// sendRaised sends an event FlowRun raised to every channel of the rules
// that name it, in parallel, and waits for all of them.
func sendRaised(ctx workflow.Context, in AlarmsInput, a SendAlarmInput) {
	var futures []workflow.Future
	for k, rule := range in.Rules {
		if !ruleWants(rule, a.Event, a.JobID) || a.Rule > 0 && a.Rule != k+1 {
			continue
		}
		for _, chID := range rule.ChannelIDs {
			one := a
			one.ChannelID, one.Template, one.Timezone, one.Silence = chID, rule.Template, in.Timezone, rule.Silence
			actx := workflow.WithActivityOptions(ctx, AlarmActivityOptions(a.Event, chID))
			futures = append(futures, workflow.ExecuteActivity(actx, SendAlarmActivity, one))
		}
	}
	for _, f := range futures {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("alarm not delivered", "runId", a.Run.ID, "event", a.Event, "error", err)
		}
	}
}

// ruleWants reports whether rule sends event ev (of job jobID, "" for a
// run event): it names ev, and for a job event its jobIds, if any, name
// the job.
func ruleWants(rule jobflow.AlarmRule, ev jobflow.AlarmEvent, jobID string) bool {
	if !hasEvent(rule.Events, ev) {
		return false
	}
	if jobID == "" || len(rule.JobIDs) == 0 || !jobflow.IsJobEvent(ev) {
		return true
	}
	for _, id := range rule.JobIDs {
		if id == jobID {
			return true
		}
	}
	return false
}

func hasEvent(events []jobflow.AlarmEvent, ev jobflow.AlarmEvent) bool {
	for _, e := range events {
		if e == ev {
			return true
		}
	}
	return false
}

// startAlarms starts the run's FlowRunAlarms when its config has alarm
// rules, without waiting; nil otherwise. FlowRun calls it once, at the
// run's first execution. The child survives an abort (disconnected
// context) and the run's close (ParentClosePolicy ABANDON).
func (r *runner) startAlarms(ctx workflow.Context) workflow.ChildWorkflowFuture {
	if len(r.cfg.Alarms) == 0 || workflow.GetVersion(ctx, alarmsChangeID, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	cctx := workflow.WithChildOptions(disconnected(ctx), workflow.ChildWorkflowOptions{
		WorkflowID:        AlarmsWorkflowID(r.runID),
		TaskQueue:         r.taskQueue,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     "alarms of " + r.in.Snapshot.WorkflowName,
	})
	return workflow.ExecuteChildWorkflow(cctx, FlowRunAlarmsName, AlarmsInput{
		Run:      r.runRow(jobflow.RunRunning),
		Rules:    r.cfg.Alarms,
		Timezone: r.cfg.Schedule.Timezone,
	})
}

// endAlarms tells the run's FlowRunAlarms that the run ended in status st.
// child is startAlarms' future in the execution that started it, nil in a
// later one (after continue-as-new): the child is then found by its id.
// It waits only for the child to have started and for the signal to be
// delivered, never for a channel.
func (r *runner) endAlarms(ctx workflow.Context, child workflow.ChildWorkflowFuture, st jobflow.RunStatus) {
	if len(r.cfg.Alarms) == 0 || workflow.GetVersion(ctx, alarmsChangeID, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	dctx := disconnected(ctx)
	log := workflow.GetLogger(ctx)
	if child != nil {
		if err := child.GetChildWorkflowExecution().Get(dctx, nil); err != nil {
			log.Error("alarm workflow did not start: no end alarms", "runId", r.runID, "error", err)
			return
		}
	}
	var failed []string
	for i := range r.nodes {
		if r.nodes[i].Status == jobflow.NodeFail {
			failed = append(failed, r.nodes[i].JobName)
		}
	}
	ended := RunEnded{Run: r.runRow(st), FailedJobs: failed}
	if err := workflow.SignalExternalWorkflow(dctx, AlarmsWorkflowID(r.runID), "", SignalRunEnded, ended).Get(dctx, nil); err != nil {
		log.Error("alarm workflow not signalled: no end alarms", "runId", r.runID, "error", err)
	}
}
