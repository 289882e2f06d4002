package alarms_test

import (
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/alarms"
)

func TestRender(t *testing.T) {
	vars := map[string]string{
		alarms.VarWorkflowName:       "日报 daily",
		alarms.VarWorkflowID:         "wf_1",
		alarms.VarWorkflowInstanceID: "run_1",
		alarms.VarStatus:             "FAIL",
		alarms.VarTrigger:            "SCHEDULE",
		alarms.VarCurrentDatetime:    "2026-11-25 08:00:00",
		alarms.VarDuration:           "1m5s",
		alarms.VarFailedJobs:         "load, report",
	}
	for name, want := range vars {
		if got := alarms.Render("<${"+name+"}>", vars); got != "<"+want+">" {
			t.Errorf("Render(${%s}) = %q, want %q", name, got, "<"+want+">")
		}
	}
	cases := []struct{ tmpl, want string }{
		{"", ""},
		{"no variables", "no variables"},
		{"${qing.workflow_name}${qing.status}", "日报 dailyFAIL"},
		{"${qing.workflow_nam} stays", "${qing.workflow_nam} stays"}, // unknown: left as written
		{"${params.date} stays", "${params.date} stays"},
		{"open ${qing.status", "open ${qing.status"},
		{"$qing.status and {qing.status}", "$qing.status and {qing.status}"},
		{"${${qing.status}}", "${${qing.status}}"}, // the name "${qing.status" is unknown
		{"a ${} b", "a ${} b"},
	}
	for _, c := range cases {
		if got := alarms.Render(c.tmpl, vars); got != c.want {
			t.Errorf("Render(%q) = %q, want %q", c.tmpl, got, c.want)
		}
	}
	// A value is inserted once, never rendered again.
	tricky := map[string]string{alarms.VarWorkflowName: "${qing.status}", alarms.VarStatus: "SUCCESS"}
	if got := alarms.Render("${qing.workflow_name} ${qing.status}", tricky); got != "${qing.status} SUCCESS" {
		t.Errorf("Render re-expanded a value: %q", got)
	}
}

func TestRunMessage(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	end := start.Add(90*time.Second + 400*time.Millisecond)
	run := jobflow.Run{
		ID: "run_9", WorkflowID: "wf_9", WorkflowName: "订单日报", Trigger: jobflow.TriggerSchedule,
		Status: jobflow.RunFail, StartedAt: start, EndedAt: &end, LogicalTime: start,
	}
	now := end.Add(time.Minute) // the alarm goes out a minute after the end
	msg := alarms.RunMessage(jobflow.EventRunFail, "", run, []string{"extract", "load"}, now, shanghai)

	want := map[string]string{
		alarms.VarWorkflowName:       "订单日报",
		alarms.VarWorkflowID:         "wf_9",
		alarms.VarWorkflowInstanceID: "run_9",
		alarms.VarStatus:             "FAIL",
		alarms.VarTrigger:            "SCHEDULE",
		alarms.VarCurrentDatetime:    "2026-11-25 08:02:30",
		alarms.VarDuration:           "1m30s",
		alarms.VarFailedJobs:         "extract, load",
		alarms.VarLogicalTime:        "2026-11-25T08:00:00+08:00",
	}
	for k, v := range want {
		if msg.Fields[k] != v {
			t.Errorf("Fields[%s] = %q, want %q", k, msg.Fields[k], v)
		}
		if k != alarms.VarLogicalTime && !strings.Contains(msg.Text, v) {
			t.Errorf("the default template's text lacks %s=%q:\n%s", k, v, msg.Text)
		}
	}
	if msg.Title != "[jobflow] 订单日报 FAIL" || msg.Event != jobflow.EventRunFail {
		t.Errorf("Title %q Event %q", msg.Title, msg.Event)
	}
	if strings.Contains(msg.Text, "${") {
		t.Errorf("the default template left a variable unrendered:\n%s", msg.Text)
	}

	// A running run at RUN_START: timed up to now, no failed jobs.
	run.Status, run.EndedAt = jobflow.RunRunning, nil
	msg = alarms.RunMessage(jobflow.EventRunStart, "${qing.status} ${qing.duration} ${qing.failed_jobs}", run, nil, start.Add(2*time.Second), nil)
	if msg.Text != "RUNNING 2s -" {
		t.Errorf("start message = %q, want %q", msg.Text, "RUNNING 2s -")
	}
	if msg.Fields[alarms.VarCurrentDatetime] != "2026-11-25 00:00:02" {
		t.Errorf("a nil location should mean UTC, got %q", msg.Fields[alarms.VarCurrentDatetime])
	}
}
