package httpapi_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
)

func TestServer_HealthAndEnvelope(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		e.ok(e.do("GET", "/healthz", "", "", nil), 200, nil)
		e.ok(e.do("GET", "/readyz", "", "", nil), 200, nil)

		e.fail(e.do("GET", "/api/v1/no-such-route", "", "", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("GET", "/api/nothing/here", "", "", nil), 404, jobflow.ENOTFOUND) // other paths are the console
		e.fail(e.do("POST", "/nothing/here", "", "", nil), 405, jobflow.EINVALID)
		r := e.do("PUT", "/api/v1/me", e.admin, "", map[string]any{})
		e.fail(r, 405, jobflow.EINVALID)
		if r.header.Get("Allow") == "" {
			t.Errorf("405 without Allow header")
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		// Engine routes exist and say why they cannot answer yet, after auth.
		e.fail(e.as("POST", "/api/v1/workflows/wf_x/publish", nil), 503, jobflow.EUNAVAILABLE)
		e.fail(e.do("POST", "/api/v1/workflows/wf_x/publish", "", "", nil), 401, jobflow.EUNAUTHORIZED)
		e.fail(e.do("POST", "/workflow/open/invokeWorkflow", "", "", map[string]any{}), 503, jobflow.EUNAVAILABLE)
	})
}

func TestServer_RequestLog(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var me struct{ User jobflow.User }
		r := e.do("GET", "/api/v1/me", e.admin, "", nil)
		e.ok(r, 200, &me)
		rid := r.header.Get("X-Request-Id")
		if rid == "" {
			t.Fatal("no X-Request-Id")
		}
		var line map[string]any
		sc := bufio.NewScanner(strings.NewReader(e.logs.String()))
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["request_id"] == rid {
				line = m
			}
		}
		if line == nil {
			t.Fatalf("no log line for request %s in:\n%s", rid, e.logs.String())
		}
		if line["method"] != "GET" || line["path"] != "/api/v1/me" || line["status"] != float64(200) || line["user"] != me.User.ID || line["duration_ms"] == nil {
			t.Fatalf("log line %v", line)
		}
	})
}

func TestServer_InternalErrorsHidden(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		e.st.Close() // every store call now fails with a driver error
		err := e.fail(e.as("GET", "/api/v1/workflows", nil), 500, jobflow.EINTERNAL)
		if err.Message != "internal error" {
			t.Fatalf("message %q", err.Message)
		}
		if !strings.Contains(e.logs.String(), "closed") {
			t.Fatalf("the real error is not in the log:\n%s", e.logs.String())
		}
		rerr := e.fail(e.do("GET", "/readyz", "", "", nil), 503, jobflow.EUNAVAILABLE)
		if rerr.Details["check"] != "store" || strings.Contains(rerr.Message, "closed") {
			t.Fatalf("readyz error %+v", rerr)
		}
		e.ok(e.do("GET", "/healthz", "", "", nil), 200, nil)
	})
}

func TestServer_Metrics(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		for range 3 {
			e.ok(e.as("GET", "/api/v1/workflows", nil), 200, nil)
		}
		e.fail(e.as("GET", "/api/v1/workflows/wf_nope", nil), 404, jobflow.ENOTFOUND)
		r := e.do("GET", "/metrics", "", "", nil)
		e.ok(r, 200, nil)
		body := string(r.body)
		for _, want := range []string{
			`jobflow_http_requests_total{method="GET",route="/api/v1/workflows",status="200"} 3`,
			`jobflow_http_requests_total{method="GET",route="/api/v1/workflows/:id",status="404"} 1`,
			`jobflow_http_request_duration_seconds_bucket{method="GET",route="/api/v1/workflows",status="200",le="+Inf"} 3`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// Random API paths share one label value (other paths are the
		// console, all under its one route "/*").
		e.do("GET", "/api/random/one", "", "", nil)
		e.do("GET", "/api/v1/random/two", "", "", nil)
		r = e.do("GET", "/metrics", "", "", nil)
		if !regexp.MustCompile(`jobflow_http_requests_total\{method="GET",route="unmatched",status="404"\} 2`).Match(r.body) {
			t.Errorf("unmatched paths not grouped:\n%s", grep(string(r.body), "unmatched"))
		}
	})
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestServer_CORS(t *testing.T) {
	testtier.Parallel(t)
	const allowed = "https://console.example.com"
	preflight := func(e *env, origin string) http.Header {
		req, _ := http.NewRequest("OPTIONS", e.srv.URL+"/api/v1/workflows", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,x-tenant-id,content-type")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			e.t.Fatal(err)
		}
		res.Body.Close()
		return res.Header
	}
	forEach(t, func(t *testing.T, e *env) {
		h := preflight(e, allowed)
		if h.Get("Access-Control-Allow-Origin") != allowed {
			t.Fatalf("allowed origin: %v", h)
		}
		if !strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "x-tenant-id") {
			t.Fatalf("allow headers %q", h.Get("Access-Control-Allow-Headers"))
		}
		if got := preflight(e, "https://evil.example.com").Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("disallowed origin got %q", got)
		}
		// A real request from the allowed origin carries the header too.
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/workflows", nil)
		req.Header.Set("Origin", allowed)
		req.Header.Set("Authorization", "Bearer "+e.admin)
		req.Header.Set("X-Tenant-ID", e.tenantID)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != allowed {
			t.Fatalf("status %d, headers %v", res.StatusCode, res.Header)
		}
	}, func(c *httpapi.Config) { c.CORSOrigins = []string{allowed} })

	t.Run("NoneByDefault", func(t *testing.T) {
		forEach(t, func(t *testing.T, e *env) {
			if got := preflight(e, allowed).Get("Access-Control-Allow-Origin"); got != "" {
				t.Fatalf("CORS answered %q without JOBFLOW_CORS_ORIGINS", got)
			}
		})
	})
}

func TestServer_OpenAPIServed(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var doc struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		e.ok(e.do("GET", "/api/v1/openapi.json", "", "", nil), 200, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Paths["/api/v1/workflows/{id}/canvas"]["put"] == nil {
			t.Fatalf("document %+v", doc.OpenAPI)
		}
	})
}
