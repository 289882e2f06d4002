package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// refs creates the datasource "warehouse" and the alarm channel "ops" in a
// tenant, as admin, and returns their ids.
func (e *env) refs(tenant string) (dsID, chID string) {
	e.t.Helper()
	var ds, ch struct{ ID string }
	e.ok(e.do("POST", "/api/v1/datasources", e.admin, tenant, map[string]any{"name": "warehouse", "type": "POSTGRES",
		"host": "127.0.0.1", "port": 5432, "database": "dw", "user": "etl", "password": "ds-password-1"}), 201, &ds)
	e.ok(e.do("POST", "/api/v1/alarm-channels", e.admin, tenant, map[string]any{"name": "ops", "type": "WEBHOOK",
		"config": map[string]any{"url": "https://example.com/hook"}}), 201, &ch)
	return ds.ID, ch.ID
}

// richFlow builds "daily": SHELL extract → SQL load → HTTP notify (with a
// literal secret header), an off-canvas job, a schedule, an alarm rule and
// params; and "weekly" with one job.
func (e *env) richFlow(dsID, chID string) *jobflow.Workflow {
	e.t.Helper()
	w := e.workflow("daily")
	add := func(body map[string]any) string {
		var j jobflow.Job
		e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", body), 201, &j)
		return j.ID
	}
	a := add(map[string]any{"name": "extract", "type": "SHELL", "config": map[string]any{"script": "echo ${qing.current_date}"}, "retry": map[string]any{"maxAttempts": 3, "intervalSeconds": 5}})
	b := add(map[string]any{"name": "load", "type": "SQL", "config": map[string]any{"datasourceId": dsID, "sql": "select 1", "mode": "QUERY"}, "timeoutSeconds": 60})
	c := add(map[string]any{"name": "notify", "type": "HTTP", "config": map[string]any{"method": "POST", "url": "https://example.com/n",
		"headers": map[string]string{"Authorization": "Bearer literal-secret-9", "X-Trace": "yes"}}})
	add(map[string]any{"name": "scratch", "type": "PYTHON", "config": map[string]any{"script": "print(1)"}})
	var cur jobflow.Workflow
	e.ok(e.as("GET", "/api/v1/workflows/"+w.ID, nil), 200, &cur)
	e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"revision": cur.Revision,
		"nodes": []map[string]any{{"jobId": a, "x": 10, "y": 20}, {"jobId": b, "x": 200, "y": 20, "disabled": true}, {"jobId": c, "x": 400, "y": 80.5}},
		"edges": []map[string]string{{"from": a, "to": b}, {"from": b, "to": c}}}), 200, nil)
	e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", map[string]any{
		"schedule": map[string]any{"mode": "SINGLE", "cron": "0 0 2 * * ?", "timezone": "Asia/Shanghai", "enabled": true},
		"alarms":   []map[string]any{{"events": []string{"RUN_FAIL"}, "channelIds": []string{chID}, "template": "${qing.workflow_name} failed"}},
		"params":   map[string]string{"region": "east"}, "maxParallelism": 4,
	}), 200, nil)
	wk := e.workflow("weekly")
	j := e.job(wk.ID, "only")
	e.canvas(wk.ID, []string{j.ID}, nil)
	return w
}

func (e *env) importDoc(tenant string, body map[string]any) resp {
	e.t.Helper()
	return e.do("POST", "/api/v1/workflows/import", e.admin, tenant, body)
}

type importResult struct {
	DryRun bool `json:"dryRun"`
	Items  []struct {
		Name       string `json:"name"`
		Action     string `json:"action"`
		WorkflowID string `json:"workflowId"`
		Diff       struct {
			Identical bool `json:"identical"`
			Jobs      struct {
				Added   []struct{ Name string } `json:"added"`
				Changed []struct {
					Name    string `json:"name"`
					Changes []struct{ Path string }
				} `json:"changed"`
			} `json:"jobs"`
		} `json:"diff"`
	} `json:"items"`
	Problems []struct{ Workflow, Path, Message string } `json:"problems"`
	Warnings []string                                   `json:"warnings"`
}

