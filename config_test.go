package jobflow_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jobflow"
	_ "jobflow/jobtypes" // job types, for Job.Normalize
)

func TestWorkflowConfig_Validate(t *testing.T) {
	c := jobflow.WorkflowConfig{}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.Schedule.Mode != jobflow.ModeSingle || c.FailureStrategy != jobflow.FailureContinue || c.MaxParallelism != 16 ||
		c.Schedule.Overlap != jobflow.OverlapSkip || c.Schedule.CatchupWindowSeconds != 60 {
		t.Errorf("defaults not filled: %+v", c)
	}
	start := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	before := start.Add(-time.Hour)
	bad := []struct {
		name  string
		edit  func(*jobflow.WorkflowConfig)
		field string
		msg   string
	}{
		{"bad mode", func(c *jobflow.WorkflowConfig) { c.Schedule.Mode = "SOMETIMES" }, "schedule.mode", "SINGLE or DISCRETE"},
		{"enabled without cron", func(c *jobflow.WorkflowConfig) { c.Schedule.Enabled = true }, "schedule.cron", "required"},
		{"bad hour", func(c *jobflow.WorkflowConfig) { c.Schedule.Cron = "0 0 25 * * ?" }, "schedule.cron", "hour"},
		{"bad minute (unix)", func(c *jobflow.WorkflowConfig) { c.Schedule.Cron = "61 * * * *" }, "schedule.cron", "minute"},
		{"unknown zone", func(c *jobflow.WorkflowConfig) { c.Schedule.Timezone = "Mars/Olympus" }, "schedule.timezone", "Mars/Olympus"},
		{"end before start", func(c *jobflow.WorkflowConfig) { c.Schedule.StartAt, c.Schedule.EndAt = &start, &before }, "schedule.endAt", "after"},
		{"bad overlap", func(c *jobflow.WorkflowConfig) { c.Schedule.Overlap = "SOME" }, "schedule.overlap", "SKIP"},
		{"alarm event", func(c *jobflow.WorkflowConfig) {
			c.Alarms = []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{"RUN_MAYBE"}, ChannelIDs: []string{"ch"}}}
		}, "alarms", "RUN_MAYBE"},
		{"alarm without channel", func(c *jobflow.WorkflowConfig) {
			c.Alarms = []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{jobflow.EventRunFail}}}
		}, "alarms", "channel"},
		{"alarm repeat too often", func(c *jobflow.WorkflowConfig) {
			c.Alarms = []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{jobflow.EventJobTimeout}, ChannelIDs: []string{"ch"}, RepeatEverySeconds: 5}}
		}, "alarms", "repeatEverySeconds"},
		{"alarm maxRepeats without interval", func(c *jobflow.WorkflowConfig) {
			c.Alarms = []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{jobflow.EventJobTimeout}, ChannelIDs: []string{"ch"}, MaxRepeats: 3}}
		}, "alarms", "maxRepeats"},
		{"failure strategy", func(c *jobflow.WorkflowConfig) { c.FailureStrategy = "PANIC" }, "failureStrategy", "CONTINUE or END"},
		{"parallelism", func(c *jobflow.WorkflowConfig) { c.MaxParallelism = 5000 }, "maxParallelism", "between"},
		{"param name", func(c *jobflow.WorkflowConfig) { c.Params = map[string]string{"a-b": "1"} }, "params", "a-b"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c := jobflow.DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			e, ok := err.(*jobflow.Error)
			if !ok || e.Code != jobflow.EINVALID || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("got %v, want INVALID containing %q", err, tc.msg)
			}
			if d, _ := e.Details.(map[string]string); d["field"] != tc.field {
				t.Errorf("field %v, want %s", e.Details, tc.field)
			}
		})
	}
}

