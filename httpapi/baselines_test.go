package httpapi_test

import (
	"context"
	"testing"

	"jobflow"
)

// Baselines over the API: MEMBERs read and may not write; without an
// engine a create is 503 and stores nothing (a baseline nobody watches
// would promise what it cannot keep); bad input is a 400 that changes
// nothing; instances answer a date or 400/404.
func TestBaselines_API(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		wf := e.workflow("nightly")
		_, member := e.user("mia", jobflow.RoleMember)
		body := map[string]any{"name": "by 7", "finishBy": "07:00", "targets": []map[string]string{{"workflowId": wf.ID}}}

		e.fail(e.do("POST", "/api/v1/baselines", member, e.tenantID, body), 403, jobflow.EFORBIDDEN)
		e.fail(e.as("POST", "/api/v1/baselines", body), 503, jobflow.EUNAVAILABLE)
		var list jobflow.List[jobflow.Baseline]
		if e.ok(e.do("GET", "/api/v1/baselines", member, e.tenantID, nil), 200, &list); list.Total != 0 {
			t.Fatalf("a refused create was stored: %+v", list)
		}

		b := &jobflow.Baseline{TenantID: e.tenantID, Name: "by 7", FinishBy: "07:00", Targets: []jobflow.BaselineTarget{{WorkflowID: wf.ID}}}
		if err := e.st.CreateBaseline(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		var got jobflow.Baseline
		e.ok(e.do("GET", "/api/v1/baselines/"+b.ID, member, e.tenantID, nil), 200, &got)
		if got.Name != "by 7" || got.Timezone != "Asia/Shanghai" || got.Priority != 1 {
			t.Fatalf("baseline %+v", got)
		}
		if er := e.fail(e.as("PATCH", "/api/v1/baselines/"+b.ID, map[string]any{"priority": 9}), 400, jobflow.EINVALID); er.Details["field"] != "priority" {
			t.Fatalf("field %v", er.Details)
		}
		e.fail(e.as("PATCH", "/api/v1/baselines/"+b.ID, map[string]any{"finishBy": 700}), 400, jobflow.EINVALID)
		e.fail(e.as("PATCH", "/api/v1/baselines/"+b.ID, map[string]any{"targets": []map[string]string{{"workflowId": "wf_nope"}}}), 400, jobflow.EINVALID)
		e.ok(e.as("GET", "/api/v1/baselines/"+b.ID, nil), 200, &got)
		if got.Priority != 1 || got.FinishBy != "07:00" || got.Targets[0].WorkflowID != wf.ID {
			t.Fatalf("a refused PATCH changed the baseline: %+v", got)
		}
		e.ok(e.as("PATCH", "/api/v1/baselines/"+b.ID, map[string]any{"marginMinutes": 20}), 200, &got)
		if got.MarginMinutes != 20 {
			t.Fatalf("PATCH: %+v", got)
		}

		e.fail(e.as("GET", "/api/v1/baselines/"+b.ID+"/instances?date=2026-13-01", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", "/api/v1/baselines/"+b.ID+"/instances?date=2026-12-01", nil), 404, jobflow.ENOTFOUND)
		var inst jobflow.List[jobflow.BaselineInstance]
		if e.ok(e.as("GET", "/api/v1/baselines/"+b.ID+"/instances", nil), 200, &inst); len(inst.Items) != 0 {
			t.Fatalf("instances %+v", inst)
		}
		e.fail(e.as("GET", "/api/v1/baselines/bl_nope/instances", nil), 404, jobflow.ENOTFOUND)

		e.fail(e.do("DELETE", "/api/v1/baselines/"+b.ID, member, e.tenantID, nil), 403, jobflow.EFORBIDDEN)
		e.ok(e.as("DELETE", "/api/v1/baselines/"+b.ID, nil), 204, nil)
		e.fail(e.as("GET", "/api/v1/baselines/"+b.ID, nil), 404, jobflow.ENOTFOUND)
	})
}
