package httpapi_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestRunListFilters: GET /runs takes from, to and q, its items carry
// durationMs; GET /node-runs lists task instances; every bad filter value
// is 400 naming the parameter.
func TestRunListFilters(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workflow("filters")
		start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
		end := start.Add(3 * time.Second)
		run := &jobflow.Run{ID: "run-filter-1", TenantID: e.tenantID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual,
			StartedAt: start, Params: map[string]string{"day": "2026-11-02"}}
		if err := e.st.CreateRun(ctx, run, &jobflow.Snapshot{}); err != nil {
			t.Fatal(err)
		}
		run.Status, run.EndedAt = jobflow.RunSuccess, &end
		if err := e.st.UpsertRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		if err := e.st.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: run.ID, JobID: "job_1", JobName: "one", JobType: jobflow.JobShell,
			Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &start, EndedAt: &end}); err != nil {
			t.Fatal(err)
		}
		var runs jobflow.List[jobflow.Run]
		e.ok(e.as("GET", "/api/v1/runs?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&q=11-02", nil), 200, &runs)
		if len(runs.Items) != 1 || runs.Items[0].DurationMs == nil || *runs.Items[0].DurationMs != 3000 {
			t.Fatalf("runs %+v", runs)
		}
		e.ok(e.as("GET", "/api/v1/runs?from=2026-11-03T00:00:00Z", nil), 200, &runs)
		if len(runs.Items) != 0 {
			t.Fatalf("runs after the run: %+v", runs.Items)
		}
		var nodes jobflow.List[jobflow.NodeRunItem]
		e.ok(e.as("GET", "/api/v1/node-runs?workflowId="+w.ID+"&status=SUCCESS&from=2026-11-02T00:00:00Z", nil), 200, &nodes)
		if len(nodes.Items) != 1 || nodes.Items[0].JobName != "one" || *nodes.Items[0].DurationMs != 3000 {
			t.Fatalf("node runs %+v", nodes)
		}
		for _, tc := range []struct{ path, field string }{
			{"/api/v1/runs?from=yesterday", "from"},
			{"/api/v1/runs?to=2026-13-01T00:00:00Z", "to"},
			{"/api/v1/runs?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"},
			{"/api/v1/runs?q=" + url.QueryEscape(string(make([]byte, 201))), "q"},
			{"/api/v1/runs?status=DONE", "status"},
			{"/api/v1/runs?pageSize=0", "pageSize"},
			{"/api/v1/node-runs?status=DONE", "status"},
			{"/api/v1/node-runs?from=1", "from"},
			{"/api/v1/node-runs?to=x", "to"},
			{"/api/v1/node-runs?page=x", "page"},
		} {
			er := e.fail(e.as("GET", tc.path, nil), 400, jobflow.EINVALID)
			if er.Details["field"] != tc.field {
				t.Errorf("%s: details %v, want field %s", tc.path, er.Details, tc.field)
			}
		}
	})
}
