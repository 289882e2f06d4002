package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
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

type runList struct {
	Items []jobflow.Run `json:"items"`
	Total int           `json:"total"`
}

// TestSubflow_FailThenRerun: a SUBFLOW job runs another workflow as a child
// run of its own (trigger SUBFLOW, linked both ways); the child's failure
// fails the node with the child's first error; a FAILED rerun of the parent
// reruns the child in FAILED mode, so only the child's failed job runs
// again (its succeeded job is SKIPPED, with its outputs), and the child's
// outputs reach the parent's downstream job.
func TestSubflow_FailThenRerun(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	dir := jobdir.New(t)
	fixed, count := filepath.Join(dir, "fixed"), filepath.Join(dir, "ok-runs")
	child, cids := e.workflow("child", []jobSpec{
		shell("ok", `echo x >> `+count+`; echo '${setValue(v=${params.day})}'`),
		shell("flaky", `test -f `+fixed+` || { echo 'not fixed yet' >&2; exit 3; }; echo '${setValue(done=yes)}'`),
	}, [][2]string{{"ok", "flaky"}}, nil)
	parent, ids := e.workflow("parent", []jobSpec{
		shell("prep", `echo '${setValue(day=d1)}'`),
		{Name: "sub", Type: "SUBFLOW", Config: map[string]any{"workflowId": child, "version": "DRAFT",
			"params": map[string]string{"day": "${outputs.prep.day}"}}},
		shell("use", `echo "got ${outputs.sub.flaky.done} ${outputs.sub.ok.v} from ${outputs.sub.runId}"`),
	}, [][2]string{{"prep", "sub"}, {"sub", "use"}}, nil)

	runID := e.start(parent, nil)
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunFail {
		t.Fatalf("parent %s, want FAIL: %+v", r.Status, r.Nodes)
	}
	childID := runID + "-" + ids["sub"] + "-1"
	sub := node(t, r, ids["sub"])
	if sub.Status != jobflow.NodeFail || sub.ChildRunID != childID ||
		!strings.Contains(sub.Error, "subflow run "+childID+" failed") || !strings.Contains(sub.Error, `job "flaky" failed`) {
		t.Fatalf("sub node %+v", sub)
	}
	if !strings.Contains(r.Error, `job "flaky" failed`) {
		t.Errorf("parent error %q, want the child's first error", r.Error)
	}
	if s := node(t, r, ids["use"]).Status; s != jobflow.NodeUpstreamFailed {
		t.Errorf("use %s", s)
	}
	if len(r.Children) != 1 || r.Children[0].ID != childID || r.Children[0].JobID != ids["sub"] || r.Children[0].Status != jobflow.RunFail {
		t.Fatalf("children %+v", r.Children)
	}
	c := e.run(childID)
	if c.Trigger != jobflow.TriggerSubflow || c.ParentRunID != runID || c.ParentJobID != ids["sub"] || c.WorkflowID != child ||
		c.Status != jobflow.RunFail || c.Params["day"] != "d1" {
		t.Fatalf("child run %+v", c)
	}
	if n := node(t, c, cids["ok"]); n.Status != jobflow.NodeSuccess || n.Outputs["v"] != "d1" {
		t.Errorf("child ok %+v", n)
	}
	if n := node(t, c, cids["flaky"]); n.Status != jobflow.NodeFail {
		t.Errorf("child flaky %+v", n)
	}
	var list runList
	e.API.Must("GET", "/api/v1/runs?parentRunId="+runID, nil, 200, &list)
	if list.Total != 1 || list.Items[0].ID != childID {
		t.Errorf("runs?parentRunId: %+v", list)
	}
	e.API.Must("GET", "/api/v1/runs?trigger=SUBFLOW", nil, 200, &list)
	if list.Total != 1 || list.Items[0].ParentRunID != runID {
		t.Errorf("runs?trigger=SUBFLOW: %+v", list)
	}

	if err := os.WriteFile(fixed, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out struct {
		RunID string `json:"runId"`
	}
	e.API.Must("POST", "/api/v1/runs/"+runID+"/rerun", map[string]string{"mode": "FAILED"}, 202, &out)
	r2 := e.waitFinished(out.RunID)
	if r2.Status != jobflow.RunSuccess {
		t.Fatalf("rerun %s: %+v", r2.Status, r2.Nodes)
	}
	if len(r2.Children) != 1 || r2.Children[0].RerunOf != childID {
		t.Fatalf("rerun's children %+v, want one rerunning %s", r2.Children, childID)
	}
	c2 := e.run(r2.Children[0].ID)
	if c2.Trigger != jobflow.TriggerSubflow || c2.RerunOf != childID || c2.ParentRunID != out.RunID || c2.Status != jobflow.RunSuccess {
		t.Fatalf("child rerun %+v", c2)
	}
	if n := node(t, c2, cids["ok"]); n.Status != jobflow.NodeSkipped || n.Outputs["v"] != "d1" {
		t.Errorf("child rerun ok %+v, want SKIPPED with its outputs", n)
	}
	if n := node(t, c2, cids["flaky"]); n.Status != jobflow.NodeSuccess {
		t.Errorf("child rerun flaky %+v", n)
	}
	if b, _ := os.ReadFile(count); strings.Count(string(b), "x") != 1 {
		t.Errorf("the child's succeeded job ran %d times, want once", strings.Count(string(b), "x"))
	}
	if n := node(t, r2, ids["sub"]); n.Status != jobflow.NodeSuccess || n.Outputs["flaky.done"] != "yes" || n.ChildRunID != c2.ID {
		t.Errorf("rerun sub node %+v", n)
	}
	if got, want := e.log(out.RunID, ids["use"]), "got yes d1 from "+c2.ID; !strings.Contains(got, want) {
		t.Errorf("use log %q, want %q", got, want)
	}
}

// TestSubflow_AbortReachesChild: aborting the parent aborts the running
// child run and its job's process.
func TestSubflow_AbortReachesChild(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	child, cids := e.workflow("sleepy", []jobSpec{shell("sleep", "sleep 600")}, nil, nil)
	parent, ids := e.workflow("caller", []jobSpec{
		{Name: "sub", Type: "SUBFLOW", Config: map[string]any{"workflowId": child, "version": "DRAFT"}},
	}, nil, nil)
	runID := e.start(parent, nil)
	childID := runID + "-" + ids["sub"] + "-1"
	e.waitRun(runID, 60*time.Second, "the child's job running", func(*jobflow.Run) bool {
		code, _ := e.API.Do("GET", "/api/v1/runs/"+childID, nil)
		if code != 200 {
			return false
		}
		n := findNode(e.run(childID), cids["sleep"])
		return n != nil && n.Status == jobflow.NodeRunning
	})
	e.API.Must("POST", "/api/v1/runs/"+runID+"/abort", nil, 202, nil)
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunAborted || node(t, r, ids["sub"]).Status != jobflow.NodeAborted {
		t.Fatalf("parent %s, sub %+v", r.Status, node(t, r, ids["sub"]))
	}
	c := e.waitFinished(childID)
	if c.Status != jobflow.RunAborted || node(t, c, cids["sleep"]).Status != jobflow.NodeAborted {
		t.Fatalf("child %s, sleep %+v", c.Status, node(t, c, cids["sleep"]))
	}
}

// TestSubflow_RecursionRefused: a loop of SUBFLOW calls is refused when a
// job would close it and when a workflow whose jobs close it (brought in
// without the API's checks, as an import could) is published; both
// refusals change nothing.
func TestSubflow_RecursionRefused(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	b, bids := e.workflow("b", []jobSpec{shell("plain", "true")}, nil, nil)
	a, _ := e.workflow("a", []jobSpec{{Name: "to b", Type: "SUBFLOW", Config: map[string]any{"workflowId": b}}}, nil, nil)

	var before jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+b, nil, 200, &before)
	f := e.API.Fail("PATCH", "/api/v1/jobs/"+bids["plain"], map[string]any{"type": "SUBFLOW", "config": map[string]any{"workflowId": a}}, 400)
	if f.Code != jobflow.EINVALID || !strings.Contains(f.Message, "recursion") || !strings.Contains(fmt.Sprint(f.Details), "config.workflowId") {
		t.Errorf("save closing the loop: %+v", f)
	}
	var after jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+b, nil, 200, &after)
	if string(after.Jobs[0].Config) != string(before.Jobs[0].Config) || after.Jobs[0].Type != jobflow.JobShell {
		t.Errorf("a refused save changed the job: %s %s", after.Jobs[0].Type, after.Jobs[0].Config)
	}

	// The store refuses it too (the draft check runs in its write
	// transaction), so no import or apply can close the loop either.
	back := &jobflow.Job{ID: jobflow.NewID(jobflow.PrefixJob), TenantID: e.API.Tenant, WorkflowID: b, Name: "to a",
		Type: jobflow.JobSubflow, Config: []byte(`{"workflowId":"` + a + `"}`), Retry: jobflow.RetryPolicy{MaxAttempts: 1, Backoff: 1}}
	if err := e.Store.CreateJob(context.Background(), back); jobflow.ErrorCode(err) != jobflow.EINVALID || !strings.Contains(jobflow.ErrorMessage(err), "recursion") {
		t.Fatalf("the store wrote a job closing the loop: %v", err)
	}

	// A loop closed before that check existed (written here by SQL, as a
	// database from an older jobflow could hold it) is refused at publish.
	db, err := sql.Open("postgres", e.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	if _, err := db.Exec(`INSERT INTO jobs (id, tenant_id, workflow_id, name, type, config, timeout_seconds, retry_max_attempts,
    retry_interval_seconds, retry_backoff, worker_group, cron, remark, created_at, updated_at, created_by)
VALUES ($1, $2, $3, $4, 'SUBFLOW', $5, 0, 1, 0, 1, '', '', '', $6, $6, '')`, back.ID, back.TenantID, b, back.Name, string(back.Config), now); err != nil {
		t.Fatal(err)
	}
	e.API.Must("GET", "/api/v1/workflows/"+b, nil, 200, &before)
	cv, err := json.Marshal(jobflow.Canvas{Nodes: append(before.Canvas.Nodes, jobflow.CanvasNode{JobID: back.ID}), Edges: []jobflow.Edge{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE workflows SET canvas = $1 WHERE id = $2`, string(cv), b); err != nil {
		t.Fatal(err)
	}
	for _, wf := range []string{a, b} {
		f := e.API.Fail("POST", "/api/v1/workflows/"+wf+"/publish", nil, 400)
		if f.Code != jobflow.EINVALID || !strings.Contains(f.Message, "recursion") {
			t.Errorf("publish of %s: %+v", wf, f)
		}
		var w jobflow.Workflow
		e.API.Must("GET", "/api/v1/workflows/"+wf, nil, 200, &w)
		var versions runList
		e.API.Must("GET", "/api/v1/workflows/"+wf+"/versions", nil, 200, &versions)
		if w.Status == jobflow.StatusPublished || w.PublishedVersionID != "" || versions.Total != 0 {
			t.Errorf("a refused publish changed %s: status %s, version %q, %d versions", wf, w.Status, w.PublishedVersionID, versions.Total)
		}
	}
}
