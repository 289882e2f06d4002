package httpapi_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestRunDelta: GET /runs/{id} answers a version; ?since=<version> answers
// the run with only the nodes written after it, so the poll of a 2,000-job
// run where one node changed is one node and a few hundred bytes.
func TestRunDelta(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workflow("big")
		run := &jobflow.Run{ID: "run-delta", TenantID: e.tenantID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual}
		snap := &jobflow.Snapshot{Canvas: jobflow.Canvas{Edges: []jobflow.Edge{{From: "job_0000", To: "job_0001"}}}}
		if err := e.st.CreateRun(ctx, run, snap); err != nil {
			t.Fatal(err)
		}
		nodes := make([]jobflow.NodeRun, 2000)
		for i := range nodes {
			nodes[i] = jobflow.NodeRun{RunID: run.ID, JobID: fmt.Sprintf("job_%04d", i), JobName: fmt.Sprintf("job number %d", i),
				JobType: jobflow.JobShell, Status: jobflow.NodePending}
		}
		if err := e.st.UpsertNodeRuns(ctx, nodes); err != nil {
			t.Fatal(err)
		}
		type runAnswer struct {
			Version int64             `json:"version"`
			Status  string            `json:"status"`
			Nodes   []jobflow.NodeRun `json:"nodes"`
			Edges   []jobflow.Edge    `json:"edges"`
		}
		var whole runAnswer
		e.ok(e.as("GET", "/api/v1/runs/"+run.ID, nil), 200, &whole)
		if whole.Version == 0 || len(whole.Nodes) != 2000 || len(whole.Edges) != 1 {
			t.Fatalf("whole run: version %d, %d nodes, %d edges", whole.Version, len(whole.Nodes), len(whole.Edges))
		}
		since := "/api/v1/runs/" + run.ID + "?since="
		var none runAnswer
		e.ok(e.as("GET", since+strconv.FormatInt(whole.Version, 10), nil), 200, &none)
		if len(none.Nodes) != 0 || none.Version != whole.Version || none.Status != "RUNNING" {
			t.Fatalf("since the current version: %d nodes, version %d", len(none.Nodes), none.Version)
		}
		started := time.Now().UTC()
		if err := e.st.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: run.ID, JobID: "job_0777", Status: jobflow.NodeRunning,
			Attempt: 1, StartedAt: &started}); err != nil {
			t.Fatal(err)
		}
		r := e.as("GET", since+strconv.FormatInt(whole.Version, 10), nil)
		var one runAnswer
		e.ok(r, 200, &one)
		if len(one.Nodes) != 1 || one.Nodes[0].JobID != "job_0777" || one.Version <= whole.Version {
			t.Fatalf("one node changed: %d nodes, version %d: %s", len(one.Nodes), one.Version, r.body)
		}
		if len(r.body) >= 50<<10 {
			t.Fatalf("delta of one node is %d bytes", len(r.body))
		}
		for _, bad := range []string{"x", "-1", "1.5", "99999999999999999999"} {
			er := e.fail(e.as("GET", since+bad, nil), 400, jobflow.EINVALID)
			if er.Details["field"] != "since" {
				t.Fatalf("since=%s: details %v", bad, er.Details)
			}
		}
	})
}
