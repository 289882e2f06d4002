package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/temporalserver"
)

// secretInput is the input of the run the UI must not show to anyone but
// a SYS_ADMIN: a job's script as a tenant would write it.
const secretInput = "psql postgres://etl:hunter2-ui-secret@db/prod"

func sleepy(ctx workflow.Context, script string) error { return nil }

// uiEnv is an API with the embedded Temporal server's Web UI behind
// /temporal/, and one running workflow (no worker polls its queue).
type uiEnv struct {
	*env
	ts     *temporalserver.Server
	client client.Client
	uiAddr string
}

func newUIEnv(t *testing.T, write bool) *uiEnv {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	uiAddr := l.Addr().String()
	l.Close()
	// Its own frontend port, not 7233: other tests' servers run meanwhile.
	fl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	frontend := fl.Addr().(*net.TCPAddr).Port
	fl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts, err := temporalserver.Start(ctx, temporalserver.Config{DataDir: t.TempDir(), UIAddr: uiAddr, UIWrite: write, FrontendPort: frontend})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Stop() })
	c, err := client.DialContext(ctx, ts.ClientOptions(temporalserver.DefaultNamespace))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "run-under-watch", TaskQueue: "nobody-polls"}, sleepy, secretInput); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.Open(t, store.DialectSQLite), func(cfg *httpapi.Config) {
		cfg.TemporalUI = httpapi.TemporalUI{Upstream: ts.UIURL(), Key: ts.UIKey(), Write: write}
	})
	return &uiEnv{env: e, ts: ts, client: c, uiAddr: uiAddr}
}

