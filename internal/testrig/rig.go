// Package testrig sets up, for tests, jobflow's run engine on real parts: an
// in-process Temporal server (temporaltest) with jobflow's search attributes,
// a fresh PostgreSQL (or SQLite) store, a worker with FlowRun and the real activities,
// the engine, and the REST API over them with the admin bootstrapped. It is
// imported by tests only.
package testrig

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"jobflow/internal/jobdir"
	"jobflow/internal/testproc"
	"jobflow/internal/testtier"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"jobflow"
	"jobflow/activities"
	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/metrics"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// AdminPassword is the bootstrapped admin's password.
const AdminPassword = "testrig-admin-password"

// JWTSecret signs the rig's login and invoke tokens.
var JWTSecret = []byte("testrig-secret-testrig-secret-testrig!")

// Options change the rig.
type Options struct {
	NoWorker bool                 // the test runs its own (process) workers
	Registry *prometheus.Registry // receives the domain and SDK metrics, served on the API's /metrics; default: a private one
	SQLite   bool                 // the store is SQLite; default PostgreSQL (SQLite under -short)
	// StoreProxy puts a TCP proxy (Rig.Proxy) between jobflow's store
	// (worker, engine, API) and PostgreSQL; Rig.Store stays direct, so a
	// test can look while the proxy is cut.
	StoreProxy bool
	Logger     *slog.Logger          // default: errors into the test's log
	API        func(*httpapi.Config) // adjusts the API's config before it is built
}

// Rig is the engine and the API on real parts; everything stops with the test.
type Rig struct {
	Temporal *temporaltest.TestServer
	Client   client.Client
	Store    *store.Store // direct, also with StoreProxy
	DBURL    string       // postgres://… or sqlite://path
	Proxy    *Proxy       // with StoreProxy: between jobflow and PostgreSQL
	Engine   *engine.Engine
	Server   *httptest.Server
	API      *API // logged in as admin, in the default tenant
}

// New starts a rig.
func New(t *testing.T, o Options) *Rig {
	t.Helper()
	if o.Logger == nil {
		o.Logger = errorLogger(t)
	}
	// temporaltest's own setting, and the embedded server's queue read
	// rates, so tests wait for queues as standalone does (a few ms a step,
	// not 50).
	dc := dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): []dynamicconfig.ConstrainedValue{{Value: true}},
	}
	temporalserver.AddQueueSettings(dc, 0)
	temporalserver.AddFairness(dc)
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	m := metrics.New(o.Registry)
	ts := temporaltest.NewServer(temporaltest.WithT(t),
		temporaltest.WithBaseServerOptions(temporal.WithDynamicConfigClient(dc)),
		temporaltest.WithBaseClientOptions(client.Options{MetricsHandler: metrics.SDKHandler(o.Registry)}))
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), ts.GetDefaultNamespace()); err != nil {
		t.Fatalf("testrig: register search attributes: %v", err)
	}
	if o.StoreProxy {
		testtier.Long(t, "PostgreSQL behind a proxy")
	}
	var st *store.Store
	var dbURL string
	// The fast tier has no PostgreSQL: the rig's store is SQLite there.
	if o.SQLite || testing.Short() {
		st, dbURL = storetest.OpenSQLite(t)
	} else {
		st, dbURL = storetest.OpenPostgres(t)
	}
	served := st // the store jobflow itself uses
	var proxy *Proxy
	if o.StoreProxy {
		u, err := url.Parse(dbURL)
		if err != nil || o.SQLite {
			t.Fatalf("testrig: StoreProxy needs PostgreSQL (%v)", err)
		}
		proxy = StartProxy(t, u.Host)
		u.Host = proxy.Addr()
		if served, err = store.Open(ctx, u.String(), storetest.Key); err != nil {
			t.Fatalf("testrig: open the store through the proxy: %v", err)
		}
		t.Cleanup(func() { served.Close() })
	}
	var acts *activities.Activities
	if !o.NoWorker {
		// The rig's jobs share files with the test below jobdir.Base
		// (docs/security.md); tests that reach loopback servers open them
		// with API.AllowEgress.
		acts = &activities.Activities{Runs: served, Datasources: served, Alarms: served, Tenants: served, Variables: served, Dependents: served, Baselines: served, Signaller: c, Logger: o.Logger, Metrics: m,
			JobWritable: []string{jobdir.Base()}}
		t.Cleanup(func() { acts.Close() })
		ts.NewWorkerWithOptions(workflows.DefaultTaskQueue, func(r worker.Registry) {
			workflows.Register(r)
			acts.Register(r)
		}, worker.Options{MaxHeartbeatThrottleInterval: time.Second,
			DeadlockDetectionTimeout: workflows.DeadlockDetectionTimeout})
	}
	eng := &engine.Engine{Client: c, Store: served, Namespace: ts.GetDefaultNamespace(),
		TaskQueue: workflows.DefaultTaskQueue, UIURL: "http://localhost:8233", Metrics: m}
	deps := httpapi.NewDeps(served)
	deps.Engine = eng
	if _, err := httpapi.Bootstrap(ctx, deps, AdminPassword); err != nil {
		t.Fatalf("testrig: bootstrap: %v", err)
	}
	// The listener comes first, so invoke curl commands carry its address.
	srv := httptest.NewUnstartedServer(nil)
	cfg := httpapi.Config{JWTSecret: JWTSecret, Logger: o.Logger, PublicURL: "http://" + srv.Listener.Addr().String(),
		Registry: o.Registry, Metrics: m}
	if o.API != nil {
		o.API(&cfg)
	}
	if acts != nil {
		acts.PublicURL = cfg.PublicURL // approval links; no run has started yet
	}
	srv.Config.Handler = httpapi.New(cfg, deps).Handler()
	srv.Start()
	t.Cleanup(srv.Close)

	r := &Rig{Temporal: ts, Client: c, Store: st, DBURL: dbURL, Engine: eng, Server: srv, Proxy: proxy}
	r.API = Login(t, srv.URL, "admin", AdminPassword)
	return r
}

