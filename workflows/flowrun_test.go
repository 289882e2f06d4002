package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

func TestFlowRun_Chain(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b c", "a>b b>c")
	snap.Jobs[1].WorkerGroup = "gpu"
	snap.Jobs[2].TimeoutSeconds = 90
	exit := 0
	s.behave["c"] = func(context.Context) (RunJobResult, error) {
		return RunJobResult{ExitCode: &exit, Result: []byte(`{"rows":1}`)}, nil
	}

	res, err := run(t, env, input(snap))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, want SUCCESS", res.Status)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "b": jobflow.NodeSuccess, "c": jobflow.NodeSuccess})
	if got := strings.Join(s.calls, ","); got != "a,b,c" {
		t.Errorf("jobs ran in order %s, want a,b,c", got)
	}
	c := node(t, res.Nodes, "c")
	if c.ExitCode == nil || *c.ExitCode != 0 || (c.Result != nil && string(c.Result) != "null") || c.Attempt != 1 || c.StartedAt == nil || c.EndedAt == nil {
		t.Errorf("node c = %+v, want exit 0, attempt 1, times, and no result (RunJob's row has it)", c)
	}

	// One activity per job: id = job id, the worker group's queue, the job's timeout.
	for i, info := range s.infos {
		id := s.calls[i]
		if info.ActivityID != id {
			t.Errorf("job %s ran as activity id %q", id, info.ActivityID)
		}
	}
	if q := s.infos[1].TaskQueue; q != "jobflow-gpu" {
		t.Errorf("job b ran on task queue %q, want jobflow-gpu", q)
	}
	if d := s.infos[2].Deadline.Sub(s.infos[2].StartedTime).Round(time.Second); d != 90*time.Second {
		t.Errorf("job c has %s to run, want its 90 s timeout", d)
	}
	if hb := s.infos[0].HeartbeatTimeout; hb != JobHeartbeatTimeout {
		t.Errorf("heartbeat timeout %s, want %s", hb, JobHeartbeatTimeout)
	}

	// RecordRun: RUNNING with every node PENDING at the start; SUCCESS at the end.
	if len(s.records) != 2 {
		t.Fatalf("RecordRun called %d times, want 2", len(s.records))
	}
	first := s.records[0]
	if first.Run.Status != jobflow.RunRunning || first.Run.ID != "run1" || first.Run.TenantID != "t1" || first.Run.WorkflowID != "wf1" {
		t.Errorf("first record run = %+v", first.Run)
	}
	wantStatuses(t, first.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodePending, "b": jobflow.NodePending, "c": jobflow.NodePending})
	last := s.records[1]
	if last.Run.Status != jobflow.RunSuccess || last.Run.EndedAt == nil || len(last.Nodes) != 0 {
		t.Errorf("last record = %+v, want SUCCESS with an end time and no node rows (RunJob wrote them)", last)
	}
}

func TestFlowRun_Parallelism(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b c d e", "")
	snap.Config.MaxParallelism = 2
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		s.behave[id] = sleeps(50 * time.Millisecond)
	}
	res, err := run(t, env, input(snap))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if len(s.calls) != 5 {
		t.Errorf("%d jobs ran, want 5", len(s.calls))
	}
	if s.peak != 2 {
		t.Errorf("at most %d jobs ran at once, want exactly maxParallelism 2", s.peak)
	}
}

func TestFlowRun_Continue(t *testing.T) {
	// Diamond a -> b, c -> d with b failing, and an independent e.
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b c d e", "a>b a>c b>d c>d")
	s.behave["b"] = fails("exit status 3")
	s.behave["c"] = sleeps(30 * time.Millisecond)

	res, err := run(t, env, input(snap))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "RunFailed" {
		t.Fatalf("error %v, want a RunFailed application error", err)
	}
	if res.Status != jobflow.RunFail {
		t.Fatalf("status %s, want FAIL", res.Status)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"a": jobflow.NodeSuccess, "b": jobflow.NodeFail, "c": jobflow.NodeSuccess,
		"d": jobflow.NodeUpstreamFailed, "e": jobflow.NodeSuccess,
	})
	if s.callCount("d") != 0 {
		t.Error("d ran although its parent b failed")
	}
	if msg := node(t, res.Nodes, "b").Error; msg != "exit status 3" {
		t.Errorf("b's error %q", msg)
	}
	last := s.lastRecord(t)
	if last.Run.Status != jobflow.RunFail || !strings.Contains(last.Run.Error, `"job b"`) {
		t.Errorf("final run row %+v, want FAIL naming job b", last.Run)
	}
	// FlowRun records d (never started); b's row is RunJob's.
	wantStatuses(t, last.Nodes, map[string]jobflow.NodeStatus{"d": jobflow.NodeUpstreamFailed})
	if d := node(t, last.Nodes, "d"); d.EndedAt == nil || d.Error != `upstream job "job b" failed` {
		t.Errorf("d = %+v, want an end time and the failed parent named", d)
	}
}