// get sends a request through jobflow with the given headers.
func (e *uiEnv) send(method, url string, body string, header map[string]string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (e *uiEnv) status(t *testing.T) enumspb.WorkflowExecutionStatus {
	t.Helper()
	d, err := e.client.DescribeWorkflowExecution(context.Background(), "run-under-watch", "")
	if err != nil {
		t.Fatal(err)
	}
	return d.GetWorkflowExecutionInfo().GetStatus()
}

// TestTemporalUI_SysAdminOnly: the proxied Web UI answers nothing useful
// without a login, refuses a MEMBER and a TENANT_ADMIN, and shows a
// SYS_ADMIN the UI's page and the running workflow with its input,
// whether the login token comes as a Bearer header or as the cookie. The
// UI's own loopback port, asked directly, shows no workflow.
func TestTemporalUI_SysAdminOnly(t *testing.T) {
	testtier.Parallel(t)
	e := newUIEnv(t, false)
	_, memberTok := e.user("ui-member", jobflow.RoleMember)
	_, tadminTok := e.user("ui-tadmin", jobflow.RoleTenantAdmin)
	base := e.srv.URL + "/temporal"
	list := base + "/api/v1/namespaces/default/workflows"
	one := base + "/api/v1/namespaces/default/workflows/run-under-watch"

	for _, u := range []string{base, base + "/", list, one, base + "/api/v1/namespaces"} {
		for name, h := range map[string]map[string]string{
			"no login":      nil,
			"bad token":     {"Authorization": "Bearer nope"},
			"bad cookie":    {"Cookie": httpapi.TokenCookie + "=nope"},
			"member":        {"Authorization": "Bearer " + memberTok},
			"member cookie": {"Cookie": httpapi.TokenCookie + "=" + memberTok},
			"tenant admin":  {"Authorization": "Bearer " + tadminTok},
		} {
			code, body := e.send("GET", u, "", h)
			want := http.StatusUnauthorized
			if strings.HasPrefix(name, "member") || name == "tenant admin" {
				want = http.StatusForbidden
			}
			if code != want || strings.Contains(body, "run-under-watch") || strings.Contains(body, "hunter2") ||
				strings.Contains(body, "<html") || !strings.Contains(body, `"error"`) {
				t.Errorf("%s: GET %s = %d %.200s, want %d in the error envelope and no UI", name, u, code, body, want)
			}
		}
	}

	for name, h := range map[string]map[string]string{
		"bearer": {"Authorization": "Bearer " + e.admin},
		"cookie": {"Cookie": httpapi.TokenCookie + "=" + e.admin},
	} {
		code, body := e.send("GET", base+"/", "", h)
		if code != http.StatusOK || !strings.Contains(body, "<html") || !strings.Contains(body, "/temporal/_app/") {
			t.Errorf("%s: GET /temporal/ = %d %.300s, want the UI's page", name, code, body)
		}
		code, body = e.send("GET", list, "", h)
		if code != http.StatusOK || !strings.Contains(body, "run-under-watch") {
			t.Errorf("%s: GET workflows = %d %.300s, want the running workflow", name, code, body)
		}
		code, body = e.send("GET", one, "", h)
		if code != http.StatusOK || !strings.Contains(body, "run-under-watch") {
			t.Errorf("%s: GET the workflow = %d %.300s", name, code, body)
		}
	}

	// The page's scripts run under a policy that admits its own inline
	// script by hash, and nothing else inline.
	req, _ := http.NewRequest("GET", base+"/namespaces/default/workflows", nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	m := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("UI page without an inline script (encoding %q): %.200s", res.Header.Get("Content-Encoding"), page)
	}
	sum := sha256.Sum256(m[1])
	if !strings.Contains(csp, "script-src 'strict-dynamic' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("CSP %q does not admit the page's script by hash", csp)
	}

	// What a job on the host can do: ask the UI's port directly, with no
	// key, or with the admin's login token, which the frontend knows
	// nothing of.
	direct := "http://" + e.uiAddr + "/temporal/api/v1/namespaces/default/workflows"
	for name, h := range map[string]map[string]string{
		"no key":      nil,
		"login token": {"Authorization": "Bearer " + e.admin},
	} {
		code, body := e.send("GET", direct, "", h)
		if code != http.StatusForbidden || strings.Contains(body, "run-under-watch") {
			t.Errorf("direct to the UI, %s: %d %.300s, want 403 PermissionDenied and no workflow", name, code, body)
		}
	}
}

// TestTemporalUI_ReadOnly: with writes off a SYS_ADMIN's terminate through
// the proxy is refused, by the proxy and, asked directly with the UI's key,
// by the frontend, and the workflow is still running. A workflow query (a
// POST that only reads) goes through.
func TestTemporalUI_ReadOnly(t *testing.T) {
	testtier.Parallel(t)
	e := newUIEnv(t, false)
	base := e.srv.URL + "/temporal/api/v1/namespaces/default/workflows/run-under-watch"
	admin := map[string]string{"Authorization": "Bearer " + e.admin, "Content-Type": "application/json"}
	for _, path := range []string{"/terminate", "/cancel", "/signal/x", "/reset"} {
		code, body := e.send("POST", base+path, `{"reason":"attack"}`, admin)
		if code != http.StatusForbidden || !strings.Contains(body, "JOBFLOW_TEMPORAL_UI_WRITE") {
			t.Errorf("POST %s = %d %.300s, want 403 naming JOBFLOW_TEMPORAL_UI_WRITE", path, code, body)
		}
	}
	// An id that smuggles "/query/" in escaped slashes is no query.
	code, body := e.send("POST", e.srv.URL+"/temporal/api/v1/namespaces/default/workflows/run-under-watch%2Fquery%2Fx/terminate", `{}`, admin)
	if code != http.StatusForbidden {
		t.Errorf("escaped query path = %d %.200s, want 403", code, body)
	}
	// The frontend refuses the UI's key, should a write get past the proxy.
	opts := e.ts.ClientOptions(temporalserver.DefaultNamespace)
	opts.Credentials = client.NewAPIKeyStaticCredentials(e.ts.UIKey())
	cu, err := client.Dial(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer cu.Close()
	var denied *serviceerror.PermissionDenied
	if err := cu.TerminateWorkflow(context.Background(), "run-under-watch", "", "attack"); !errors.As(err, &denied) {
		t.Errorf("terminate with the UI key: %v, want PermissionDenied", err)
	}
	if st := e.status(t); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow %s after refused terminates, want running", st)
	}

	// A query is let through: a worker answers it.
	w := worker.New(e.client, "nobody-polls", worker.Options{})
	w.RegisterWorkflow(sleepy)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	code, body = e.send("POST", base+"/query/__stack_trace", `{"query":{"queryType":"__stack_trace"}}`, admin)
	if code != http.StatusOK || !strings.Contains(body, "queryResult") {
		t.Errorf("query through the proxy = %d %.300s, want 200 with a result", code, body)
	}
}

// TestTemporalUI_Write: with JOBFLOW_TEMPORAL_UI_WRITE a SYS_ADMIN
// terminates the workflow through the proxy; with the cookie the same
// request needs the UI's CSRF token.
func TestTemporalUI_Write(t *testing.T) {
	testtier.Parallel(t)
	e := newUIEnv(t, true)
	url := e.srv.URL + "/temporal/api/v1/namespaces/default/workflows/run-under-watch/terminate"
	cookie := map[string]string{"Cookie": httpapi.TokenCookie + "=" + e.admin + "; _csrf=tok123", "Content-Type": "application/json"}
	code, body := e.send("POST", url, `{"reason":"by cookie"}`, cookie)
	if code != http.StatusForbidden || !strings.Contains(body, "X-CSRF-Token") {
		t.Errorf("cookie terminate without CSRF header = %d %.300s, want 403", code, body)
	}
	cookie["X-CSRF-Token"] = "wrong"
	if code, body := e.send("POST", url, `{"reason":"by cookie"}`, cookie); code != http.StatusForbidden {
		t.Errorf("cookie terminate with a wrong CSRF header = %d %.300s, want 403", code, body)
	}
	if st := e.status(t); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow %s after refused terminates, want running", st)
	}
	cookie["X-CSRF-Token"] = "tok123"
	if code, body := e.send("POST", url, `{"reason":"by cookie"}`, cookie); code != http.StatusOK {
		t.Fatalf("cookie terminate with the CSRF header = %d %.300s, want 200", code, body)
	}
	if st := e.status(t); st != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Fatalf("workflow %s after terminate, want terminated", st)
	}
}

