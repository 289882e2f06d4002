package workflows

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// alarmLog registers FlowRunAlarms and a SendAlarm that keeps what it got.
type alarmLog struct {
	mu   sync.Mutex
	sent []SendAlarmInput
}

func (a *alarmLog) register(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflowWithOptions(FlowRunAlarms, workflow.RegisterOptions{Name: FlowRunAlarmsName})
	env.RegisterActivityWithOptions(func(_ context.Context, in SendAlarmInput) error {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.sent = append(a.sent, in)
		return nil
	}, activity.RegisterOptions{Name: SendAlarmActivity})
}

func (a *alarmLog) of(ev jobflow.AlarmEvent) []SendAlarmInput {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []SendAlarmInput
	for _, s := range a.sent {
		if s.Event == ev {
			out = append(out, s)
		}
	}
	return out
}

// timeoutFlow is a -> b, a with the given timeout action, and a rule for
// JOB_TIMEOUT and RUN_TIMEOUT.
func timeoutFlow(action string, timeoutSeconds int) FlowRunInput {
	in := input(snapshot("a b", "a>b"))
	in.Snapshot.Jobs[0].TimeoutSeconds, in.Snapshot.Jobs[0].TimeoutAction = timeoutSeconds, action
	in.Snapshot.Config.Alarms = []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{jobflow.EventJobTimeout, jobflow.EventRunTimeout}, ChannelIDs: []string{"ch"}}}
	return in
}

// WARN: the alarm once, and the job goes on to succeed.
func TestFlowRun_JobTimeoutWarn(t *testing.T) {
	s := newStub()
	s.behave["a"] = sleeps(1500 * time.Millisecond)
	env := newEnv(t, s)
	var al alarmLog
	al.register(env)
	res, err := run(t, env, timeoutFlow(jobflow.TimeoutWarn, 1))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	got := al.of(jobflow.EventJobTimeout)
	if len(got) != 1 || got[0].JobID != "a" || got[0].JobName != "job a" || got[0].ChannelID != "ch" {
		t.Fatalf("JOB_TIMEOUT alarms %+v", got)
	}
	if s.infos[0].StartToCloseTimeout < DefaultJobTimeout {
		t.Errorf("the activity's own timeout is %s: WARN must not stop the job", s.infos[0].StartToCloseTimeout)
	}
}

// WARN_AND_FAIL: the alarm, then the job is stopped and fails.
func TestFlowRun_JobTimeoutWarnAndFail(t *testing.T) {
	s := newStub()
	s.behave["a"] = blocks()
	env := newEnv(t, s)
	var al alarmLog
	al.register(env)
	res, err := run(t, env, timeoutFlow(jobflow.TimeoutWarnAndFail, 1))
	if err == nil || res.Status != jobflow.RunFail {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed})
	if msg := node(t, res.Nodes, "a").Error; !strings.Contains(msg, "timed out after 1 s (timeoutAction WARN_AND_FAIL)") {
		t.Errorf("a's error %q", msg)
	}
	if got := al.of(jobflow.EventJobTimeout); len(got) != 1 {
		t.Errorf("JOB_TIMEOUT alarms %+v", got)
	}
}

// FAIL (the default): the activity's own timeout, no FlowRun timer, no alarm.
func TestFlowRun_JobTimeoutFail(t *testing.T) {
	s := newStub()
	s.behave["a"] = blocks()
	env := newEnv(t, s)
	var al alarmLog
	al.register(env)
	res, _ := run(t, env, timeoutFlow("", 1))
	if res.Status != jobflow.RunFail || node(t, res.Nodes, "a").Status != jobflow.NodeFail {
		t.Fatalf("status %s, nodes %+v", res.Status, res.Nodes)
	}
	if got := al.of(jobflow.EventJobTimeout); len(got) != 0 {
		t.Errorf("JOB_TIMEOUT alarms %+v for a FAIL timeout", got)
	}
	if s.infos[0].StartToCloseTimeout != time.Second {
		t.Errorf("activity timeout %s, want the job's 1 s", s.infos[0].StartToCloseTimeout)
	}
}

// The run's maximum duration, for each action.
func TestFlowRun_MaxDuration(t *testing.T) {
	for _, tc := range []struct {
		action string
		want   jobflow.RunStatus
		nodeA  jobflow.NodeStatus
		err    string
	}{
		{jobflow.OnMaxDurationAlert, jobflow.RunSuccess, jobflow.NodeSuccess, ""},
		{jobflow.OnMaxDurationFail, jobflow.RunFail, jobflow.NodeAborted, "the run exceeded its maximum duration of 1s"},
		{jobflow.OnMaxDurationAbort, jobflow.RunAborted, jobflow.NodeAborted, "aborted: the run exceeded its maximum duration of 1s"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			s := newStub()
			s.behave["a"] = sleeps(2500 * time.Millisecond)
			env := newEnv(t, s)
			var al alarmLog
			al.register(env)
			in := timeoutFlow("", 0)
			in.Snapshot.Config.MaxDurationSeconds, in.Snapshot.Config.OnMaxDuration = 1, tc.action
			res, err := run(t, env, in)
			if res.Status != tc.want || node(t, res.Nodes, "a").Status != tc.nodeA {
				t.Fatalf("status %s (err %v), nodes %+v", res.Status, err, res.Nodes)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err %v, want %q", err, tc.err)
			}
			if got := al.of(jobflow.EventRunTimeout); len(got) != 1 {
				t.Errorf("RUN_TIMEOUT alarms %+v", got)
			}
			if tc.want != jobflow.RunSuccess && s.callCount("b") != 0 {
				t.Error("b started after the run was stopped")
			}
		})
	}
}

// Job events go to the rules that name them, narrowed by jobIds; a job
// that fails after a retry raises JOB_FAIL once.
func TestFlowRun_JobEvents(t *testing.T) {
	s := newStub()
	s.behave["c"] = fails("disk full")
	env := newEnv(t, s)
	var al alarmLog
	al.register(env)
	in := input(snapshot("a b c", "a>b b>c"))
	in.Snapshot.Jobs[2].Retry = jobflow.RetryPolicy{MaxAttempts: 2, IntervalSeconds: 1, Backoff: 1}
	in.Snapshot.Config.Alarms = []jobflow.AlarmRule{
		{Events: []jobflow.AlarmEvent{jobflow.EventJobStart, jobflow.EventJobSuccess}, ChannelIDs: []string{"b-only"}, JobIDs: []string{"b"}},
		{Events: []jobflow.AlarmEvent{jobflow.EventJobFail}, ChannelIDs: []string{"all"}},
	}
	res, _ := run(t, env, in)
	if res.Status != jobflow.RunFail || s.callCount("c") != 2 {
		t.Fatalf("status %s, c ran %d times", res.Status, s.callCount("c"))
	}
	al.mu.Lock()
	defer al.mu.Unlock()
	var got []string
	for _, a := range al.sent {
		got = append(got, string(a.Event)+":"+a.JobID+":"+a.ChannelID)
	}
	want := "JOB_START:b:b-only JOB_SUCCESS:b:b-only JOB_FAIL:c:all"
	if strings.Join(got, " ") != want {
		t.Errorf("alarms %v, want %s", got, want)
	}
}
