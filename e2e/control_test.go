package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
)

// setTriggers saves the workflow's canvas again with trigger rules (and
// allowFailure) on some nodes, by job name.
func (e *env) setTriggers(wf string, ids map[string]string, rules map[string]jobflow.TriggerRule, allow map[string]bool) {
	e.t.Helper()
	var w jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+wf, nil, 200, &w)
	for name, id := range ids {
		for i := range w.Canvas.Nodes {
			if w.Canvas.Nodes[i].JobID == id {
				w.Canvas.Nodes[i].Trigger, w.Canvas.Nodes[i].AllowFailure = rules[name], allow[name]
			}
		}
	}
	e.API.Must("PUT", "/api/v1/workflows/"+wf+"/canvas",
		map[string]any{"nodes": w.Canvas.Nodes, "edges": w.Canvas.Edges, "revision": w.Revision}, 200, nil)
}

// TestControl_AllDoneCleanup: after a failure, an ALL_DONE cleanup job
// runs (its side effect is there), the failed job's ALL_SUCCESS child is
// UPSTREAM_FAILED and never runs, and the run is FAIL; with allowFailure on
// the failed job the same run is SUCCESS.
func TestControl_AllDoneCleanup(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	dir := jobdir.New(t)
	wf, ids := e.workflow("cleanup", []jobSpec{
		shell("work", "echo working; exit 4"),
		shell("next", "touch "+filepath.Join(dir, "next")),
		shell("cleanup", "echo cleaned >> "+filepath.Join(dir, "cleanup")),
	}, [][2]string{{"work", "next"}, {"work", "cleanup"}}, nil)
	e.setTriggers(wf, ids, map[string]jobflow.TriggerRule{"cleanup": jobflow.RuleAllDone}, nil)

	r := e.waitFinished(e.start(wf, nil))
	if r.Status != jobflow.RunFail {
		t.Errorf("run %s, want FAIL", r.Status)
	}
	for name, want := range map[string]jobflow.NodeStatus{"work": jobflow.NodeFail, "next": jobflow.NodeUpstreamFailed, "cleanup": jobflow.NodeSuccess} {
		if st := node(t, r, ids[name]).Status; st != want {
			t.Errorf("%s is %s, want %s", name, st, want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cleanup")); err != nil || string(b) != "cleaned\n" {
		t.Errorf("cleanup's side effect %q, %v: want it once", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "next")); err == nil {
		t.Error("next ran after its parent failed")
	}

	e.setTriggers(wf, ids, map[string]jobflow.TriggerRule{"cleanup": jobflow.RuleAllDone}, map[string]bool{"work": true})
	r = e.waitFinished(e.start(wf, nil))
	if r.Status != jobflow.RunSuccess || r.Error != "" {
		t.Errorf("run with allowFailure: %s %q, want SUCCESS", r.Status, r.Error)
	}
	if st := node(t, r, ids["work"]).Status; st != jobflow.NodeFail {
		t.Errorf("work is %s, want FAIL (allowed)", st)
	}
}

// TestControl_ConditionBranches: a CONDITION reading an upstream output
// and a param chooses each branch in turn; the other branch is
// NOT_SELECTED and does not run; the join after both runs; when no branch
// is chosen the join is NOT_SELECTED too.
func TestControl_ConditionBranches(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	dir := jobdir.New(t)
	wf, ids := e.workflow("branches", []jobSpec{
		shell("probe", "echo '${setValue(rows=${params.rows})}'"),
		{Name: "route", Type: "CONDITION", Config: map[string]any{"cases": []any{map[string]any{"when": "true", "to": []string{}}}}},
		shell("full", "echo full >> "+filepath.Join(dir, "full-${params.mode}")),
		shell("delta", "echo delta >> "+filepath.Join(dir, "delta-${params.mode}")),
		shell("report", "true"),
	}, [][2]string{{"probe", "route"}, {"route", "full"}, {"route", "delta"}, {"full", "report"}, {"delta", "report"}}, nil)
	cases := map[string]any{"cases": []any{
		map[string]any{"when": `outputs.probe.rows > 0 && params.mode == "full"`, "to": []string{ids["full"]}},
		map[string]any{"when": `params.mode == "delta"`, "to": []string{ids["delta"]}},
	}, "default": []string{}}
	e.API.Must("PATCH", "/api/v1/jobs/"+ids["route"], map[string]any{"config": cases}, 200, nil)

	tests := []struct {
		mode, rows        string
		full, delta, join jobflow.NodeStatus
		branch            string
	}{
		{"full", "3", jobflow.NodeSuccess, jobflow.NodeNotSelected, jobflow.NodeSuccess, "0"},
		{"delta", "3", jobflow.NodeNotSelected, jobflow.NodeSuccess, jobflow.NodeSuccess, "1"},
		{"full", "0", jobflow.NodeNotSelected, jobflow.NodeNotSelected, jobflow.NodeNotSelected, "default"},
	}
	for _, tt := range tests {
		r := e.waitFinished(e.start(wf, map[string]string{"mode": tt.mode, "rows": tt.rows}))
		if r.Status != jobflow.RunSuccess {
			t.Errorf("%s/%s: run %s, want SUCCESS: %+v", tt.mode, tt.rows, r.Status, r.Nodes)
		}
		route := node(t, r, ids["route"])
		if route.Status != jobflow.NodeSuccess || route.Outputs["branch"] != tt.branch {
			t.Errorf("%s/%s: route %s outputs %v, want branch %s", tt.mode, tt.rows, route.Status, route.Outputs, tt.branch)
		}
		for name, want := range map[string]jobflow.NodeStatus{"full": tt.full, "delta": tt.delta, "report": tt.join} {
			if st := node(t, r, ids[name]).Status; st != want {
				t.Errorf("%s/%s: %s is %s, want %s", tt.mode, tt.rows, name, st, want)
			}
		}
	}
	// Side effects: full ran only for mode full with rows, delta only for delta.
	for file, want := range map[string]string{"full-full": "full\n", "delta-delta": "delta\n", "full-delta": "", "delta-full": ""} {
		b, _ := os.ReadFile(filepath.Join(dir, file))
		if string(b) != want {
			t.Errorf("%s holds %q, want %q", file, b, want)
		}
	}
}

// TestControl_ConditionValidation: a CONDITION whose expression does not
// compile, or whose case names a job that is not its child, is a 400
// naming the field (and the position), and the job is unchanged.
func TestControl_ConditionValidation(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	wf, ids := e.workflow("badcond", []jobSpec{
		{Name: "route", Type: "CONDITION", Config: map[string]any{"cases": []any{map[string]any{"when": "params.go == \"yes\"", "to": []string{}}}}},
		shell("child", "true"),
		shell("other", "true"),
	}, [][2]string{{"route", "child"}}, nil)
	var before jobflow.Job
	e.API.Must("GET", "/api/v1/jobs/"+ids["route"], nil, 200, &before)

	f := e.API.Fail("PATCH", "/api/v1/jobs/"+ids["route"], map[string]any{"config": map[string]any{"cases": []any{
		map[string]any{"when": `params.go == "yes" &&`, "to": []string{ids["child"]}}}}}, 400)
	if f.Code != "INVALID" || !strings.Contains(f.Message, "config.cases[0].when") || !strings.Contains(f.Message, "column") {
		t.Errorf("syntax error: %+v", f)
	}
	f = e.API.Fail("PATCH", "/api/v1/jobs/"+ids["route"], map[string]any{"config": map[string]any{"cases": []any{
		map[string]any{"when": "true", "to": []string{ids["other"]}}}}}, 400)
	if f.Code != "INVALID" || !strings.Contains(f.Message, "not a child") {
		t.Errorf("target not a child: %+v", f)
	}
	f = e.API.Fail("PATCH", "/api/v1/jobs/"+ids["route"], map[string]any{"config": map[string]any{"cases": []any{
		map[string]any{"when": `let r=1..25000; all(r,{all(r,{#>0})})`, "to": []string{ids["child"]}}}}}, 400)
	if f.Code != "INVALID" || !strings.Contains(f.Message, "config.cases[0].when") || !strings.Contains(f.Message, "more than the limit of 10000") {
		t.Errorf("range bomb: %+v", f)
	}
	var w jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+wf, nil, 200, &w)
	f = e.API.Fail("PUT", "/api/v1/workflows/"+wf+"/canvas", map[string]any{"nodes": []map[string]any{{"jobId": ids["route"], "trigger": "WHENEVER"}}, "edges": []any{}, "revision": w.Revision}, 400)
	if f.Code != "INVALID" || !strings.Contains(f.Message, "trigger must be") {
		t.Errorf("bad trigger: %+v", f)
	}
	var after jobflow.Job
	e.API.Must("GET", "/api/v1/jobs/"+ids["route"], nil, 200, &after)
	if string(after.Config) != string(before.Config) {
		t.Errorf("the job changed: %s -> %s", before.Config, after.Config)
	}
}

// TestControl_ConditionBudget: the reported doubling bomb, saved through
// the API (it is within the compile-time limits), fails its CONDITION
// node at run time with the budget error, in a real FlowRun on a real
// Temporal server; the child is UPSTREAM_FAILED and the run ends FAIL
// promptly.
func TestControl_ConditionBudget(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	bomb := `let a0="aaaaaaaaaaaaaaaa"; `
	for i := 1; i <= 26; i++ {
		bomb += fmt.Sprintf("let a%d=a%d+a%d; ", i, i-1, i-1)
	}
	bomb += "len(a26)>0"
	wf, ids := e.workflow("bomb", []jobSpec{
		{Name: "route", Type: "CONDITION", Config: map[string]any{"cases": []any{map[string]any{"when": "true", "to": []string{}}}}},
		shell("child", "true"),
	}, [][2]string{{"route", "child"}}, nil)
	e.API.Must("PATCH", "/api/v1/jobs/"+ids["route"], map[string]any{"config": map[string]any{"cases": []any{
		map[string]any{"when": bomb, "to": []string{ids["child"]}}}, "default": []string{}}}, 200, nil)
	start := time.Now()
	r := e.waitFinished(e.start(wf, nil))
	if r.Status != jobflow.RunFail {
		t.Errorf("run %s, want FAIL", r.Status)
	}
	route := node(t, r, ids["route"])
	if route.Status != jobflow.NodeFail || !strings.Contains(route.Error, "expression exceeded its budget of 262144 bytes for a string") {
		t.Errorf("route %s %.200q, want FAIL with the budget error", route.Status, route.Error)
	}
	if st := node(t, r, ids["child"]).Status; st != jobflow.NodeUpstreamFailed {
		t.Errorf("child %s, want UPSTREAM_FAILED", st)
	}
	t.Logf("the run ended in %v", time.Since(start))
}
