package alarms_test

import (
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/alarms"
)

// A baseline alarm names the baseline, date, status, finishBy and the
// predicted finish in the baseline's zone, and the key path; a rule's
// template written for run events is replaced by the baseline template.
func TestBaselineMessage(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	pred := time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC)
	b := &jobflow.Baseline{Name: "报表基线", FinishBy: "07:00"}
	in := &jobflow.BaselineInstance{Date: "2026-12-02", Status: jobflow.BaselineWarning,
		Deadline: time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC), PredictedFinishAt: &pred,
		KeyPath: []jobflow.BaselineKeyJob{{WorkflowID: "wf1", JobID: "load"}, {WorkflowID: "wf1", JobID: "report"}},
		Targets: []jobflow.BaselineTargetState{{WorkflowName: "nightly"}}, Reason: "late"}
	msg := alarms.BaselineMessage(jobflow.EventBaselineWarning, "run ${qing.workflow_name} ended", b, in, pred, loc)
	for _, want := range []string{"BASELINE_WARNING", "报表基线 (2026-12-02)", "WARNING", "2026-12-02 07:00:00", "2026-12-02 07:30:00", "wf1/load → wf1/report", "late", "nightly"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	if msg.Event != jobflow.EventBaselineWarning || !strings.Contains(msg.Title, "报表基线") {
		t.Errorf("message %+v", msg)
	}
	custom := alarms.BaselineMessage(jobflow.EventBaselineBreached, "破线 ${qing.baseline_name} ${qing.baseline_status}", b, in, pred, loc)
	if custom.Text != "破线 报表基线 WARNING" {
		t.Errorf("custom template: %q", custom.Text)
	}
}