func TestFlowRun_End(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b c d", "b>c a>d")
	snap.Config.FailureStrategy = jobflow.FailureEnd
	bRunning := make(chan struct{})
	s.behave["a"] = func(ctx context.Context) (RunJobResult, error) {
		select { // a fails while b runs
		case <-bRunning:
		case <-ctx.Done():
			return RunJobResult{}, ctx.Err()
		}
		return RunJobResult{}, temporal.NewApplicationError("boom", "JobFailed")
	}
	block := blocks()
	s.behave["b"] = func(ctx context.Context) (RunJobResult, error) {
		close(bRunning)
		return block(ctx)
	}

	res, err := run(t, env, input(snap))
	if err == nil || res.Status != jobflow.RunFail {
		t.Fatalf("status %s, err %v; want FAIL", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"a": jobflow.NodeFail, "b": jobflow.NodeAborted, "c": jobflow.NodeAborted, "d": jobflow.NodeAborted,
	})
	if s.callCount("c")+s.callCount("d") != 0 {
		t.Error("a node started after the first failure under END")
	}
	last := s.lastRecord(t)
	wantStatuses(t, last.Nodes, map[string]jobflow.NodeStatus{"b": jobflow.NodeAborted, "c": jobflow.NodeAborted, "d": jobflow.NodeAborted})
}

func TestFlowRun_Abort(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b c", "a>b")
	s.behave["a"] = blocks()
	s.behave["c"] = blocks()
	env.RegisterDelayedCallback(env.CancelWorkflow, 200*time.Millisecond)

	res, err := run(t, env, input(snap))
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("error %v, want canceled", err)
	}
	if res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, want ABORTED", res.Status)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeAborted, "b": jobflow.NodeAborted, "c": jobflow.NodeAborted})
	if s.callCount("b") != 0 {
		t.Error("b started after the abort")
	}
	var seen []jobflow.RunStatus
	for _, r := range s.records {
		seen = append(seen, r.Run.Status)
	}
	if len(seen) != 3 || seen[1] != jobflow.RunAborting || seen[2] != jobflow.RunAborted {
		t.Fatalf("run recorded as %v, want RUNNING, ABORTING, ABORTED", seen)
	}
	last := s.lastRecord(t)
	if last.Run.EndedAt == nil || last.Run.Error != "aborted by a user" {
		t.Errorf("final run row %+v", last.Run)
	}
	wantStatuses(t, last.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeAborted, "b": jobflow.NodeAborted, "c": jobflow.NodeAborted})
}

func TestFlowRun_Break(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	// a -> b -> c, a -> d: b is broken while a runs.
	snap := snapshot("a b c d", "a>b b>c a>d")
	release := make(chan struct{})
	s.behave["a"] = func(ctx context.Context) (RunJobResult, error) {
		<-release
		return RunJobResult{}, nil
	}
	var rejectA, rejectX, accepted string
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateBreak, "u1", &updateCallbacks{reject: &rejectA}, BreakRequest{JobID: "a"})
		env.UpdateWorkflow(UpdateBreak, "u2", &updateCallbacks{reject: &rejectX}, BreakRequest{JobID: "x"})
		env.UpdateWorkflow(UpdateBreak, "u3", &updateCallbacks{complete: &accepted}, BreakRequest{JobID: "b"})
	}, 100*time.Millisecond)
	env.RegisterDelayedCallback(func() {
		live := queryNodes(t, env)
		wantStatuses(t, live, map[string]jobflow.NodeStatus{"a": jobflow.NodeRunning, "b": jobflow.NodeBreak, "c": jobflow.NodeBreak, "d": jobflow.NodePending})
		close(release)
	}, 200*time.Millisecond)

	res, err := run(t, env, input(snap))
	if err != nil || res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, err %v; want ABORTED (BREAK nodes, no failure)", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "b": jobflow.NodeBreak, "c": jobflow.NodeBreak, "d": jobflow.NodeSuccess})
	if !strings.Contains(rejectA, "RUNNING") || !strings.Contains(rejectA, "only a PENDING or WAITING node") {
		t.Errorf("break of a running node: rejection %q", rejectA)
	}
	if !strings.Contains(rejectX, "not a node") {
		t.Errorf("break of an unknown node: rejection %q", rejectX)
	}
	if accepted != "ok" {
		t.Errorf("break of b: %q, want it accepted and completed", accepted)
	}
	if s.callCount("b")+s.callCount("c") != 0 {
		t.Error("a broken node ran")
	}
	wantStatuses(t, s.lastRecord(t).Nodes, map[string]jobflow.NodeStatus{"b": jobflow.NodeBreak, "c": jobflow.NodeBreak})
}

func TestFlowRun_BreakFinishedNode(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b", "a>b")
	release := make(chan struct{})
	s.behave["b"] = func(ctx context.Context) (RunJobResult, error) {
		<-release
		return RunJobResult{}, nil
	}
	var rejected string
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateBreak, "u1", &updateCallbacks{reject: &rejected}, BreakRequest{JobID: "a"})
		close(release)
	}, 100*time.Millisecond)
	res, err := run(t, env, input(snap))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if !strings.Contains(rejected, "job a is SUCCESS") {
		t.Errorf("break of a finished node: rejection %q", rejected)
	}
}