// TestExportImport_RoundTrip: export → import into another tenant →
// export again gives the same document, for one workflow and for a
// multi-document export of all; references go by name, no id or secret
// is in a document; a dry run reports what would happen and changes
// nothing.
func TestExportImport_RoundTrip(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		dsID, chID := e.refs(e.tenantID)
		w := e.richFlow(dsID, chID)

		r := e.as("GET", "/api/v1/workflows/"+w.ID+"/export", nil)
		e.ok(r, 200, nil)
		doc := string(r.body)
		for _, want := range []string{"apiVersion: jobflow/v1", "kind: Workflow", "datasource: warehouse", "- ops", "name: scratch", "x: 400", "from: extract", "disabled: true"} {
			if !strings.Contains(doc, want) {
				t.Fatalf("export lacks %q:\n%s", want, doc)
			}
		}
		for _, bad := range []string{"ds_", "ch_", "job_", "wf_", "tn_", "literal-secret-9", "ds-password", "datasourceId", "channelIds"} {
			if strings.Contains(doc, bad) {
				t.Fatalf("export holds %q:\n%s", bad, doc)
			}
		}
		var asJSON map[string]any
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID+"/export?format=json", nil), 200, &asJSON)
		if asJSON["apiVersion"] != "jobflow/v1" {
			t.Fatalf("json export %v", asJSON)
		}

		b := e.tenant("tenant-b", 10)
		// Without the datasource in tenant b: the dry run names it, and
		// nothing is created.
		var res importResult
		e.ok(e.importDoc(b, map[string]any{"document": doc, "dryRun": true}), 200, &res)
		if len(res.Problems) != 2 || !strings.Contains(res.Problems[0].Message+res.Problems[1].Message, `"warehouse"`) {
			t.Fatalf("dry run problems %+v", res.Problems)
		}
		e.fail(e.importDoc(b, map[string]any{"document": doc}), 400, jobflow.EINVALID)
		if n := e.count(b); n != 0 {
			t.Fatalf("a refused import created %d workflows", n)
		}
		e.refs(b)
		e.ok(e.importDoc(b, map[string]any{"document": doc, "dryRun": true}), 200, &res)
		if len(res.Problems) != 0 || len(res.Items) != 1 || res.Items[0].Action != "CREATE" || len(res.Items[0].Diff.Jobs.Added) != 4 || e.count(b) != 0 {
			t.Fatalf("dry run %+v (workflows in b: %d)", res, e.count(b))
		}
		e.ok(e.importDoc(b, map[string]any{"document": doc}), 200, &res)
		if len(res.Items) != 1 || res.Items[0].WorkflowID == "" || len(res.Warnings) != 1 {
			t.Fatalf("import %+v", res)
		}
		again := e.do("GET", "/api/v1/workflows/"+res.Items[0].WorkflowID+"/export", e.admin, b, nil)
		e.ok(again, 200, nil)
		if string(again.body) != doc {
			t.Fatalf("round trip differs:\n--- a\n%s\n--- b\n%s", doc, again.body)
		}
		var imported jobflow.Workflow
		e.ok(e.do("GET", "/api/v1/workflows/"+res.Items[0].WorkflowID, e.admin, b, nil), 200, &imported)
		if imported.Status != jobflow.StatusDraft || len(imported.Jobs) != 4 || len(imported.Canvas.Edges) != 2 || imported.Config.Alarms[0].ChannelIDs[0] == chID {
			t.Fatalf("imported %+v", imported)
		}

		// All workflows as one multi-document YAML, into a third tenant.
		all := e.as("GET", "/api/v1/workflows/export", nil)
		e.ok(all, 200, nil)
		if strings.Count(string(all.body), "apiVersion: jobflow/v1") != 2 || !strings.Contains(string(all.body), "\n---\n") {
			t.Fatalf("multi export:\n%s", all.body)
		}
		two := e.as("GET", "/api/v1/workflows/export?name=weekly&name=daily", nil)
		if !strings.HasPrefix(string(two.body), "apiVersion: jobflow/v1\nkind: Workflow\nmetadata:\n  name: weekly") {
			t.Fatalf("export by names keeps their order:\n%s", two.body)
		}
		e.fail(e.as("GET", "/api/v1/workflows/export?name=nope", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.as("GET", "/api/v1/workflows/export?format=xml", nil), 400, jobflow.EINVALID)
		c := e.tenant("tenant-c", 10)
		e.refs(c)
		e.ok(e.importDoc(c, map[string]any{"document": string(all.body)}), 200, &res)
		if len(res.Items) != 2 {
			t.Fatalf("multi import %+v", res)
		}
		if again := e.do("GET", "/api/v1/workflows/export", e.admin, c, nil); string(again.body) != string(all.body) {
			t.Fatalf("multi round trip differs:\n%s\n---\n%s", all.body, again.body)
		}
	})
}