// API is a REST client logged in as one user, in one tenant.
type API struct {
	t      testing.TB
	URL    string
	Token  string
	Tenant string // X-Tenant-ID; the user's first tenant after Login
	// Language is sent as Accept-Language when set: error messages come
	// in the caller's language (zh-CN, en).
	Language string
}

// Login logs account in and picks its first tenant.
func Login(t testing.TB, url, account, password string) *API {
	t.Helper()
	a := &API{t: t, URL: url}
	var login struct {
		Token   string `json:"token"`
		Tenants []struct {
			ID string `json:"id"`
		} `json:"tenants"`
	}
	a.Must("POST", "/api/v1/auth/login", map[string]string{"account": account, "password": password}, 200, &login)
	a.Token = login.Token
	if len(login.Tenants) > 0 {
		a.Tenant = login.Tenants[0].ID
		// The OS user a root worker made for the tenant's jobs.
		tenant := a.Tenant
		t.Cleanup(func() { testproc.RemoveUser(activities.TenantOSUser(tenant)) })
	}
	return a
}

// Do calls the API and returns the status and the raw body. A string body
// is sent as it is (for malformed JSON), anything else as JSON.
func (a *API) Do(method, path string, in any) (int, []byte) {
	a.t.Helper()
	var body io.Reader
	switch v := in.(type) {
	case nil:
	case string:
		body = strings.NewReader(v)
	default:
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.URL+path, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	if a.Tenant != "" {
		req.Header.Set("X-Tenant-ID", a.Tenant)
	}
	if a.Language != "" {
		req.Header.Set("Accept-Language", a.Language)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// Must calls the API, expects status and decodes the answer into out.
// AllowEgress puts entries on the API tenant's egressAllow (the rig logs
// in as the SYS_ADMIN): docs/security.md closes loopback to SQL and HTTP jobs and
// alarms until a rule names it, and test servers listen on loopback.
func (a *API) AllowEgress(entries ...string) {
	a.t.Helper()
	a.Must("PATCH", "/api/v1/tenants/"+a.Tenant, map[string]any{"egressAllow": entries}, 200, nil)
}

func (a *API) Must(method, path string, in any, status int, out any) {
	a.t.Helper()
	got, b := a.Do(method, path, in)
	if got != status {
		a.t.Fatalf("%s %s = %d, want %d: %s", method, path, got, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// Fail calls the API expecting an error with status and returns the error.
func (a *API) Fail(method, path string, in any, status int) jobflow.Error {
	a.t.Helper()
	var out struct {
		Error jobflow.Error `json:"error"`
	}
	a.Must(method, path, in, status, &out)
	return out.Error
}
