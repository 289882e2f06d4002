package jobflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"jobflow"
)

var t0 = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)

func at(sec int) *time.Time { x := t0.Add(time.Duration(sec) * time.Second); return &x }

func liveRun(edges [][2]string, nodes ...*jobflow.NodeRun) *jobflow.Run {
	r := &jobflow.Run{Status: jobflow.RunRunning, StartedAt: t0, Nodes: nodes}
	for _, e := range edges {
		r.Edges = append(r.Edges, jobflow.Edge{From: e[0], To: e[1]})
	}
	return r
}

func nr(id string, st jobflow.NodeStatus, start, end *time.Time) *jobflow.NodeRun {
	return &jobflow.NodeRun{JobID: id, Status: st, StartedAt: start, EndedAt: end}
}

func stat(p50, p90 int) jobflow.JobStats {
	return jobflow.JobStats{Samples: 3, P50: time.Duration(p50) * time.Second, P90: time.Duration(p90) * time.Second}
}

func TestPredict_ChainAndFanOut(t *testing.T) {
	// a (done at 10s) → b (running since 10s, p50 20s) → c (p50 30s).
	chain := liveRun([][2]string{{"a", "b"}, {"b", "c"}},
		nr("a", jobflow.NodeSuccess, at(0), at(10)), nr("b", jobflow.NodeRunning, at(10), nil), nr("c", jobflow.NodePending, nil, nil))
	p := jobflow.Predict(chain, map[string]jobflow.JobStats{"a": stat(10, 10), "b": stat(20, 40), "c": stat(30, 60)}, *at(15))
	if p.FinishAt == nil || !p.FinishAt.Equal(*at(60)) || !p.FinishAtP90.Equal(*at(110)) {
		t.Fatalf("chain: finish %v p90 %v, want +60s and +110s (%s)", p.FinishAt, p.FinishAtP90, p.Basis)
	}
	if !slices.Equal(p.CriticalPath, []string{"b", "c"}) {
		t.Fatalf("chain critical path %v", p.CriticalPath)
	}
	// A running job past its p50 is predicted to end now, not in the past.
	p = jobflow.Predict(chain, map[string]jobflow.JobStats{"b": stat(20, 20), "c": stat(30, 30)}, *at(50))
	if !p.FinishAt.Equal(*at(80)) {
		t.Fatalf("overdue b: finish %v, want +80s", p.FinishAt)
	}

	// a → {b (p50 5s), c (p50 50s)} → d (p50 10s), nothing started yet;
	// d waits 2s in the queue.
	fan := liveRun([][2]string{{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}},
		nr("a", jobflow.NodePending, nil, nil), nr("b", jobflow.NodePending, nil, nil),
		nr("c", jobflow.NodePending, nil, nil), nr("d", jobflow.NodePending, nil, nil))
	d := stat(10, 10)
	d.WaitP50, d.WaitP90 = 2*time.Second, 2*time.Second
	p = jobflow.Predict(fan, map[string]jobflow.JobStats{"a": stat(1, 1), "b": stat(5, 5), "c": stat(50, 50), "d": d}, t0)
	if !p.FinishAt.Equal(*at(63)) || !slices.Equal(p.CriticalPath, []string{"a", "c", "d"}) {
		t.Fatalf("fan-out: finish %v path %v, want +63s via a,c,d", p.FinishAt, p.CriticalPath)
	}
	if len(p.Jobs) != 4 {
		t.Fatalf("fan-out: %d predicted bars, want 4", len(p.Jobs))
	}
}

func TestPredict_NoHistoryAndSkippedBranch(t *testing.T) {
	r := liveRun([][2]string{{"a", "b"}}, nr("a", jobflow.NodeRunning, at(0), nil), nr("b", jobflow.NodePending, nil, nil))
	p := jobflow.Predict(r, map[string]jobflow.JobStats{"a": stat(5, 5)}, t0)
	if p.FinishAt != nil || !strings.Contains(p.Basis, "no prediction") || !strings.Contains(p.Basis, "b") {
		t.Fatalf("no history for b: %+v", p)
	}
	// b's parent failed: b will not run, so its missing history does not matter.
	r = liveRun([][2]string{{"a", "b"}, {"x", "y"}},
		nr("a", jobflow.NodeFail, at(0), at(3)), nr("b", jobflow.NodePending, nil, nil),
		nr("x", jobflow.NodeRunning, at(0), nil), nr("y", jobflow.NodePending, nil, nil))
	p = jobflow.Predict(r, map[string]jobflow.JobStats{"x": stat(5, 5), "y": stat(7, 9)}, t0)
	if p.FinishAt == nil || !p.FinishAt.Equal(*at(12)) || !slices.Equal(p.CriticalPath, []string{"x", "y"}) {
		t.Fatalf("failed branch: %+v", p)
	}
}

func TestJobStatsFrom(t *testing.T) {
	var hist []jobflow.RunTiming
	for i, d := range []int{10, 30, 20, 1000} { // the last one failed
		st := jobflow.NodeSuccess
		if i == 3 {
			st = jobflow.NodeFail
		}
		start := t0.Add(time.Duration(i) * time.Hour)
		aEnd := start.Add(5 * time.Second)
		bStart := aEnd.Add(time.Duration(i+1) * time.Second)
		bEnd := bStart.Add(time.Duration(d) * time.Second)
		hist = append(hist, jobflow.RunTiming{StartedAt: start, Nodes: []*jobflow.NodeRun{
			nr("a", jobflow.NodeSuccess, &start, &aEnd), nr("b", st, &bStart, &bEnd)}})
	}
	s := jobflow.JobStatsFrom(hist, map[string][]string{"b": {"a"}})
	b := s["b"]
	if b.Samples != 3 || b.P50 != 20*time.Second || b.P90 != 30*time.Second || b.WaitP50 != 2*time.Second || b.WaitP90 != 3*time.Second {
		t.Fatalf("b stats %+v", b)
	}
	if s["a"].Samples != 4 || s["a"].P50 != 5*time.Second {
		t.Fatalf("a stats %+v", s["a"])
	}
}
