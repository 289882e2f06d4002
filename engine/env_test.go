package engine_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testrig"
	"jobflow/internal/testwait"
)

// TestMain makes password hashes cheap: the tests log in hundreds of times,
// and what they check of passwords does not depend on bcrypt's cost.
func TestMain(m *testing.M) {
	httpapi.PasswordCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// env is jobflow on an in-process Temporal server with a real worker and a
// fresh PostgreSQL database (testrig), driven through its REST API.
type env struct {
	*testrig.Rig
	t      *testing.T
	tenant string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	r := testrig.New(t, testrig.Options{})
	return &env{Rig: r, t: t, tenant: r.API.Tenant}
}

type jobSpec struct {
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Config map[string]any `json:"config"`
	Cron   string         `json:"cron,omitempty"`
	// Pool and Priority (docs/run-semantics.md#pools).
	Pool     string `json:"pool,omitempty"`
	Priority int    `json:"priority,omitempty"`
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
	e.API.Must("POST", "/api/v1/workflows", map[string]string{"name": name}, 201, &wf)
	ids := map[string]string{}
	var nodes []jobflow.CanvasNode
	var edges []jobflow.Edge
	for i, j := range jobs {
		var job jobflow.Job
		e.API.Must("POST", "/api/v1/workflows/"+wf.ID+"/jobs", j, 201, &job)
		ids[j.Name] = job.ID
		nodes = append(nodes, jobflow.CanvasNode{JobID: job.ID, X: float64(i * 100)})
		if i > 0 {
			edges = append(edges, jobflow.Edge{From: ids[jobs[i-1].Name], To: job.ID})
		}
	}
	if len(nodes) > 0 {
		e.API.Must("PUT", "/api/v1/workflows/"+wf.ID+"/canvas",
			map[string]any{"nodes": nodes, "edges": edges, "revision": wf.Revision}, 200, nil)
	}
	if config != nil {
		e.API.Must("PUT", "/api/v1/workflows/"+wf.ID+"/config", config, 200, nil)
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
	e.API.Must("POST", "/api/v1/workflows/"+wfID+"/publish", nil, 200, &p)
	return p
}

type runList struct {
	Items []*jobflow.Run `json:"items"`
	Total int            `json:"total"`
}

func (e *env) runs(wfID string, trigger jobflow.Trigger) runList {
	e.t.Helper()
	var l runList
	e.API.Must("GET", "/api/v1/runs?pageSize=200&workflowId="+wfID+"&trigger="+string(trigger), nil, 200, &l)
	return l
}

func (e *env) run(id string) *jobflow.Run {
	e.t.Helper()
	var r jobflow.Run
	e.API.Must("GET", "/api/v1/runs/"+id, nil, 200, &r)
	return &r
}

func (e *env) log(runID, jobID string) string {
	e.t.Helper()
	code, b := e.API.Do("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log", nil)
	if code != 200 {
		e.t.Fatalf("log of %s/%s = %d: %s", runID, jobID, code, b)
	}
	return string(b)
}

// eventually waits until cond holds, failing after timeout.
func (e *env) eventually(timeout time.Duration, what string, cond func() bool) {
	e.t.Helper()
	testwait.For(e.t, timeout, what, cond)
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

// audited counts the audit rows of an action on an object.
func audited(t *testing.T, st interface {
	FindAuditEntries(context.Context, jobflow.AuditFilter) ([]*jobflow.AuditEntry, int, error)
}, action, objectID string) int {
	t.Helper()
	_, n, err := st.FindAuditEntries(context.Background(), jobflow.AuditFilter{ListParams: jobflow.ListParams{Page: 1, PageSize: 10},
		AllTenants: true, Action: action, ObjectID: objectID})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
