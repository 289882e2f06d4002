package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"jobflow"
)

// statusesRecorded lists the run statuses the stub's records carried, in
// order, without repeats.
func statusesRecorded(s *stub) []jobflow.RunStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []jobflow.RunStatus
	for _, r := range s.records {
		if len(out) == 0 || out[len(out)-1] != r.Run.Status {
			out = append(out, r.Run.Status)
		}
	}
	return out
}

// TestFlowRun_PauseResume: a pause while a runs lets a finish and starts
// nothing (b and d wait, PENDING, for the resume); the run is recorded
// PAUSED, then RUNNING again, and ends SUCCESS. A second pause and a
// resume of a run not paused are rejected (docs/run-semantics.md#pause-and-resume).
func TestFlowRun_PauseResume(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	release := make(chan struct{})
	s.behave["a"] = func(context.Context) (RunJobResult, error) {
		<-release
		return RunJobResult{}, nil
	}
	var paused, again, resumed, notPaused string
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateResume, "r0", &updateCallbacks{reject: &notPaused})
		env.UpdateWorkflow(UpdatePause, "p1", &updateCallbacks{complete: &paused})
		env.UpdateWorkflow(UpdatePause, "p2", &updateCallbacks{reject: &again})
		close(release) // a finishes while the run is paused
	}, 100*time.Millisecond)
	env.RegisterDelayedCallback(func() {
		// An hour later (workflow time), nothing has started.
		live := queryNodes(t, env)
		wantStatuses(t, live, map[string]jobflow.NodeStatus{"a": jobflow.NodeSuccess, "b": jobflow.NodePending, "c": jobflow.NodePending, "d": jobflow.NodePending})
		if n := s.callCount("b") + s.callCount("d"); n != 0 {
			t.Errorf("%d jobs started while paused", n)
		}
		env.UpdateWorkflow(UpdateResume, "r1", &updateCallbacks{complete: &resumed})
	}, time.Hour)

	res, err := run(t, env, input(snapshot("a b c d", "a>b b>c a>d")))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if paused != "ok" || resumed != "ok" {
		t.Errorf("pause %q, resume %q: want both accepted and completed", paused, resumed)
	}
	if !strings.Contains(again, "already paused") || !strings.Contains(notPaused, "not paused") {
		t.Errorf("second pause %q, resume of a running run %q: want both rejected", again, notPaused)
	}
	got := statusesRecorded(s)
	want := []jobflow.RunStatus{jobflow.RunRunning, jobflow.RunPaused, jobflow.RunRunning, jobflow.RunSuccess}
	if len(got) != len(want) {
		t.Fatalf("recorded run statuses %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("recorded run statuses %v, want %v", got, want)
		}
	}
}

// TestFlowRun_AbortWhilePaused: a paused run with nothing running is
// aborted at once: its waiting nodes are ABORTED.
func TestFlowRun_AbortWhilePaused(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	var paused string
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdatePause, "p1", &updateCallbacks{complete: &paused})
	}, 0)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, time.Hour)
	res, _ := run(t, env, input(snapshot("a b", "a>b")))
	if paused != "ok" {
		t.Fatalf("pause %q", paused)
	}
	if res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, want ABORTED", res.Status)
	}
	for _, n := range res.Nodes {
		if n.Status == jobflow.NodePending || n.Status == jobflow.NodeRunning {
			t.Errorf("node %s left %s", n.JobID, n.Status)
		}
	}
}