// TestTemporalUI_NotServed: without an embedded UI the routes are 404 for
// a SYS_ADMIN and still 401 without a login.
func TestTemporalUI_NotServed(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t, storetest.Open(t, store.DialectSQLite))
	e.fail(e.do("GET", "/temporal/", e.admin, "", nil), 404, jobflow.ENOTFOUND)
	e.fail(e.do("GET", "/temporal/", "", "", nil), 401, jobflow.EUNAUTHORIZED)
}

// TestRunLinks_SysAdminOnly: a run's temporalUrl, a link into the Web UI,
// is given to a SYS_ADMIN only; a MEMBER starting, reading or listing the
// same run gets no such field.
func TestRunLinks_SysAdminOnly(t *testing.T) {
	testtier.Parallel(t)
	e := newRunEnv(t)
	wf := e.flow("links", nil, "true")
	_, member := e.user("link-member", jobflow.RoleMember)

	r := e.do("POST", "/api/v1/workflows/"+wf.ID+"/runs", member, e.tenantID, map[string]any{})
	var started struct {
		RunID string `json:"runId"`
	}
	e.ok(r, 202, &started)
	if strings.Contains(string(r.body), "temporalUrl") {
		t.Errorf("MEMBER's run start answered %s, want no temporalUrl", r.body)
	}
	e.waitRun(started.RunID, time.Minute)
	for _, path := range []string{"/api/v1/runs/" + started.RunID, "/api/v1/runs"} {
		if body := string(e.do("GET", path, member, e.tenantID, nil).body); strings.Contains(body, "temporalUrl") || !strings.Contains(body, started.RunID) {
			t.Errorf("MEMBER GET %s = %.300s, want the run without temporalUrl", path, body)
		}
		if body := string(e.as("GET", path, nil).body); !strings.Contains(body, `"temporalUrl":"http://localhost:8233/namespaces/`) {
			t.Errorf("SYS_ADMIN GET %s = %.300s, want temporalUrl", path, body)
		}
	}
}
