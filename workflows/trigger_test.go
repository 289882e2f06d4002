package workflows

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jobflow"
)

// withRule sets node id's trigger rule (and allowFailure) on snapshot s.
func withRule(s *jobflow.Snapshot, id string, rule jobflow.TriggerRule, allowFailure bool) {
	for i := range s.Canvas.Nodes {
		if s.Canvas.Nodes[i].JobID == id {
			s.Canvas.Nodes[i].Trigger, s.Canvas.Nodes[i].AllowFailure = rule, allowFailure
		}
	}
}

// TestTriggerRules: a join h of parents a and b, for every rule and the
// outcomes that decide it, and the run's final status (docs/run-semantics.md#final-status).
func TestTriggerRules(t *testing.T) {
	const ok, bad = "ok", "fail"
	tests := []struct {
		rule       jobflow.TriggerRule
		a, b       string
		allowA     bool
		wantH      jobflow.NodeStatus
		wantRun    jobflow.RunStatus
		wantHError string
	}{
		{"", ok, ok, false, jobflow.NodeSuccess, jobflow.RunSuccess, ""},
		{jobflow.RuleAllSuccess, ok, bad, false, jobflow.NodeUpstreamFailed, jobflow.RunFail, `upstream job "job b" failed`},
		{jobflow.RuleAllDone, ok, bad, false, jobflow.NodeSuccess, jobflow.RunFail, ""},
		{jobflow.RuleAllDone, bad, ok, true, jobflow.NodeSuccess, jobflow.RunSuccess, ""},
		{jobflow.RuleOneSuccess, bad, ok, false, jobflow.NodeSuccess, jobflow.RunFail, ""},
		{jobflow.RuleOneSuccess, bad, bad, false, jobflow.NodeUpstreamFailed, jobflow.RunFail, `upstream job "job a" failed`},
		// A failure handled by a ONE_FAILED node still fails the run…
		{jobflow.RuleOneFailed, bad, ok, false, jobflow.NodeSuccess, jobflow.RunFail, ""},
		// …unless the failed job allows failure.
		{jobflow.RuleOneFailed, bad, ok, true, jobflow.NodeSuccess, jobflow.RunSuccess, ""},
		{jobflow.RuleOneFailed, ok, ok, false, jobflow.NodeNotSelected, jobflow.RunSuccess, "trigger ONE_FAILED: no upstream job failed"},
		{jobflow.RuleNoneFailed, ok, ok, false, jobflow.NodeSuccess, jobflow.RunSuccess, ""},
		{jobflow.RuleNoneFailed, ok, bad, false, jobflow.NodeUpstreamFailed, jobflow.RunFail, `upstream job "job b" failed`},
		// allowFailure: the run succeeds, and ALL_SUCCESS still sees the failure.
		{jobflow.RuleAllSuccess, bad, ok, true, jobflow.NodeUpstreamFailed, jobflow.RunSuccess, `upstream job "job a" failed`},
	}
	for _, tt := range tests {
		name := string(tt.rule) + "/" + tt.a + "," + tt.b
		if tt.allowA {
			name += "/allowFailure"
		}
		t.Run(name, func(t *testing.T) {
			s := newStub()
			env := newEnv(t, s)
			snap := snapshot("a b h", "a>h b>h")
			withRule(&snap, "h", tt.rule, false)
			withRule(&snap, "a", "", tt.allowA)
			if tt.a == bad {
				s.behave["a"] = fails("a broke")
			}
			if tt.b == bad {
				s.behave["b"] = fails("b broke")
			}
			res, _ := run(t, env, input(snap))
			if res.Status != tt.wantRun {
				t.Errorf("run %s, want %s", res.Status, tt.wantRun)
			}
			h := node(t, res.Nodes, "h")
			if h.Status != tt.wantH {
				t.Errorf("h is %s, want %s", h.Status, tt.wantH)
			}
			if ran := s.callCount("h") > 0; ran != (tt.wantH == jobflow.NodeSuccess) {
				t.Errorf("h ran %d times with status %s", s.callCount("h"), h.Status)
			}
			if tt.wantHError != "" && h.Error != tt.wantHError {
				t.Errorf("h's error %q, want %q", h.Error, tt.wantHError)
			}
			if tt.wantRun == jobflow.RunSuccess && s.lastRecord(t).Run.Error != "" {
				t.Errorf("a SUCCESS run records error %q", s.lastRecord(t).Run.Error)
			}
		})
	}
}

// TestTriggerRules_OneSuccessStartsEarly: ONE_SUCCESS starts as soon as one
// parent succeeded, without waiting for the others.
func TestTriggerRules_OneSuccessStartsEarly(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b h", "a>h b>h")
	withRule(&snap, "h", jobflow.RuleOneSuccess, false)
	var bDone, bDoneWhenHStarted atomic.Bool
	s.behave["b"] = func(ctx context.Context) (RunJobResult, error) {
		// b takes time for real, so "h started before b ended" can be seen;
		// blocking b until h starts would hang, not fail, a wrong rule.
		time.Sleep(700 * time.Millisecond)
		bDone.Store(true)
		return RunJobResult{}, nil
	}
	s.behave["h"] = func(context.Context) (RunJobResult, error) {
		bDoneWhenHStarted.Store(bDone.Load())
		return RunJobResult{}, nil
	}
	res, err := run(t, env, input(snap))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("run %s, %v", res.Status, err)
	}
	if s.callCount("h") != 1 {
		t.Fatalf("h ran %d times, want once", s.callCount("h"))
	}
	if bDoneWhenHStarted.Load() {
		t.Error("h waited for b; ONE_SUCCESS must start after a alone")
	}
}

// TestTriggerRules_Cascade: an ALL_DONE cleanup two levels below a failure
// runs after the UPSTREAM_FAILED node between them.
func TestTriggerRules_Cascade(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a b c d", "a>b b>c c>d")
	withRule(&snap, "c", jobflow.RuleAllDone, false)
	s.behave["a"] = fails("a broke")
	res, _ := run(t, env, input(snap))
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"a": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed, "c": jobflow.NodeSuccess, "d": jobflow.NodeSuccess,
	})
	if res.Status != jobflow.RunFail {
		t.Errorf("run %s, want FAIL", res.Status)
	}
	if got := strings.Join(s.calls, ","); got != "a,c,d" {
		t.Errorf("ran %s, want a,c,d", got)
	}
}

// TestTriggerRules_EndStopsHandlers: under FailureStrategy END a failure
// aborts the rest, ONE_FAILED handlers included (docs/run-semantics.md#final-status).
func TestTriggerRules_EndStopsHandlers(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	snap := snapshot("a h", "a>h")
	snap.Config.FailureStrategy = jobflow.FailureEnd
	withRule(&snap, "h", jobflow.RuleOneFailed, false)
	s.behave["a"] = fails("a broke")
	res, _ := run(t, env, input(snap))
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeFail, "h": jobflow.NodeAborted})
	if s.callCount("h") != 0 {
		t.Error("the handler ran under END")
	}
}
