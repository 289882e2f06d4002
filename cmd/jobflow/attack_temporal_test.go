package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/internal/testtier"
)

// victimMarker is printed by another tenant's running job; no attacker
// may see it.
const victimMarker = "VICTIM-SECRET-7f3a"

// TestAttack_TemporalWalls is the Temporal part of the attack suite, on
// `jobflow standalone` as the README starts it. Another tenant has a run
// going whose script holds a marker. A MEMBER's PYTHON job, knowing the
// victim's run id, asks the Web UI's own port directly (no key), asks
// jobflow's /temporal/ proxy without a login and with its member's
// token, and tries a terminate both ways; a Temporal client in the test
// process (where a job's process could be: same host) dials the frontend
// with no key and with a wrong one, and then a plaintext one. Every
// attempt fails, the bytes of the job's log and of the answers hold
// neither the marker nor the victim's run id, and the victim's run is
// still running afterwards.
func TestAttack_TemporalWalls(t *testing.T) {
	testtier.Long(t, "root (jobs as tenant users, sandboxed) and jobflow processes")
	dir := t.TempDir()
	httpPort, temporalPort, uiPort := freePort(t), freePort(t), freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	// The job's egress to jobflow's own ports is opened on purpose: this
	// test is about the walls behind it, Temporal's credentials and the
	// UI proxy (TestAttack_Egress tests the egress wall itself).
	own := fmt.Sprintf("127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d", httpPort, temporalPort, uiPort)
	srv := startService(t, map[string]string{
		"JOBFLOW_EGRESS_ALLOW":     own,
		"JOBFLOW_DATA_DIR":         dir,
		"JOBFLOW_HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_TEMPORAL_UI_ADDR": "127.0.0.1:" + strconv.Itoa(uiPort),
		"JOBFLOW_TEMPORAL_PORT":    strconv.Itoa(temporalPort),
		"JOBFLOW_ADMIN_PASSWORD":   "attack-admin-pw",
		"JOBFLOW_PUBLIC_URL":       base,
	}, "standalone")
	if err := waitHTTP(base+"/readyz", srv.done); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, srv.log)
	}
	admin := &api{t: t, base: base}
	var login struct {
		Token   string `json:"token"`
		Tenants []struct {
			ID string `json:"id"`
		} `json:"tenants"`
	}
	admin.call("POST", "/api/v1/auth/login", map[string]string{"account": "admin", "password": "attack-admin-pw"}, &login)
	admin.token, admin.tenant = login.Token, login.Tenants[0].ID

	// The victim: another tenant's run, running.
	var victims jobflow.Tenant
	admin.call("POST", "/api/v1/tenants", map[string]any{"name": "victims"}, &victims)
	va := &api{t: t, base: base, token: admin.token, tenant: victims.ID}
	victimRun := startRun(t, va, "victim", "SHELL", "echo "+victimMarker+"; sleep 120")
	waitStatus(t, va, victimRun, jobflow.RunRunning)

	// The attacker: a MEMBER of the default tenant.
	var u jobflow.User
	admin.call("POST", "/api/v1/users", map[string]string{"account": "mallory", "password": "mallory-password"}, &u)
	admin.call("POST", "/api/v1/tenants/"+admin.tenant+"/members", map[string]string{"userId": u.ID, "role": "MEMBER"}, nil)
	var ml struct {
		Token string `json:"token"`
	}
	(&api{t: t, base: base}).call("POST", "/api/v1/auth/login", map[string]string{"account": "mallory", "password": "mallory-password"}, &ml)
	mallory := &api{t: t, base: base, token: ml.Token, tenant: admin.tenant}

	script := fmt.Sprintf(`
import urllib.request, socket
def show(label, method, url, body=None, headers={}):
    try:
        r = urllib.request.urlopen(urllib.request.Request(url, data=body, method=method, headers=headers), timeout=10)
        code, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        code, data = e.code, e.read()
    except Exception as e:
        code, data = -1, str(e).encode()
    print("ATTEMPT", label, code, data[:3000].decode("utf-8", "replace").replace("\n", " "))
ui = "http://127.0.0.1:%d/temporal/api/v1/namespaces/default/workflows"
jf = "%s/temporal/api/v1/namespaces/default/workflows"
victim = "%s"
tok = {"Authorization": "Bearer %s"}
post = {"Content-Type": "application/json"}
show("ui-list", "GET", ui)
show("ui-describe", "GET", ui + "/" + victim)
show("ui-history", "GET", ui + "/" + victim + "/history")
show("ui-terminate", "POST", ui + "/" + victim + "/terminate", b'{"reason":"x"}', post)
show("ui-terminate-with-token", "POST", ui + "/" + victim + "/terminate", b'{"reason":"x"}', dict(tok, **post))
show("ui-with-login-token", "GET", ui, None, tok)
show("proxy-nologin-list", "GET", jf)
show("proxy-nologin-terminate", "POST", jf + "/" + victim + "/terminate", b'{"reason":"x"}', post)
show("proxy-member-list", "GET", jf, None, tok)
show("proxy-member-terminate", "POST", jf + "/" + victim + "/terminate", b'{"reason":"x"}', dict(tok, **post))
s = socket.create_connection(("127.0.0.1", %d), timeout=5)
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
try:
    print("ATTEMPT frontend-plaintext", repr(s.recv(200)))
except Exception as e:
    print("ATTEMPT frontend-plaintext", "error", e)
`, uiPort, base, victimRun, ml.Token, temporalPort)
	attackRun := startRun(t, mallory, "attack", "PYTHON", script)
	run := waitStatus(t, mallory, attackRun, "")
	logText := string(mallory.call("GET", "/api/v1/runs/"+attackRun+"/nodes/"+run.Nodes[0].JobID+"/log", nil, nil))
	if run.Status != jobflow.RunSuccess {
		t.Fatalf("attack job %s, want it to run to the end:\n%s", run.Status, logText)
	}
	t.Logf("attack job log:\n%s", logText)
	want := map[string]string{
		"ui-list": "ATTEMPT ui-list 403", "ui-describe": "ATTEMPT ui-describe 403", "ui-history": "ATTEMPT ui-history 403",
		// Without an Authorization header the UI's CSRF check stops it;
		// with one, its read-only switch (and behind it the frontend).
		"ui-terminate": "ATTEMPT ui-terminate 400", "ui-terminate-with-token": "ATTEMPT ui-terminate-with-token 405",
		"ui-with-login-token": "ATTEMPT ui-with-login-token 403",
		"proxy-nologin-list":  "ATTEMPT proxy-nologin-list 401", "proxy-nologin-terminate": "ATTEMPT proxy-nologin-terminate 401",
		"proxy-member-list": "ATTEMPT proxy-member-list 403", "proxy-member-terminate": "ATTEMPT proxy-member-terminate 403",
	}
	for name, line := range want {
		if !strings.Contains(logText, line) {
			t.Errorf("attempt %s: log lacks %q", name, line)
		}
	}
	if !strings.Contains(logText, "ATTEMPT frontend-plaintext") {
		t.Error("the plaintext frontend attempt did not run")
	}
	// The bytes the job got back hold nothing of the victim. (The run id
	// appears in the script itself, not in the answers: lines are checked
	// after their label.)
	for _, line := range strings.Split(logText, "\n") {
		if strings.HasPrefix(line, "ATTEMPT") && (strings.Contains(line, victimMarker) || strings.Contains(line, victimRun) || strings.Contains(line, "victims")) {
			t.Errorf("an answer shows the victim: %s", line)
		}
	}

	// A Temporal client beside the job: no key, a wrong key, plaintext.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tlsCfg, err := loadTemporalTLS(env(map[string]string{envTLSCA: dir + "/temporal-ca.pem"}))
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(temporalPort)
	for name, opts := range map[string]client.Options{
		"no key":    {HostPort: addr, ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg}},
		"wrong key": {HostPort: addr, ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg}, Credentials: client.NewAPIKeyStaticCredentials(strings.Repeat("a", 64))},
	} {
		c, err := client.DialContext(ctx, opts)
		if err != nil {
			t.Fatalf("%s: dial: %v", name, err)
		}
		_, err = c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default"})
		var denied *serviceerror.PermissionDenied
		if !errors.As(err, &denied) {
			t.Errorf("%s: list: %v, want PermissionDenied", name, err)
		}
		if _, err := c.DescribeWorkflowExecution(ctx, victimRun, ""); !errors.As(err, &denied) {
			t.Errorf("%s: describe: %v, want PermissionDenied", name, err)
		}
		if err := c.TerminateWorkflow(ctx, victimRun, "", "attack"); !errors.As(err, &denied) {
			t.Errorf("%s: terminate: %v, want PermissionDenied", name, err)
		}
		c.Close()
	}
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	if c, err := client.DialContext(short, client.Options{HostPort: addr}); err == nil {
		c.Close()
		t.Error("a plaintext client connected to the embedded frontend")
	}
	cancelShort()

	// The victim's run went on through all of it.
	var v jobflow.Run
	va.call("GET", "/api/v1/runs/"+victimRun, nil, &v)
	if v.Status != jobflow.RunRunning {
		t.Errorf("victim run %s after the attacks, want RUNNING", v.Status)
	}
	va.call("POST", "/api/v1/runs/"+victimRun+"/abort", nil, nil)
	waitStatus(t, va, victimRun, "")
	srv.stop()
}

// startRun creates a one-job workflow in a's tenant and runs it.
func startRun(t *testing.T, a *api, name, typ, script string) string {
	t.Helper()
	var wf jobflow.Workflow
	a.call("POST", "/api/v1/workflows", map[string]string{"name": name}, &wf)
	var j jobflow.Job
	a.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": name, "type": typ, "config": map[string]string{"script": script}}, &j)
	a.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{
		"nodes": []map[string]any{{"jobId": j.ID, "x": 0, "y": 0}}, "edges": []any{}, "revision": wf.Revision,
	}, nil)
	var started struct {
		RunID string `json:"runId"`
	}
	a.call("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{}, &started)
	return started.RunID
}

// waitStatus waits until the run has status (any final one when empty)
// and its node has started.
func waitStatus(t *testing.T, a *api, runID string, status jobflow.RunStatus) *jobflow.Run {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var r jobflow.Run
		a.call("GET", "/api/v1/runs/"+runID, nil, &r)
		started := len(r.Nodes) > 0 && r.Nodes[0].StartedAt != nil
		if (status == "" && r.Status.Finished()) || (r.Status == status && started) {
			return &r
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s is %s after 90 s, want %s", runID, r.Status, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
