package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/engine"
	"jobflow/store"
)

// api is a logged-in REST client of a running jobflow.
type api struct {
	t      *testing.T
	base   string
	token  string
	tenant string
}

func (a *api) call(method, path string, in, out any) {
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
	if resp.StatusCode >= 300 {
		var e map[string]any
		json.NewDecoder(resp.Body).Decode(&e)
		a.t.Fatalf("%s %s = %d %v", method, path, resp.StatusCode, e)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			a.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}

// TestBinary_StandaloneRun builds a two-job shell workflow through the REST
// API of `jobflow standalone`, starts a run through the engine on the
// embedded Temporal server and sees the standalone's own worker execute
// both jobs in order and record the run as SUCCESS.
func TestBinary_StandaloneRun(t *testing.T) {
	dir := t.TempDir()
	httpPort, temporalPort := freePort(t), freePort(t)
	srv := startService(t, map[string]string{
		"JOBFLOW_DATA_DIR":         dir,
		"JOBFLOW_HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_TEMPORAL_UI_ADDR": "127.0.0.1:" + strconv.Itoa(freePort(t)),
		"JOBFLOW_TEMPORAL_PORT":    strconv.Itoa(temporalPort),
		"JOBFLOW_ADMIN_PASSWORD":   "standalone-run-pw",
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

	marks := filepath.Join(t.TempDir(), "marks")
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

	// TODO(wire): POST /api/v1/workflows/{id}/runs once httpapi serves the
	// run routes; until then the engine is driven from here, over the
	// standalone's SQLite file and embedded Temporal server.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	keyText, err := os.ReadFile(filepath.Join(dir, encryptionKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	key, err := parseKey(string(bytes.TrimSpace(keyText)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "jobflow.db"), key)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := client.Dial(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(temporalPort)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eng := &engine.Engine{Client: c, Store: st, Namespace: "default", TaskQueue: "jobflow"}
	begin := time.Now()
	run, err := eng.RunManual(ctx, a.tenant, wf.ID, nil, login.User.ID)
	if err != nil {
		t.Fatalf("RunManual: %v", err)
	}

	for {
		got, err := st.FindRunByID(ctx, a.tenant, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.Finished() {
			if got.Status != jobflow.RunSuccess {
				t.Fatalf("run ended %s: %+v\nstderr:\n%s", got.Status, got.Nodes, srv.log)
			}
			t.Logf("run %s SUCCESS %v after RunManual", run.ID, time.Since(begin).Round(time.Millisecond))
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("run still %s after 90 s\nstderr:\n%s", got.Status, srv.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	b, err := os.ReadFile(marks)
	if err != nil || string(b) != "first\nsecond\n" {
		t.Fatalf("jobs wrote %q, %v; want first then second", b, err)
	}
	srv.stop()
}
