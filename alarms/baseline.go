package alarms

import (
	"strings"
	"time"

	"jobflow"
)

// Variables of a baseline alarm (docs/baselines.md#alarms).
const (
	VarBaselineName    = "qing.baseline_name"
	VarBaselineDate    = "qing.baseline_date"   // the data date, YYYY-MM-DD
	VarBaselineStatus  = "qing.baseline_status" // SAFE, WARNING, BREACHED or MET
	VarFinishBy        = "qing.finish_by"       // the committed finish, in the baseline's zone
	VarPredictedFinish = "qing.predicted_finish"
	VarKeyPath         = "qing.key_path" // the key path's jobs, "workflow/job" joined by " → "
	VarReason          = "qing.reason"
)

// DefaultBaselineTemplate is the message of a baseline event, used unless
// the rule's template names ${qing.baseline_name} (a template written for
// run events has no baseline in it).
const DefaultBaselineTemplate = `【jobflow 基线告警 baseline】${qing.event}
基线 Baseline: ${qing.baseline_name} (${qing.baseline_date})
状态 Status: ${qing.baseline_status}
承诺 Finish by: ${qing.finish_by}
预计 Predicted: ${qing.predicted_finish}
关键路径 Key path: ${qing.key_path}
原因 Reason: ${qing.reason}
作业流 Workflows: ${qing.workflow_name}`

// BaselineMessage is the alarm of event for instance in of baseline b.
func BaselineMessage(event jobflow.AlarmEvent, tmpl string, b *jobflow.Baseline, in *jobflow.BaselineInstance, now time.Time, loc *time.Location) Message {
	if loc == nil {
		loc = time.UTC
	}
	if !strings.Contains(tmpl, "${"+VarBaselineName+"}") {
		tmpl = DefaultBaselineTemplate
	}
	var names, path []string
	for _, t := range in.Targets {
		names = append(names, t.WorkflowName)
	}
	for _, k := range in.KeyPath {
		path = append(path, k.WorkflowID+"/"+k.JobID)
	}
	vars := map[string]string{
		VarEvent: string(event), VarBaselineName: b.Name, VarBaselineDate: in.Date,
		VarBaselineStatus: string(in.Status), VarFinishBy: in.Deadline.In(loc).Format(DatetimeLayout),
		VarPredictedFinish: "-", VarKeyPath: "-", VarReason: "-",
		VarWorkflowName: strings.Join(names, ", "), VarCurrentDatetime: now.In(loc).Format(DatetimeLayout),
	}
	if in.PredictedFinishAt != nil {
		vars[VarPredictedFinish] = in.PredictedFinishAt.In(loc).Format(DatetimeLayout)
	}
	if len(path) > 0 {
		vars[VarKeyPath] = strings.Join(path, " → ")
	}
	if in.Reason != "" {
		vars[VarReason] = in.Reason
	}
	return Message{
		Event:  event,
		Title:  Render("[jobflow] 基线 ${qing.baseline_name} ${qing.baseline_date} ${qing.baseline_status}", vars),
		Text:   Render(tmpl, vars),
		Fields: vars,
	}
}
