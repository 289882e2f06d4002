package workflows

import (
	"testing"
	"time"

	"jobflow"
)

// discreteInput: a -> b (cron 02:30), a -> c (no cron), a -> d (cron 02:00,
// the logical time itself), in Asia/Shanghai, logical time 02:00 there.
func discreteInput(t *testing.T, mode string) (FlowRunInput, time.Time) {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	snap := snapshot("a b c d", "a>b a>c a>d")
	snap.Config.Schedule.Mode = mode
	snap.Config.Schedule.Timezone = "Asia/Shanghai"
	snap.Jobs[1].Cron = "0 30 2 * * ?"
	snap.Jobs[3].Cron = "0 2 * * *"
	in := input(snap)
	in.LogicalTime = time.Date(2026, 11, 25, 2, 0, 0, 0, loc)
	return in, in.LogicalTime
}

func TestFlowRun_DiscreteWaits(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in, logical := discreteInput(t, jobflow.ModeDiscrete)
	env.SetStartTime(logical)
	queried := false
	env.RegisterDelayedCallback(func() {
		queried = true
		wantStatuses(t, queryNodes(t, env), map[string]jobflow.NodeStatus{
			"a": jobflow.NodeSuccess, "b": jobflow.NodeWaiting, "c": jobflow.NodeSuccess, "d": jobflow.NodeSuccess,
		})
	}, 10*time.Minute)

	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if !queried {
		t.Fatal("the run ended before b's cron time")
	}
	if b := node(t, res.Nodes, "b"); b.StartedAt == nil || !b.StartedAt.Equal(logical.Add(30*time.Minute)) {
		t.Errorf("b started at %v, want its cron time %v", b.StartedAt, logical.Add(30*time.Minute))
	}
	for _, id := range []string{"c", "d"} { // no cron, or a cron time equal to the logical time: no wait
		if n := node(t, res.Nodes, id); n.StartedAt == nil || n.StartedAt.Sub(logical) > time.Minute {
			t.Errorf("%s started at %v, want at once", id, n.StartedAt)
		}
	}
}

func TestFlowRun_SingleIgnoresJobCron(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in, logical := discreteInput(t, jobflow.ModeSingle)
	env.SetStartTime(logical)
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if b := node(t, res.Nodes, "b"); b.StartedAt == nil || b.StartedAt.Sub(logical) > time.Minute {
		t.Errorf("b started at %v, want at once in SINGLE mode", b.StartedAt)
	}
}

func TestFlowRun_BreakWaiting(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in, logical := discreteInput(t, jobflow.ModeDiscrete)
	in.Snapshot.Canvas.Edges = append(in.Snapshot.Canvas.Edges, jobflow.Edge{From: "b", To: "c"}) // c now waits for b too
	env.SetStartTime(logical)
	var accepted string
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateBreak, "u1", &updateCallbacks{complete: &accepted}, BreakRequest{JobID: "b"})
	}, 10*time.Minute)

	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, err %v; want ABORTED", res.Status, err)
	}
	if accepted != "ok" {
		t.Fatalf("break of a WAITING node: %q", accepted)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"a": jobflow.NodeSuccess, "b": jobflow.NodeBreak, "c": jobflow.NodeBreak, "d": jobflow.NodeSuccess,
	})
	// The timer was cancelled: the run ended at the break, not at 02:30.
	if end := s.lastRecord(t).Run.EndedAt; end == nil || end.Sub(logical) >= 30*time.Minute {
		t.Errorf("run ended at %v, want before b's cron time", end)
	}
	if s.callCount("b") != 0 {
		t.Error("b ran after being broken")
	}
}

func TestFlowRun_DiscreteBadCron(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in, logical := discreteInput(t, jobflow.ModeDiscrete)
	in.Snapshot.Jobs[1].Cron = "not a cron"
	env.SetStartTime(logical)
	res, _ := run(t, env, in)
	if b := node(t, res.Nodes, "b"); b.Status != jobflow.NodeFail || b.Error == "" {
		t.Errorf("b = %s %q, want FAIL naming the cron", b.Status, b.Error)
	}
}

func TestFlowRun_AbortWhileWaiting(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	in, logical := discreteInput(t, jobflow.ModeDiscrete)
	env.SetStartTime(logical)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)
	res, err := run(t, env, in)
	if err == nil || res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, err %v; want ABORTED", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{
		"a": jobflow.NodeSuccess, "b": jobflow.NodeAborted, "c": jobflow.NodeSuccess, "d": jobflow.NodeSuccess,
	})
	if s.callCount("b") != 0 {
		t.Error("b ran after the abort")
	}
	// Nothing was running when the abort came: no ABORTING, straight to
	// ABORTED. In between, b's WAITING was recorded for the REST API.
	var seen []jobflow.RunStatus
	for _, r := range s.records {
		seen = append(seen, r.Run.Status)
	}
	if len(seen) != 3 || seen[0] != jobflow.RunRunning || seen[1] != jobflow.RunRunning || seen[2] != jobflow.RunAborted {
		t.Fatalf("run recorded as %v, want RUNNING, RUNNING (b waiting), ABORTED", seen)
	}
	if w := s.records[1].Nodes; len(w) != 1 || w[0].JobID != "b" || w[0].Status != jobflow.NodeWaiting {
		t.Errorf("second record's nodes %+v, want b WAITING", w)
	}
}
