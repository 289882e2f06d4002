package engine_test

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

const adminPassword = "engine-test-admin-password"

// env is jobflow on an in-process Temporal server with a real worker and a
// fresh PostgreSQL database, driven through its REST API.
type env struct {
	t      *testing.T
	client client.Client
	store  *store.Store
	eng    *engine.Engine
	api    *httptest.Server
	token  string
	tenant string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), ts.GetDefaultNamespace()); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	st, _ := storetest.OpenPostgres(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	acts := &activities.Activities{Runs: st, Datasources: st, Logger: log}
	t.Cleanup(func() { acts.Close() })
	ts.NewWorkerWithOptions(workflows.DefaultTaskQueue, func(r worker.Registry) {
		workflows.Register(r)
		acts.Register(r)
	}, worker.Options{MaxHeartbeatThrottleInterval: time.Second})
	eng := &engine.Engine{Client: c, Store: st, Namespace: ts.GetDefaultNamespace(), TaskQueue: workflows.DefaultTaskQueue}
	deps := httpapi.NewDeps(st)
	deps.Engine = eng
	if _, err := httpapi.Bootstrap(ctx, deps, adminPassword); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	srv := httpapi.New(httpapi.Config{JWTSecret: []byte("engine-test-secret-engine-test-secret"), Logger: log}, deps)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)

	e := &env{t: t, client: c, store: st, eng: eng, api: hs}
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

func (e *env) do(method, path string, in any) (int, []byte) {
	e.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
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

// fail calls the API expecting an error and returns it.
func (e *env) fail(method, path string, in any, status int) jobflow.Error {
	e.t.Helper()
	var out struct {
		Error jobflow.Error `json:"error"`
	}
	e.must(method, path, in, status, &out)
	return out.Error
}

type jobSpec struct {
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Config map[string]any `json:"config"`
	Cron   string         `json:"cron,omitempty"`
}

func shell(name, script string) jobSpec {
	return jobSpec{Name: name, Type: "SHELL", Config: map[string]any{"script": script}}
}

// schedule is a workflow config with an enabled schedule.
func schedule(cron, zone string, extra map[string]any) map[string]any {
	s := map[string]any{"mode": "SINGLE", "cron": cron, "timezone": zone, "enabled": true}
	for k, v := range extra {
		s[k] = v
	}
	return map[string]any{"schedule": s}
}

// workflow creates a workflow with jobs (a chain, in order) and config,
// returning its id and the job ids by name.
func (e *env) workflow(name string, jobs []jobSpec, config map[string]any) (string, map[string]string) {
	e.t.Helper()
	var wf jobflow.Workflow
	e.must("POST", "/api/v1/workflows", map[string]string{"name": name}, 201, &wf)
	ids := map[string]string{}
	var nodes []jobflow.CanvasNode
	var edges []jobflow.Edge
	for i, j := range jobs {
		var job jobflow.Job
		e.must("POST", "/api/v1/workflows/"+wf.ID+"/jobs", j, 201, &job)
		ids[j.Name] = job.ID
		nodes = append(nodes, jobflow.CanvasNode{JobID: job.ID, X: float64(i * 100)})
		if i > 0 {
			edges = append(edges, jobflow.Edge{From: ids[jobs[i-1].Name], To: job.ID})
		}
	}
	if len(nodes) > 0 {
		e.must("PUT", "/api/v1/workflows/"+wf.ID+"/canvas",
			map[string]any{"nodes": nodes, "edges": edges, "revision": wf.Revision}, 200, nil)
	}
	if config != nil {
		e.must("PUT", "/api/v1/workflows/"+wf.ID+"/config", config, 200, nil)
	}
	return wf.ID, ids
}

type published struct {
	Workflow     jobflow.Workflow `json:"workflow"`
	Version      jobflow.Version  `json:"version"`
	NextRunTimes []time.Time      `json:"nextRunTimes"`
}

func (e *env) publish(wfID string) published {
	e.t.Helper()
	var p published
	e.must("POST", "/api/v1/workflows/"+wfID+"/publish", nil, 200, &p)
	return p
}

type runList struct {
	Items []*jobflow.Run `json:"items"`
	Total int            `json:"total"`
}

func (e *env) runs(wfID string, trigger jobflow.Trigger) runList {
	e.t.Helper()
	var l runList
	e.must("GET", "/api/v1/runs?pageSize=200&workflowId="+wfID+"&trigger="+string(trigger), nil, 200, &l)
	return l
}

func (e *env) run(id string) *jobflow.Run {
	e.t.Helper()
	var r jobflow.Run
	e.must("GET", "/api/v1/runs/"+id, nil, 200, &r)
	return &r
}

func (e *env) log(runID, jobID string) string {
	e.t.Helper()
	code, b := e.do("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log", nil)
	if code != 200 {
		e.t.Fatalf("log of %s/%s = %d: %s", runID, jobID, code, b)
	}
	return string(b)
}

// eventually polls cond every 200 ms until it holds, failing after timeout.
func (e *env) eventually(timeout time.Duration, what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitFinished waits for a run to end and returns it.
func (e *env) waitFinished(id string) *jobflow.Run {
	e.t.Helper()
	var r *jobflow.Run
	e.eventually(60*time.Second, "run "+id+" to finish", func() bool {
		r = e.run(id)
		return r.Status.Finished()
	})
	return r
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
