package httpapi_test

import (
	"context"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestRunGrid: GET /workflows/{id}/run-grid answers jobs in canvas order
// and runs with cells; a bad limit is 400 naming limit.
func TestRunGrid(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("grid")
		j := e.job(w.ID, "only")
		cur, err := e.st.FindWorkflowByID(context.Background(), e.tenantID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"revision": cur.Revision,
			"nodes": []map[string]any{{"jobId": j.ID, "x": 0, "y": 0}}, "edges": []any{}}), 200, nil)
		start := time.Now().UTC().Add(-time.Minute)
		run := &jobflow.Run{ID: "run-grid", TenantID: e.tenantID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual, StartedAt: start}
		if err := e.st.CreateRun(context.Background(), run, &jobflow.Snapshot{}); err != nil {
			t.Fatal(err)
		}
		if err := e.st.UpsertNodeRun(context.Background(), &jobflow.NodeRun{RunID: run.ID, JobID: j.ID, Status: jobflow.NodeRunning,
			Attempt: 1, StartedAt: &start}); err != nil {
			t.Fatal(err)
		}
		var g jobflow.RunGrid
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID+"/run-grid", nil), 200, &g)
		if len(g.Jobs) != 1 || g.Jobs[0].ID != j.ID || len(g.Runs) != 1 || g.Runs[0].Cells[j.ID].Status != jobflow.NodeRunning {
			t.Fatalf("grid %+v", g)
		}
		for _, bad := range []string{"0", "101", "x", "-3"} {
			er := e.fail(e.as("GET", "/api/v1/workflows/"+w.ID+"/run-grid?limit="+bad, nil), 400, jobflow.EINVALID)
			if er.Details["field"] != "limit" {
				t.Fatalf("limit=%s: %v", bad, er.Details)
			}
		}
		e.fail(e.as("GET", "/api/v1/workflows/wf_nope/run-grid", nil), 404, jobflow.ENOTFOUND)
	})
}