func TestJob_Normalize(t *testing.T) {
	j := jobflow.Job{Name: "a", Type: jobflow.JobHTTP, Config: json.RawMessage(`{"url":"http://x/${params.p}","method":"post"}`)}
	if err := j.Normalize(); err != nil {
		t.Fatal(err)
	}
	if j.Retry.MaxAttempts != 1 || !strings.Contains(string(j.Config), `"method":"POST"`) {
		t.Errorf("not normalized: %+v %s", j.Retry, j.Config)
	}
	bad := []struct {
		name string
		job  jobflow.Job
		msg  string
	}{
		{"no name", jobflow.Job{Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"x"}`)}, "name is required"},
		{"long name", jobflow.Job{Name: strings.Repeat("n", 101), Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"x"}`)}, "100"},
		{"type", jobflow.Job{Name: "a", Type: "PERL", Config: json.RawMessage(`{}`)}, "SHELL, PYTHON, SQL, HTTP"},
		{"no script", jobflow.Job{Name: "a", Type: jobflow.JobPython, Config: json.RawMessage(`{}`)}, "script is required"},
		{"script type", jobflow.Job{Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":5}`)}, `"script" must be a string`},
		{"unknown field", jobflow.Job{Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"x","shell":"zsh"}`)}, "unknown field"},
		{"sql mode", jobflow.Job{Name: "a", Type: jobflow.JobSQL, Config: json.RawMessage(`{"datasourceId":"d","sql":"x","mode":"RUN"}`)}, "EXECUTE or QUERY"},
		{"sql datasource", jobflow.Job{Name: "a", Type: jobflow.JobSQL, Config: json.RawMessage(`{"sql":"x"}`)}, "datasourceId"},
		{"http url", jobflow.Job{Name: "a", Type: jobflow.JobHTTP, Config: json.RawMessage(`{"url":"ftp://x"}`)}, "http or https"},
		{"http code", jobflow.Job{Name: "a", Type: jobflow.JobHTTP, Config: json.RawMessage(`{"url":"http://x","successCodes":[42]}`)}, "42"},
		{"timeout", jobflow.Job{Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"x"}`), TimeoutSeconds: -1}, "timeoutSeconds"},
		{"retry", jobflow.Job{Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"x"}`), Retry: jobflow.RetryPolicy{MaxAttempts: 1000}}, "maxAttempts"},
		{"worker group", jobflow.Job{Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"x"}`), WorkerGroup: "GPU box"}, "workerGroup"},
		{"job cron", jobflow.Job{Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"x"}`), Cron: "0 0 * * * * * *"}, "cron"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.job.Normalize()
			if jobflow.ErrorCode(err) != jobflow.EINVALID || !strings.Contains(jobflow.ErrorMessage(err), tc.msg) {
				t.Fatalf("got %v, want INVALID containing %q", err, tc.msg)
			}
		})
	}
}

func TestWorkflowLimit(t *testing.T) {
	cases := []struct {
		lic    *jobflow.License
		tenant int
		want   int
	}{
		{nil, 10, 10},
		{&jobflow.License{MaxWorkflowsPerTenant: 5}, 10, 5},
		{&jobflow.License{MaxWorkflowsPerTenant: 50}, 10, 10},
		{&jobflow.License{}, 10, 10},
	}
	for _, c := range cases {
		if got := jobflow.WorkflowLimit(c.lic, c.tenant); got != c.want {
			t.Errorf("WorkflowLimit(%+v, %d) = %d, want %d", c.lic, c.tenant, got, c.want)
		}
	}
}

func TestErrorCode(t *testing.T) {
	if jobflow.ErrorCode(nil) != "" || jobflow.ErrorCode(jobflow.Errorf(jobflow.ECONFLICT, "x")) != jobflow.ECONFLICT {
		t.Fatal("codes of nil / domain errors")
	}
	plain := strings.NewReader("").UnreadByte() // any non-domain error
	if jobflow.ErrorCode(plain) != jobflow.EINTERNAL || jobflow.ErrorMessage(plain) != "internal error" {
		t.Fatalf("a plain error must be INTERNAL without its text: %v", plain)
	}
}

// A silence window holds inside [from, to), across midnight too; a bad
// window is a 400 on alarms.
func TestSilence(t *testing.T) {
	at := func(hm string) time.Time { v, _ := time.Parse("15:04", hm); return v }
	day := &jobflow.Silence{From: "09:00", To: "17:30"}
	night := &jobflow.Silence{From: "22:00", To: "06:00"}
	for _, tc := range []struct {
		s    *jobflow.Silence
		at   string
		want bool
	}{
		{day, "09:00", true}, {day, "17:29", true}, {day, "17:30", false}, {day, "08:59", false},
		{night, "23:00", true}, {night, "05:59", true}, {night, "06:00", false}, {night, "12:00", false}, {nil, "12:00", false},
	} {
		if got := tc.s.Holds(at(tc.at)); got != tc.want {
			t.Errorf("%+v at %s: %v, want %v", tc.s, tc.at, got, tc.want)
		}
	}
	for _, bad := range []*jobflow.Silence{{From: "9:00", To: "10:00"}, {From: "25:00", To: "10:00"}, {From: "10:00", To: "10:00"}} {
		c := jobflow.DefaultConfig()
		c.Alarms = []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{jobflow.EventRunFail}, ChannelIDs: []string{"ch"}, Silence: bad}}
		if err := c.Validate(); jobflow.ErrorCode(err) != jobflow.EINVALID {
			t.Errorf("silence %+v: %v", bad, err)
		}
	}
}
