package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
)

// depStub stands in for CheckDependent and ForgetDependent: it answers
// each item from what the test says the store holds (per upstream
// workflow: a SUCCESS run in the window, or a newest run that FAILed),
// and counts checks and forgets.
type depStub struct {
	mu      sync.Mutex
	success map[string]string // workflow id -> SUCCESS run id in the window
	failed  map[string]string // workflow id -> its newest run, FAIL
	checks  int
	inputs  []CheckDependentInput
	forgets []string // job ids
}

func newDepStub() *depStub {
	return &depStub{success: map[string]string{}, failed: map[string]string{}}
}

func (d *depStub) set(f func(d *depStub)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(d)
}

func (d *depStub) check(_ context.Context, in CheckDependentInput) (CheckDependentResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checks++
	d.inputs = append(d.inputs, in)
	var res CheckDependentResult
	for _, it := range in.Config.Items {
		st := jobflow.DependentItemState{WorkflowID: it.WorkflowID, Window: it.Window}
		if id := d.success[it.WorkflowID]; id != "" {
			st.Met, st.RunID = true, id
		} else if id := d.failed[it.WorkflowID]; id != "" {
			st.Failed, st.RunID = true, id
		}
		res.Items = append(res.Items, st)
		res.Texts = append(res.Texts, "workflow "+it.WorkflowID+" ("+it.Window+")")
	}
	return res, nil
}

func (d *depStub) forget(_ context.Context, in ForgetDependentInput) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.forgets = append(d.forgets, in.JobID)
	return nil
}

func (d *depStub) checkCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.checks
}

// depEnv is newEnv with the DEPENDENT activities.
func depEnv(t *testing.T, s *stub, d *depStub) *testsuite.TestWorkflowEnvironment {
	env := newEnv(t, s)
	env.RegisterActivityWithOptions(d.check, activity.RegisterOptions{Name: CheckDependentActivity})
	env.RegisterActivityWithOptions(d.forget, activity.RegisterOptions{Name: ForgetDependentActivity})
	return env
}

// depInput: dep (DEPENDENT, cfg) -> after (SHELL), and other (SHELL) beside
// them; maxParallelism 1, so a slot held by dep would keep other waiting.
func depInput(cfg jobtypes.DependentConfig) FlowRunInput {
	snap := snapshot("dep after other", "dep>after")
	snap.Config.MaxParallelism = 1
	b, _ := json.Marshal(cfg)
	snap.Jobs[0].Type, snap.Jobs[0].Config = jobflow.JobDependent, b
	return input(snap)
}

func depConfig(relation, onFail string, workflows ...string) jobtypes.DependentConfig {
	c := jobtypes.DependentConfig{Relation: relation, OnUpstreamFail: onFail, CheckIntervalSeconds: 60}
	for _, w := range workflows {
		c.Items = append(c.Items, jobtypes.DependentItem{WorkflowID: w, Window: "yesterday"})
	}
	return c
}

func depNode(t *testing.T, res FlowRunResult) jobflow.NodeRun {
	t.Helper()
	return node(t, res.Nodes, "dep")
}

// waitedFor is how long dep waited.
func waitedFor(t *testing.T, n jobflow.NodeRun) time.Duration {
	t.Helper()
	if n.StartedAt == nil || n.EndedAt == nil {
		t.Fatalf("dep has start %v, end %v", n.StartedAt, n.EndedAt)
	}
	return n.EndedAt.Sub(*n.StartedAt)
}

// lastDepRecord is the last record of dep the stub RecordRun got.
func lastDepRecord(t *testing.T, s *stub) jobflow.NodeRun {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := len(s.records) - 1; k >= 0; k-- {
		for _, n := range s.records[k].Nodes {
			if n.JobID == "dep" {
				return n
			}
		}
	}
	t.Fatal("dep was never recorded")
	return jobflow.NodeRun{}
}

