package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"

	"jobflow"
)

func TestJobs_Validation(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("wf")
		path := "/api/v1/workflows/" + w.ID + "/jobs"
		cases := []struct {
			name  string
			body  any
			field string
		}{
			{"NoType", map[string]any{"name": "x", "config": map[string]any{"script": "true"}}, "type"},
			{"BogusType", map[string]any{"name": "x", "type": "PERL", "config": map[string]any{}}, "type"},
			{"ShellNoScript", map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{}}, "config.script"},
			{"ShellUnknownConfig", map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{"script": "true", "shell": "zsh"}}, "config"},
			{"PythonBadEnv", map[string]any{"name": "x", "type": "PYTHON", "config": map[string]any{"script": "pass", "env": map[string]string{"1BAD": "v"}}}, "config.env"},
			{"SQLNoDatasource", map[string]any{"name": "x", "type": "SQL", "config": map[string]any{"sql": "select 1"}}, "config.datasourceId"},
			{"SQLUnknownDatasource", map[string]any{"name": "x", "type": "SQL", "config": map[string]any{"datasourceId": "ds_nope", "sql": "select 1"}}, "config.datasourceId"},
			{"SQLBadMode", map[string]any{"name": "x", "type": "SQL", "config": map[string]any{"datasourceId": "ds_nope", "sql": "select 1", "mode": "MAYBE"}}, "config.mode"},
			{"HTTPBadURL", map[string]any{"name": "x", "type": "HTTP", "config": map[string]any{"url": "ftp://x"}}, "config.url"},
			{"HTTPBadCode", map[string]any{"name": "x", "type": "HTTP", "config": map[string]any{"url": "http://x", "successCodes": []int{999}}}, "config.successCodes"},
			{"NegativeTimeout", map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{"script": "true"}, "timeoutSeconds": -1}, "timeoutSeconds"},
			{"BadRetry", map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{"script": "true"}, "retry": map[string]any{"maxAttempts": 1000}}, "retry.maxAttempts"},
			{"BadWorkerGroup", map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{"script": "true"}, "workerGroup": "Bad Group"}, "workerGroup"},
			{"BadCron", map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{"script": "true"}, "cron": "0 0 25 * * ?"}, "cron"},
			{"WrongTypeTimeout", `{"name":"x","type":"SHELL","config":{"script":"true"},"timeoutSeconds":"60"}`, "timeoutSeconds"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := e.fail(e.as("POST", path, tc.body), 400, jobflow.EINVALID)
				if err.Details["field"] != tc.field {
					t.Errorf("details %v, want field %s (%s)", err.Details, tc.field, err.Message)
				}
				if jobs, _ := e.st.FindJobs(context.Background(), e.tenantID, w.ID); len(jobs) != 0 {
					t.Fatalf("a refused job was stored: %+v", jobs[0])
				}
			})
		}
		e.fail(e.as("POST", "/api/v1/workflows/wf_nope/jobs", map[string]any{"name": "x", "type": "SHELL", "config": map[string]any{"script": "true"}}), 404, jobflow.ENOTFOUND)
	})
}

func TestJobs_EditAndDelete(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("wf")
		on, off := e.job(w.ID, "on"), e.job(w.ID, "off")
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{
			"nodes": []any{map[string]any{"jobId": on.ID}}, "edges": []any{}, "revision": w.Revision,
		}), 200, nil)

		var edited jobflow.Job
		e.ok(e.as("PATCH", "/api/v1/jobs/"+on.ID, map[string]any{"timeoutSeconds": 30, "config": map[string]any{"script": "echo hi"}}), 200, &edited)
		var cfg jobflow.ShellConfig
		_ = json.Unmarshal(edited.Config, &cfg)
		if edited.TimeoutSeconds != 30 || cfg.Script != "echo hi" || edited.Name != "on" {
			t.Fatalf("edited = %+v", edited)
		}
		var got jobflow.Job
		e.ok(e.as("GET", "/api/v1/jobs/"+on.ID, nil), 200, &got)
		if got.TimeoutSeconds != 30 {
			t.Fatalf("GET after PATCH = %+v", got)
		}

		before, _ := json.Marshal(got)
		e.fail(e.as("PATCH", "/api/v1/jobs/"+on.ID, map[string]any{"type": "HTTP"}), 400, jobflow.EINVALID)  // SHELL config is no HTTP config
		e.fail(e.as("PATCH", "/api/v1/jobs/"+on.ID, map[string]any{"name": "off"}), 409, jobflow.ECONFLICT)  // taken
		e.fail(e.as("PATCH", "/api/v1/jobs/"+on.ID, `{"retry":{"maxAttempts":"3"}}`), 400, jobflow.EINVALID) // wrong type
		var after jobflow.Job
		e.ok(e.as("GET", "/api/v1/jobs/"+on.ID, nil), 200, &after)
		if a, _ := json.Marshal(after); string(a) != string(before) {
			t.Fatalf("refused edits changed the job:\n%s\n%s", before, a)
		}

		e.fail(e.as("DELETE", "/api/v1/jobs/"+on.ID, nil), 409, jobflow.ECONFLICT)
		e.ok(e.as("GET", "/api/v1/jobs/"+on.ID, nil), 200, nil)
		e.ok(e.as("DELETE", "/api/v1/jobs/"+off.ID, nil), 204, nil)
		e.fail(e.as("GET", "/api/v1/jobs/"+off.ID, nil), 404, jobflow.ENOTFOUND)
	})
}
