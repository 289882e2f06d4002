package httpapi_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"jobflow"
	"jobflow/activities"
	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/store/storetest"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// runEnv is env with a run engine: a real in-process Temporal server
// (temporaltest), a worker with FlowRun, FlowRunAlarms and the real
// activities, over a fresh PostgreSQL store.
type runEnv struct {
	*env
	ts     *temporaltest.TestServer
	client client.Client
}

func newRunEnv(t *testing.T, opts ...option) *runEnv {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), ts.GetDefaultNamespace()); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	st, _ := storetest.OpenPostgres(t)
	logs := &lockedWriter{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	acts := &activities.Activities{Runs: st, Datasources: st, Alarms: st, Logger: log}
	t.Cleanup(func() { acts.Close() })
	ts.NewWorkerWithOptions(workflows.DefaultTaskQueue, func(r worker.Registry) {
		workflows.Register(r)
		acts.Register(r)
	}, worker.Options{MaxHeartbeatThrottleInterval: time.Second})

	eng := &engine.Engine{Client: c, Store: st, Namespace: ts.GetDefaultNamespace(), TaskQueue: workflows.DefaultTaskQueue}
	deps := httpapi.NewDeps(st)
	deps.Engine = eng
	if _, err := httpapi.Bootstrap(ctx, deps, adminPassword); err != nil {
		t.Fatal(err)
	}
	// The listener comes first, so the curl commands carry its address.
	srv := httptest.NewUnstartedServer(nil)
	cfg := httpapi.Config{JWTSecret: testSecret, Logger: log, PublicURL: "http://" + srv.Listener.Addr().String()}
	for _, o := range opts {
		o(&cfg)
	}
	api := httpapi.New(cfg, deps)
	srv.Config.Handler = api.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, api: api, srv: srv, logs: logs}
	var login struct {
		Token   string `json:"token"`
		Tenants []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"tenants"`
	}
	e.ok(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "admin", "password": adminPassword}), 200, &login)
	e.admin = login.Token
	for _, tn := range login.Tenants {
		if tn.Name == "default" {
			e.tenantID = tn.ID
		}
	}
	return &runEnv{env: e, ts: ts, client: c}
}

// flow creates a workflow of SHELL jobs in a chain, in the order given,
// with the config cfg (nil: the default), and returns it.
func (e *runEnv) flow(name string, cfg map[string]any, scripts ...string) *jobflow.Workflow {
	e.t.Helper()
	w := e.workflow(name)
	var nodes []map[string]any
	var edges []map[string]string
	prev := ""
	for i, script := range scripts {
		var j jobflow.Job
		e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{
			"name": "job" + string(rune('A'+i)), "type": "SHELL", "config": map[string]any{"script": script},
		}), 201, &j)
		nodes = append(nodes, map[string]any{"jobId": j.ID, "x": i * 100, "y": 0})
		if prev != "" {
			edges = append(edges, map[string]string{"from": prev, "to": j.ID})
		}
		prev = j.ID
	}
	var saved jobflow.Workflow
	e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"nodes": nodes, "edges": edges, "revision": w.Revision}), 200, &saved)
	if cfg != nil {
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", cfg), 200, nil)
	}
	return &saved
}

// runManual starts a manual run over the API and returns its id.
func (e *runEnv) runManual(wfID string) string {
	e.t.Helper()
	var started struct {
		RunID string `json:"runId"`
	}
	e.ok(e.as("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}), 202, &started)
	return started.RunID
}

// waitRun waits until the run's row has a final status and returns it.
func (e *runEnv) waitRun(runID string, within time.Duration) *jobflow.Run {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := e.st.FindRunByID(context.Background(), e.tenantID, runID)
		if err == nil && r.Status.Finished() {
			return r
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("run %s not finished within %s (last: %+v, %v)", runID, within, r, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
