package httpapi_test

import (
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestCanvas_DisabledCondition: a CONDITION node cannot be disabled (it
// would choose no branch): saving such a canvas is a 400 naming the node,
// and the stored workflow is unchanged; any other node can be
// (docs/run-semantics.md#disabled-nodes).
func TestCanvas_DisabledCondition(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("cond-off")
		a, x := e.job(w.ID, "a"), e.job(w.ID, "x")
		var k jobflow.Job
		e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "k", "type": "CONDITION",
			"config": map[string]any{"cases": []map[string]any{{"when": "true", "to": []string{x.ID}}}}}), 201, &k)
		canvas := func(disabled string) map[string]any {
			cur := e.current(w.ID)
			nodes := []map[string]any{}
			for i, id := range []string{a.ID, k.ID, x.ID} {
				nodes = append(nodes, map[string]any{"jobId": id, "x": i * 100, "y": 0, "disabled": id == disabled})
			}
			return map[string]any{"revision": cur.Revision, "nodes": nodes,
				"edges": []map[string]string{{"from": a.ID, "to": k.ID}, {"from": k.ID, "to": x.ID}}}
		}
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", canvas(a.ID)), 200, nil)
		before := e.snapshot(e.tenantID, w.ID)
		got := e.fail(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", canvas(k.ID)), 400, jobflow.EINVALID)
		if got.Details["jobId"] != k.ID || got.Details["field"] != "nodes" {
			t.Fatalf("error %+v does not name the CONDITION node", got)
		}
		if after := e.snapshot(e.tenantID, w.ID); after != before {
			t.Fatalf("a refused canvas changed the workflow:\nbefore %s\nafter  %s", before, after)
		}
		if cur := e.current(w.ID); !cur.Canvas.Nodes[0].Disabled || cur.Canvas.Nodes[1].Disabled {
			t.Fatalf("stored canvas %+v: want a alone disabled", cur.Canvas.Nodes)
		}
	})
}
