package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

func subflowJob(name, target string) map[string]any {
	return map[string]any{"name": name, "type": "SUBFLOW", "config": map[string]any{"workflowId": target}}
}

func TestJobs_SubflowValidation(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w, target := e.workflow("wf"), e.workflow("target")
		theirs := &jobflow.Workflow{TenantID: e.tenant("other", 10), Name: "theirs", CreatedBy: "us_test"}
		if err := e.st.CreateWorkflow(context.Background(), theirs, 10); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/workflows/" + w.ID + "/jobs"
		cfg := func(c map[string]any) map[string]any {
			return map[string]any{"name": "s", "type": "SUBFLOW", "config": c}
		}
		cases := []struct {
			name  string
			body  any
			field string
		}{
			{"NoWorkflow", cfg(map[string]any{}), "config.workflowId"},
			{"UnknownWorkflow", cfg(map[string]any{"workflowId": "wf_nope"}), "config.workflowId"},
			{"OtherTenantsWorkflow", cfg(map[string]any{"workflowId": theirs.ID}), "config.workflowId"},
			{"BadVersion", cfg(map[string]any{"workflowId": target.ID, "version": "LATEST"}), "config.version"},
			{"BadParamName", cfg(map[string]any{"workflowId": target.ID, "params": map[string]string{"no-dash": "1"}}), "config.params"},
			{"SecretParam", cfg(map[string]any{"workflowId": target.ID, "params": map[string]string{"pw": "${{ secret.DB }}"}}), "config.params"},
			{"WaitNotBool", cfg(map[string]any{"workflowId": target.ID, "wait": "yes"}), "config"},
			{"UnknownField", cfg(map[string]any{"workflowId": target.ID, "depth": 2}), "config"},
			{"Retry", map[string]any{"name": "s", "type": "SUBFLOW", "config": map[string]any{"workflowId": target.ID},
				"retry": map[string]any{"maxAttempts": 3}}, "retry.maxAttempts"},
			{"Itself", subflowJob("s", w.ID), "config.workflowId"},
		}
		before := e.snapshot(e.tenantID, w.ID)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := e.fail(e.as("POST", path, tc.body), 400, jobflow.EINVALID)
				if err.Details["field"] != tc.field {
					t.Errorf("details %v, want field %s (%s)", err.Details, tc.field, err.Message)
				}
			})
		}
		if after := e.snapshot(e.tenantID, w.ID); after != before {
			t.Fatalf("refused jobs changed the workflow:\n%s\n%s", before, after)
		}

		// A valid one: defaults filled, stored.
		var j jobflow.Job
		e.ok(e.as("POST", path, map[string]any{"name": "s", "type": "SUBFLOW",
			"config": map[string]any{"workflowId": target.ID, "params": map[string]string{"day": "${params.day}"}}}), 201, &j)
		if string(j.Config) != `{"workflowId":"`+target.ID+`","version":"PUBLISHED","params":{"day":"${params.day}"},"wait":true}` {
			t.Errorf("stored config %s", j.Config)
		}
	})
}

// Recursion through any number of workflows is refused on save, whether
// the loop is closed by a new job or by an edit; calls nest at most 5 deep.
func TestJobs_SubflowRecursion(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		a, b, c := e.workflow("a"), e.workflow("b"), e.workflow("c")
		e.ok(e.as("POST", "/api/v1/workflows/"+a.ID+"/jobs", subflowJob("to b", b.ID)), 201, nil)
		e.ok(e.as("POST", "/api/v1/workflows/"+b.ID+"/jobs", subflowJob("to c", c.ID)), 201, nil)

		beforeC := e.snapshot(e.tenantID, c.ID)
		err := e.fail(e.as("POST", "/api/v1/workflows/"+c.ID+"/jobs", subflowJob("to a", a.ID)), 400, jobflow.EINVALID)
		if err.Details["field"] != "config.workflowId" || !strings.Contains(err.Message, `"c" → "a" → "b" → "c"`) {
			t.Errorf("A→B→C→A: %+v", err)
		}
		// An edit of a job into a call that closes the loop is refused too.
		plain := e.job(c.ID, "plain")
		beforeC = e.snapshot(e.tenantID, c.ID)
		e.fail(e.as("PATCH", "/api/v1/jobs/"+plain.ID, map[string]any{"type": "SUBFLOW", "config": map[string]any{"workflowId": b.ID}}), 400, jobflow.EINVALID)
		if after := e.snapshot(e.tenantID, c.ID); after != beforeC {
			t.Fatalf("a refused edit changed the workflow")
		}

		// Depth: d1 → d2 → … → d6 is 5 calls deep (allowed); d0 → d1 is 6.
		var chain []*jobflow.Workflow
		for i := 0; i <= 6; i++ {
			chain = append(chain, e.workflow("d"+string(rune('0'+i))))
		}
		for i := 6; i >= 2; i-- {
			e.ok(e.as("POST", "/api/v1/workflows/"+chain[i-1].ID+"/jobs", subflowJob("next", chain[i].ID)), 201, nil)
		}
		err = e.fail(e.as("POST", "/api/v1/workflows/"+chain[0].ID+"/jobs", subflowJob("next", chain[1].ID)), 400, jobflow.EINVALID)
		if !strings.Contains(err.Message, "6 deep") {
			t.Errorf("depth 6: %s", err.Message)
		}
	})
}
