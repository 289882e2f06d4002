package httpapi_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testrig"
	"jobflow/internal/testwait"
)

// runEnv is env with a run engine (testrig): a real in-process Temporal
// server, a worker with FlowRun, FlowRunAlarms and the real activities,
// over a fresh PostgreSQL store.
type runEnv struct {
	*env
	ts     *temporaltest.TestServer
	client client.Client
}

func newRunEnv(t *testing.T, opts ...option) *runEnv {
	t.Helper()
	logs := &lockedWriter{}
	r := testrig.New(t, testrig.Options{
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		API: func(cfg *httpapi.Config) {
			cfg.JWTSecret = testSecret
			for _, o := range opts {
				o(cfg)
			}
		},
	})
	e := &env{t: t, st: r.Store, srv: r.Server, admin: r.API.Token, tenantID: r.API.Tenant, logs: logs}
	return &runEnv{env: e, ts: r.Temporal, client: r.Client}
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
	var r *jobflow.Run
	var err error
	if !testwait.Until(within, func() bool {
		r, err = e.st.FindRunByID(context.Background(), e.tenantID, runID)
		return err == nil && r.Status.Finished()
	}) {
		e.t.Fatalf("run %s not finished within %s (last: %+v, %v)", runID, within, r, err)
	}
	return r
}
