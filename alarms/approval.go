package alarms

import (
	"strings"
	"time"

	"jobflow"
)

// Variables of an APPROVAL_WAITING alarm (docs/run-semantics.md#approval-jobs),
// besides the run's.
const (
	VarApprovalJob      = "qing.approval_job"      // the APPROVAL job's name
	VarApprovalMessage  = "qing.approval_message"  // its config's message
	VarApprovalLink     = "qing.approval_link"     // the one-click link
	VarApprovalDeadline = "qing.approval_deadline" // when the timeout decides, in the workflow's zone
)

// DefaultApprovalTemplate is the message of APPROVAL_WAITING, used unless
// the rule's template names ${qing.approval_link} (a template written for
// the run events would otherwise drop the link).
const DefaultApprovalTemplate = `【jobflow 待审批 approval】
作业流 Workflow: ${qing.workflow_name}
审批作业 Job: ${qing.approval_job}
说明 Message: ${qing.approval_message}
截止 Deadline: ${qing.approval_deadline}
一键审批 Decide: ${qing.approval_link}`

// ApprovalMessage is the APPROVAL_WAITING alarm for job of run: message is
// what the approvers are asked, link the one-click link ("" when none can
// be made), deadline when the approval's timeout decides.
func ApprovalMessage(tmpl string, run jobflow.Run, job, message, link string, deadline, now time.Time, loc *time.Location) Message {
	if loc == nil {
		loc = time.UTC
	}
	if !strings.Contains(tmpl, "${"+VarApprovalLink+"}") {
		tmpl = DefaultApprovalTemplate
	}
	vars := RunVars(run, nil, now, loc)
	if link == "" {
		link = "- (JOBFLOW_PUBLIC_URL is not set: decide in the console)"
	}
	if message == "" {
		message = "-"
	}
	vars[VarApprovalJob], vars[VarApprovalMessage], vars[VarApprovalLink] = job, message, link
	vars[VarApprovalDeadline] = deadline.In(loc).Format(DatetimeLayout)
	return Message{
		Event:  jobflow.EventApprovalWaiting,
		Title:  Render("[jobflow] ${qing.workflow_name}: ${qing.approval_job} 待审批", vars),
		Text:   Render(tmpl, vars),
		Fields: vars,
	}
}
