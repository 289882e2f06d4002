package httpapi_test

import (
	"jobflow/internal/testtier"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// conformer checks real answers (and the bodies sent) against the OpenAPI
// document the server serves, which is reflected from the handlers' Go
// types (internal/openapi): a field renamed, retyped or made nullable on
// one side only fails here.
type conformer struct {
	*runEnv
	doc     *openapi3.T
	checked int
}

func newConformer(t *testing.T) *conformer {
	e := newRunEnv(t)
	r := e.do("GET", "/api/v1/openapi.json", "", "", nil)
	e.ok(r, 200, nil)
	doc, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served document is not valid OpenAPI: %v", err)
	}
	return &conformer{runEnv: e, doc: doc}
}

// call sends a request as the admin in the default tenant to path (tmpl is
// its template in the document, e.g. /api/v1/runs/{id}), and checks the
// body sent against the operation's request schema and the answer against
// the schema of the status it got.
func (c *conformer) call(method, tmpl, path string, body any, want int) resp {
	c.t.Helper()
	op := c.operation(method, tmpl)
	if _, raw := body.(string); !raw && body != nil && op.RequestBody != nil { // a string is a deliberately bad body
		sent, _ := json.Marshal(body)
		if err := validate(op.RequestBody.Value.Content.Get("application/json").Schema.Value, sent); err != nil {
			c.t.Fatalf("%s %s: the body sent does not match the document: %v", method, tmpl, err)
		}
	}
	r := c.do(method, path, c.admin, c.tenantID, body)
	if r.status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if err := c.conforms(op, r); err != nil {
		c.t.Fatalf("%s %s answered %d: %v\n%s", method, path, r.status, err, r.body)
	}
	c.checked++
	return r
}

func (c *conformer) operation(method, tmpl string) *openapi3.Operation {
	c.t.Helper()
	item := c.doc.Paths.Find(tmpl)
	if item == nil || item.GetOperation(method) == nil {
		c.t.Fatalf("%s %s is not in the document", method, tmpl)
	}
	return item.GetOperation(method)
}

// conforms validates an answer against the schema the operation documents
// for its status (an error status must be documented explicitly, not only
// by default).
func (c *conformer) conforms(op *openapi3.Operation, r resp) error {
	ref := op.Responses.Status(r.status)
	if ref == nil {
		return fmt.Errorf("status %d is not documented", r.status)
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil {
		if len(r.body) > 0 && strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			return errors.New("a JSON body where the document has none")
		}
		return nil
	}
	return validate(mt.Schema.Value, r.body)
}

func validate(s *openapi3.Schema, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return s.VisitJSON(v, openapi3.MultiErrors())
}