// TestImport_OverwriteAndRefusals: OVERWRITE replaces the draft of the
// same-named workflow keeping matched job ids (an identical document is
// UNCHANGED, revision untouched); bad documents, taken names, cycles and
// the workflow limit are refused with nothing changed, all or nothing.
func TestImport_OverwriteAndRefusals(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		dsID, chID := e.refs(e.tenantID)
		w := e.richFlow(dsID, chID)
		r := e.as("GET", "/api/v1/workflows/"+w.ID+"/export", nil)
		doc := string(r.body)
		before := e.snapshot(e.tenantID, w.ID)

		var res importResult
		e.ok(e.as("POST", "/api/v1/workflows/import", map[string]any{"document": doc, "mode": "OVERWRITE"}), 200, &res)
		if res.Items[0].Action != "UNCHANGED" || e.snapshot(e.tenantID, w.ID) != before {
			t.Fatalf("identical overwrite: %+v", res.Items)
		}
		changed := strings.Replace(doc, "echo ${qing.current_date}", "echo changed", 1)
		e.ok(e.as("POST", "/api/v1/workflows/import", map[string]any{"document": changed, "mode": "OVERWRITE", "dryRun": true}), 200, &res)
		it := res.Items[0]
		if it.Action != "OVERWRITE" || it.WorkflowID != w.ID || len(it.Diff.Jobs.Changed) != 1 || it.Diff.Jobs.Changed[0].Name != "extract" ||
			it.Diff.Jobs.Changed[0].Changes[0].Path != "config.script" || e.snapshot(e.tenantID, w.ID) != before {
			t.Fatalf("dry run overwrite %+v", it)
		}
		var old jobflow.Workflow
		json.Unmarshal([]byte(before), &old)
		e.ok(e.as("POST", "/api/v1/workflows/import", map[string]any{"document": changed, "mode": "OVERWRITE"}), 200, &res)
		var now jobflow.Workflow
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID, nil), 200, &now)
		ids := map[string]string{}
		for _, j := range old.Jobs {
			ids[j.Name] = j.ID
		}
		for _, j := range now.Jobs {
			if ids[j.Name] != j.ID {
				t.Fatalf("job %s changed id on overwrite", j.Name)
			}
			if j.Name == "notify" && !strings.Contains(string(j.Config), "literal-secret-9") {
				t.Fatalf("overwrite lost the secret header: %s", j.Config)
			}
			if j.Name == "extract" && !strings.Contains(string(j.Config), "echo changed") {
				t.Fatalf("extract not changed: %s", j.Config)
			}
		}
		if now.Revision != old.Revision+1 {
			t.Fatalf("revision %d, was %d", now.Revision, old.Revision)
		}

		// Refusals change nothing.
		before = e.snapshot(e.tenantID, w.ID)
		n := e.count(e.tenantID)
		for _, c := range []struct {
			body   map[string]any
			status int
			code   string
		}{
			{map[string]any{"document": doc}, 409, jobflow.ECONFLICT}, // CREATE of a taken name
			{map[string]any{"document": doc, "mode": "MERGE"}, 400, jobflow.EINVALID},
			{map[string]any{}, 400, jobflow.EINVALID},
			{map[string]any{"document": "apiVersion: [unclosed"}, 400, jobflow.EINVALID},
			{map[string]any{"document": strings.Replace(doc, "jobflow/v1", "jobflow/v9", 1), "mode": "OVERWRITE"}, 400, jobflow.EINVALID},
			{map[string]any{"document": strings.Replace(doc, "kind: Workflow", "kind: Workflow\ncolour: blue", 1), "mode": "OVERWRITE"}, 400, jobflow.EINVALID},
			{map[string]any{"document": doc + "\n---\n" + strings.Replace(doc, "name: daily", "name: other", 1) + "  - from: notify\n    to: extract\n", "mode": "OVERWRITE"}, 400, jobflow.EINVALID},
			{map[string]any{"document": strings.Replace(doc, "type: SQL", "type: COBOL", 1), "mode": "OVERWRITE"}, 400, jobflow.EINVALID},
			{map[string]any{"document": doc, "mode": "OVERWRITE", "map": map[string]any{"datasources": map[string]string{"warehouse": "missing"}}}, 400, jobflow.EINVALID},
		} {
			e.fail(e.as("POST", "/api/v1/workflows/import", c.body), c.status, c.code)
		}
		if e.snapshot(e.tenantID, w.ID) != before || e.count(e.tenantID) != n {
			t.Fatal("a refused import changed something")
		}

		// The limit: a tenant with room for one more refuses two, and
		// creates neither.
		lt := e.tenant("limited", 1)
		e.refs(lt)
		two := doc + "---\n" + strings.Replace(doc, "name: daily", "name: daily-2", 1)
		e.fail(e.importDoc(lt, map[string]any{"document": two}), 403, jobflow.ELIMITEXCEEDED)
		if got := e.count(lt); got != 0 {
			t.Fatalf("a refused import created %d workflows", got)
		}
		e.ok(e.importDoc(lt, map[string]any{"document": doc}), 200, nil)
	})
}

