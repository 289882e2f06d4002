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
	"go.temporal.io/sdk/testsuite"

	"jobflow"
)

// admitter stands in for the AdmitRun activity: answers[i] is the i-th
// answer (the last one repeats).
type admitter struct {
	mu      sync.Mutex
	answers []jobflow.Admission
	asks    []AdmitRunInput
}

func (a *admitter) admit(_ context.Context, in AdmitRunInput) (jobflow.Admission, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asks = append(a.asks, in)
	return a.answers[min(len(a.asks), len(a.answers))-1], nil
}

func (a *admitter) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.asks)
}

// limited is a two-job run of a workflow limited to one run at once.
func limited(behavior string) FlowRunInput {
	in := input(snapshot("a b", "a>b"))
	in.Snapshot.Config.Concurrency = &jobflow.Concurrency{Limit: 1, Behavior: behavior}
	return in
}

func queueEnv(t *testing.T, s *stub, answers ...jobflow.Admission) (*testsuite.TestWorkflowEnvironment, *admitter) {
	env := newEnv(t, s)
	a := &admitter{answers: answers}
	env.RegisterActivityWithOptions(a.admit, activity.RegisterOptions{Name: AdmitRunActivity})
	return env, a
}

var (
	queued  = jobflow.Admission{Status: jobflow.RunQueued, Position: 1, Holders: 1}
	granted = jobflow.Admission{Status: jobflow.RunRunning, Holders: 1}
)

// A queued run records QUEUED with its nodes PENDING, starts nothing and
// refuses updates until the grant's signal; then it runs, records no
// RUNNING of its own (the grant did), and its final record hands its slot
// on (docs/run-semantics.md#workflow-concurrency).
func TestFlowRun_QueuedUntilGranted(t *testing.T) {
	s := newStub()
	env, a := queueEnv(t, s, queued)
	var pauseRejected, breakRejected string
	env.RegisterDelayedCallback(func() {
		if n := s.callCount("a"); n != 0 {
			t.Errorf("a started %d times while queued", n)
		}
		wantStatuses(t, queryNodes(t, env), map[string]jobflow.NodeStatus{"a": jobflow.NodePending, "b": jobflow.NodePending})
		env.UpdateWorkflow(UpdatePause, "p", &updateCallbacks{reject: &pauseRejected})
		env.UpdateWorkflow(UpdateBreak, "b", &updateCallbacks{reject: &breakRejected}, BreakRequest{JobID: "b"})
		env.SignalWorkflow(SignalSlotGranted, nil)
	}, 5*time.Second)

	res, err := run(t, env, limited(jobflow.ConcurrencyQueue))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if !strings.Contains(pauseRejected, "queued") || !strings.Contains(breakRejected, "queued") {
		t.Errorf("updates while queued: pause %q, break %q; want both rejected as queued", pauseRejected, breakRejected)
	}
	if a.count() != 1 {
		t.Errorf("asked %d times, want once (the signal came before the first re-ask)", a.count())
	}
	got := statusesRecorded(s)
	if len(got) < 2 || got[0] != jobflow.RunQueued || got[len(got)-1] != jobflow.RunSuccess || strings.Contains(statusList(got[1:len(got)-1]), "QUEUED") {
		t.Fatalf("recorded run statuses %v", got)
	}
	if first := s.records[0]; len(first.Nodes) != 2 || !first.Start {
		t.Errorf("the queued record carries %d nodes, start %v; want both nodes, as the start", len(first.Nodes), first.Start)
	}
	if last := s.lastRecord(t); !last.Queue {
		t.Error("the final record does not hand the slot on")
	}
}

