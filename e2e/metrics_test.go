package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
	"jobflow/metrics"
)

// TestMetrics_DashboardNamesExist exercises every source of metrics — a
// manual run, a scheduled run, an accepted and a refused invoke, an alarm,
// a reconciler pass, API requests and the SDK worker — then scrapes
// /metrics and checks that every metric the Grafana dashboard
// (deploy/grafana/jobflow-dashboard.json) queries is there, and that the
// counts agree with what happened.
func TestMetrics_DashboardNamesExist(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	rig := testrig.New(t, testrig.Options{Registry: prometheus.NewRegistry()})
	e := &env{Rig: rig, t: t}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer hook.Close()
	e.API.AllowEgress("127.0.0.1") // the receiver (docs/security.md)
	var ch jobflow.AlarmChannel
	e.API.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "hook", "type": "WEBHOOK", "config": map[string]any{"url": hook.URL}}, 201, &ch)
	wf, _ := e.workflow("measured", []jobSpec{shell("a", "true")}, nil, map[string]any{
		"schedule": map[string]any{"mode": "SINGLE", "cron": "* * * * * ?", "timezone": "UTC", "enabled": true},
		"invoke":   map[string]any{"enabled": true},
		"alarms":   []map[string]any{{"events": []string{"RUN_END"}, "channelIds": []string{ch.ID}}},
	})
	manual := e.start(wf, nil)
	if r := e.waitFinished(manual); r.Status != jobflow.RunSuccess {
		t.Fatalf("manual run %s", r.Status)
	}
	e.API.Must("POST", "/api/v1/workflows/"+wf+"/publish", nil, 200, nil)
	var tok struct{ Token string }
	e.API.Must("POST", "/api/v1/workflows/"+wf+"/invoke-tokens", nil, 201, &tok)
	for _, token := range []string{tok.Token, "not-a-token"} {
		resp, err := http.Post(e.Server.URL+"/workflow/open/invokeWorkflow", "application/json",
			strings.NewReader(`{"workflowId":"`+wf+`","token":"`+token+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// Wait for a scheduled run to finish, then stop the schedule.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var list struct{ Items []jobflow.Run }
		e.API.Must("GET", "/api/v1/runs?workflowId="+wf+"&trigger=SCHEDULE&status=SUCCESS", nil, 200, &list)
		if len(list.Items) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no scheduled run succeeded within 60 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	e.API.Must("POST", "/api/v1/workflows/"+wf+"/offline", nil, 200, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.Engine.Reconcile(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// A request the SDK counts as failed (an unknown workflow).
	e.Client.DescribeWorkflowExecution(ctx, "no-such-workflow", "")
	// Alarms go out from a child workflow: wait for the manual run's.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, b := e.API.Do("GET", "/api/v1/alarm-records?runId="+manual, nil)
		if strings.Contains(string(b), `"SENT"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SENT alarm for the manual run: %s", b)
		}
	}

	resp, err := http.Get(e.Server.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	have := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			have[strings.Fields(name)[0]] = true
		}
	}

	raw, err := os.ReadFile("../deploy/grafana/jobflow-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`\b(jobflow|temporal)_[a-z_]+`)
	var used []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, n := range name.FindAllString(tg.Expr, -1) {
				n = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_count"), "_sum")
				if !have[n] {
					t.Errorf("panel %q uses %s, which /metrics does not have", p.Title, n)
				}
				used = append(used, n)
			}
		}
	}
	for _, n := range metrics.Names {
		if !have[n] {
			t.Errorf("domain metric %s is missing from /metrics", n)
		}
		if !slices.Contains(used, n) {
			t.Errorf("domain metric %s is on no dashboard panel", n)
		}
	}
	for _, want := range []string{
		`jobflow_runs_started_total{trigger="MANUAL"} 1`,
		`jobflow_runs_finished_total{status="SUCCESS",trigger="MANUAL"} 1`,
		`jobflow_invokes_total{result="UNAUTHORIZED"} 1`,
		`jobflow_invokes_total{result="accepted"} 1`,
		`jobflow_schedule_lateness_seconds_count`,
		`jobflow_alarm_sends_total{channel="WEBHOOK",result="SENT"}`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