// TestCopy: a DRAFT copy with new job ids, the same names, canvas shape,
// config and secret values; a taken or bad name is refused.
func TestCopy(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		dsID, chID := e.refs(e.tenantID)
		w := e.richFlow(dsID, chID)
		var src jobflow.Workflow
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID, nil), 200, &src)
		var cp jobflow.Workflow
		e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/copy", map[string]any{"name": "daily-copy"}), 201, &cp)
		if cp.ID == w.ID || cp.Name != "daily-copy" || cp.Status != jobflow.StatusDraft || len(cp.Jobs) != 4 ||
			len(cp.Canvas.Edges) != 2 || cp.Config.Alarms[0].ChannelIDs[0] != chID || cp.Config.Params["region"] != "east" {
			t.Fatalf("copy %+v", cp)
		}
		srcIDs := map[string]bool{}
		for _, j := range src.Jobs {
			srcIDs[j.ID] = true
		}
		for _, j := range cp.Jobs {
			if srcIDs[j.ID] {
				t.Fatalf("copied job %s kept its id", j.Name)
			}
			if j.Name == "notify" && !strings.Contains(string(j.Config), "literal-secret-9") {
				t.Fatalf("the copy lost the secret header: %s", j.Config)
			}
			if j.Name == "load" && !strings.Contains(string(j.Config), dsID) {
				t.Fatalf("the copy's SQL job lost its datasource: %s", j.Config)
			}
		}
		n := e.count(e.tenantID)
		e.fail(e.as("POST", "/api/v1/workflows/"+w.ID+"/copy", map[string]any{"name": "weekly"}), 409, jobflow.ECONFLICT)
		e.fail(e.as("POST", "/api/v1/workflows/"+w.ID+"/copy", map[string]any{"name": ""}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/workflows/wf_nope/copy", map[string]any{"name": "x"}), 404, jobflow.ENOTFOUND)
		if e.count(e.tenantID) != n {
			t.Fatal("a refused copy created a workflow")
		}
		if _, err := e.st.FindWorkflowByName(context.Background(), e.tenantID, "daily-copy"); err != nil {
			t.Fatal(err)
		}
	})
}
