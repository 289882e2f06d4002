package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/jobtypes"
)

func TestJobs_Validation(t *testing.T) {
	testtier.Parallel(t)
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
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("wf")
		on, off := e.job(w.ID, "on"), e.job(w.ID, "off")
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{
			"nodes": []any{map[string]any{"jobId": on.ID}}, "edges": []any{}, "revision": w.Revision,
		}), 200, nil)

		var edited jobflow.Job
		e.ok(e.as("PATCH", "/api/v1/jobs/"+on.ID, map[string]any{"timeoutSeconds": 30, "config": map[string]any{"script": "echo hi"}}), 200, &edited)
		var cfg jobtypes.ShellConfig
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

// TestJobs_ConditionLimits: a CONDITION whose expression breaks a
// compile-time limit (the reported 25,000-element range bomb, a computed
// range, a 5 KiB literal, deep nesting) is a 400 INVALID in the error
// envelope naming the field and the limit, on create and on update; the
// doubling bomb is within those limits (it is stopped by the run-time
// budget) and is saved.
func TestJobs_ConditionLimits(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("wf")
		cond := func(when string) map[string]any {
			return map[string]any{"name": "route", "type": "CONDITION", "config": map[string]any{"cases": []any{map[string]any{"when": when, "to": []string{}}}}}
		}
		doubling := `let a0="aaaaaaaaaaaaaaaa"; `
		for i := 1; i <= 26; i++ {
			doubling += fmt.Sprintf("let a%d=a%d+a%d; ", i, i-1, i-1)
		}
		doubling += "len(a26)>0"
		var job jobflow.Job
		e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", cond(doubling)), 201, &job)
		cases := []struct{ name, when, want string }{
			{"ReportedRangeBomb", `let r=1..25000; all(r,{all(r,{#>0})})`, "the range 1..25000 has 25000 elements, more than the limit of 10000"},
			{"ComputedRange", `all(1..params.n, {# > 0})`, "integer literals"},
			{"HugeLiteral", `"` + strings.Repeat("a", 5000) + `" != ""`, "more than the limit of 4096 bytes"},
			{"DeepNesting", strings.Repeat("!", 300) + "true", "nests deeper than the limit of 128 levels"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := cond(tc.when)
				body["name"] = "other"
				for _, r := range []resp{
					e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", body),
					e.as("PATCH", "/api/v1/jobs/"+job.ID, map[string]any{"config": body["config"]}),
				} {
					err := e.fail(r, 400, jobflow.EINVALID)
					if err.Details["field"] != "config.cases[0].when" || !strings.Contains(err.Message, tc.want) {
						t.Errorf("error %+v, want field config.cases[0].when and %q", err, tc.want)
					}
				}
			})
		}
		if jobs, _ := e.st.FindJobs(context.Background(), e.tenantID, w.ID); len(jobs) != 1 {
			t.Fatalf("%d jobs stored, want the one accepted", len(jobs))
		}
	})
}

// TestJobTypes: the registry as the console reads it, with the defaults
// the store fills (what the console's forms used to re-declare).
func TestJobTypes(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var got []struct {
			Type     string                     `json:"type"`
			Kind     string                     `json:"kind"`
			Schema   map[string]any             `json:"schema"`
			Defaults map[string]json.RawMessage `json:"defaults"`
		}
		e.ok(e.as("GET", "/api/v1/job-types", nil), 200, &got)
		kinds := map[string]string{}
		for _, g := range got {
			kinds[g.Type] = g.Kind
			if g.Schema["type"] != "object" {
				t.Errorf("%s: schema %v", g.Type, g.Schema)
			}
		}
		want := map[string]string{"SHELL": "ACTIVITY", "PYTHON": "ACTIVITY", "SQL": "ACTIVITY", "HTTP": "ACTIVITY",
			"CONDITION": "CONTROL", "SUBFLOW": "CONTROL", "DEPENDENT": "CONTROL", "APPROVAL": "CONTROL", "FOREACH": "CONTROL"}
		if fmt.Sprint(kinds) != fmt.Sprint(want) {
			t.Errorf("kinds %v, want %v", kinds, want)
		}
		for _, g := range got {
			switch g.Type {
			case "SQL":
				if string(g.Defaults["mode"]) != `"EXECUTE"` {
					t.Errorf("SQL defaults %v", g.Defaults)
				}
			case "DEPENDENT":
				if string(g.Defaults["relation"]) != `"AND"` || string(g.Defaults["checkIntervalSeconds"]) != "60" {
					t.Errorf("DEPENDENT defaults %v", g.Defaults)
				}
			}
		}
	})
}
