package alarms

import (
	"strings"
	"time"

	"jobflow"
)

// Template variables (docs/contract.md#baseline-alarms), written ${qing.NAME} in a template.
const (
	VarWorkflowName       = "qing.workflow_name"
	VarWorkflowID         = "qing.workflow_id"
	VarWorkflowInstanceID = "qing.workflow_instance_id" // the run id
	VarStatus             = "qing.status"               // RUNNING at RUN_START, then SUCCESS, FAIL or ABORTED
	VarTrigger            = "qing.trigger"              // MANUAL, SCHEDULE, INVOKE, RERUN, BACKFILL
	VarCurrentDatetime    = "qing.current_datetime"     // when the alarm is sent, in the workflow's time zone
	VarDuration           = "qing.duration"             // run time so far, e.g. "1m5s"
	VarFailedJobs         = "qing.failed_jobs"          // names joined by ", "; "-" when none
	VarLogicalTime        = "qing.logical_time"         // extra: the run's logical time, RFC 3339; "" when unset
)

// Vars lists every variable Render knows, in the contract's order (docs/contract.md#baseline-alarms).
var Vars = []string{VarWorkflowName, VarWorkflowID, VarWorkflowInstanceID, VarStatus, VarTrigger,
	VarCurrentDatetime, VarDuration, VarFailedJobs, VarLogicalTime}

// DatetimeLayout formats ${qing.current_datetime}.
const DatetimeLayout = "2006-01-02 15:04:05"

// DefaultTemplate is used by an alarm rule with no template.
const DefaultTemplate = `【jobflow 基线告警 alarm】
作业流 Workflow: ${qing.workflow_name} (${qing.workflow_id})
实例 Run: ${qing.workflow_instance_id}
状态 Status: ${qing.status}
触发方式 Trigger: ${qing.trigger}
耗时 Duration: ${qing.duration}
失败作业 Failed jobs: ${qing.failed_jobs}
时间 Time: ${qing.current_datetime}`

// DefaultTitle is the email subject of a run alarm.
const DefaultTitle = "[jobflow] ${qing.workflow_name} ${qing.status}"

// Render replaces each ${NAME} of template whose NAME is a key of vars.
// Anything else is left exactly as written, so a misspelt variable shows up
// in the message instead of vanishing silently. Values are inserted once and
// never rendered again: a workflow named "${qing.status}" stays that name.
func Render(template string, vars map[string]string) string {
	var b strings.Builder
	rest := template
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+2:], '}')
		if j < 0 {
			break
		}
		name := rest[i+2 : i+2+j]
		value, ok := vars[name]
		if !ok {
			value = rest[i : i+3+j]
		}
		b.WriteString(rest[:i])
		b.WriteString(value)
		rest = rest[i+3+j:]
	}
	b.WriteString(rest)
	return b.String()
}

// RunVars are the template variables of run at event time now. failedJobs
// are the names of its failed jobs; loc is the workflow's time zone (UTC
// when nil). A run that has not ended is timed up to now.
func RunVars(run jobflow.Run, failedJobs []string, now time.Time, loc *time.Location) map[string]string {
	if loc == nil {
		loc = time.UTC
	}
	end := now
	if run.EndedAt != nil {
		end = *run.EndedAt
	}
	d := time.Duration(0)
	if !run.StartedAt.IsZero() && end.After(run.StartedAt) {
		d = end.Sub(run.StartedAt).Round(time.Second)
	}
	failed := "-"
	if len(failedJobs) > 0 {
		failed = strings.Join(failedJobs, ", ")
	}
	logical := ""
	if !run.LogicalTime.IsZero() {
		logical = run.LogicalTime.In(loc).Format(time.RFC3339)
	}
	return map[string]string{
		VarWorkflowName:       run.WorkflowName,
		VarWorkflowID:         run.WorkflowID,
		VarWorkflowInstanceID: run.ID,
		VarStatus:             string(run.Status),
		VarTrigger:            string(run.Trigger),
		VarCurrentDatetime:    now.In(loc).Format(DatetimeLayout),
		VarDuration:           d.String(),
		VarFailedJobs:         failed,
		VarLogicalTime:        logical,
	}
}

// RunMessage is the alarm of rule template tmpl ("" for DefaultTemplate) for
// event on run; see RunVars for the other arguments.
func RunMessage(event jobflow.AlarmEvent, tmpl string, run jobflow.Run, failedJobs []string, now time.Time, loc *time.Location) Message {
	if strings.TrimSpace(tmpl) == "" {
		tmpl = DefaultTemplate
		if event == jobflow.EventRunTimeout {
			tmpl = DefaultRunTimeoutTemplate
		}
	}
	vars := RunVars(run, failedJobs, now, loc)
	vars[VarEvent] = string(event)
	return Message{
		Event:      event,
		Title:      Render(DefaultTitle, vars),
		Text:       Render(tmpl, vars),
		Fields:     vars,
		FailedJobs: failedJobs,
	}
}

// Job variables, the seed's names (docs/contract.md#baseline-alarms).
const (
	VarWorkName       = "qing.work_name"        // the job's name
	VarWorkInstanceID = "qing.work_instance_id" // <run id>-<job id>
)

// DefaultRunTimeoutTemplate is the message of RUN_TIMEOUT whose rule has
// no template.
const DefaultRunTimeoutTemplate = `【jobflow 运行超时 run timeout】
作业流 Workflow: ${qing.workflow_name} (${qing.workflow_id})
实例 Run: ${qing.workflow_instance_id}
已运行 Running for: ${qing.duration}
时间 Time: ${qing.current_datetime}`

// DefaultJobTemplate is the message of a job event (JOB_TIMEOUT) whose
// rule has no template.
const DefaultJobTemplate = `【jobflow 作业告警 job alarm】${qing.event}
作业流 Workflow: ${qing.workflow_name} (${qing.workflow_id})
作业 Job: ${qing.work_name}
实例 Run: ${qing.workflow_instance_id}
耗时 Duration: ${qing.duration}
时间 Time: ${qing.current_datetime}`

// VarEvent is the event's name, in every message.
const VarEvent = "qing.event"

// JobMessage is the alarm of a job event (jobName, jobID of run); see
// RunMessage for the rest.
func JobMessage(event jobflow.AlarmEvent, tmpl string, run jobflow.Run, jobID, jobName string, now time.Time, loc *time.Location) Message {
	if strings.TrimSpace(tmpl) == "" {
		tmpl = DefaultJobTemplate
	}
	vars := RunVars(run, nil, now, loc)
	vars[VarWorkName], vars[VarWorkInstanceID], vars[VarEvent] = jobName, run.ID+"-"+jobID, string(event)
	return Message{
		Event:  event,
		Title:  Render("[jobflow] ${qing.workflow_name}: ${qing.work_name} ${qing.event}", vars),
		Text:   Render(tmpl, vars),
		Fields: vars,
	}
}
