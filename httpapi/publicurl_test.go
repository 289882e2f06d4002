package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"jobflow"
	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
	"jobflow/store"
	"jobflow/store/storetest"
)

// linkVia sends an admin request with a Host and extra headers.
func linkVia(e *env, method, path, host string, headers map[string]string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("X-Tenant-ID", e.tenantID)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// TestPublicLinks: the invoke curl and the Temporal UI link are built on
// JOBFLOW_PUBLIC_URL when set, else on the request's own scheme and host;
// X-Forwarded-Host/-Proto count only from a trusted proxy.
func TestPublicLinks(t *testing.T) {
	testtier.Parallel(t)
	forwarded := map[string]string{"X-Forwarded-Host": "proxy.example", "X-Forwarded-Proto": "https"}
	for _, tc := range []struct {
		name    string
		opts    []option
		headers map[string]string
		want    string
	}{
		{"unset, direct", nil, nil, "http://jobs.example:8443"},
		{"set", []option{func(c *httpapi.Config) { c.PublicURL = "https://public.example/jf/" }}, forwarded, "https://public.example/jf"},
		{"untrusted peer's forwarded headers", []option{trustProxies("192.0.2.0/24")}, forwarded, "http://jobs.example:8443"},
		{"trusted proxy", []option{trustProxies("127.0.0.0/8", "::1")}, forwarded, "https://proxy.example"},
		{"bad forwarded host", []option{trustProxies("127.0.0.0/8", "::1")}, map[string]string{"X-Forwarded-Host": "a b'c"}, "http://localhost:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, st *store.Store) {
				e := newEnvWith(t, st, &engine.Engine{Store: st, Namespace: "default", UIURL: "/temporal"}, tc.opts...)
				w := e.workflow("links")
				var issued struct{ Curl string }
				e.ok(linkVia(e, "POST", "/api/v1/workflows/"+w.ID+"/invoke-tokens", "jobs.example:8443", tc.headers), 201, &issued)
				if !strings.Contains(issued.Curl, "'"+tc.want+"/workflow/open/invokeWorkflow'") {
					t.Fatalf("curl %q, want base %s", issued.Curl, tc.want)
				}
				run := &jobflow.Run{ID: "run-link", TenantID: e.tenantID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual,
					TemporalWorkflowID: "wf-temporal", TemporalRunID: "r1"}
				if err := st.CreateRun(context.Background(), run, &jobflow.Snapshot{}); err != nil {
					t.Fatal(err)
				}
				r := linkVia(e, "GET", "/api/v1/runs/"+run.ID, "jobs.example:8443", tc.headers)
				var got struct{ TemporalURL string }
				if err := json.Unmarshal(r.body, &got); err != nil || r.status != 200 {
					t.Fatalf("run: %d %s", r.status, r.body)
				}
				if want := tc.want + "/temporal/namespaces/default/workflows/wf-temporal/r1/history"; got.TemporalURL != want {
					t.Fatalf("temporalUrl %q, want %q", got.TemporalURL, want)
				}
			})
		})
	}
}
