package e2e

import (
	"encoding/json"
	"fmt"
	"jobflow/internal/testproc"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
)

// TestRun_AllJobTypes runs a DAG of a SHELL, a PYTHON, a SQL (on the local
// PostgreSQL) and an HTTP job (on a local server) through the REST API.
func TestRun_AllJobTypes(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})

	var hits atomic.Int32
	var gotBody atomic.Value
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b := make([]byte, 256)
		n, _ := r.Body.Read(b)
		gotBody.Store(string(b[:n]) + "|" + r.Header.Get("X-Run"))
		w.WriteHeader(201)
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer hs.Close()
	e.API.AllowEgress("127.0.0.1") // the server and the database (docs/security.md)

	u, _ := url.Parse(e.DBURL)
	var ds jobflow.Datasource
	e.API.Must("POST", "/api/v1/datasources", map[string]any{"name": "local", "type": "POSTGRES", "host": "127.0.0.1",
		"port": 5432, "database": strings.TrimPrefix(u.Path, "/"), "user": "postgres", "password": "unused"}, 201, &ds)

	wf, ids := e.workflow("all-types", []jobSpec{
		shell("extract", `echo "day ${qing.current_date} prev $[yyyyMMdd-1] who ${params.who}"`),
		{Name: "transform", Type: "PYTHON", Config: map[string]any{"script": "import sys\nprint('py', sys.version_info[0])"}},
		{Name: "load", Type: "SQL", Config: map[string]any{"datasourceId": ds.ID, "mode": "EXECUTE",
			"sql": "CREATE TABLE e2e_t (x int, s text); INSERT INTO e2e_t VALUES (1, 'a;b'), (2, 'c');"}},
		{Name: "check", Type: "SQL", Config: map[string]any{"datasourceId": ds.ID, "mode": "QUERY",
			"sql": "SELECT x, s FROM e2e_t ORDER BY x"}},
		{Name: "notify", Type: "HTTP", Config: map[string]any{"method": "POST", "url": hs.URL + "/hook",
			"headers": map[string]string{"X-Run": "${params.who}"}, "body": `{"day":"${qing.current_date}"}`, "successCodes": []int{201}}},
	}, [][2]string{{"extract", "transform"}, {"extract", "load"}, {"load", "check"}, {"check", "notify"}, {"transform", "notify"}}, nil)

	runID := e.start(wf, map[string]string{"who": "e2e"})
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("run status %s, want SUCCESS: %+v", r.Status, r.Nodes)
	}
	if r.Trigger != jobflow.TriggerManual || r.TemporalWorkflowID != runID || r.TemporalRunID == "" {
		t.Errorf("run ids: trigger %s, temporal %s/%s", r.Trigger, r.TemporalWorkflowID, r.TemporalRunID)
	}
	if !strings.Contains(r.TemporalURL, "/workflows/"+runID+"/") {
		t.Errorf("temporalUrl %q does not link the run", r.TemporalURL)
	}
	if len(r.Edges) != 5 {
		t.Errorf("run has %d edges, want 5", len(r.Edges))
	}
	for name, id := range ids {
		if n := node(t, r, id); n.Status != jobflow.NodeSuccess || n.StartedAt == nil || n.EndedAt == nil {
			t.Errorf("node %s: %s started %v ended %v", name, n.Status, n.StartedAt, n.EndedAt)
		}
	}
	day := r.LogicalTime.In(mustZone(t, "Asia/Shanghai"))
	want := fmt.Sprintf("day %s prev %s who e2e", day.Format("2006-01-02"), day.AddDate(0, 0, -1).Format("20060102"))
	if got := e.log(runID, ids["extract"]); !strings.Contains(got, want) {
		t.Errorf("extract log %q, want %q", got, want)
	}
	if got := e.log(runID, ids["transform"]); !strings.Contains(got, "py 3") {
		t.Errorf("transform log %q", got)
	}
	var q struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(node(t, r, ids["check"]).Result, &q); err != nil || len(q.Rows) != 2 || q.Rows[0]["s"] != "a;b" {
		t.Errorf("check result %s (%v)", node(t, r, ids["check"]).Result, err)
	}
	if hits.Load() != 1 || gotBody.Load() != fmt.Sprintf(`{"day":"%s"}|e2e`, day.Format("2006-01-02")) {
		t.Errorf("http job: %d hits, body %v", hits.Load(), gotBody.Load())
	}

	var list jobflow.List[jobflow.Run]
	e.API.Must("GET", "/api/v1/runs?workflowId="+wf+"&status=SUCCESS&trigger=MANUAL", nil, 200, &list)
	if list.Total != 1 || list.Items[0].ID != runID {
		t.Errorf("run list: %+v", list)
	}
}