func TestDependent_MetAtOnce(t *testing.T) {
	s, d := newStub(), newDepStub()
	d.success["wf_up"] = "run_up"
	env := depEnv(t, s, d)
	in := depInput(depConfig("AND", "FAIL", "wf_up"))
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"dep": jobflow.NodeSuccess, "after": jobflow.NodeSuccess, "other": jobflow.NodeSuccess})
	if d.checks != 1 || waitedFor(t, depNode(t, res)) != 0 {
		t.Errorf("%d checks, waited %v; want one check and no wait", d.checks, waitedFor(t, depNode(t, res)))
	}
	ci := d.inputs[0]
	if ci.RunID != "run1" || ci.JobID != "dep" || ci.TenantID != "t1" || ci.Timezone != "Asia/Shanghai" ||
		!ci.LogicalTime.Equal(in.LogicalTime) || ci.TemporalWorkflowID == "" {
		t.Errorf("check input %+v", ci)
	}
	// The run view: dep's row says which items met, with the run that met it.
	rec := lastDepRecord(t, s)
	var items []jobflow.DependentItemState
	if err := json.Unmarshal([]byte(rec.Outputs["items"]), &items); err != nil || len(items) != 1 || !items[0].Met || items[0].RunID != "run_up" {
		t.Errorf("dep's recorded outputs %v (%v)", rec.Outputs, err)
	}
	if rec.Status != jobflow.NodeSuccess || rec.Outputs["met"] != "1/1" || rec.JobType != jobflow.JobDependent {
		t.Errorf("dep recorded as %+v", rec)
	}
	if len(d.forgets) != 1 || d.forgets[0] != "dep" {
		t.Errorf("forgets %v, want dep's waits forgotten once", d.forgets)
	}
	if s.callCount("dep") != 0 {
		t.Error("a DEPENDENT job went to RunJob")
	}
}

// Woken by the signal an upstream run's final record sends, long before
// the next interval check; the wait holds no slot (other ran meanwhile).
func TestDependent_WokenBySignal(t *testing.T) {
	s, d := newStub(), newDepStub()
	env := depEnv(t, s, d)
	cfg := depConfig("AND", "FAIL", "wf_up")
	cfg.CheckIntervalSeconds = 3600
	queried := false
	env.RegisterDelayedCallback(func() {
		queried = true
		wantStatuses(t, queryNodes(t, env), map[string]jobflow.NodeStatus{
			"dep": jobflow.NodeWaiting, "after": jobflow.NodePending, "other": jobflow.NodeSuccess})
		// A signal about another workflow checks nothing.
		env.SignalWorkflow(SignalDependent, DependentSignal{WorkflowID: "wf_else", RunID: "x", Status: jobflow.RunSuccess})
	}, 5*time.Minute)
	env.RegisterDelayedCallback(func() {
		if n := d.checkCount(); n != 1 {
			t.Errorf("%d checks before the upstream ended, want 1", n)
		}
		d.set(func(d *depStub) { d.success["wf_up"] = "run_up" })
		env.SignalWorkflow(SignalDependent, DependentSignal{WorkflowID: "wf_up", RunID: "run_up", Status: jobflow.RunSuccess})
	}, 10*time.Minute)
	res, err := run(t, env, depInput(cfg))
	if err != nil || res.Status != jobflow.RunSuccess || !queried {
		t.Fatalf("status %s, err %v, queried %v", res.Status, err, queried)
	}
	if w := waitedFor(t, depNode(t, res)); w != 10*time.Minute {
		t.Errorf("dep waited %v, want 10m (until the signal)", w)
	}
	if d.checks != 2 {
		t.Errorf("%d checks, want 2 (start, signal)", d.checks)
	}
	if o := node(t, res.Nodes, "other"); o.EndedAt == nil || o.EndedAt.After(*depNode(t, res).EndedAt) {
		t.Errorf("other ended %v, after dep: dep held the only slot", o.EndedAt)
	}
	// While waiting, the run view showed dep WAITING with nothing met.
	var waiting []jobflow.NodeRun
	for _, r := range s.records {
		for _, n := range r.Nodes {
			if n.JobID == "dep" && n.Status == jobflow.NodeWaiting {
				waiting = append(waiting, n)
			}
		}
	}
	if len(waiting) == 0 || waiting[len(waiting)-1].Outputs["met"] != "0/1" {
		t.Errorf("WAITING records of dep: %+v", waiting)
	}
}

// With no signal, the fallback check every checkIntervalSeconds finds it.
func TestDependent_FallbackInterval(t *testing.T) {
	s, d := newStub(), newDepStub()
	env := depEnv(t, s, d)
	env.RegisterDelayedCallback(func() { d.set(func(d *depStub) { d.success["wf_up"] = "run_up" }) }, 5*time.Minute+30*time.Second)
	res, err := run(t, env, depInput(depConfig("AND", "FAIL", "wf_up")))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if w := waitedFor(t, depNode(t, res)); w != 6*time.Minute {
		t.Errorf("dep waited %v, want 6m (the first check after 5m30s)", w)
	}
	if d.checks != 7 {
		t.Errorf("%d checks, want 7 (at 0, 1, ... 6 minutes)", d.checks)
	}
}