// TestOpenAPI_ResponsesConform drives the real server (store, engine,
// in-process Temporal) through a representative set of calls and checks
// every answer against the generated document.
func TestOpenAPI_ResponsesConform(t *testing.T) {
	testtier.Parallel(t)
	c := newConformer(t)
	const v1 = "/api/v1"
	id := func(r resp) string {
		var x struct {
			ID    string `json:"id"`
			RunID string `json:"runId"`
		}
		_ = json.Unmarshal(r.body, &x)
		return x.ID + x.RunID
	}

	c.call("GET", "/healthz", "/healthz", nil, 200)
	login := c.operation("POST", v1+"/auth/login")
	r := c.do("POST", v1+"/auth/login", "", "", map[string]string{"account": "admin", "password": "wrong-password-1"})
	if err := c.conforms(login, r); err != nil || r.status != http.StatusUnauthorized {
		t.Fatalf("bad login: %d %v %s", r.status, err, r.body)
	}
	c.call("GET", v1+"/me", v1+"/me", nil, 200)
	tn := id(c.call("POST", v1+"/tenants", v1+"/tenants", map[string]any{"name": "conform", "maxWorkflows": 10}, 201))
	c.call("PATCH", v1+"/tenants/{id}", v1+"/tenants/"+tn, map[string]any{"name": "conform2"}, 200)
	c.call("GET", v1+"/tenants", v1+"/tenants", nil, 200)
	c.call("GET", v1+"/users", v1+"/users", nil, 200)
	c.call("GET", v1+"/license", v1+"/license", nil, 200)
	c.call("GET", v1+"/login-throttles", v1+"/login-throttles", nil, 200)

	wf := id(c.call("POST", v1+"/workflows", v1+"/workflows", map[string]any{"name": "conform", "remark": "r"}, 201))
	c.call("POST", v1+"/workflows", v1+"/workflows", map[string]any{"name": "conform"}, 409)
	c.call("POST", v1+"/workflows", v1+"/workflows", `{"name": 5}`, 400)
	c.call("GET", v1+"/workflows/{id}", v1+"/workflows/no-such-workflow", nil, 404)
	a := id(c.call("POST", v1+"/workflows/{id}/jobs", v1+"/workflows/"+wf+"/jobs",
		map[string]any{"name": "a", "type": "SHELL", "config": map[string]any{"script": "echo '${setValue(k=v)}'"}}, 201))
	b := id(c.call("POST", v1+"/workflows/{id}/jobs", v1+"/workflows/"+wf+"/jobs",
		map[string]any{"name": "b", "type": "SHELL", "config": map[string]any{"script": "echo b"}, "retry": map[string]any{"maxAttempts": 2, "intervalSeconds": 1, "backoff": 1}}, 201))
	c.call("GET", v1+"/jobs/{id}", v1+"/jobs/"+a, nil, 200)
	c.call("GET", v1+"/workflows/{id}/jobs", v1+"/workflows/"+wf+"/jobs", nil, 200)
	var w struct{ Revision int64 }
	_ = json.Unmarshal(c.call("GET", v1+"/workflows/{id}", v1+"/workflows/"+wf, nil, 200).body, &w)
	canvas := map[string]any{"revision": w.Revision,
		"nodes": []any{map[string]any{"jobId": a, "x": 0, "y": 0}, map[string]any{"jobId": b, "x": 100, "y": 0}},
		"edges": []any{map[string]any{"from": a, "to": b}}}
	c.call("PUT", v1+"/workflows/{id}/canvas", v1+"/workflows/"+wf+"/canvas", canvas, 200)
	c.call("PUT", v1+"/workflows/{id}/canvas", v1+"/workflows/"+wf+"/canvas", canvas, 409) // stale revision
	c.call("DELETE", v1+"/jobs/{id}", v1+"/jobs/"+a, nil, 409)                             // on the canvas
	cfg := map[string]any{"schedule": map[string]any{"mode": "SINGLE", "cron": "0 3 * * *", "timezone": "UTC"}, "failureStrategy": "END", "params": map[string]string{"p": "1"}}
	c.call("PUT", v1+"/workflows/{id}/config", v1+"/workflows/"+wf+"/config", cfg, 200)
	c.call("GET", v1+"/workflows/{id}/config", v1+"/workflows/"+wf+"/config", nil, 200)
	c.call("GET", v1+"/workflows", v1+"/workflows", nil, 200)
	c.call("POST", v1+"/cron/preview", v1+"/cron/preview", map[string]any{"cron": "0 3 * * *", "timezone": "UTC", "count": 3}, 200)

	run := id(c.call("POST", v1+"/workflows/{id}/runs", v1+"/workflows/"+wf+"/runs", map[string]any{"params": map[string]string{"p": "2"}}, 202))
	c.waitRun(run, 2*time.Minute)
	c.call("GET", v1+"/runs/{id}", v1+"/runs/"+run, nil, 200)
	c.call("GET", v1+"/runs/{id}", v1+"/runs/"+run+"?since=0", nil, 200)
	c.call("GET", v1+"/runs/{id}", v1+"/runs/"+run+"?since=x", nil, 400)
	c.call("GET", v1+"/runs/{id}", v1+"/runs/no-such-run", nil, 404)
	c.call("GET", v1+"/runs", v1+"/runs?workflowId="+wf, nil, 200)
	c.call("POST", v1+"/runs/{id}/abort", v1+"/runs/"+run+"/abort", nil, 409)
	c.call("GET", v1+"/node-runs", v1+"/node-runs?workflowId="+wf, nil, 200)
	c.call("GET", v1+"/workflows/{id}/run-grid", v1+"/workflows/"+wf+"/run-grid", nil, 200)
	c.call("POST", v1+"/workflows/{id}/publish", v1+"/workflows/"+wf+"/publish", map[string]any{"note": "first"}, 200)
	c.call("GET", v1+"/workflows/{id}/schedule", v1+"/workflows/"+wf+"/schedule", nil, 200)
	c.call("GET", v1+"/workflows/{id}/versions", v1+"/workflows/"+wf+"/versions", nil, 200)
	c.call("GET", v1+"/workflows/{id}/versions/{n}", v1+"/workflows/"+wf+"/versions/1", nil, 200)
	c.call("GET", v1+"/workflows/{id}/versions/diff", v1+"/workflows/"+wf+"/versions/diff?from=1", nil, 200)
	c.call("POST", v1+"/workflows/{id}/offline", v1+"/workflows/"+wf+"/offline", nil, 200)
	c.call("POST", v1+"/workflows/{id}/invoke-tokens", v1+"/workflows/"+wf+"/invoke-tokens", nil, 201)
	c.call("GET", v1+"/workflows/{id}/invoke-tokens", v1+"/workflows/"+wf+"/invoke-tokens", nil, 200)

	c.call("POST", v1+"/variables", v1+"/variables", map[string]any{"name": "V", "value": "x", "secret": true}, 201)
	c.call("GET", v1+"/variables", v1+"/variables", nil, 200)
	c.call("POST", v1+"/datasources", v1+"/datasources", map[string]any{"name": "pg", "type": "POSTGRES", "host": "127.0.0.1", "port": 5432, "database": "x", "user": "u", "password": "p"}, 201)
	c.call("GET", v1+"/datasources", v1+"/datasources", nil, 200)
	c.call("POST", v1+"/calendars", v1+"/calendars", map[string]any{"name": "cal", "timezone": "UTC", "weekdays": []int{1, 2, 3, 4, 5}, "holidays": []string{"2027-01-01"}}, 201)
	c.call("GET", v1+"/calendars", v1+"/calendars", nil, 200)
	c.call("GET", v1+"/alarm-channels", v1+"/alarm-channels", nil, 200)
	c.call("GET", v1+"/audit-logs", v1+"/audit-logs", nil, 200)
	c.call("POST", v1+"/me/tokens", v1+"/me/tokens", map[string]any{"name": "t", "tenantId": c.tenantID, "role": "MEMBER"}, 201)
	c.call("GET", v1+"/me/tokens", v1+"/me/tokens", nil, 200)
	c.call("GET", v1+"/tenants/{id}/members", v1+"/tenants/"+c.tenantID+"/members", nil, 200)
	if c.checked < 50 {
		t.Fatalf("only %d answers checked", c.checked)
	}

	// The check is not vacuous: the same real answer fails against a
	// schema that disagrees with it.
	get := c.operation("GET", v1+"/workflows/{id}")
	wsch := get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	wsch.Properties["revision"].Value.Type = &openapi3.Types{"string"}
	if err := c.conforms(get, c.do("GET", v1+"/workflows/"+wf, c.admin, c.tenantID, nil)); err == nil {
		t.Fatal("a workflow whose revision is a number validated against a schema saying string")
	}
}
