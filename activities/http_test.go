package activities

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store"
)

func TestRunJob_HTTP(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	ctx := context.Background()

	type request struct {
		method, path, token, contentType, body string
	}
	var (
		mu   sync.Mutex
		reqs []request
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, request{r.Method, r.URL.RequestURI(), r.Header.Get("X-Token"), r.Header.Get("Content-Type"), string(body)})
		mu.Unlock()
		switch r.URL.Path {
		case "/created":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"ok":true}`)
		case "/broken":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "boom")
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		case "/big":
			io.WriteString(w, strings.Repeat("y", 100<<10))
		}
	}))
	defer srv.Close()
	lastRequest := func() request {
		mu.Lock()
		defer mu.Unlock()
		return reqs[len(reqs)-1]
	}
	type httpResult struct {
		Status    int    `json:"status"`
		Body      string `json:"body"`
		Truncated bool   `json:"truncated,omitempty"`
	}
	result := func(t *testing.T, raw json.RawMessage) httpResult {
		t.Helper()
		var r httpResult
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("result %s: %v", raw, err)
		}
		return r
	}

	// docs/security.md: egress to loopback is closed until the tenant's egressAllow
	// names it; the message names the destination and the setting, and
	// the request never reaches the server.
	t.Run("LoopbackRefusedByDefault", func(t *testing.T) {
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: srv.URL + "/created"})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		host := strings.TrimPrefix(srv.URL, "http://")
		ae := appError(t, err)
		if !ae.NonRetryable() || !strings.Contains(ae.Message(), host) || !strings.Contains(ae.Message(), "egressAllow") {
			t.Fatalf("error = %q, want a non-retryable refusal naming %s and egressAllow", ae.Message(), host)
		}
		if n := e.node(t, j.ID); n.Status != jobflow.NodeFail || !strings.Contains(n.Error, "egressAllow") {
			t.Errorf("node run = %+v, want FAIL naming egressAllow", n)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(reqs) != 0 {
			t.Errorf("the refused request reached the server: %+v", reqs)
		}
	})
	e.allowServer(t, srv.URL)

	t.Run("Success", func(t *testing.T) {
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{
			Method:  "POST",
			URL:     srv.URL + "/created?day=${qing.current_date1}",
			Headers: map[string]string{"X-Token": "${params.token}", "Content-Type": "application/json"},
			Body:    `{"x":"${params.x}","day":"$[yyyy-MM-dd-1]"}`,
		})
		res, err := e.a.RunJob(ctx, e.input(j, map[string]string{"token": "s3cret", "x": "42"}))
		if err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		want := request{"POST", "/created?day=20261125", "s3cret", "application/json", `{"x":"42","day":"2026-11-24"}`}
		if got := lastRequest(); got != want {
			t.Errorf("request = %+v, want %+v", got, want)
		}
		if r := result(t, res.Result); r.Status != 201 || r.Body != `{"ok":true}` || r.Truncated {
			t.Errorf("result = %+v, want status 201 and the body", r)
		}
		n := e.node(t, j.ID)
		if n.Status != jobflow.NodeSuccess || result(t, n.Result).Status != 201 {
			t.Errorf("node run = %+v, want SUCCESS with the result", n)
		}
		if log := e.log(t, j.ID); !strings.Contains(log, "POST "+srv.URL+"/created?day=20261125") || !strings.Contains(log, "201 Created") {
			t.Errorf("log %q lacks the request line or the status", log)
		}
	})

	t.Run("StatusFails", func(t *testing.T) {
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: srv.URL + "/broken"})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); ae.Message() != "HTTP status 500" || ae.Type() != ErrTypeJobFailed {
			t.Errorf("error = %q (%s), want JobFailed \"HTTP status 500\"", ae.Message(), ae.Type())
		}
		n := e.node(t, j.ID)
		if n.Status != jobflow.NodeFail || n.Error != "HTTP status 500" || result(t, n.Result).Body != "boom" {
			t.Errorf("node run = %+v, want FAIL with the response kept", n)
		}
	})

	t.Run("SuccessCodes", func(t *testing.T) {
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "DELETE", URL: srv.URL + "/missing", SuccessCodes: []int{404}})
		if _, err := e.a.RunJob(ctx, e.input(j, nil)); err != nil {
			t.Fatalf("404 listed in successCodes: %v", err)
		}
		j = e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: srv.URL + "/created", SuccessCodes: []int{200}})
		if _, err := e.a.RunJob(ctx, e.input(j, nil)); err == nil || appError(t, err).Message() != "HTTP status 201" {
			t.Errorf("201 outside successCodes [200]: err = %v", err)
		}
	})

	t.Run("Truncated", func(t *testing.T) {
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: srv.URL + "/big"})
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		if r := result(t, res.Result); len(r.Body) != jobtypes.MaxHTTPBody || !r.Truncated {
			t.Errorf("body of %d bytes truncated=%v, want %d and truncated", len(r.Body), r.Truncated, jobtypes.MaxHTTPBody)
		}
	})

	t.Run("UnknownVariable", func(t *testing.T) {
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: srv.URL + "/created", Headers: map[string]string{"X-Token": "${params.token}"}})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); !ae.NonRetryable() || !strings.Contains(ae.Message(), "${params.token}") || !strings.Contains(ae.Message(), "X-Token") {
			t.Errorf("error = %q, want non-retryable naming the header and ${params.token}", ae.Message())
		}
	})

	t.Run("ResolvedURLInvalid", func(t *testing.T) {
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: "${params.base}/x"})
		_, err := e.a.RunJob(ctx, e.input(j, map[string]string{"base": "ftp://files"}))
		if ae := appError(t, err); !ae.NonRetryable() || !strings.Contains(ae.Message(), "ftp://files/x") {
			t.Errorf("error = %q, want non-retryable naming the resolved URL", ae.Message())
		}
	})

	// A redirect from an allowed server into a closed address is refused:
	// every connection goes through the tenant's dialer.
	t.Run("RedirectIntoClosedRefused", func(t *testing.T) {
		hit := false
		inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
		defer inner.Close()
		inner2 := strings.Replace(inner.URL, "127.0.0.1", "localhost", 1)
		redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, inner2+"/secret", http.StatusFound)
		}))
		defer redir.Close()
		e.allowServer(t, redir.URL)
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: redir.URL})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); !strings.Contains(ae.Message(), "egressAllow") || hit {
			t.Errorf("error = %q (inner hit %v), want the redirect refused", ae.Message(), hit)
		}
	})

	t.Run("ConnectionRefused", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		e.allowServer(t, dead.URL)
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{Method: "GET", URL: dead.URL})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); ae.NonRetryable() || !strings.Contains(ae.Message(), "connection refused") {
			t.Errorf("error = %q, want a retryable connection error", ae.Message())
		}
	})
}