// At its timeout the node fails listing what it still waits for; its
// descendants are UPSTREAM_FAILED.
func TestDependent_Timeout(t *testing.T) {
	for _, c := range []struct {
		relation, want string
	}{
		{"AND", "timed out after 300 s waiting for every one of: workflow wf_b (yesterday)"},
		{"OR", "timed out after 300 s waiting for one of: workflow wf_b (yesterday); workflow wf_c (yesterday)"},
	} {
		t.Run(c.relation, func(t *testing.T) {
			s, d := newStub(), newDepStub()
			d.success["wf_a"] = "run_a"
			d.success["wf_c"] = map[string]string{"AND": "run_c", "OR": ""}[c.relation]
			env := depEnv(t, s, d)
			cfg := depConfig(c.relation, "FAIL", "wf_a", "wf_b", "wf_c")
			if c.relation == "OR" {
				cfg.Items = cfg.Items[1:] // wf_b, wf_c: neither met
			}
			cfg.TimeoutSeconds = 300
			res, _ := run(t, env, depInput(cfg))
			if res.Status != jobflow.RunFail {
				t.Fatalf("status %s", res.Status)
			}
			dep := depNode(t, res)
			if dep.Status != jobflow.NodeFail || dep.Error != c.want {
				t.Errorf("dep %s %q, want FAIL %q", dep.Status, dep.Error, c.want)
			}
			if w := waitedFor(t, dep); w != 300*time.Second {
				t.Errorf("failed after %v, want 300s", w)
			}
			if a := node(t, res.Nodes, "after"); a.Status != jobflow.NodeUpstreamFailed {
				t.Errorf("after is %s", a.Status)
			}
			if d.checks != 6 { // at 0, 60, ... 300 s: one last check at the deadline
				t.Errorf("%d checks, want 6", d.checks)
			}
			if len(d.forgets) != 1 {
				t.Errorf("forgets %v", d.forgets)
			}
		})
	}
}

// AND waits for every item, OR for one: the same store, met or not.
func TestDependent_Relation(t *testing.T) {
	for _, relation := range []string{"AND", "OR"} {
		t.Run(relation, func(t *testing.T) {
			s, d := newStub(), newDepStub()
			d.success["wf_a"] = "run_a"
			env := depEnv(t, s, d)
			// wf_b succeeds after 30 minutes: AND waits for it, OR does not.
			env.RegisterDelayedCallback(func() { d.set(func(d *depStub) { d.success["wf_b"] = "run_b" }) }, 30*time.Minute)
			res, err := run(t, env, depInput(depConfig(relation, "FAIL", "wf_a", "wf_b")))
			if err != nil || res.Status != jobflow.RunSuccess {
				t.Fatalf("status %s, err %v", res.Status, err)
			}
			want := map[string]time.Duration{"AND": 30 * time.Minute, "OR": 0}[relation]
			if w := waitedFor(t, depNode(t, res)); w != want {
				t.Errorf("dep waited %v, want %v", w, want)
			}
		})
	}
}

