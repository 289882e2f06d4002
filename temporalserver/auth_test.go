package temporalserver_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"jobflow/internal/testtier"
	"jobflow/temporalserver"
)

// uiGet GETs url with the UI key as Bearer (none when key is empty).
func uiGet(t *testing.T, url, key string) (int, string) {
	t.Helper()
	return uiDo(t, http.MethodGet, url, key, "")
}

func uiDo(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func isPermissionDenied(err error) bool {
	var pd *serviceerror.PermissionDenied
	return errors.As(err, &pd)
}

// TestServer_RefusesClientsWithoutTheKey: a client that trusts the CA but
// sends no key, or a wrong one, or the Web UI's reader key for a write,
// gets PermissionDenied on every kind of call, and nothing it tried to
// start exists; a plaintext client does not get through TLS at all. The
// same calls with the key succeed.
func TestServer_RefusesClientsWithoutTheKey(t *testing.T) {
	testtier.Parallel(t)
	dir := t.TempDir()
	s := startServer(t, temporalserver.Config{DataDir: dir})
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The key is the one in the data dir, readable by its owner only.
	b, err := os.ReadFile(filepath.Join(dir, temporalserver.APIKeyFile))
	if err != nil || strings.TrimSpace(string(b)) != s.APIKey() || len(s.APIKey()) < 32 {
		t.Fatalf("key file %q, %v; server key %q", b, err, s.APIKey())
	}
	for _, f := range []string{temporalserver.APIKeyFile, temporalserver.CAKeyFile, temporalserver.CAFile} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", fi.Mode().Perm())
	}

	good := dial(t, s)
	defer good.Close()
	w := worker.New(good, "greet", worker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	attempts := map[string]func(c client.Client) error{
		"DescribeNamespace": func(c client.Client) error {
			_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
			return err
		},
		"StartWorkflowExecution": func(c client.Client) error {
			_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "intruder", TaskQueue: "greet"}, greet, "x")
			return err
		},
		"ListWorkflowExecutions": func(c client.Client) error {
			_, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default"})
			return err
		},
		"ListSchedules": func(c client.Client) error {
			it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
			if err != nil {
				return err
			}
			for it.HasNext() {
				if _, err := it.Next(); err != nil {
					return err
				}
			}
			return nil
		},
	}
	tlsOnly := s.ClientOptions("default")
	tlsOnly.Credentials = nil
	wrong := s.ClientOptions("default")
	wrong.Credentials = client.NewAPIKeyStaticCredentials(strings.Repeat("0", len(s.APIKey())))
	uiKey := s.ClientOptions("default")
	uiKey.Credentials = client.NewAPIKeyStaticCredentials(s.UIKey())
	for name, opts := range map[string]client.Options{"no key": tlsOnly, "wrong key": wrong} {
		// DialContext checks health only, which stays open to all.
		c, err := client.DialContext(ctx, opts)
		if err != nil {
			t.Fatalf("%s: dial: %v", name, err)
		}
		for call, try := range attempts {
			if err := try(c); !isPermissionDenied(err) {
				t.Errorf("%s: %s err = %v, want PermissionDenied", name, call, err)
			}
		}
		c.Close()
	}

	// Without TLS nothing gets through, not even with the right key.
	plain := s.ClientOptions("default")
	plain.ConnectionOptions.TLS = nil
	plain.ConnectionOptions.TLSDisabled = true
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	c, err := client.DialContext(short, plain)
	cancelShort()
	if err == nil {
		c.Close()
		t.Error("a plaintext client connected to the frontend")
	}

	// The UI's key reads but does not write.
	cu, err := client.DialContext(ctx, uiKey)
	if err != nil {
		t.Fatal(err)
	}
	defer cu.Close()
	if err := attempts["ListWorkflowExecutions"](cu); err != nil {
		t.Errorf("UI key: list: %v", err)
	}
	if err := attempts["StartWorkflowExecution"](cu); !isPermissionDenied(err) {
		t.Errorf("UI key: start err = %v, want PermissionDenied", err)
	}

	// Nothing was started by the refused clients.
	if _, err := good.DescribeWorkflowExecution(ctx, "intruder", ""); err == nil {
		t.Error("workflow intruder exists")
	}
	// The right key does everything.
	for call, try := range attempts {
		if err := try(good); err != nil {
			t.Errorf("with the key: %s: %v", call, err)
		}
	}
}

