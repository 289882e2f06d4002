package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"jobflow"
	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/store"
	"jobflow/store/storetest"
)

// TestMain makes password hashes cheap: the tests log in hundreds of times,
// and what they check of passwords does not depend on bcrypt's cost.
func TestMain(m *testing.M) {
	httpapi.PasswordCost = bcrypt.MinCost
	os.Exit(m.Run())
}

var testSecret = []byte("test-secret-0123456789abcdef0123")

const adminPassword = "admin-password-1"

// env is a real API server on a real store, with the bootstrapped admin
// logged in and the default tenant at hand.
type env struct {
	t        *testing.T
	st       *store.Store
	api      *httpapi.Server
	srv      *httptest.Server
	admin    string // admin's login token
	tenantID string // the default tenant
	logs     *lockedWriter
}

type option func(*httpapi.Config)

func newEnv(t *testing.T, st *store.Store, opts ...option) *env {
	t.Helper()
	return newEnvWith(t, st, nil, opts...)
}

// newEnvWith is newEnv with an engine in the server's Deps (nil: none).
func newEnvWith(t *testing.T, st *store.Store, eng *engine.Engine, opts ...option) *env {
	t.Helper()
	logs := &lockedWriter{}
	cfg := httpapi.Config{
		JWTSecret: testSecret,
		Logger:    slog.New(slog.NewJSONHandler(logs, nil)),
		Ready:     []httpapi.Check{{Name: "store", Check: st.Ping}},
	}
	for _, o := range opts {
		o(&cfg)
	}
	deps := httpapi.NewDeps(st)
	deps.Engine = eng
	if _, err := httpapi.Bootstrap(context.Background(), deps, adminPassword); err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(cfg, deps)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, api: api, srv: srv, logs: logs}
	var login struct {
		Token   string `json:"token"`
		Tenants []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"tenants"`
	}
	e.ok(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "admin", "password": adminPassword}), 200, &login)
	e.admin = login.Token
	for _, tn := range login.Tenants {
		if tn.Name == "default" {
			e.tenantID = tn.ID
		}
	}
	if e.admin == "" || e.tenantID == "" {
		t.Fatalf("bootstrap login: %+v", login)
	}
	return e
}

// resp is an HTTP answer, read whole.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; body may be nil, a string or []byte (sent as is) or
// anything else (sent as JSON).
func (e *env) do(method, path, token, tenant string, body any) resp {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if tenant != "" {
		req.Header.Set("X-Tenant-ID", tenant)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// as calls as the admin in the default tenant.
func (e *env) as(method, path string, body any) resp {
	e.t.Helper()
	return e.do(method, path, e.admin, e.tenantID, body)
}

// ok checks the status and decodes the body into out (if not nil).
func (e *env) ok(r resp, status int, out any) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			e.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

// fail checks that r is an error in the envelope with this status and code.
func (e *env) fail(r resp, status int, code string) apiError {
	e.t.Helper()
	var body struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.Error == nil {
		e.t.Fatalf("status %d, not an error envelope: %s", r.status, r.body)
	}
	if r.status != status || body.Error.Code != code {
		e.t.Fatalf("got %d %s, want %d %s: %s", r.status, body.Error.Code, status, code, r.body)
	}
	if body.Error.Message == "" {
		e.t.Fatalf("error without message: %s", r.body)
	}
	return *body.Error
}

// user creates a user with a role in the default tenant and logs it in.
func (e *env) user(account string, role jobflow.Role) (id, token string) {
	e.t.Helper()
	var u jobflow.User
	e.ok(e.as("POST", "/api/v1/users", map[string]any{"account": account, "password": "password-" + account}), 201, &u)
	if role != "" {
		e.ok(e.as("POST", "/api/v1/tenants/"+e.tenantID+"/members", map[string]any{"userId": u.ID, "role": role}), 200, nil)
	}
	var login struct{ Token string }
	e.ok(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": account, "password": "password-" + account}), 200, &login)
	return u.ID, login.Token
}

// tenant creates a tenant and returns its id.
func (e *env) tenant(name string, maxWorkflows int) string {
	e.t.Helper()
	var tn jobflow.Tenant
	e.ok(e.as("POST", "/api/v1/tenants", map[string]any{"name": name, "maxWorkflows": maxWorkflows}), 201, &tn)
	return tn.ID
}

// workflow creates a workflow in the default tenant.
func (e *env) workflow(name string) *jobflow.Workflow {
	e.t.Helper()
	var w jobflow.Workflow
	e.ok(e.as("POST", "/api/v1/workflows", map[string]any{"name": name, "remark": "remark of " + name}), 201, &w)
	return &w
}

// job adds a SHELL job to a workflow.
func (e *env) job(wfID, name string) *jobflow.Job {
	e.t.Helper()
	var j jobflow.Job
	e.ok(e.as("POST", "/api/v1/workflows/"+wfID+"/jobs", map[string]any{
		"name": name, "type": "SHELL", "config": map[string]any{"script": "echo " + name},
	}), 201, &j)
	return &j
}

// snapshot is the stored state of a workflow, as JSON, for before/after
// comparisons that prove a refused request changed nothing.
func (e *env) snapshot(tenantID, wfID string) string {
	e.t.Helper()
	w, err := e.st.FindWorkflowByID(context.Background(), tenantID, wfID)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := json.Marshal(w)
	return string(b)
}

// count is the number of workflows in a tenant, from the store.
func (e *env) count(tenantID string) int {
	e.t.Helper()
	_, n, err := e.st.FindWorkflows(context.Background(), tenantID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Page: 1, PageSize: 1}})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// lockedWriter lets concurrent requests log into one buffer.
type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func forEach(t *testing.T, fn func(t *testing.T, e *env), opts ...option) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		fn(t, newEnv(t, s, opts...))
	})
}

func newServer(t *testing.T, api *httpapi.Server) *httptest.Server {
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// allowEgress puts entries on the default tenant's egressAllow, as the
// SYS_ADMIN (docs/security.md: loopback is closed to tenants until then).
func (e *env) allowEgress(entries ...string) {
	e.t.Helper()
	var tn jobflow.Tenant
	e.ok(e.as("PATCH", "/api/v1/tenants/"+e.tenantID, map[string]any{"egressAllow": entries}), 200, &tn)
}