// onUpstreamFail: FAIL fails the node when the newest upstream run in the
// window failed; WAIT waits on, for a rerun or backfill that succeeds.
func TestDependent_OnUpstreamFail(t *testing.T) {
	t.Run("FAIL", func(t *testing.T) {
		s, d := newStub(), newDepStub()
		env := depEnv(t, s, d)
		env.RegisterDelayedCallback(func() {
			d.set(func(d *depStub) { d.failed["wf_up"] = "run_bad" })
			env.SignalWorkflow(SignalDependent, DependentSignal{WorkflowID: "wf_up", RunID: "run_bad", Status: jobflow.RunFail})
		}, 10*time.Minute)
		res, _ := run(t, env, depInput(depConfig("AND", "FAIL", "wf_up")))
		dep := depNode(t, res)
		if res.Status != jobflow.RunFail || dep.Status != jobflow.NodeFail ||
			dep.Error != "upstream failed: workflow wf_up (yesterday): its newest run run_bad ended FAIL" {
			t.Fatalf("run %s, dep %s %q", res.Status, dep.Status, dep.Error)
		}
		if w := waitedFor(t, dep); w != 10*time.Minute {
			t.Errorf("failed after %v, want at the signal", w)
		}
	})
	t.Run("ORFailsOnlyWhenAllFailed", func(t *testing.T) {
		s, d := newStub(), newDepStub()
		d.failed["wf_a"] = "run_bad"
		env := depEnv(t, s, d)
		env.RegisterDelayedCallback(func() { d.set(func(d *depStub) { d.failed["wf_b"] = "run_bad2" }) }, 3*time.Minute+time.Second)
		res, _ := run(t, env, depInput(depConfig("OR", "FAIL", "wf_a", "wf_b")))
		dep := depNode(t, res)
		if dep.Status != jobflow.NodeFail || waitedFor(t, dep) != 4*time.Minute || !strings.Contains(dep.Error, "run_bad2") {
			t.Fatalf("dep %s after %v: %q", dep.Status, waitedFor(t, dep), dep.Error)
		}
	})
	t.Run("WAIT", func(t *testing.T) {
		s, d := newStub(), newDepStub()
		d.failed["wf_up"] = "run_bad"
		env := depEnv(t, s, d)
		env.RegisterDelayedCallback(func() {
			d.set(func(d *depStub) { d.success["wf_up"] = "run_fixed" })
			env.SignalWorkflow(SignalDependent, DependentSignal{WorkflowID: "wf_up", RunID: "run_fixed", Status: jobflow.RunSuccess})
		}, 20*time.Minute)
		res, err := run(t, env, depInput(depConfig("AND", "WAIT", "wf_up")))
		if err != nil || res.Status != jobflow.RunSuccess {
			t.Fatalf("status %s, err %v", res.Status, err)
		}
		if w := waitedFor(t, depNode(t, res)); w != 20*time.Minute {
			t.Errorf("dep waited %v, want 20m", w)
		}
	})
}

func TestDependent_AbortWhileWaiting(t *testing.T) {
	s, d := newStub(), newDepStub()
	env := depEnv(t, s, d)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)
	res, err := run(t, env, depInput(depConfig("AND", "FAIL", "wf_up")))
	if err == nil || res.Status != jobflow.RunAborted {
		t.Fatalf("status %s, err %v; want ABORTED", res.Status, err)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"dep": jobflow.NodeAborted, "after": jobflow.NodeAborted, "other": jobflow.NodeSuccess})
	if len(d.forgets) != 1 || d.forgets[0] != "dep" {
		t.Errorf("forgets %v, want dep's", d.forgets)
	}
	if last := s.lastRecord(t).Run; last.EndedAt == nil || last.EndedAt.Sub(last.StartedAt) != 10*time.Minute {
		t.Errorf("the run ended at %v, want at the abort", last.EndedAt)
	}
}

func TestDependent_BreakWhileWaiting(t *testing.T) {
	s, d := newStub(), newDepStub()
	env := depEnv(t, s, d)
	var accepted string
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateBreak, "u1", &updateCallbacks{complete: &accepted}, BreakRequest{JobID: "dep"})
	}, 10*time.Minute+30*time.Second)
	res, err := run(t, env, depInput(depConfig("AND", "FAIL", "wf_up")))
	if err != nil || res.Status != jobflow.RunAborted || accepted != "ok" {
		t.Fatalf("status %s, err %v, break %q; want ABORTED after the break", res.Status, err, accepted)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"dep": jobflow.NodeBreak, "after": jobflow.NodeBreak, "other": jobflow.NodeSuccess})
	if len(d.forgets) != 1 || d.checks != 11 {
		t.Errorf("forgets %v, %d checks; want dep's waits forgotten after 11 checks", d.forgets, d.checks)
	}
}

// Continue-as-new carries a waiting DEPENDENT node as PENDING with its
// start: the next execution waits again, and keeps the deadline.
func TestDependent_ContinueAsNew(t *testing.T) {
	s1, d1 := newStub(), newDepStub()
	env1 := depEnv(t, s1, d1)
	env1.SetContinueAsNewSuggested(true)
	cfg := depConfig("AND", "FAIL", "wf_up")
	cfg.TimeoutSeconds = 600
	in := depInput(cfg)
	env1.SetStartTime(in.LogicalTime)
	env1.ExecuteWorkflow(FlowRunName, in)
	var can *workflow.ContinueAsNewError
	if err := env1.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("first execution ended with %v, want continue-as-new", err)
	}
	var next FlowRunInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	wantStatuses(t, next.Carry, map[string]jobflow.NodeStatus{"dep": jobflow.NodePending, "after": jobflow.NodePending, "other": jobflow.NodeSuccess})
	var carried jobflow.NodeRun
	for _, n := range next.Carry {
		if n.JobID == "dep" {
			carried = n
		}
	}
	if carried.StartedAt == nil || !carried.StartedAt.Equal(in.LogicalTime) {
		t.Fatalf("dep carried with start %v", carried.StartedAt)
	}

	// The next execution starts 200 s later: 400 s of the 600 are left.
	s2, d2 := newStub(), newDepStub()
	env2 := depEnv(t, s2, d2)
	env2.SetStartTime(in.LogicalTime.Add(200 * time.Second))
	res, _ := run(t, env2, next)
	dep := depNode(t, res)
	if dep.Status != jobflow.NodeFail || !strings.HasPrefix(dep.Error, "timed out after 600 s") || waitedFor(t, dep) != 600*time.Second {
		t.Fatalf("dep %s %q after %v, want the carried deadline", dep.Status, dep.Error, waitedFor(t, dep))
	}
	if d2.checks == 0 {
		t.Error("the next execution never checked")
	}
}

