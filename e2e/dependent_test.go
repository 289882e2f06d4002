package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/workflows"
)

// TestDependent_Backfill: a DEPENDENT job on `yesterday` is not woken by a
// run of today's logical date (it is signalled, checks, and stays
// WAITING), and is woken at once — its fallback check is an hour away —
// by a backfilled run of yesterday's logical date. Bad configs are 400s
// naming the field.
func TestDependent_Backfill(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	zone := "Asia/Shanghai"
	loc, _ := time.LoadLocation(zone)
	up, _ := e.workflow("upstream", []jobSpec{shell("load", "true")}, nil, map[string]any{
		"schedule": map[string]any{"mode": "SINGLE", "cron": "0 0 2 * * ?", "timezone": zone, "enabled": true},
	})
	e.API.Must("POST", "/api/v1/workflows/"+up+"/publish", nil, 200, nil)

	down, ids := e.workflow("downstream", []jobSpec{
		{Name: "wait", Type: "DEPENDENT", Config: map[string]any{
			"items":          []map[string]any{{"workflowId": up, "window": "yesterday"}},
			"timeoutSeconds": 600, "checkIntervalSeconds": 3600,
		}},
		shell("after", "true"),
	}, [][2]string{{"wait", "after"}}, nil) // the default zone: Asia/Shanghai

	// Saving refuses a workflow of nowhere and a bad window, naming the
	// field, and changes nothing.
	var before jobflow.Job
	e.API.Must("GET", "/api/v1/jobs/"+ids["wait"], nil, 200, &before)
	for _, c := range []struct {
		config map[string]any
		field  string
	}{
		{map[string]any{"items": []map[string]any{{"workflowId": "wf_nowhere", "window": "today"}}}, "config.items[0].workflowId"},
		{map[string]any{"items": []map[string]any{{"workflowId": up, "window": "lastNDays:0"}}}, "config.items[0].window"},
		{map[string]any{"items": []map[string]any{{"workflowId": up, "jobId": "jb_nowhere", "window": "today"}}}, "config.items[0].jobId"},
		{map[string]any{"items": []map[string]any{{"workflowId": up, "window": "today"}}, "relation": "XOR"}, "config.relation"},
	} {
		f := e.API.Fail("PATCH", "/api/v1/jobs/"+ids["wait"], map[string]any{"config": c.config}, 400)
		if f.Code != "INVALID" || !strings.Contains(f.Message, strings.TrimPrefix(c.field, "config.")) {
			t.Errorf("%v: %+v, want INVALID naming %s", c.config, f, c.field)
		}
	}
	var after jobflow.Job
	e.API.Must("GET", "/api/v1/jobs/"+ids["wait"], nil, 200, &after)
	if string(after.Config) != string(before.Config) || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("a refused save changed the job: %s -> %s", before.Config, after.Config)
	}
	f := e.API.Fail("POST", "/api/v1/workflows/"+down+"/jobs", jobSpec{Name: "wait2", Type: "DEPENDENT", Config: map[string]any{
		"items": []map[string]any{{"workflowId": up, "window": "fortnight"}}}}, 400)
	if f.Code != "INVALID" || !strings.Contains(f.Message, "items[0].window") {
		t.Errorf("create with a bad window: %+v", f)
	}

	runID := e.start(down, nil)
	r := e.waitRun(runID, 60*time.Second, "wait WAITING", func(r *jobflow.Run) bool {
		n := findNode(r, ids["wait"])
		return n != nil && n.Status == jobflow.NodeWaiting && n.Outputs["met"] == "0/1"
	})
	logical := r.LogicalTime.In(loc)

	// Today's run of upstream: SUCCESS, signals, but is not yesterday's.
	today := e.start(up, nil)
	if tr := e.waitFinished(today); tr.Status != jobflow.RunSuccess || !sameDay(tr.LogicalTime.In(loc), logical) {
		t.Fatalf("today's upstream run: %s at %v", tr.Status, tr.LogicalTime)
	}
	e.waitSignals(r.TemporalWorkflowID, 1)
	time.Sleep(2 * time.Second) // time for a wrong wake-up to show: an absence only time shows
	r = e.run(runID)
	if n := node(t, r, ids["wait"]); r.Status != jobflow.RunRunning || n.Status != jobflow.NodeWaiting || n.Outputs["met"] != "0/1" {
		t.Fatalf("after today's run: run %s, wait %s %v; want still WAITING", r.Status, n.Status, n.Outputs)
	}
	if n := findNode(r, ids["after"]); n != nil && n.Status != jobflow.NodePending {
		t.Fatalf("after is %s while wait waits", n.Status)
	}

	// Backfill yesterday (of the waiting run's logical date) in the zone.
	yesterday := logical.AddDate(0, 0, -1).Format("2006-01-02")
	var bf struct {
		RunIDs []string `json:"runIds"`
	}
	e.API.Must("POST", "/api/v1/workflows/"+up+"/backfill", map[string]string{"start": yesterday, "end": yesterday}, 202, &bf)
	if len(bf.RunIDs) != 1 {
		t.Fatalf("backfill started %v, want one run", bf.RunIDs)
	}
	br := e.waitFinished(bf.RunIDs[0])
	if br.Status != jobflow.RunSuccess || br.LogicalTime.In(loc).Format("2006-01-02 15:04") != yesterday+" 02:00" {
		t.Fatalf("backfill run %s at %v", br.Status, br.LogicalTime.In(loc))
	}
	// Woken by the backfill's end, not by the hourly fallback check.
	r = e.waitRun(runID, 30*time.Second, "the end after the backfill", func(r *jobflow.Run) bool { return r.Status.Finished() })
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("downstream %s: %+v", r.Status, r.Nodes)
	}
	n := node(t, r, ids["wait"])
	var items []jobflow.DependentItemState
	if err := json.Unmarshal([]byte(n.Outputs["items"]), &items); err != nil || len(items) != 1 || !items[0].Met || items[0].RunID != br.ID ||
		n.Outputs["met"] != "1/1" {
		t.Fatalf("wait's outputs %v (%v), want met by %s", n.Outputs, err, br.ID)
	}
	if from := items[0].From.In(loc); from.Format("2006-01-02 15:04") != yesterday+" 00:00" || items[0].To.Sub(items[0].From) != 24*time.Hour {
		t.Errorf("the window shown: [%v, %v)", items[0].From, items[0].To)
	}
	if a := node(t, r, ids["after"]); a.Status != jobflow.NodeSuccess {
		t.Errorf("after %s", a.Status)
	}
	if wait := n.EndedAt.Sub(*n.StartedAt); wait > 5*time.Minute {
		t.Errorf("wait took %v", wait)
	}
	t.Logf("the backfill run ended %s, wait ended %s later", br.EndedAt.Format(time.RFC3339Nano), n.EndedAt.Sub(*br.EndedAt))
	// The waits are gone with the run.
	if w, err := e.Store.FindDependentWaiters(context.Background(), r.TenantID, up); err != nil || len(w) != 0 {
		t.Errorf("waits left: %+v %v", w, err)
	}
}

func sameDay(a, b time.Time) bool { return a.Format("2006-01-02") == b.Format("2006-01-02") }

// waitSignals waits until the execution received n SignalDependent signals.
func (e *env) waitSignals(workflowID string, n int) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := 0
		it := e.Client.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				e.t.Fatal(err)
			}
			if a := ev.GetWorkflowExecutionSignaledEventAttributes(); a != nil && a.GetSignalName() == workflows.SignalDependent {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s received %d %s signals, want %d", workflowID, got, workflows.SignalDependent, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
