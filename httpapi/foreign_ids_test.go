package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// tenantState is the store's view of all of a tenant's workflows (with
// canvas, config and jobs) as JSON, and the workflow and job row counts.
func (e *env) tenantState(tenantID string) (string, int, int) {
	e.t.Helper()
	ws, n, err := e.st.FindWorkflows(context.Background(), tenantID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Page: 1, PageSize: 200}})
	if err != nil {
		e.t.Fatal(err)
	}
	var all []string
	jobs := 0
	for _, w := range ws {
		fw, err := e.st.FindWorkflowByID(context.Background(), tenantID, w.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		jobs += len(fw.Jobs)
		b, _ := json.Marshal(fw)
		all = append(all, string(b))
	}
	return strings.Join(all, "\n"), n, jobs
}

// TestAttack_ForeignIDs: a TENANT_ADMIN of tenant A who knows tenant B's
// ids (a datasource, a workflow, a job, an alarm channel) puts them into
// A's jobs, config and imports: each is a 400 INVALID whose message and
// details.field name the field and the id, and tenant A's workflows and
// jobs are exactly as before (row counts and contents).
func TestAttack_ForeignIDs(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		b := e.tenant("tenant-b", 10)
		dsB, chB := e.refs(b)
		var wfB, jobB struct{ ID string }
		e.ok(e.do("POST", "/api/v1/workflows", e.admin, b, map[string]any{"name": "b-flow"}), 201, &wfB)
		e.ok(e.do("POST", "/api/v1/workflows/"+wfB.ID+"/jobs", e.admin, b, map[string]any{"name": "b-job", "type": "SHELL", "config": map[string]any{"script": "true"}}), 201, &jobB)

		_, tok := e.user("attacker", jobflow.RoleTenantAdmin)
		as := func(method, path string, body any) resp { return e.do(method, path, tok, e.tenantID, body) }
		wfA := e.workflow("a-flow")
		sibling := e.job(wfA.ID, "sibling")
		other := e.workflow("a-other")
		otherJob := e.job(other.ID, "other-job")
		before, nw, nj := e.tenantState(e.tenantID)

		refused := func(what string, r resp, field, id string) {
			t.Helper()
			got := e.fail(r, 400, jobflow.EINVALID)
			// An import names the document's path (spec.jobs.N.config...).
			f, _ := got.Details["field"].(string)
			if f != field && !(strings.HasPrefix(f, "spec.") && strings.HasSuffix(f, "."+field)) || !strings.Contains(got.Message, field) || !strings.Contains(got.Message, id) {
				t.Fatalf("%s: %q %v; want field %s and id %s named", what, got.Message, got.Details, field, id)
			}
		}
		jobBody := func(typ string, cfg map[string]any) map[string]any {
			return map[string]any{"name": "evil-" + strings.ToLower(typ), "type": typ, "config": cfg}
		}
		refused("SQL job on B's datasource", as("POST", "/api/v1/workflows/"+wfA.ID+"/jobs",
			jobBody("SQL", map[string]any{"datasourceId": dsB, "sql": "select * from secrets"})), "config.datasourceId", dsB)
		refused("edit to B's datasource", as("PATCH", "/api/v1/jobs/"+sibling.ID,
			map[string]any{"type": "SQL", "config": map[string]any{"datasourceId": dsB, "sql": "select 1"}}), "config.datasourceId", dsB)
		refused("SUBFLOW of B's workflow", as("POST", "/api/v1/workflows/"+wfA.ID+"/jobs",
			jobBody("SUBFLOW", map[string]any{"workflowId": wfB.ID, "version": "DRAFT"})), "config.workflowId", wfB.ID)
		refused("DEPENDENT on B's workflow", as("POST", "/api/v1/workflows/"+wfA.ID+"/jobs",
			jobBody("DEPENDENT", map[string]any{"items": []map[string]any{{"workflowId": wfB.ID, "window": "today"}}})), "config.items[0].workflowId", wfB.ID)
		refused("CONDITION to another workflow's job", as("POST", "/api/v1/workflows/"+wfA.ID+"/jobs",
			jobBody("CONDITION", map[string]any{"cases": []map[string]any{{"when": "true", "to": []string{sibling.ID, otherJob.ID}}}})), "config.cases[0].to", otherJob.ID)
		refused("CONDITION default to B's job", as("POST", "/api/v1/workflows/"+wfA.ID+"/jobs",
			jobBody("CONDITION", map[string]any{"cases": []map[string]any{{"when": "true", "to": []string{sibling.ID}}}, "default": []string{jobB.ID}})), "config.default", jobB.ID)
		refused("config with B's alarm channel", as("PUT", "/api/v1/workflows/"+wfA.ID+"/config",
			map[string]any{"alarms": []map[string]any{{"events": []string{"RUN_FAIL"}, "channelIds": []string{chB}}}}), "alarms[0].channelIds[0]", chB)

		// Imports carrying raw ids instead of names: a new workflow, and an
		// OVERWRITE of a-flow's draft.
		for _, mode := range []string{"CREATE", "OVERWRITE"} {
			name := map[string]string{"CREATE": "imported", "OVERWRITE": "a-flow"}[mode]
			doc := func(jobs ...map[string]any) map[string]any {
				return map[string]any{"mode": mode, "document": map[string]any{"apiVersion": "jobflow/v1", "kind": "Workflow",
					"metadata": map[string]any{"name": name}, "spec": map[string]any{"jobs": jobs}}}
			}
			refused(mode+" import with B's datasource id", as("POST", "/api/v1/workflows/import",
				doc(map[string]any{"name": "load", "type": "SQL", "config": map[string]any{"datasourceId": dsB, "sql": "select 1"}})), "config.datasourceId", dsB)
			refused(mode+" import with B's workflow as SUBFLOW", as("POST", "/api/v1/workflows/import",
				doc(map[string]any{"name": "call", "type": "SUBFLOW", "config": map[string]any{"workflowId": wfB.ID, "version": "DRAFT"}})), "config.workflowId", wfB.ID)
			refused(mode+" import with B's workflow as DEPENDENT", as("POST", "/api/v1/workflows/import",
				doc(map[string]any{"name": "wait", "type": "DEPENDENT", "config": map[string]any{"items": []map[string]any{{"workflowId": wfB.ID, "window": "today"}}}})), "config.items[0].workflowId", wfB.ID)
			refused(mode+" import with a CONDITION to another workflow's job", as("POST", "/api/v1/workflows/import",
				doc(map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{"script": "true"}},
					map[string]any{"name": "pick", "type": "CONDITION", "config": map[string]any{"cases": []map[string]any{{"when": "true", "to": []string{"x", otherJob.ID}}}}})), "config.cases[0].to", otherJob.ID)
		}
		// A dry run reports a raw foreign id as a problem.
		var dry struct {
			Problems []struct{ Path, Message string }
		}
		e.ok(as("POST", "/api/v1/workflows/import", map[string]any{"dryRun": true, "document": map[string]any{"apiVersion": "jobflow/v1", "kind": "Workflow",
			"metadata": map[string]any{"name": "dry"}, "spec": map[string]any{"jobs": []map[string]any{
				{"name": "load", "type": "SQL", "config": map[string]any{"datasourceId": dsB, "sql": "select 1"}}}}}}), 200, &dry)
		if len(dry.Problems) != 1 || dry.Problems[0].Path != "spec.jobs.0.config.datasourceId" || !strings.Contains(dry.Problems[0].Message, dsB) {
			t.Fatalf("dry run problems %+v, want one naming spec.jobs.0.config.datasourceId and %s", dry.Problems, dsB)
		}

		after, nw2, nj2 := e.tenantState(e.tenantID)
		if nw2 != nw || nj2 != nj || after != before {
			t.Fatalf("tenant A changed by refused requests: %d workflows, %d jobs -> %d, %d\nbefore %s\nafter  %s", nw, nj, nw2, nj2, before, after)
		}
		// The same requests with A's own ids are accepted (the checks refuse
		// what is foreign, not the job types).
		dsA, chA := e.refs(e.tenantID)
		e.ok(as("POST", "/api/v1/workflows/"+wfA.ID+"/jobs", jobBody("SQL", map[string]any{"datasourceId": dsA, "sql": "select 1"})), 201, nil)
		e.ok(as("POST", "/api/v1/workflows/"+wfA.ID+"/jobs", jobBody("SUBFLOW", map[string]any{"workflowId": other.ID, "version": "DRAFT"})), 201, nil)
		e.ok(as("PUT", "/api/v1/workflows/"+wfA.ID+"/config", map[string]any{"alarms": []map[string]any{{"events": []string{"RUN_FAIL"}, "channelIds": []string{chA}}}}), 200, nil)
		if _, _, nj3 := e.tenantState(e.tenantID); nj3 != nj+2 {
			t.Fatalf("jobs %d after two good creates, want %d", nj3, nj+2)
		}
	})
}