// A grant whose signal was lost is found by re-asking: at 10 s, 20 s, …
func TestFlowRun_QueuedSignalLost(t *testing.T) {
	s := newStub()
	env, a := queueEnv(t, s, queued, queued, granted)
	res, err := run(t, env, limited(jobflow.ConcurrencyQueue))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if a.count() != 3 || s.callCount("a") != 1 || s.callCount("b") != 1 {
		t.Fatalf("%d asks, a ran %d, b ran %d; want 3, 1, 1", a.count(), s.callCount("a"), s.callCount("b"))
	}
}

// An abort ends a queued run at once: ABORTED, its nodes ABORTED, no job
// run, and no alarm workflow signalled (none was started).
func TestFlowRun_AbortWhileQueued(t *testing.T) {
	s := newStub()
	env, _ := queueEnv(t, s, queued)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	in := limited(jobflow.ConcurrencyQueue)
	in.Snapshot.Config.Alarms = []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{jobflow.EventRunEnd}, ChannelIDs: []string{"ch"}}}
	res, err := run(t, env, in)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) || res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, err %v; want ABORTED, canceled", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeAborted, "b": jobflow.NodeAborted})
	if n := s.callCount("a") + s.callCount("b"); n != 0 {
		t.Fatalf("%d jobs ran", n)
	}
	if got := statusesRecorded(s); got[len(got)-1] != jobflow.RunAborted {
		t.Fatalf("recorded %v", got)
	}
}

// SKIP: the store recorded the run SKIPPED; FlowRun ends at once, writing
// nothing. FAIL: the run fails with the store's reason, no job run.
func TestFlowRun_SkippedAndRefused(t *testing.T) {
	s := newStub()
	env, _ := queueEnv(t, s, jobflow.Admission{Status: jobflow.RunSkipped, Error: "skipped: …"})
	res, err := run(t, env, limited(jobflow.ConcurrencySkip))
	if err != nil || res.Status != jobflow.RunSkipped || len(s.records) != 0 || s.callCount("a") != 0 {
		t.Fatalf("skip: status %s, err %v, %d records, a ran %d", res.Status, err, len(s.records), s.callCount("a"))
	}

	s = newStub()
	why := "refused: the workflow allows 1 run(s) at once and 1 are going on"
	env, _ = queueEnv(t, s, jobflow.Admission{Status: jobflow.RunFail, Error: why})
	res, err = run(t, env, limited(jobflow.ConcurrencyFail))
	if err == nil || res.Status != jobflow.RunFail || s.callCount("a") != 0 {
		t.Fatalf("refuse: status %s, err %v, a ran %d", res.Status, err, s.callCount("a"))
	}
	if last := s.lastRecord(t); last.Run.Status != jobflow.RunFail || last.Run.Error != why {
		t.Fatalf("refused run recorded %s %q", last.Run.Status, last.Run.Error)
	}
}

// A workflow without a limit never asks.
func TestFlowRun_UnlimitedNeverAsks(t *testing.T) {
	s := newStub()
	env, a := queueEnv(t, s, granted)
	res, err := run(t, env, input(snapshot("a b", "a>b")))
	if err != nil || res.Status != jobflow.RunSuccess || a.count() != 0 || s.lastRecord(t).Queue {
		t.Fatalf("status %s, err %v, %d asks", res.Status, err, a.count())
	}
}

func statusList(st []jobflow.RunStatus) string {
	var b strings.Builder
	for _, s := range st {
		b.WriteString(string(s) + " ")
	}
	return b.String()
}

// A run aborted before its first workflow task never asks for a slot and
// ends ABORTED, not FAIL.
func TestFlowRun_AbortedBeforeAdmission(t *testing.T) {
	s := newStub()
	env, a := queueEnv(t, s, queued)
	env.RegisterDelayedCallback(env.CancelWorkflow, 0)
	res, err := run(t, env, limited(jobflow.ConcurrencyQueue))
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) || res.Status != jobflow.RunAborted || s.callCount("a") != 0 {
		t.Fatalf("status %s, err %v, a ran %d (asked %d times)", res.Status, err, s.callCount("a"), a.count())
	}
}
