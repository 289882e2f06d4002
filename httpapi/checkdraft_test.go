package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestCheckDraft_EntryPoints: one bad draft — job "b" reads the outputs of
// job "a", which is not upstream of it on the canvas — reached through each
// entry point that writes a draft (canvas save, job create, job update,
// import) is refused with the same 400 INVALID envelope naming the
// reference, and the stored workflow is unchanged: every entry point runs
// the one check (jobflow.CheckDraft), none of its own.
func TestCheckDraft_EntryPoints(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		const ref = "${outputs.a.x}"
		badScript := map[string]any{"script": "echo " + ref}
		for _, tc := range []struct {
			name string
			// setup builds the workflow just short of the bad draft; do is
			// the request that would complete it.
			setup func(w *jobflow.Workflow, a, b *jobflow.Job)
			do    func(w *jobflow.Workflow, a, b *jobflow.Job) resp
		}{
			{"canvas save", func(w *jobflow.Workflow, a, b *jobflow.Job) {
				e.ok(e.as("PATCH", "/api/v1/jobs/"+b.ID, map[string]any{"config": badScript}), 200, nil)
			}, func(w *jobflow.Workflow, a, b *jobflow.Job) resp {
				cur := e.current(w.ID)
				return e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"revision": cur.Revision,
					"nodes": []map[string]any{{"jobId": a.ID}, {"jobId": b.ID}}, "edges": []any{}})
			}},
			{"job update", func(w *jobflow.Workflow, a, b *jobflow.Job) {
				e.place(w.ID, a.ID, b.ID)
			}, func(w *jobflow.Workflow, a, b *jobflow.Job) resp {
				return e.as("PATCH", "/api/v1/jobs/"+b.ID, map[string]any{"config": badScript})
			}},
			{"job create", func(*jobflow.Workflow, *jobflow.Job, *jobflow.Job) {}, func(w *jobflow.Workflow, a, b *jobflow.Job) resp {
				// A job off the canvas may name any job of the workflow,
				// but not one that does not exist.
				return e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{
					"name": "c", "type": "SHELL", "config": map[string]any{"script": "echo ${outputs.nope.x}"}})
			}},
			{"import", func(*jobflow.Workflow, *jobflow.Job, *jobflow.Job) {}, func(w *jobflow.Workflow, a, b *jobflow.Job) resp {
				doc, _ := json.Marshal(map[string]any{"apiVersion": "jobflow/v1", "kind": "Workflow",
					"metadata": map[string]any{"name": w.Name},
					"spec": map[string]any{"config": map[string]any{}, "edges": []any{}, "jobs": []map[string]any{
						{"name": "a", "type": "SHELL", "config": map[string]any{"script": "true"}, "position": map[string]any{"x": 0, "y": 0}},
						{"name": "b", "type": "SHELL", "config": badScript, "position": map[string]any{"x": 1, "y": 0}},
					}}})
				return e.as("POST", "/api/v1/workflows/import", map[string]any{"document": string(doc), "mode": "OVERWRITE"})
			}},
		} {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				w := e.workflow("flow-" + strings.ReplaceAll(tc.name, " ", "-"))
				a, b := e.job(w.ID, "a"), e.job(w.ID, "b")
				tc.setup(w, a, b)
				before := e.snapshot(e.tenantID, w.ID)
				got := e.fail(tc.do(w, a, b), 400, jobflow.EINVALID)
				if after := e.snapshot(e.tenantID, w.ID); after != before {
					t.Fatalf("%s changed the workflow:\nbefore %s\nafter  %s", tc.name, before, after)
				}
				if !strings.Contains(got.Message, "outputs.") {
					t.Fatalf("%s: message %q does not name the reference", tc.name, got.Message)
				}
				if tc.name != "job create" && !strings.Contains(got.Message, "not upstream") {
					t.Fatalf("%s: message %q does not say the job is not upstream", tc.name, got.Message)
				}
			})
		}
	})
}

// current reads a workflow through the API.
func (e *env) current(id string) *jobflow.Workflow {
	e.t.Helper()
	var w jobflow.Workflow
	e.ok(e.as("GET", "/api/v1/workflows/"+id, nil), 200, &w)
	return &w
}

// place puts the jobs on the workflow's canvas, without edges.
func (e *env) place(wfID string, ids ...string) {
	e.t.Helper()
	cur := e.current(wfID)
	nodes := make([]map[string]any, len(ids))
	for i, id := range ids {
		nodes[i] = map[string]any{"jobId": id, "x": i}
	}
	e.ok(e.as("PUT", "/api/v1/workflows/"+wfID+"/canvas", map[string]any{"revision": cur.Revision, "nodes": nodes, "edges": []any{}}), 200, nil)
}