// TestServer_SchedulesFire: the system worker, which runs schedules,
// reaches the frontend through the internal frontend without the API key.
// A one-second schedule starts workflows that complete.
func TestServer_SchedulesFire(t *testing.T) {
	testtier.Parallel(t)
	s := startServer(t, temporalserver.Config{DataDir: t.TempDir()})
	defer s.Stop()
	c := dial(t, s)
	defer c.Close()
	w := worker.New(c, "greet", worker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:     "every-second",
		Spec:   client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Second}}},
		Action: &client.ScheduleWorkflowAction{ID: "greet-every-second", Workflow: greet, Args: []any{"tick"}, TaskQueue: "greet"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for {
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := d.Info.NumActions; n >= 2 {
			last := d.Info.RecentActions[len(d.Info.RecentActions)-1]
			run := c.GetWorkflow(ctx, last.StartWorkflowResult.WorkflowID, last.StartWorkflowResult.FirstExecutionRunID)
			var got string
			if err := run.Get(ctx, &got); err != nil || got != "hello tick" {
				t.Fatalf("scheduled run = %q, %v", got, err)
			}
			t.Logf("%d scheduled actions", n)
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("schedule took %d actions in a minute, want 2", d.Info.NumActions)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestServer_UIWithoutKey: the Web UI's own port shows no data to a
// request without the UI's key (what a job on the host could send); with
// the key it lists workflows but refuses a terminate, and the workflow
// runs on.
func TestServer_UIWithoutKey(t *testing.T) {
	testtier.Parallel(t)
	uiAddr := freeAddr(t)
	s := startServer(t, temporalserver.Config{DataDir: t.TempDir(), UIAddr: uiAddr})
	defer s.Stop()
	c := dial(t, s)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// No worker: the workflow stays running.
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "secret-run-42", TaskQueue: "nobody"}, greet, "x"); err != nil {
		t.Fatal(err)
	}
	base := "http://" + uiAddr + "/temporal/api/v1/namespaces"
	for _, path := range []string{"", "/default/workflows", "/default/workflows/secret-run-42"} {
		code, body := uiGet(t, base+path, "")
		if code != http.StatusForbidden || strings.Contains(body, "secret-run-42") || strings.Contains(body, `"namespaceInfo"`) {
			t.Errorf("GET %s without key = %d %.200s, want 403 and no data", path, code, body)
		}
		code, body = uiGet(t, base+path, "wrong-"+s.UIKey())
		if code != http.StatusForbidden {
			t.Errorf("GET %s with a wrong key = %d %.200s, want 403", path, code, body)
		}
	}
	code, body := uiGet(t, base+"/default/workflows", s.UIKey())
	if code != http.StatusOK || !strings.Contains(body, "secret-run-42") {
		t.Fatalf("GET workflows with the UI key = %d %.300s", code, body)
	}
	code, body = uiDo(t, http.MethodPost, base+"/default/workflows/secret-run-42/terminate", s.UIKey(), `{"reason":"x"}`)
	if code < 400 {
		t.Errorf("terminate with the UI key = %d %.300s, want refused", code, body)
	}
	d, err := c.DescribeWorkflowExecution(ctx, "secret-run-42", "")
	if err != nil {
		t.Fatal(err)
	}
	if st := d.GetWorkflowExecutionInfo().GetStatus().String(); st != "Running" {
		t.Errorf("workflow status after refused terminate = %s, want Running", st)
	}
}
