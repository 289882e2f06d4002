package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"jobflow"
)

// TestFlowRun_MarkSuccess: a fails while s keeps the run going; b and c
// are UPSTREAM_FAILED. Marking a succeeded makes it FORCED_SUCCESS with
// who and why, b and c run, and the run succeeds. Marking a node that did
// not fail is rejected (docs/run-semantics.md#mark-success).
func TestFlowRun_MarkSuccess(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	s.behave["a"] = fails("a broke")
	release := make(chan struct{})
	s.behave["s"] = func(context.Context) (RunJobResult, error) {
		<-release
		return RunJobResult{}, nil
	}
	var rejected, marked string
	env.RegisterDelayedCallback(func() {
		wantStatuses(t, queryNodes(t, env), map[string]jobflow.NodeStatus{"a": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed,
			"c": jobflow.NodeUpstreamFailed, "s": jobflow.NodeRunning})
		env.UpdateWorkflow(UpdateMarkSuccess, "m0", &updateCallbacks{reject: &rejected}, MarkSuccessRequest{JobID: "s", By: "alice", Reason: "x"})
		env.UpdateWorkflow(UpdateMarkSuccess, "m1", &updateCallbacks{complete: &marked}, MarkSuccessRequest{JobID: "a", By: "alice", Reason: "fixed the table by hand"})
	}, 100*time.Millisecond)
	env.RegisterDelayedCallback(func() { close(release) }, 200*time.Millisecond)

	res, err := run(t, env, input(snapshot("a b c s", "a>b b>c")))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v; want SUCCESS", res.Status, err)
	}
	if marked != "ok" || !strings.Contains(rejected, "only a FAIL or UPSTREAM_FAILED node") {
		t.Fatalf("mark a: %q; mark running s: %q", marked, rejected)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeForcedSuccess, "b": jobflow.NodeSuccess,
		"c": jobflow.NodeSuccess, "s": jobflow.NodeSuccess})
	if a := node(t, res.Nodes, "a"); a.Error != "marked succeeded by alice: fixed the table by hand" {
		t.Errorf("a's note %q", a.Error)
	}
	if s.callCount("b") != 1 || s.callCount("c") != 1 {
		t.Errorf("b ran %d times, c %d", s.callCount("b"), s.callCount("c"))
	}
}

// TestFlowRun_MarkSuccessRerun: a FAILED-mode rerun whose plan carries a
// FORCED_SUCCESS node keeps it FORCED_SUCCESS (with its note), never
// SKIPPED, and runs what failed below it.
func TestFlowRun_MarkSuccessRerun(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in := input(snapshot("a b c", "a>b b>c"))
	in.Trigger, in.RerunOf = jobflow.TriggerRerun, "run0"
	in.Plan = &RerunPlan{Mode: jobflow.RerunFailed, Prior: []PriorNode{
		{JobID: "a", Status: jobflow.NodeForcedSuccess, Note: "marked succeeded by bob: ok"},
		{JobID: "b", Status: jobflow.NodeUpstreamFailed},
		{JobID: "c", Status: jobflow.NodeUpstreamFailed},
	}}
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeForcedSuccess, "b": jobflow.NodeSuccess, "c": jobflow.NodeSuccess})
	if got := ran(s); got != "b c" {
		t.Errorf("ran %q, want b c", got)
	}
	if a := node(t, res.Nodes, "a"); a.Error != "marked succeeded by bob: ok" {
		t.Errorf("a's note %q", a.Error)
	}
}
