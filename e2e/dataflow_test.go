package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
)

// TestDataflow_Outputs: a shell job's setValue and $JOBFLOW_OUTPUT read by
// an HTTP job's URL, an SQL QUERY's first row and the HTTP body read by a
// shell script (also in the seed's result_data form); GET /runs/{id}
// returns the outputs; a FAILED rerun's SKIPPED nodes carry them, so the
// rerun job sees the same values without running its parents again.
func TestDataflow_Outputs(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	var (
		mu    sync.Mutex
		paths []string
	)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		fmt.Fprint(w, `{"items":[{"id":"item-1"}]}`)
	}))
	defer hs.Close()
	e.API.AllowEgress("127.0.0.1") // the server and the database (docs/security.md)
	u, _ := url.Parse(e.DBURL)
	var ds jobflow.Datasource
	e.API.Must("POST", "/api/v1/datasources", map[string]any{"name": "local", "type": "POSTGRES", "host": "127.0.0.1",
		"port": 5432, "database": strings.TrimPrefix(u.Path, "/"), "user": "postgres", "password": "unused"}, 201, &ds)
	dir := jobdir.New(t)
	fixed := filepath.Join(dir, "fixed")

	wf, ids := e.workflow("outputs", []jobSpec{
		shell("produce", `echo '${setValue(path=hello)}'; echo 'n=7' > "$JOBFLOW_OUTPUT"`),
		{Name: "call", Type: "HTTP", Config: map[string]any{"url": hs.URL + "/x/${outputs.produce.path}?n=${outputs.produce.n}"}},
		{Name: "q", Type: "SQL", Config: map[string]any{"datasourceId": ds.ID, "mode": "QUERY", "sql": "SELECT 41 + 1 AS answer, 'abc' AS word"}},
		shell("use", "true"),
	}, [][2]string{{"produce", "call"}, {"call", "use"}, {"q", "use"}}, nil)
	script := fmt.Sprintf(`echo "answer=${outputs.q.answer} rows=${outputs.q.rowCount} word=#[[get_json_value('${qing.%s.result_data}','$.word')]] item=${outputs.call.body.json('$.items[0].id')} status=${outputs.call.status}"
test -f %s || exit 3`, ids["q"], fixed)
	e.API.Must("PATCH", "/api/v1/jobs/"+ids["use"], map[string]any{"config": map[string]any{"script": script}}, 200, nil)

	runID := e.start(wf, nil)
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunFail {
		t.Fatalf("status %s, want FAIL (use exits 3 until fixed): %+v", r.Status, r.Nodes)
	}
	if got := node(t, r, ids["produce"]).Outputs; got["path"] != "hello" || got["n"] != "7" {
		t.Errorf("produce outputs %v", got)
	}
	if got := node(t, r, ids["q"]).Outputs; got["answer"] != "42" || got["word"] != "abc" || got["rowCount"] != "1" {
		t.Errorf("q outputs %v", got)
	}
	if got := node(t, r, ids["call"]).Outputs; got["status"] != "200" || got["body"] != `{"items":[{"id":"item-1"}]}` {
		t.Errorf("call outputs %v", got)
	}
	mu.Lock()
	if len(paths) != 1 || paths[0] != "/x/hello?n=7" {
		t.Errorf("HTTP job requested %v, want /x/hello?n=7 once", paths)
	}
	mu.Unlock()
	want := "answer=42 rows=1 word=abc item=item-1 status=200"
	if got := e.log(runID, ids["use"]); !strings.Contains(got, want) {
		t.Errorf("use log %q, want %q", got, want)
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
		t.Fatalf("rerun status %s: %+v", r2.Status, r2.Nodes)
	}
	for _, name := range []string{"produce", "call", "q"} {
		n := node(t, r2, ids[name])
		if n.Status != jobflow.NodeSkipped || fmt.Sprint(n.Outputs) != fmt.Sprint(node(t, r, ids[name]).Outputs) {
			t.Errorf("rerun node %s: %s outputs %v, want SKIPPED with the first run's", name, n.Status, n.Outputs)
		}
	}
	if got := e.log(out.RunID, ids["use"]); !strings.Contains(got, want) {
		t.Errorf("rerun use log %q, want %q", got, want)
	}
	mu.Lock()
	if len(paths) != 1 {
		t.Errorf("the HTTP job ran again in the rerun: %v", paths)
	}
	mu.Unlock()
}

// TestDataflow_RefValidation: a reference to a job that is not an ancestor
// or does not exist is a 400 naming it, and nothing is changed.
func TestDataflow_RefValidation(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	wf, ids := e.workflow("refs", []jobSpec{
		shell("a", "echo ${setValue(x=1)}"),
		shell("b", "echo ${outputs.a.x}"),
		shell("c", "true"),
	}, [][2]string{{"a", "b"}}, nil)
	var before jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+wf, nil, 200, &before)

	// c reading b while it is not below b on the canvas.
	if f := e.API.Fail("PATCH", "/api/v1/jobs/"+ids["c"], map[string]any{"config": map[string]any{"script": "echo ${outputs.b.y}"}}, 400); f.Code != "INVALID" || !strings.Contains(f.Message, `"b"`) || !strings.Contains(f.Message, "not upstream") {
		t.Errorf("non-ancestor ref on job save: %+v", f)
	}
	// A job naming a job that does not exist.
	if f := e.API.Fail("POST", "/api/v1/workflows/"+wf+"/jobs", map[string]any{"name": "d", "type": "SHELL", "config": map[string]any{"script": "echo ${outputs.nosuch.k}"}}, 400); f.Code != "INVALID" || !strings.Contains(f.Message, "nosuch") {
		t.Errorf("unknown job ref on create: %+v", f)
	}
	// A canvas that cuts b off from a.
	nodes := before.Canvas.Nodes
	if f := e.API.Fail("PUT", "/api/v1/workflows/"+wf+"/canvas", map[string]any{"nodes": nodes, "edges": []jobflow.Edge{{From: ids["b"], To: ids["a"]}}, "revision": before.Revision}, 400); f.Code != "INVALID" || !strings.Contains(f.Message, `"a"`) {
		t.Errorf("canvas making the ref a non-ancestor: %+v", f)
	}
	var after jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+wf, nil, 200, &after)
	if after.Revision != before.Revision || len(after.Jobs) != 3 || len(after.Canvas.Edges) != 1 || after.Canvas.Edges[0].From != ids["a"] {
		t.Errorf("bad input changed the workflow: revision %d->%d, %d jobs, edges %v", before.Revision, after.Revision, len(after.Jobs), after.Canvas.Edges)
	}
	for _, j := range after.Jobs {
		if j.ID == ids["c"] && !strings.Contains(string(j.Config), `"true"`) {
			t.Errorf("c's config changed: %s", j.Config)
		}
	}
}
