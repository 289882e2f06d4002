package engine_test

import (
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// pooledJob is a SHELL job in a pool.
func pooledJob(name, script, pool string, priority int) jobSpec {
	j := shell(name, script)
	j.Pool, j.Priority = pool, priority
	return j
}

// Through the REST API on a real Temporal server: a pool of 2 shared by
// six runs of two workflows never runs more than 2 of their jobs at once
// and all succeed; a waiting node shows why ("pool db 1/1, position 1")
// and the pool lists it; waiters go by priority; bad pools and jobs are
// refused (docs/run-semantics.md#pools).
func TestEngine_Pools(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	var pool jobflow.Pool
	e.API.Must("POST", "/api/v1/pools", map[string]any{"name": "db", "slots": 2}, 201, &pool)

	// Refusals change nothing.
	e.API.Fail("POST", "/api/v1/pools", map[string]any{"name": "db", "slots": 1}, 409)
	e.API.Fail("POST", "/api/v1/pools", map[string]any{"name": "bad name", "slots": 1}, 400)
	e.API.Fail("POST", "/api/v1/pools", map[string]any{"name": "x", "slots": 0}, 400)
	var probe jobflow.Workflow
	e.API.Must("POST", "/api/v1/workflows", map[string]string{"name": "probe"}, 201, &probe)
	if f := e.API.Fail("POST", "/api/v1/workflows/"+probe.ID+"/jobs", pooledJob("j", "true", "nope", 0), 400); !strings.Contains(f.Message, `no pool "nope"`) {
		t.Fatalf("a job naming a missing pool: %+v", f)
	}
	e.API.Fail("POST", "/api/v1/workflows/"+probe.ID+"/jobs", map[string]any{"name": "j", "type": "SHELL", "config": map[string]any{"script": "true"}, "priority": 9}, 400)

	t.Run("SharedCapacity", func(t *testing.T) {
		w1, ids1 := e.workflow("pooled-1", []jobSpec{pooledJob("a", "sleep 0.5", "db", 0)}, nil)
		w2, ids2 := e.workflow("pooled-2", []jobSpec{pooledJob("a", "sleep 0.5", "db", 0)}, nil)
		var runIDs []string
		for _, w := range []string{w1, w2, w1, w2, w1, w2} {
			var started struct{ RunID string }
			e.API.Must("POST", "/api/v1/workflows/"+w+"/runs", map[string]any{}, 202, &started)
			runIDs = append(runIDs, started.RunID)
		}
		var spans []span
		for _, id := range runIDs {
			r := e.waitFinished(id)
			if r.Status != jobflow.RunSuccess || len(r.Nodes) != 1 || (r.Nodes[0].JobID != ids1["a"] && r.Nodes[0].JobID != ids2["a"]) {
				t.Fatalf("run %s: %s", id, r.Status)
			}
			spans = append(spans, span{*r.Nodes[0].StartedAt, *r.Nodes[0].EndedAt})
		}
		if peak := peakOverlap(spans); peak != 2 {
			t.Fatalf("%d pooled jobs ran at once, want 2 (the pool's slots)", peak)
		}
		var after jobflow.Pool
		e.API.Must("GET", "/api/v1/pools/"+pool.ID, nil, 200, &after)
		if after.Used != 0 || len(after.Holders) != 0 || len(after.Waiters) != 0 {
			t.Fatalf("the pool after every run ended: %+v", after)
		}
	})

	t.Run("WaitingAndPriority", func(t *testing.T) {
		var one jobflow.Pool
		e.API.Must("POST", "/api/v1/pools", map[string]any{"name": "one", "slots": 1}, 201, &one)
		hold, hids := e.workflow("holder", []jobSpec{pooledJob("h", "sleep 600", "one", 0)}, nil)
		low, _ := e.workflow("low", []jobSpec{pooledJob("l", "echo low", "one", 5)}, nil)
		high, _ := e.workflow("high", []jobSpec{pooledJob("x", "echo high", "one", 1)}, nil)
		start := func(w string) string {
			var started struct{ RunID string }
			e.API.Must("POST", "/api/v1/workflows/"+w+"/runs", map[string]any{}, 202, &started)
			return started.RunID
		}
		holder := start(hold)
		e.eventually(30*time.Second, "the holder running", func() bool {
			r := e.run(holder)
			return len(r.Nodes) == 1 && r.Nodes[0].Status == jobflow.NodeRunning
		})
		lowRun := start(low)
		e.eventually(30*time.Second, "low waiting", func() bool {
			r := e.run(lowRun)
			return len(r.Nodes) == 1 && r.Nodes[0].Status == jobflow.NodeWaiting && r.Nodes[0].WaitReason == "pool one 1/1, position 1"
		})
		highRun := start(high)
		e.eventually(30*time.Second, "high waiting ahead of low", func() bool {
			r := e.run(highRun)
			return len(r.Nodes) == 1 && r.Nodes[0].WaitReason == "pool one 1/1, position 1"
		})
		var p jobflow.Pool
		e.API.Must("GET", "/api/v1/pools/"+one.ID, nil, 200, &p)
		if len(p.Holders) != 1 || p.Holders[0].JobID != hids["h"] || len(p.Waiters) != 2 || p.Waiters[0].RunID != highRun || p.Waiters[1].RunID != lowRun || p.Waiters[1].Position != 2 {
			t.Fatalf("pool %+v", p)
		}
		e.API.Fail("DELETE", "/api/v1/pools/"+one.ID, nil, 409)
		e.API.Must("POST", "/api/v1/runs/"+holder+"/abort", nil, 202, nil)
		hr, lr := e.waitFinished(highRun), e.waitFinished(lowRun)
		if hr.Status != jobflow.RunSuccess || lr.Status != jobflow.RunSuccess || !hr.Nodes[0].StartedAt.Before(*lr.Nodes[0].StartedAt) {
			t.Fatalf("high %s at %v, low %s at %v: want both SUCCESS, high first", hr.Status, hr.Nodes[0].StartedAt, lr.Status, lr.Nodes[0].StartedAt)
		}
		if r := e.waitFinished(holder); r.Status != jobflow.RunAborted {
			t.Fatalf("holder %s", r.Status)
		}
		e.eventually(10*time.Second, "the pool empty", func() bool {
			var now jobflow.Pool
			e.API.Must("GET", "/api/v1/pools/"+one.ID, nil, 200, &now)
			return now.Used == 0 && len(now.Holders) == 0 && len(now.Waiters) == 0
		})
		e.API.Must("DELETE", "/api/v1/pools/"+one.ID, nil, 204, nil)
	})
}
