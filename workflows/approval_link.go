package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
)

// When an APPROVAL node begins to wait and the workflow's alarm rules name
// APPROVAL_WAITING, FlowRun sends that event to each channel of those
// rules (docs/run-semantics.md#approval-jobs). SendAlarm mints a one-click
// link for the node and channel, valid until the approval's deadline, and
// puts it in the message. FlowRun does not wait for the sends: a channel
// that is down delays nothing, and the approvers can still decide in the
// console or over the API.

const approvalLinkVersion = "approval-link"

// ApprovalAsk is the node an APPROVAL_WAITING alarm asks to decide.
type ApprovalAsk struct {
	JobID     string    `json:"jobId"`
	JobName   string    `json:"jobName"`
	Message   string    `json:"message"`
	OnTimeout string    `json:"onTimeout"`
	Deadline  time.Time `json:"deadline"`
}

// askApproval sends APPROVAL_WAITING for node i, which waits until
// deadline. Runs whose rules do not name the event ask no version, so
// their histories are as before.
func (r *runner) askApproval(ctx workflow.Context, i int, cfg jobtypes.ApprovalConfig, deadline time.Time) {
	named := false
	for _, rule := range r.cfg.Alarms {
		named = named || hasEvent(rule.Events, jobflow.EventApprovalWaiting)
	}
	if !named || workflow.GetVersion(ctx, approvalLinkVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	ask := &ApprovalAsk{JobID: r.g.ids[i], JobName: r.g.jobs[i].Name, Message: cfg.Message, OnTimeout: cfg.OnTimeout, Deadline: deadline}
	r.sendAlarm(ctx, jobflow.EventApprovalWaiting, SendAlarmInput{Run: r.runRow(jobflow.RunRunning), Approval: ask})
}
