package e2e

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
)

// TestPrediction_AndBaselines, through the REST API on a real Temporal
// server and real job processes:
//   - a run with no history says it has no prediction; after 3 runs, a
//     chain's and a fan-out's predicted finish, read just after the run
//     starts, is within 10 % of its real run time of the actual end, and
//     the critical path is the slow branch;
//   - bad baselines are refused with the field named, and none is stored;
//   - a baseline whose target ran today is MET at its first check;
//   - a baseline whose target never ran goes WARNING at finishBy − margin
//     and BREACHED at finishBy, each alarm sent exactly once.
func TestPrediction_AndBaselines(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	hook := newHookInbox(t)
	e.API.AllowEgress("127.0.0.1")
	var ch jobflow.AlarmChannel
	e.API.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "ops-hook", "type": "WEBHOOK", "config": map[string]any{"url": hook.srv.URL}}, 201, &ch)

	never, _ := e.workflow("never-runs", []jobSpec{shell("x", "true")}, nil, nil)
	chain, _ := e.workflow("chain", []jobSpec{shell("a", "sleep 1"), shell("b", "sleep 2"), shell("c", "sleep 1")},
		[][2]string{{"a", "b"}, {"b", "c"}}, nil)
	fan, fanIDs := e.workflow("fan", []jobSpec{shell("root", "sleep 1"), shell("fast", "sleep 1"), shell("slow", "sleep 3"), shell("join", "sleep 1")},
		[][2]string{{"root", "fast"}, {"root", "slow"}, {"fast", "join"}, {"slow", "join"}}, nil)

	// Bad input first: a 400 naming the field, and nothing stored.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "b", "finishBy": "07:00", "targets": []map[string]string{{"workflowId": "wf_nope"}}}, "targets[0].workflowId"},
		{map[string]any{"name": "b", "finishBy": "25:00", "targets": []map[string]string{{"workflowId": never}}}, "finishBy"},
		{map[string]any{"name": "b", "finishBy": "07:00", "targets": []map[string]string{}}, "targets"},
		{map[string]any{"name": "b", "finishBy": "07:00", "timezone": "Mars/Base", "targets": []map[string]string{{"workflowId": never}}}, "timezone"},
		{map[string]any{"name": "b", "finishBy": "07:00", "marginMinutes": -1, "targets": []map[string]string{{"workflowId": never}}}, "marginMinutes"},
	} {
		code, b := e.API.Do("POST", "/api/v1/baselines", c.body)
		if code != 400 || !strings.Contains(string(b), `"field":"`+c.field+`"`) {
			t.Fatalf("POST %v: %d %s, want 400 on %s", c.body, code, b, c.field)
		}
	}
	var list jobflow.List[jobflow.Baseline]
	if e.API.Must("GET", "/api/v1/baselines", nil, 200, &list); list.Total != 0 {
		t.Fatalf("a refused baseline was stored: %+v", list)
	}

	// The never-run target's baseline: finishBy the next whole minute at
	// least 60 s ahead, margin 1 minute, in UTC.
	now := time.Now().UTC()
	deadline := now.Add(60 * time.Second).Truncate(time.Minute).Add(time.Minute)
	date, finishBy := now.Format(time.DateOnly), deadline.Format("15:04")
	if deadline.Format(time.DateOnly) != date {
		finishBy = "+1d " + finishBy
	}
	var breach jobflow.Baseline
	e.API.Must("POST", "/api/v1/baselines", map[string]any{"name": "never", "finishBy": finishBy, "timezone": "UTC", "marginMinutes": 1,
		"channelIds": []string{ch.ID}, "targets": []map[string]string{{"workflowId": never}}}, 201, &breach)

	// Prediction: none without history, then within 10 % after 3 runs.
	first := e.start(chain, nil)
	if p := e.waitRun(first, 30*time.Second, "a prediction", func(r *jobflow.Run) bool { return r.Prediction != nil }).Prediction; p.FinishAt != nil ||
		!strings.Contains(p.Basis, "no prediction") {
		t.Fatalf("first run predicted %+v", p)
	}
	e.waitFinished(first)
	for i := 0; i < 2; i++ {
		e.waitFinished(e.start(chain, nil))
	}
	for i := 0; i < 3; i++ {
		e.waitFinished(e.start(fan, nil))
	}
	for _, c := range []struct {
		wf       string
		lastPath string
	}{{chain, ""}, {fan, fanIDs["slow"]}} {
		id := e.start(c.wf, nil)
		r := e.waitRun(id, 30*time.Second, "a prediction", func(r *jobflow.Run) bool { return r.Prediction != nil && r.Prediction.FinishAt != nil })
		p := r.Prediction
		if c.lastPath != "" && (len(p.CriticalPath) < 2 || p.CriticalPath[len(p.CriticalPath)-2] != c.lastPath) {
			t.Errorf("fan-out critical path %v, want it through slow %s", p.CriticalPath, c.lastPath)
		}
		done := e.waitFinished(id)
		if done.Prediction != nil {
			t.Errorf("a finished run carries a prediction: %+v", done.Prediction)
		}
		took := done.EndedAt.Sub(done.StartedAt)
		miss := p.FinishAt.Sub(*done.EndedAt)
		t.Logf("%s: predicted end %s, actual %s (off by %s of %s; p90 %s)", done.WorkflowName, p.FinishAt.Format(time.StampMilli),
			done.EndedAt.Format(time.StampMilli), miss, took, p.FinishAtP90.Format(time.StampMilli))
		if math.Abs(float64(miss)) > 0.1*float64(took) {
			t.Errorf("%s: prediction off by %s, more than 10%% of %s", done.WorkflowName, miss, took)
		}
	}

	// A baseline over today's runs of chain: MET at its first check.
	var met jobflow.Baseline
	e.API.Must("POST", "/api/v1/baselines", map[string]any{"name": "chain by deadline", "finishBy": finishBy, "timezone": "UTC",
		"targets": []map[string]string{{"workflowId": chain}}}, 201, &met)
	in := e.waitInstance(met.ID, date, 30*time.Second, jobflow.BaselineMet)
	if len(in.Targets) != 1 || in.Targets[0].Status != jobflow.TargetSuccess || in.FinishedAt == nil {
		t.Fatalf("MET instance %+v", in)
	}
	if code, b := e.API.Do("GET", "/api/v1/baselines/"+met.ID+"/instances?date=12-01-2026", nil); code != 400 {
		t.Fatalf("a bad date: %d %s", code, b)
	}

	// The never-run target: BREACHED at the deadline, after a WARNING.
	in = e.waitInstance(breach.ID, date, time.Until(deadline)+30*time.Second, jobflow.BaselineBreached)
	if in.Targets[0].Status != jobflow.TargetNotStarted || !in.CheckedAt.Before(deadline.Add(20*time.Second)) {
		t.Fatalf("BREACHED instance %+v (deadline %s)", in, deadline)
	}
	time.Sleep(2 * time.Second) // a second send would come now
	hook.mu.Lock()
	defer hook.mu.Unlock()
	count := map[string]int{}
	for _, b := range hook.bodies {
		for _, ev := range []string{"BASELINE_WARNING", "BASELINE_BREACHED", "BASELINE_RECOVERED"} {
			if strings.Contains(b, `"event":"`+ev+`"`) {
				count[ev]++
			}
		}
	}
	if count["BASELINE_WARNING"] != 1 || count["BASELINE_BREACHED"] != 1 || count["BASELINE_RECOVERED"] != 0 {
		t.Fatalf("alarms %v, want one WARNING and one BREACHED: %v", count, hook.bodies)
	}
}

// waitInstance polls a baseline's instance of date until it has status.
func (e *env) waitInstance(id, date string, timeout time.Duration, status jobflow.BaselineStatus) *jobflow.BaselineInstance {
	e.t.Helper()
	var got jobflow.List[*jobflow.BaselineInstance]
	if !testwait.Until(timeout, func() bool {
		code, _ := e.API.Do("GET", "/api/v1/baselines/"+id+"/instances?date="+date, nil)
		if code != 200 {
			return false
		}
		e.API.Must("GET", "/api/v1/baselines/"+id+"/instances?date="+date, nil, 200, &got)
		return len(got.Items) == 1 && got.Items[0].Status == status
	}) {
		e.t.Fatalf("baseline %s %s: waited %s for %s; have %s", id, date, timeout, status, fmt.Sprint(got.Items))
	}
	return got.Items[0]
}
