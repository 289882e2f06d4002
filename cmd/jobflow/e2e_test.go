package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// api is a logged-in REST client of a running jobflow.
type api struct {
	t      *testing.T
	base   string
	token  string
	tenant string
}

func (a *api) call(method, path string, in, out any) []byte {
	a.t.Helper()
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, a.base+path, &body)
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if a.tenant != "" {
		req.Header.Set("X-Tenant-ID", a.tenant)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode >= 300 {
		a.t.Fatalf("%s %s = %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return raw
}

// TestBinary_StandaloneRun builds a two-job shell workflow through the REST
// API of `jobflow standalone`, runs it, and sees the standalone's own
// worker execute both jobs in order on the embedded Temporal server and
// record the run as SUCCESS, with a working link into the embedded Web UI
// and the search attributes set on the execution.
func TestBinary_StandaloneRun(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	dir := t.TempDir()
	httpPort, temporalPort, uiPort := freePort(t), freePort(t), freePort(t)
	srv := startService(t, map[string]string{
		"JOBFLOW_DATA_DIR":         dir,
		"JOBFLOW_HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_TEMPORAL_UI_ADDR": "127.0.0.1:" + strconv.Itoa(uiPort),
		"JOBFLOW_TEMPORAL_PORT":    strconv.Itoa(temporalPort),
		"JOBFLOW_ADMIN_PASSWORD":   "standalone-run-pw",
		"JOBFLOW_PUBLIC_URL":       fmt.Sprintf("http://127.0.0.1:%d", httpPort),
	}, "standalone")
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	if err := waitHTTP(base+"/readyz", srv.done); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, srv.log)
	}

	a := &api{t: t, base: base}
	var login struct {
		Token string `json:"token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
		Tenants []struct {
			ID string `json:"id"`
		} `json:"tenants"`
	}
	a.call("POST", "/api/v1/auth/login", map[string]string{"account": "admin", "password": "standalone-run-pw"}, &login)
	if len(login.Tenants) == 0 {
		t.Fatal("admin has no tenant")
	}
	a.token, a.tenant = login.Token, login.Tenants[0].ID

	marks := filepath.Join(jobdir.New(t), "marks")
	var wf jobflow.Workflow
	a.call("POST", "/api/v1/workflows", map[string]string{"name": "e2e"}, &wf)
	var first, second jobflow.Job
	for _, j := range []struct {
		name string
		out  *jobflow.Job
	}{{"first", &first}, {"second", &second}} {
		a.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{
			"name": j.name, "type": "SHELL",
			"config": map[string]string{"script": "echo " + j.name + " >> " + marks},
		}, j.out)
	}
	a.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{
		"nodes":    []map[string]any{{"jobId": first.ID, "x": 0, "y": 0}, {"jobId": second.ID, "x": 100, "y": 0}},
		"edges":    []map[string]string{{"from": first.ID, "to": second.ID}},
		"revision": wf.Revision,
	}, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	begin := time.Now()
	var started struct {
		RunID       string `json:"runId"`
		TemporalURL string `json:"temporalUrl"`
	}
	raw := a.call("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{}, &started)
	if started.RunID == "" {
		t.Fatalf("POST /api/v1/workflows/{id}/runs answered %.300s, want {runId}", raw)
	}
	var run jobflow.Run
	for {
		a.call("GET", "/api/v1/runs/"+started.RunID, nil, &run)
		if run.Status.Finished() {
			if run.Status != jobflow.RunSuccess {
				t.Fatalf("run ended %s: %+v\nstderr:\n%s", run.Status, run.Nodes, srv.log)
			}
			t.Logf("run %s SUCCESS %v after POST /runs", run.ID, time.Since(begin).Round(time.Millisecond))
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("run still %s after 90 s\nstderr:\n%s", run.Status, srv.log)
		case <-time.After(100 * time.Millisecond):
		}
	}

	// The run links into the embedded Web UI through jobflow's proxy,
	// which serves that page to the logged-in SYS_ADMIN only.
	if !strings.HasPrefix(started.TemporalURL, base+"/temporal/namespaces/default/workflows/"+started.RunID+"/") {
		t.Errorf("temporalUrl = %q, want a link into the proxied UI", started.TemporalURL)
	} else {
		if code, body := get(t, started.TemporalURL); code != http.StatusUnauthorized || strings.Contains(body, "<html") {
			t.Errorf("GET %s without login = %d %.200s, want 401", started.TemporalURL, code, body)
		}
		req, _ := http.NewRequest("GET", started.TemporalURL, nil)
		req.AddCookie(&http.Cookie{Name: "jobflow_token", Value: a.token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "/temporal/_app/") {
			t.Errorf("GET %s as SYS_ADMIN = %d %.200s, want the UI's page", started.TemporalURL, resp.StatusCode, page)
		}
	}
	// The execution carries jobflow's search attributes, so the UI can
	// filter the runs of one workflow. Another process reaches the
	// embedded frontend with the data dir's CA and API key only.
	key, err := os.ReadFile(filepath.Join(dir, temporalserver.APIKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := loadTemporalTLS(env(map[string]string{envTLSCA: filepath.Join(dir, temporalserver.CAFile)}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{
		HostPort:          "127.0.0.1:" + strconv.Itoa(temporalPort),
		Credentials:       client.NewAPIKeyStaticCredentials(strings.TrimSpace(string(key))),
		ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	list, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: "default",
		Query:     fmt.Sprintf("%s = %q AND %s = %q", workflows.SAWorkflowID, wf.ID, workflows.SATenantID, a.tenant),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.GetExecutions()); n != 1 {
		t.Errorf("executions with %s=%s: %d, want 1", workflows.SAWorkflowID, wf.ID, n)
	}

	b, err := os.ReadFile(marks)
	if err != nil || string(b) != "first\nsecond\n" {
		t.Fatalf("jobs wrote %q, %v; want first then second", b, err)
	}
	srv.stop()
}
