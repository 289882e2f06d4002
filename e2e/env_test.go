package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testwait"
)

// env is one jobflow on a real in-process Temporal server and a fresh
// PostgreSQL database (testrig), driven through its REST API.
type env struct {
	*testrig.Rig
	t *testing.T
}

type envOptions struct {
	noWorker bool // the test runs its own worker processes
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	return &env{Rig: testrig.New(t, testrig.Options{NoWorker: opts.noWorker}), t: t}
}

// jobSpec is a job to create: its name, type, config and settings.
type jobSpec struct {
	Name           string         `json:"name"`
	Type           string         `json:"type"`
	Config         any            `json:"config"`
	TimeoutSeconds int            `json:"timeoutSeconds,omitempty"`
	TimeoutAction  string         `json:"timeoutAction,omitempty"`
	Retry          map[string]int `json:"retry,omitempty"`
	Pool           string         `json:"pool,omitempty"`
}

func shell(name, script string) jobSpec {
	return jobSpec{Name: name, Type: "SHELL", Config: map[string]any{"script": script}}
}

// workflow creates a workflow with jobs and edges (by job name) and
// returns its id and the job ids by name.
func (e *env) workflow(name string, jobs []jobSpec, edges [][2]string, config map[string]any) (string, map[string]string) {
	e.t.Helper()
	var wf jobflow.Workflow
	e.API.Must("POST", "/api/v1/workflows", map[string]string{"name": name}, 201, &wf)
	ids := map[string]string{}
	var nodes []jobflow.CanvasNode
	for i, j := range jobs {
		var job jobflow.Job
		e.API.Must("POST", "/api/v1/workflows/"+wf.ID+"/jobs", j, 201, &job)
		ids[j.Name] = job.ID
		nodes = append(nodes, jobflow.CanvasNode{JobID: job.ID, X: float64(i * 100)})
	}
	var es []jobflow.Edge
	for _, ed := range edges {
		es = append(es, jobflow.Edge{From: ids[ed[0]], To: ids[ed[1]]})
	}
	e.API.Must("PUT", "/api/v1/workflows/"+wf.ID+"/canvas",
		map[string]any{"nodes": nodes, "edges": es, "revision": wf.Revision}, 200, nil)
	if config != nil {
		e.API.Must("PUT", "/api/v1/workflows/"+wf.ID+"/config", config, 200, nil)
	}
	return wf.ID, ids
}

// start runs a workflow by hand and returns the run id.
func (e *env) start(workflowID string, params map[string]string) string {
	e.t.Helper()
	var out struct {
		RunID string `json:"runId"`
	}
	e.API.Must("POST", "/api/v1/workflows/"+workflowID+"/runs", map[string]any{"params": params}, 202, &out)
	if out.RunID == "" {
		e.t.Fatal("no runId")
	}
	return out.RunID
}

// run reads a run through the API.
func (e *env) run(id string) *jobflow.Run {
	e.t.Helper()
	var r jobflow.Run
	e.API.Must("GET", "/api/v1/runs/"+id, nil, 200, &r)
	return &r
}

// waitRun polls the run until cond holds, failing after timeout.
func (e *env) waitRun(id string, timeout time.Duration, what string, cond func(*jobflow.Run) bool) *jobflow.Run {
	e.t.Helper()
	var r *jobflow.Run
	if !testwait.Until(timeout, func() bool { r = e.run(id); return cond(r) }) {
		b, _ := json.MarshalIndent(r, "", " ")
		e.t.Fatalf("run %s: waited %s for %s; run is %s", id, timeout, what, b)
	}
	return r
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
	code, b := e.API.Do("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log", nil)
	if code != 200 {
		e.t.Fatalf("log of %s/%s = %d: %s", runID, jobID, code, b)
	}
	return string(b)
}