func TestDependent_InvalidConfig(t *testing.T) {
	s, d := newStub(), newDepStub()
	env := depEnv(t, s, d)
	in := depInput(depConfig("AND", "FAIL"))
	res, _ := run(t, env, in)
	if dep := depNode(t, res); dep.Status != jobflow.NodeFail || !strings.Contains(dep.Error, "invalid DEPENDENT config: config.items") {
		t.Fatalf("dep %s %q", dep.Status, dep.Error)
	}
	if d.checks != 0 {
		t.Error("an invalid config was checked")
	}
}

// FailureStrategy END: another job's failure aborts the waiting node and
// forgets its waits; the run ends at the failure, not at the deadline.
func TestDependent_EndStrategy(t *testing.T) {
	s, d := newStub(), newDepStub()
	s.behave["other"] = func(ctx context.Context) (RunJobResult, error) {
		time.Sleep(10 * time.Millisecond) // the dependent node is waiting by then (a real activity takes time)
		return fails("boom")(ctx)
	}
	env := depEnv(t, s, d)
	in := depInput(depConfig("AND", "FAIL", "wf_up"))
	in.Snapshot.Config.FailureStrategy = jobflow.FailureEnd
	res, _ := run(t, env, in)
	if res.Status != jobflow.RunFail {
		t.Fatalf("status %s", res.Status)
	}
	wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"dep": jobflow.NodeAborted, "after": jobflow.NodeAborted, "other": jobflow.NodeFail})
	if len(d.forgets) != 1 || d.forgets[0] != "dep" {
		t.Errorf("forgets %v", d.forgets)
	}
	if w := waitedFor(t, depNode(t, res)); w > time.Minute {
		t.Errorf("dep was aborted after %v, want at the failure", w)
	}
}

// A lone DEPENDENT node waiting for long continues as new when Temporal
// suggests it, after depChecksPerExecution checks (so a wait of days stays
// under the history limit), and waits on in the next execution.
func TestDependent_LongWaitContinuesAsNew(t *testing.T) {
	s, d := newStub(), newDepStub()
	env := depEnv(t, s, d)
	env.SetContinueAsNewSuggested(true)
	snap := snapshot("dep", "")
	cfg := depConfig("AND", "FAIL", "wf_up")
	cfg.TimeoutSeconds = 7 * 24 * 3600
	b, _ := json.Marshal(cfg)
	snap.Jobs[0].Type, snap.Jobs[0].Config = jobflow.JobDependent, b
	env.ExecuteWorkflow(FlowRunName, input(snap))
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("ended with %v, want continue-as-new", err)
	}
	if d.checks != depChecksPerExecution {
		t.Errorf("%d checks before continuing as new, want %d", d.checks, depChecksPerExecution)
	}
	var next FlowRunInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if len(next.Carry) != 1 || next.Carry[0].Status != jobflow.NodePending || next.Carry[0].StartedAt == nil {
		t.Fatalf("carried %+v", next.Carry)
	}
}

// A large run's packed carry keeps a waiting DEPENDENT node (PENDING with
// its start) so its deadline survives continue-as-new, and still drops the
// plain PENDING ones.
func TestDependent_PackedCarryKeepsStart(t *testing.T) {
	start := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	got, err := UnpackNodes(packNodes([]jobflow.NodeRun{
		{JobID: "dep", Status: jobflow.NodePending, StartedAt: &start, Attempt: 1},
		{JobID: "later", Status: jobflow.NodePending},
		{JobID: "done", Status: jobflow.NodeSuccess},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].JobID != "dep" || got[0].StartedAt == nil || !got[0].StartedAt.Equal(start) || got[1].JobID != "done" {
		t.Fatalf("unpacked %+v", got)
	}
}
