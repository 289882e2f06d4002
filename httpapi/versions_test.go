package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
	"jobflow/document"
	"jobflow/internal/testtier"
)

// storePublish snapshots the draft into a version as a publish does (the
// API's publish needs a run engine; these tests run on both stores).
func (e *env) storePublish(wfID, note string) *jobflow.Version {
	e.t.Helper()
	w, err := e.st.FindWorkflowByID(context.Background(), e.tenantID, wfID)
	if err != nil {
		e.t.Fatal(err)
	}
	snap, err := jobflow.TakeSnapshot(w, "")
	if err != nil {
		e.t.Fatal(err)
	}
	v := &jobflow.Version{TenantID: e.tenantID, WorkflowID: wfID, Snapshot: *snap, CreatedBy: "us_pub", Note: note}
	if err := e.st.CreateVersion(context.Background(), v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

// canvas saves nodes (in order, left to right) and edges by job id.
func (e *env) canvas(wfID string, ids []string, edges [][2]string) {
	e.t.Helper()
	var w jobflow.Workflow
	e.ok(e.as("GET", "/api/v1/workflows/"+wfID, nil), 200, &w)
	nodes := []map[string]any{}
	for i, id := range ids {
		nodes = append(nodes, map[string]any{"jobId": id, "x": i * 100, "y": 0})
	}
	es := []map[string]string{}
	for _, ed := range edges {
		es = append(es, map[string]string{"from": ed[0], "to": ed[1]})
	}
	e.ok(e.as("PUT", "/api/v1/workflows/"+wfID+"/canvas", map[string]any{"nodes": nodes, "edges": es, "revision": w.Revision}), 200, nil)
}

func TestVersions_ListGetDiffRestore(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("daily")
		a := e.job(w.ID, "extract")
		var h jobflow.Job
		e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "notify", "type": "HTTP",
			"config": map[string]any{"method": "POST", "url": "https://example.com/hook", "headers": map[string]string{"Authorization": "Bearer old-secret-1"}}}), 201, &h)
		e.canvas(w.ID, []string{a.ID, h.ID}, [][2]string{{a.ID, h.ID}})
		e.storePublish(w.ID, "first cut")

		// Version 2: a's script changed, the secret header changed, a new
		// job c after a, parallelism changed.
		e.ok(e.as("PATCH", "/api/v1/jobs/"+a.ID, map[string]any{"config": map[string]any{"script": "echo v2"}}), 200, nil)
		e.ok(e.as("PATCH", "/api/v1/jobs/"+h.ID, map[string]any{"config": map[string]any{"method": "POST", "url": "https://example.com/hook",
			"headers": map[string]string{"Authorization": "Bearer new-secret-2"}}}), 200, nil)
		c := e.job(w.ID, "load")
		e.canvas(w.ID, []string{a.ID, h.ID, c.ID}, [][2]string{{a.ID, h.ID}, {a.ID, c.ID}})
		var cfg jobflow.WorkflowConfig
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID+"/config", nil), 200, &cfg)
		cfg.MaxParallelism = 4
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", cfg), 200, nil)
		e.storePublish(w.ID, "")

		base := "/api/v1/workflows/" + w.ID + "/versions"
		var list jobflow.List[jobflow.VersionSummary]
		e.ok(e.as("GET", base, nil), 200, &list)
		if list.Total != 2 || list.Items[0].Number != 2 || list.Items[0].JobCount != 3 || list.Items[1].Note != "first cut" || list.Items[1].JobCount != 2 {
			t.Fatalf("list %+v", list)
		}
		var v1 jobflow.Version
		e.ok(e.as("GET", base+"/1", nil), 200, &v1)
		if v1.Number != 1 || len(v1.Snapshot.Jobs) != 2 || len(v1.Snapshot.Canvas.Edges) != 1 {
			t.Fatalf("version 1: %+v", v1)
		}

		var d document.Diff
		r := e.as("GET", base+"/diff?from=1&to=2", nil)
		e.ok(r, 200, &d)
		if strings.Contains(string(r.body), "secret-1") || strings.Contains(string(r.body), "secret-2") {
			t.Fatalf("the diff shows a secret header: %s", r.body)
		}
		if d.Identical || len(d.Jobs.Added) != 1 || d.Jobs.Added[0].Name != "load" || len(d.Jobs.Removed) != 0 || len(d.Jobs.Changed) != 2 {
			t.Fatalf("jobs diff: %s", r.body)
		}
		paths := map[string]document.Change{}
		for _, jc := range d.Jobs.Changed {
			for _, ch := range jc.Changes {
				paths[jc.Name+":"+ch.Path] = ch
			}
		}
		if ch := paths["extract:config.script"]; ch.Old != "echo extract" || ch.New != "echo v2" {
			t.Fatalf("script change %+v in %s", ch, r.body)
		}
		if ch := paths["notify:config.headers.Authorization"]; ch.Old != document.Redacted || ch.New != document.Redacted {
			t.Fatalf("header change %+v: want both redacted", ch)
		}
		if len(d.Edges.Added) != 1 || d.Edges.Added[0] != (document.EdgeRef{From: "extract", To: "load"}) || len(d.Edges.Removed) != 0 {
			t.Fatalf("edges %+v", d.Edges)
		}
		if len(d.Config) != 1 || d.Config[0].Path != "maxParallelism" {
			t.Fatalf("config %+v", d.Config)
		}
		// The draft is version 2: identical; to defaults to the draft.
		e.ok(e.as("GET", base+"/diff?from=2", nil), 200, &d)
		if !d.Identical || d.To != "draft" {
			t.Fatalf("draft vs 2: %+v", d)
		}

		// Bad input: a 4xx in the envelope.
		e.fail(e.as("GET", base+"/0", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", base+"/one", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", base+"/9", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.as("GET", base+"/diff", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", base+"/diff?from=x", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", base+"/diff?from=1&to=9", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.as("GET", base+"?pageSize=500", nil), 400, jobflow.EINVALID)
		other := e.tenant("other", 10)
		e.fail(e.do("GET", base, e.admin, other, nil), 404, jobflow.ENOTFOUND)

		// Refused restores change nothing.
		before := e.snapshot(e.tenantID, w.ID)
		e.fail(e.as("POST", base+"/9/restore", map[string]any{}), 404, jobflow.ENOTFOUND)
		e.fail(e.as("POST", base+"/1/restore", map[string]any{"revision": 1}), 409, jobflow.ECONFLICT)
		e.fail(e.as("POST", base+"/1/restore", `{"revision":"x"}`), 400, jobflow.EINVALID)
		e.fail(e.do("POST", base+"/1/restore", e.admin, other, map[string]any{}), 404, jobflow.ENOTFOUND)
		if after := e.snapshot(e.tenantID, w.ID); after != before {
			t.Fatalf("a refused restore changed the workflow:\n%s\n%s", before, after)
		}

		// Roll back: restore 1, then the draft is version 1 again and its
		// revision moved on; versions stay 2.
		var restored struct {
			jobflow.Workflow
		}
		var cur jobflow.Workflow
		json.Unmarshal([]byte(before), &cur)
		e.ok(e.as("POST", base+"/1/restore", map[string]any{"revision": cur.Revision}), 200, &restored)
		if restored.Revision != cur.Revision+1 || len(restored.Jobs) != 2 {
			t.Fatalf("restored: revision %d (was %d), %d jobs", restored.Revision, cur.Revision, len(restored.Jobs))
		}
		e.ok(e.as("GET", base+"/diff?from=1&to=draft", nil), 200, &d)
		if !d.Identical {
			t.Fatalf("after restore the draft differs from version 1: %+v", d)
		}
		e.ok(e.as("GET", base, nil), 200, &list)
		if list.Total != 2 {
			t.Fatalf("%d versions after a restore", list.Total)
		}
	})
}
