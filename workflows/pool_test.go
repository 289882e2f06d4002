package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"jobflow"
)

// pools stands in for AcquirePool and ReleasePool: grants[jobID] says
// whether the n-th ask of that job is granted (the last answer repeats).
type pools struct {
	mu       sync.Mutex
	grants   map[string][]bool
	asks     map[string]int
	released []string // job ids, "" for the whole run
}

func (p *pools) acquire(_ context.Context, req jobflow.PoolRequest) (jobflow.PoolGrant, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asks[req.JobID]++
	g := p.grants[req.JobID]
	ok := g[min(p.asks[req.JobID], len(g))-1]
	if ok {
		return jobflow.PoolGrant{Granted: true, Used: 1, Slots: 1}, nil
	}
	return jobflow.PoolGrant{Position: 1, Used: 1, Slots: 1}, nil
}

func (p *pools) release(_ context.Context, in ReleasePoolInput) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.released = append(p.released, in.JobID)
	return nil
}

func poolEnv(t *testing.T, s *stub, grants map[string][]bool) (*testsuite.TestWorkflowEnvironment, *pools) {
	env := newEnv(t, s)
	p := &pools{grants: grants, asks: map[string]int{}}
	env.RegisterActivityWithOptions(p.acquire, activity.RegisterOptions{Name: AcquirePoolActivity})
	env.RegisterActivityWithOptions(p.release, activity.RegisterOptions{Name: ReleasePoolActivity})
	return env, p
}

// pooled is a -> b with both jobs in pool db; c is beside them, in no pool.
func pooled() FlowRunInput {
	in := input(snapshot("a b c", "a>b"))
	for i := range in.Snapshot.Jobs {
		if j := &in.Snapshot.Jobs[i]; j.ID != "c" {
			j.Pool, j.PoolSlots = "db", 1
		}
	}
	return in
}

// A pooled job that is not granted waits WAITING — holding no slot, so a
// job beside it runs under maxParallelism 1 — until the grant's signal;
// every lease is released when its node ends, and the run's at its end
// (docs/run-semantics.md#pools).
func TestFlowRun_PoolWaitsForGrant(t *testing.T) {
	s := newStub()
	env, p := poolEnv(t, s, map[string][]bool{"a": {false}, "b": {true}})
	in := pooled()
	in.Snapshot.Config.MaxParallelism = 1
	env.RegisterDelayedCallback(func() {
		wantStatuses(t, queryNodes(t, env), map[string]jobflow.NodeStatus{"a": jobflow.NodeWaiting, "b": jobflow.NodePending, "c": jobflow.NodeSuccess})
		env.SignalWorkflow(SignalPoolGranted, PoolGranted{JobID: "a"})
	}, 5*time.Second)
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if p.asks["a"] != 1 || p.asks["b"] != 1 {
		t.Errorf("asks %v: want one each (a granted by the signal)", p.asks)
	}
	if want := []string{"a", "b", ""}; len(p.released) != 3 || p.released[0] != "a" || p.released[1] != "b" || p.released[2] != "" {
		t.Errorf("released %q, want %q", p.released, want)
	}
	waitingRecorded := false
	for _, r := range s.records {
		for _, n := range r.Nodes {
			waitingRecorded = waitingRecorded || n.JobID == "a" && n.Status == jobflow.NodeWaiting
		}
	}
	if !waitingRecorded {
		t.Error("a was never recorded WAITING")
	}
}

// A lost signal is made up for by asking again; an abort while waiting
// ends the run at once, with the lease released.
func TestFlowRun_PoolRecheckAndAbort(t *testing.T) {
	s := newStub()
	env, p := poolEnv(t, s, map[string][]bool{"a": {false, false, true}, "b": {true}})
	res, err := run(t, env, pooled())
	if err != nil || res.Status != jobflow.RunSuccess || p.asks["a"] != 3 {
		t.Fatalf("status %s, err %v, a asked %d times (want 3)", res.Status, err, p.asks["a"])
	}

	s = newStub()
	env, p = poolEnv(t, s, map[string][]bool{"a": {false}, "b": {true}})
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	res, err = run(t, env, pooled())
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) || res.Status != jobflow.RunAborted || s.callCount("a") != 0 {
		t.Fatalf("abort while waiting: status %s, err %v, a ran %d", res.Status, err, s.callCount("a"))
	}
	if len(p.released) == 0 {
		t.Fatal("the waiting lease was not released")
	}
}

// A request that can never be granted fails the node with the reason.
func TestFlowRun_PoolRefused(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	env.RegisterActivityWithOptions(func(context.Context, jobflow.PoolRequest) (jobflow.PoolGrant, error) {
		return jobflow.PoolGrant{Error: `pool "db" does not exist in this tenant`}, nil
	}, activity.RegisterOptions{Name: AcquirePoolActivity})
	env.RegisterActivityWithOptions(func(context.Context, ReleasePoolInput) error { return nil }, activity.RegisterOptions{Name: ReleasePoolActivity})
	res, _ := run(t, env, pooled())
	if a := node(t, res.Nodes, "a"); res.Status != jobflow.RunFail || a.Status != jobflow.NodeFail || a.Error != `pool "db" does not exist in this tenant` {
		t.Fatalf("run %s, a %s %q", res.Status, a.Status, a.Error)
	}
}
