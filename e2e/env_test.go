package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"jobflow"
	"jobflow/activities"
	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

const adminPassword = "e2e-admin-password"

// env is one jobflow on a real in-process Temporal server and a fresh
// PostgreSQL database, driven through its REST API.
type env struct {
	t      *testing.T
	ts     *temporaltest.TestServer
	client client.Client
	store  *store.Store
	dbURL  string
	api    *httptest.Server
	token  string
	tenant string
}

type envOptions struct {
	noWorker bool // the test runs its own worker processes
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), ts.GetDefaultNamespace()); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	st, dbURL := storetest.OpenPostgres(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if !opts.noWorker {
		acts := &activities.Activities{Runs: st, Datasources: st, Alarms: st, Logger: log}
		t.Cleanup(func() { acts.Close() })
		ts.NewWorkerWithOptions(workflows.DefaultTaskQueue, func(r worker.Registry) {
			workflows.Register(r)
			acts.Register(r)
		}, worker.Options{MaxHeartbeatThrottleInterval: time.Second})
	}
	eng := &engine.Engine{Client: c, Store: st, Namespace: ts.GetDefaultNamespace(), TaskQueue: workflows.DefaultTaskQueue,
		UIURL: "http://localhost:8233"}
	deps := httpapi.NewDeps(st)
	deps.Engine = eng
	if _, err := httpapi.Bootstrap(ctx, deps, adminPassword); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	srv := httpapi.New(httpapi.Config{JWTSecret: []byte("e2e-secret-e2e-secret-e2e-secret!"), Logger: log}, deps)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)

	e := &env{t: t, ts: ts, client: c, store: st, dbURL: dbURL, api: hs}
	var login struct {
		Token   string `json:"token"`
		Tenants []struct {
			ID string `json:"id"`
		} `json:"tenants"`
	}
	e.must("POST", "/api/v1/auth/login", map[string]string{"account": "admin", "password": adminPassword}, 200, &login)
	e.token, e.tenant = login.Token, login.Tenants[0].ID
	return e
}

// do calls the API and returns the status and the raw body.
func (e *env) do(method, path string, in any) (int, []byte) {
	e.t.Helper()
	var body io.Reader
	switch v := in.(type) {
	case nil:
	case string:
		body = strings.NewReader(v)
	default:
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.api.URL+path, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("X-Tenant-ID", e.tenant)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must calls the API, expects status and decodes the answer into out.
func (e *env) must(method, path string, in any, status int, out any) {
	e.t.Helper()
	got, b := e.do(method, path, in)
	if got != status {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, got, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// errorCode calls the API expecting an error and returns its code.
func (e *env) errorCode(method, path string, in any, status int) string {
	e.t.Helper()
	var env struct {
		Error jobflow.Error `json:"error"`
	}
	e.must(method, path, in, status, &env)
	return env.Error.Code
}

// jobSpec is a job to create: its name, type, config and settings.
type jobSpec struct {
	Name           string         `json:"name"`
	Type           string         `json:"type"`
	Config         any            `json:"config"`
	TimeoutSeconds int            `json:"timeoutSeconds,omitempty"`
	Retry          map[string]int `json:"retry,omitempty"`
}

func shell(name, script string) jobSpec {
	return jobSpec{Name: name, Type: "SHELL", Config: map[string]any{"script": script}}
}

// workflow creates a workflow with jobs and edges (by job name) and
// returns its id and the job ids by name.
func (e *env) workflow(name string, jobs []jobSpec, edges [][2]string, config map[string]any) (string, map[string]string) {
	e.t.Helper()
	var wf jobflow.Workflow
	e.must("POST", "/api/v1/workflows", map[string]string{"name": name}, 201, &wf)
	ids := map[string]string{}
	var nodes []jobflow.CanvasNode
	for i, j := range jobs {
		var job jobflow.Job
		e.must("POST", "/api/v1/workflows/"+wf.ID+"/jobs", j, 201, &job)
		ids[j.Name] = job.ID
		nodes = append(nodes, jobflow.CanvasNode{JobID: job.ID, X: float64(i * 100)})
	}
	var es []jobflow.Edge
	for _, ed := range edges {
		es = append(es, jobflow.Edge{From: ids[ed[0]], To: ids[ed[1]]})
	}
	e.must("PUT", "/api/v1/workflows/"+wf.ID+"/canvas",
		map[string]any{"nodes": nodes, "edges": es, "revision": wf.Revision}, 200, nil)
	if config != nil {
		e.must("PUT", "/api/v1/workflows/"+wf.ID+"/config", config, 200, nil)
	}
	return wf.ID, ids
}

// start runs a workflow by hand and returns the run id.
func (e *env) start(workflowID string, params map[string]string) string {
	e.t.Helper()
	var out struct {
		RunID string `json:"runId"`
	}
	e.must("POST", "/api/v1/workflows/"+workflowID+"/runs", map[string]any{"params": params}, 202, &out)
	if out.RunID == "" {
		e.t.Fatal("no runId")
	}
	return out.RunID
}

// run reads a run through the API.
func (e *env) run(id string) *jobflow.Run {
	e.t.Helper()
	var r jobflow.Run
	e.must("GET", "/api/v1/runs/"+id, nil, 200, &r)
	return &r
}

// waitRun polls the run until cond holds, failing after timeout.
func (e *env) waitRun(id string, timeout time.Duration, what string, cond func(*jobflow.Run) bool) *jobflow.Run {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r := e.run(id)
		if cond(r) {
			return r
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(r, "", " ")
			e.t.Fatalf("run %s: waited %s for %s; run is %s", id, timeout, what, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitFinished waits for the run to end and returns it.
func (e *env) waitFinished(id string) *jobflow.Run {
	e.t.Helper()
	return e.waitRun(id, 90*time.Second, "the end", func(r *jobflow.Run) bool { return r.Status.Finished() })
}

// node returns the node run of job id.
func node(t *testing.T, r *jobflow.Run, jobID string) *jobflow.NodeRun {
	t.Helper()
	n := findNode(r, jobID)
	if n == nil {
		t.Fatalf("run %s has no node %s", r.ID, jobID)
	}
	return n
}

// findNode returns the node run of job id, or nil while it is not recorded.
func findNode(r *jobflow.Run, jobID string) *jobflow.NodeRun {
	for _, n := range r.Nodes {
		if n.JobID == jobID {
			return n
		}
	}
	return nil
}

// log reads a node run's log through the API.
func (e *env) log(runID, jobID string) string {
	e.t.Helper()
	code, b := e.do("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log", nil)
	if code != 200 {
		e.t.Fatalf("log of %s/%s = %d: %s", runID, jobID, code, b)
	}
	return string(b)
}