// TestRun_FailureThenRerun: a failing middle job fails the run and leaves
// its child UPSTREAM_FAILED; a FAILED rerun skips what succeeded and runs
// the rest on the same logical time.
func TestRun_FailureThenRerun(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	dir := jobdir.New(t)
	count, fixed := filepath.Join(dir, "count"), filepath.Join(dir, "fixed")
	wf, ids := e.workflow("rerun", []jobSpec{
		shell("first", "echo once >> "+count),
		shell("flaky", "test -f "+fixed+" || { echo broken; exit 3; }"),
		shell("last", "echo done"),
	}, [][2]string{{"first", "flaky"}, {"flaky", "last"}}, nil)

	runID := e.start(wf, nil)
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunFail {
		t.Fatalf("status %s, want FAIL", r.Status)
	}
	flaky := node(t, r, ids["flaky"])
	if flaky.Status != jobflow.NodeFail || flaky.ExitCode == nil || *flaky.ExitCode != 3 || !strings.Contains(flaky.Error, "3") {
		t.Errorf("flaky node: %+v", flaky)
	}
	if s := node(t, r, ids["last"]).Status; s != jobflow.NodeUpstreamFailed {
		t.Errorf("last node %s, want UPSTREAM_FAILED", s)
	}

	if code := e.API.Fail("POST", "/api/v1/runs/"+runID+"/rerun", map[string]string{"mode": "SOME"}, 400).Code; code != "INVALID" {
		t.Errorf("bad mode: %s", code)
	}
	if code := e.API.Fail("POST", "/api/v1/runs/"+runID+"/rerun", map[string]string{"mode": "NODE", "nodeId": "job_nope"}, 400).Code; code != "INVALID" {
		t.Errorf("unknown node: %s", code)
	}
	if err := os.WriteFile(fixed, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out struct {
		RunID string `json:"runId"`
	}
	e.API.Must("POST", "/api/v1/runs/"+runID+"/rerun", map[string]string{"mode": "FAILED"}, 202, &out)
	r2 := e.waitFinished(out.RunID)
	if r2.Status != jobflow.RunSuccess || r2.Trigger != jobflow.TriggerRerun || r2.RerunOf != runID {
		t.Fatalf("rerun: status %s trigger %s rerunOf %s", r2.Status, r2.Trigger, r2.RerunOf)
	}
	if !r2.LogicalTime.Equal(r.LogicalTime) {
		t.Errorf("rerun logical time %v, want %v", r2.LogicalTime, r.LogicalTime)
	}
	want := map[string]jobflow.NodeStatus{"first": jobflow.NodeSkipped, "flaky": jobflow.NodeSuccess, "last": jobflow.NodeSuccess}
	for name, st := range want {
		if got := node(t, r2, ids[name]).Status; got != st {
			t.Errorf("rerun node %s: %s, want %s", name, got, st)
		}
	}
	if b, _ := os.ReadFile(count); string(b) != "once\n" {
		t.Errorf("first job ran %q, want exactly once", b)
	}
	// Nothing to abort or break any more.
	if code := e.API.Fail("POST", "/api/v1/runs/"+out.RunID+"/abort", nil, 409).Code; code != "CONFLICT" {
		t.Errorf("abort of a finished run: %s", code)
	}
}

// TestRun_Abort: a sleep 600 job is aborted; its whole process group is
// gone within 10 s and the run ends ABORTED.
func TestRun_Abort(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	// The job's processes, found by their command lines: a sandboxed
	// job's $$ is a pid of its own namespace.
	wf, ids := e.workflow("abort", []jobSpec{
		shell("sleeper", "sleep 600.41 & sleep 600.42; wait"),
		shell("after", "echo never"),
	}, [][2]string{{"sleeper", "after"}}, nil)
	runID := e.start(wf, nil)

	var pids []int
	deadline := time.Now().Add(60 * time.Second)
	for len(pids) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the sleeper job never started")
		}
		pids = append(testproc.PIDs("sleep 600.41"), testproc.PIDs("sleep 600.42")...)
		time.Sleep(100 * time.Millisecond)
	}
	var out struct {
		Status jobflow.RunStatus `json:"status"`
	}
	e.API.Must("POST", "/api/v1/runs/"+runID+"/abort", nil, 202, &out)
	aborted := time.Now()
	if out.Status != jobflow.RunAborting {
		t.Errorf("abort answered %s, want ABORTING", out.Status)
	}
	for _, pid := range pids {
		for !testproc.Gone(pid) {
			if time.Since(aborted) > 10*time.Second {
				t.Fatalf("process %d still alive 10 s after abort", pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunAborted {
		t.Fatalf("status %s, want ABORTED", r.Status)
	}
	if s := node(t, r, ids["sleeper"]).Status; s != jobflow.NodeAborted {
		t.Errorf("sleeper %s, want ABORTED", s)
	}
	if s := node(t, r, ids["after"]).Status; s != jobflow.NodeAborted {
		t.Errorf("pending node %s, want ABORTED", s)
	}
}

// TestRun_Break: breaking a PENDING node holds it and its descendants; a
// RUNNING node cannot be broken.
func TestRun_Break(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	gate := filepath.Join(jobdir.New(t), "gate")
	wf, ids := e.workflow("break", []jobSpec{
		shell("slow", "while [ ! -f "+gate+" ]; do sleep 0.1; done"),
		shell("held", "echo held"),
		shell("below", "echo below"),
		shell("side", "echo side"),
	}, [][2]string{{"slow", "held"}, {"held", "below"}}, nil)
	runID := e.start(wf, nil)
	e.waitRun(runID, 60*time.Second, "slow RUNNING", func(r *jobflow.Run) bool {
		n := findNode(r, ids["slow"])
		return n != nil && n.Status == jobflow.NodeRunning
	})
	if code := e.API.Fail("POST", "/api/v1/runs/"+runID+"/nodes/"+ids["slow"]+"/break", nil, 409).Code; code != "CONFLICT" {
		t.Errorf("break of a running node: %s", code)
	}
	if code := e.API.Fail("POST", "/api/v1/runs/"+runID+"/nodes/job_nope/break", nil, 404).Code; code != "NOT_FOUND" {
		t.Errorf("break of an unknown node: %s", code)
	}
	e.API.Must("POST", "/api/v1/runs/"+runID+"/nodes/"+ids["held"]+"/break", nil, 200, nil)
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunAborted {
		t.Errorf("run %s, want ABORTED (BREAK nodes, no failure)", r.Status)
	}
	want := map[string]jobflow.NodeStatus{"slow": jobflow.NodeSuccess, "held": jobflow.NodeBreak, "below": jobflow.NodeBreak, "side": jobflow.NodeSuccess}
	for name, st := range want {
		if got := node(t, r, ids[name]).Status; got != st {
			t.Errorf("node %s: %s, want %s", name, got, st)
		}
	}
}

// TestRun_BadInput: each refusal is a clear 4xx and starts nothing.
func TestRun_BadInput(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	var empty jobflow.Workflow
	e.API.Must("POST", "/api/v1/workflows", map[string]string{"name": "empty"}, 201, &empty)
	wf, _ := e.workflow("ok", []jobSpec{shell("a", "true")}, nil, nil)

	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"empty canvas", "POST", "/api/v1/workflows/" + empty.ID + "/runs", nil, 400, "INVALID"},
		{"malformed JSON", "POST", "/api/v1/workflows/" + wf + "/runs", `{"params":`, 400, "INVALID"},
		{"params of the wrong type", "POST", "/api/v1/workflows/" + wf + "/runs", `{"params":{"a":1}}`, 400, "INVALID"},
		{"bad param name", "POST", "/api/v1/workflows/" + wf + "/runs", `{"params":{"a-b":"1"}}`, 400, "INVALID"},
		{"unknown workflow", "POST", "/api/v1/workflows/wf_nope/runs", nil, 404, "NOT_FOUND"},
		{"unknown run", "GET", "/api/v1/runs/run_nope", nil, 404, "NOT_FOUND"},
		{"abort unknown run", "POST", "/api/v1/runs/run_nope/abort", nil, 404, "NOT_FOUND"},
		{"bad status filter", "GET", "/api/v1/runs?status=DONE", nil, 400, "INVALID"},
		{"bad trigger filter", "GET", "/api/v1/runs?trigger=CRON", nil, 400, "INVALID"},
	}
	for _, c := range cases {
		if code := e.API.Fail(c.method, c.path, c.body, c.status).Code; code != c.code {
			t.Errorf("%s: code %s, want %s", c.name, code, c.code)
		}
	}
	var list jobflow.List[jobflow.Run]
	e.API.Must("GET", "/api/v1/runs", nil, 200, &list)
	if list.Total != 0 {
		t.Errorf("%d runs exist after bad input only", list.Total)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