func TestFlowRun_Timeout(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a", "")
	snap.Jobs[0].TimeoutSeconds = 1
	s.behave["a"] = sleeps(5 * time.Second)
	res, err := run(t, env, input(snap))
	if err == nil || res.Status != jobflow.RunFail {
		t.Fatalf("status %s, err %v; want FAIL", res.Status, err)
	}
	a := node(t, res.Nodes, "a")
	if a.Status != jobflow.NodeFail || a.Error != "the job timed out after 1 s" {
		t.Errorf("node a = %s %q, want FAIL timed out after 1 s", a.Status, a.Error)
	}
	// RunJob could not record its own timeout: FlowRun does.
	wantStatuses(t, s.lastRecord(t).Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeFail})
}

func TestFlowRun_Retry(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b", "")
	snap.Jobs[0].Retry = jobflow.RetryPolicy{MaxAttempts: 3, IntervalSeconds: 1, Backoff: 1}
	flaky := func(ctx context.Context) (RunJobResult, error) {
		if activity.GetInfo(ctx).Attempt < 3 {
			return RunJobResult{}, temporal.NewApplicationError("flaky", "JobFailed")
		}
		return RunJobResult{}, nil
	}
	s.behave["a"] = flaky
	s.behave["b"] = flaky // no retry policy: one attempt
	res, _ := run(t, env, input(snap))
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "b": jobflow.NodeFail})
	if n := s.callCount("a"); n != 3 {
		t.Errorf("a ran %d times, want 3", n)
	}
	if n := s.callCount("b"); n != 1 {
		t.Errorf("b ran %d times, want 1 (jobs are not retried by default)", n)
	}
}

func TestFlowRun_LongErrorClipped(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	s.behave["a"] = fails(strings.Repeat("x", 10000))
	res, _ := run(t, env, input(snapshot("a", "")))
	if msg := node(t, res.Nodes, "a").Error; len(msg) > maxErrorBytes+10 || !strings.HasSuffix(msg, "[...]") {
		t.Errorf("error of %d bytes, want it clipped to %d", len(msg), maxErrorBytes)
	}
}

func TestFlowRun_MissingJob(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b", "a>b")
	snap.Jobs = snap.Jobs[1:] // a is on the canvas but not in the snapshot
	res, _ := run(t, env, input(snap))
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed})
	if res.Status != jobflow.RunFail || len(s.calls) != 0 {
		t.Errorf("status %s after %d calls, want FAIL and none", res.Status, len(s.calls))
	}
}

// updateCallbacks keeps the outcome of an update in the test env.
type updateCallbacks struct {
	reject, complete *string
}

func (u *updateCallbacks) Accept() {}
func (u *updateCallbacks) Reject(err error) {
	if u.reject != nil {
		*u.reject = err.Error()
	}
}
func (u *updateCallbacks) Complete(_ any, err error) {
	if u.complete != nil {
		*u.complete = "ok"
		if err != nil {
			*u.complete = err.Error()
		}
	}
}

// Under END, a node that fails before it can start (its job is missing)
// stops the nodes after it in the ready queue from starting.
func TestFlowRun_EndBeforeStart(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b c", "")
	snap.Config.FailureStrategy = jobflow.FailureEnd
	snap.Jobs = snap.Jobs[1:] // a is missing
	res, _ := run(t, env, input(snap))
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeFail, "b": jobflow.NodeAborted, "c": jobflow.NodeAborted})
	for _, id := range []string{"b", "c"} {
		if n := node(t, res.Nodes, id); n.StartedAt != nil || n.Attempt != 0 {
			t.Errorf("%s was started (at %v) after the failure under END", id, n.StartedAt)
		}
	}
}

// With alarm rules, FlowRun starts FlowRunAlarms, which sends RUN_START and,
// once FlowRun has signalled the end, RUN_END and RUN_SUCCESS.
func TestFlowRun_Alarms(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	var mu sync.Mutex
	var sent []string
	env.RegisterWorkflowWithOptions(FlowRunAlarms, workflow.RegisterOptions{Name: FlowRunAlarmsName})
	env.RegisterActivityWithOptions(func(_ context.Context, in SendAlarmInput) error {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, string(in.Event)+":"+string(in.Run.Status))
		return nil
	}, activity.RegisterOptions{Name: SendAlarmActivity})
	snap := snapshot("a b", "a>b")
	snap.Config.Alarms = []jobflow.AlarmRule{{
		Events:     []jobflow.AlarmEvent{jobflow.EventRunStart, jobflow.EventRunEnd, jobflow.EventRunSuccess, jobflow.EventRunFail},
		ChannelIDs: []string{"ch1"},
	}}
	res, err := run(t, env, input(snap))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(sent, " "); got != "RUN_START:RUNNING RUN_END:SUCCESS RUN_SUCCESS:SUCCESS" {
		t.Errorf("alarms sent: %s", got)
	}
}
