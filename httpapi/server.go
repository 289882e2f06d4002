// Package httpapi is jobflow's REST API (docs/api.md) on Echo v4: login and
// roles, tenant scoping, the management routes for tenants, users,
// workflows, jobs, canvases, configs and datasources, the license, the one
// error envelope, request logs, Prometheus metrics, health checks and the
// OpenAPI document. Handlers talk to the store only through the service
// interfaces of the domain package, taken in Deps.
package httpapi

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"reflect"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"jobflow"
	"jobflow/egress"
	"jobflow/engine"
	"jobflow/jobtypes"
	jobmetrics "jobflow/metrics"
)

// Config is how the API is set up.
type Config struct {
	JWTSecret        []byte               // signs login (and invoke) tokens; required
	TokenTTL         time.Duration        // login token lifetime; default 12h
	CORSOrigins      []string             // web consoles allowed to call the API; none by default
	PublicURL        string               // JOBFLOW_PUBLIC_URL: base of invoke curls and UI links; "": the request's (publicBase)
	LicensePublicKey ed25519.PublicKey    // verifies installed licenses; nil: none can be installed
	Ready            []Check              // what /readyz checks (store, Temporal)
	Logger           *slog.Logger         // request log and internal errors; default slog.Default()
	Registry         *prometheus.Registry // metrics registry; default: a private one per server
	TemporalUI       TemporalUI           // the embedded Temporal Web UI proxied under /temporal/; none by default
	// Login throttling: failures count per (account, client address) and
	// per client address within LoginWindow (default 15 min); a blocked
	// pair or address waits LoginLockBase (default 30 s), doubling per
	// further failure up to LoginWindow. No account is ever blocked for
	// other addresses.
	LoginWindow   time.Duration
	LoginLockBase time.Duration
	// EgressAllow and EgressDeny are the installation's egress rules
	// (JOBFLOW_EGRESS_ALLOW) and the addresses refused unless named exactly
	// (the store, Temporal): datasource and alarm channel tests connect
	// only where the tenant's policy allows, as jobs do (docs/security.md).
	EgressAllow []egress.Rule
	EgressDeny  []netip.AddrPort
	// TrustedProxies (JOBFLOW_TRUSTED_PROXIES) are the peers whose
	// X-Forwarded-For and X-Forwarded-Proto are believed; from anyone else
	// the client address is the TCP peer's.
	TrustedProxies []netip.Prefix
	// Metrics receives the invoke counts (none when nil); register it in
	// Registry to serve it on /metrics.
	Metrics *jobmetrics.Metrics
}

// Check is one readiness check of /readyz; Name appears in the answer.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Deps are the services the handlers use; *store.Store provides them all
// (see NewDeps).
type Deps struct {
	Tenants      jobflow.TenantService
	Users        jobflow.UserService
	Workflows    jobflow.WorkflowService
	Jobs         jobflow.JobService
	Datasources  jobflow.DatasourceService
	Settings     jobflow.SettingService
	Runs         jobflow.RunService
	Alarms       jobflow.AlarmService
	InvokeTokens jobflow.InvokeTokenService
	Sessions     jobflow.SessionService
	Variables    jobflow.VariableService
	Idempotency  jobflow.IdempotencyService // Idempotency-Key of run starts; nil: the header is ignored
	Engine       *engine.Engine             // nil: engine actions answer 503 UNAVAILABLE

	// The workflow lifecycle (docs/lifecycle.md); nil Audit records nothing.
	Versions  jobflow.VersionHistoryService
	Audit     jobflow.AuditService
	APITokens jobflow.APITokenService
	Members   jobflow.MemberService
	Imports   jobflow.ImportService

	Calendars jobflow.CalendarService // nil: calendar routes answer 503
	Pools     jobflow.PoolService     // nil: pool routes answer 503
	ForEach   jobflow.ForEachService  // nil: FOREACH items answer 503
	Baselines jobflow.BaselineService // nil: baseline routes answer 503
}

// Services is everything Deps needs, in one interface.
type Services interface {
	jobflow.TenantService
	jobflow.UserService
	jobflow.WorkflowService
	jobflow.JobService
	jobflow.DatasourceService
	jobflow.SettingService
	jobflow.RunService
	jobflow.AlarmService
	jobflow.InvokeTokenService
	jobflow.SessionService
	jobflow.IdempotencyService
	jobflow.VersionHistoryService
	jobflow.AuditService
	jobflow.APITokenService
	jobflow.MemberService
	jobflow.ImportService
	jobflow.VariableService
}

// NewDeps fills every field of Deps from one implementation (the store).
func NewDeps(s Services) Deps {
	return Deps{Tenants: s, Users: s, Workflows: s, Jobs: s, Datasources: s, Settings: s, Runs: s, Alarms: s, InvokeTokens: s, Sessions: s, Variables: s,
		Idempotency: s, Versions: s, Audit: s, APITokens: s, Members: s, Imports: s, Calendars: calendarsOf(s), Pools: poolsOf(s),
		ForEach: forEachOf(s), Baselines: baselinesOf(s)}
}

func baselinesOf(s Services) jobflow.BaselineService {
	bs, _ := s.(jobflow.BaselineService)
	return bs
}

func poolsOf(s Services) jobflow.PoolService {
	ps, _ := s.(jobflow.PoolService)
	return ps
}

func forEachOf(s Services) jobflow.ForEachService {
	fs, _ := s.(jobflow.ForEachService)
	return fs
}

func calendarsOf(s Services) jobflow.CalendarService {
	cs, _ := s.(jobflow.CalendarService)
	return cs
}

// Server is the HTTP API.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	echo    *echo.Echo
	metrics *metrics
	routes  []route
	uiProxy *httputil.ReverseProxy // nil: no Temporal Web UI
	revoked revocations
	doc     struct {
		once sync.Once
		b    []byte
		err  error
	}
}

// access says who may call a route.
type access int

const (
	public      access = iota // anyone
	loggedIn                  // any valid login token
	sysAdmin                  // SYS_ADMIN
	member                    // X-Tenant-ID and a membership (any role)
	tenantAdmin               // X-Tenant-ID and TENANT_ADMIN there (or SYS_ADMIN)
)

// route is one row of the route table; the OpenAPI document is built from
// the same rows, so the two cannot drift apart.
type route struct {
	method  string
	path    string // Echo form: /api/v1/workflows/:id
	access  access
	summary string
	body    reflect.Type // the type the handler decodes the body into (schemaOf); nil for none
	resp    reflect.Type // the type of the success answer (schemaOf); nil for none
	status  int          // success status
	query   []string     // query parameters
	handler echo.HandlerFunc
	// idempotent routes take an Idempotency-Key header (see idempotency.go).
	idempotent bool
	// audit is the action a mutating route records (audit.go), e.g.
	// "workflow.publish"; its object type is the part before the first
	// dot. auditParam names the path parameter that identifies the object
	// when the handler hands none over (default "id" when the path has it;
	// "-" for a route that makes its object, which has no id before).
	audit, auditParam string
}

// New builds the server and its routes.
func New(cfg Config, deps Deps) *Server {
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.LoginWindow == 0 {
		cfg.LoginWindow = defaultLoginWindow
	}
	if cfg.LoginLockBase == 0 {
		cfg.LoginLockBase = defaultLoginLockBase
	}
	s := &Server{cfg: cfg, deps: deps, log: cfg.Logger, metrics: newMetrics(cfg.Registry)}
	if p, err := newUIProxy(cfg.TemporalUI); err != nil {
		s.log.Error("temporal web UI: bad upstream URL; not proxied", "upstream", cfg.TemporalUI.Upstream, "err", err)
	} else {
		s.uiProxy = p
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// The client address that login throttling counts is the peer's: an
	// X-Forwarded-For header is the client's to forge, unless the peer is a
	// trusted proxy (clientaddr.go).
	e.IPExtractor = s.clientIP
	e.Use(middleware.RequestID())
	e.Use(s.observe) // logs and measures everything below, errors included
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "err", err, "stack", string(stack), "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
			return errors.New("panic") // answered as INTERNAL; the details are in the line above
		},
	}))
	if len(cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, headerTenant, headerIdempotencyKey, "If-None-Match"},
			ExposeHeaders: []string{echo.HeaderXRequestID, "ETag", "X-Log-Offset", "X-Log-Reset", "Retry-After"},
			MaxAge:        600,
		}))
	}
	e.Use(limitBody)
	e.Use(uiTokenFromCookie)
	s.echo = e

	s.routes = append(s.routes, s.managementRoutes()...)
	s.routes = append(s.routes, s.engineRoutes()...)
	s.routes = append(s.routes, s.lifecycleRoutes()...)
	s.routes = append(s.routes, s.consoleAPIRoutes()...)
	s.routes = append(s.routes, s.temporalUIRoutes()...)
	s.routes = append(s.routes, s.consoleRoutes()...)
	for _, r := range s.routes {
		h := r.handler
		if r.idempotent {
			h = s.idempotent(r, h)
		}
		e.Add(r.method, r.path, h, s.auditGuard(r, s.guard(r.access))...)
	}
	return s
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.echo }

// managementRoutes is the route table of everything but the run engine.
func (s *Server) managementRoutes() []route {
	const v1 = "/api/v1"
	list := []string{"search", "page", "pageSize"}
	return []route{
		{method: "GET", path: "/healthz", access: public, summary: "Liveness: the process answers", resp: schemaOf[status](), status: 200, handler: s.healthz},
		{method: "GET", path: "/readyz", access: public, summary: "Readiness: the store and Temporal are reachable (503 otherwise)", resp: schemaOf[status](), status: 200, handler: s.readyz},
		{method: "GET", path: "/metrics", access: public, summary: "Prometheus metrics (text exposition format)", status: 200, handler: s.metricsHandler()},
		{method: "GET", path: v1 + "/openapi.json", access: public, summary: "This OpenAPI 3 document", status: 200, handler: s.openapi},

		{method: "POST", path: v1 + "/auth/login", access: public, summary: "Log in with account and password; returns a login token (HS256 JWT) valid 12 h. Failed logins are throttled per (account, client address) after 5 and per client address after 20 within 15 min: 429 TOO_MANY_REQUESTS with Retry-After, the block doubling from 30 s up to 15 min; an account is never blocked for other addresses. The client address is the TCP peer's, or X-Forwarded-For's when the peer is in JOBFLOW_TRUSTED_PROXIES. The jobflow_token cookie is Secure when served over HTTPS (https JOBFLOW_PUBLIC_URL, TLS, or X-Forwarded-Proto: https from a trusted proxy)", body: schemaOf[loginRequest](), resp: schemaOf[loginResponse](), status: 200, audit: "auth.login", handler: s.login},
		{method: "POST", path: v1 + "/auth/logout", access: loggedIn, summary: "Log out: the presented login token is revoked (on every api process within 2 s)", status: 204, audit: "auth.logout", handler: s.logout},
		{method: "GET", path: v1 + "/me", access: loggedIn, summary: "The current user and the tenants it belongs to", resp: schemaOf[meResponse](), status: 200, handler: s.me},
		{method: "PUT", path: v1 + "/me/password", access: loggedIn, summary: "Change the caller's password (new: 10-72 bytes, not the account); every earlier login token is revoked, the answer holds a fresh one", body: schemaOf[passwordChange](), resp: schemaOf[tokenResponse](), status: 200, audit: "user.password.change", handler: s.changePassword},

		{method: "POST", path: v1 + "/tenants", access: sysAdmin, summary: "SYS_ADMIN: create a tenant (403 LIMIT_EXCEEDED beyond the license's maxTenants)", body: schemaOf[tenantInput](), resp: schemaOf[jobflow.Tenant](), status: 201, audit: "tenant.create", handler: s.createTenant},
		{method: "GET", path: v1 + "/tenants", access: sysAdmin, summary: "SYS_ADMIN: list tenants", resp: schemaOf[jobflow.List[*jobflow.Tenant]](), status: 200, query: list, handler: s.listTenants},
		{method: "PATCH", path: v1 + "/tenants/:id", access: sysAdmin, summary: "SYS_ADMIN: rename a tenant or change its maxWorkflows, osUser, egressAllow or jobLimits", body: schemaOf[tenantInput](), resp: schemaOf[jobflow.Tenant](), status: 200, audit: "tenant.edit", handler: s.updateTenant},
		{method: "POST", path: v1 + "/tenants/:id/members", access: sysAdmin, summary: "SYS_ADMIN: add a user to a tenant or change its role (TENANT_ADMIN or MEMBER)", body: schemaOf[memberInput](), resp: schemaOf[memberView](), status: 200, audit: "member.set", auditParam: "-", handler: s.setMember},
		{method: "POST", path: v1 + "/users", access: sysAdmin, summary: "SYS_ADMIN: create a user (password 10-72 bytes, not the account; stored as bcrypt)", body: schemaOf[userInput](), resp: schemaOf[jobflow.User](), status: 201, audit: "user.create", handler: s.createUser},
		{method: "GET", path: v1 + "/users", access: sysAdmin, summary: "SYS_ADMIN: list users (search matches account or name)", resp: schemaOf[jobflow.List[*jobflow.User]](), status: 200, query: list, handler: s.listUsers},
		{method: "PATCH", path: v1 + "/users/:id", access: sysAdmin, summary: "SYS_ADMIN: rename, disable or enable a user (disabling revokes its tokens; 409 on one's own account)", body: schemaOf[jobflow.UserUpdate](), resp: schemaOf[jobflow.User](), status: 200, audit: "user.edit", handler: s.updateUser},
		{method: "POST", path: v1 + "/users/:id/password", access: sysAdmin, summary: "SYS_ADMIN: reset a user's password (10-72 bytes); the user's login tokens are revoked", body: schemaOf[passwordReset](), resp: schemaOf[jobflow.User](), status: 200, audit: "user.password.reset", handler: s.resetPassword},
		{method: "GET", path: v1 + "/login-throttles", access: sysAdmin, summary: "SYS_ADMIN: the login throttles (kind PAIR: one account from one address; ADDR: one address), blocked first", resp: schemaOf[loginThrottleList](), status: 200, handler: s.listLoginThrottles},
		{method: "DELETE", path: v1 + "/login-throttles", access: sysAdmin, summary: "SYS_ADMIN: clear login throttles: all, or those of ?account= and/or ?address= (an address also clears its ADDR throttle)", resp: schemaOf[loginThrottlesCleared](), status: 200, query: []string{"account", "address"}, audit: "auth.throttles.clear", handler: s.clearLoginThrottles},
		{method: "GET", path: v1 + "/license", access: sysAdmin, summary: "SYS_ADMIN: the installed license, if any", resp: schemaOf[licenseView](), status: 200, handler: s.getLicense},
		{method: "PUT", path: v1 + "/license", access: sysAdmin, summary: "SYS_ADMIN: verify and install a license (400 if JOBFLOW_LICENSE_PUBLIC_KEY is not set, the token is invalid or expired)", body: schemaOf[licenseInput](), resp: schemaOf[licenseView](), status: 200, audit: "license.install", handler: s.putLicense},

		{method: "GET", path: v1 + "/workflows", access: member, summary: "MEMBER: list workflows; search matches name or remark (case-insensitive, % and _ literal); status DRAFT|PUBLISHED|OFFLINE", resp: schemaOf[jobflow.List[workflowItem]](), status: 200, query: append(list, "status"), handler: s.listWorkflows},
		{method: "POST", path: v1 + "/workflows", access: member, summary: "MEMBER: create a workflow (409 duplicate name; 403 LIMIT_EXCEEDED at min(license, tenant.maxWorkflows))", body: schemaOf[workflowInput](), resp: schemaOf[workflowView](), status: 201, audit: "workflow.create", handler: s.createWorkflow},
		{method: "GET", path: v1 + "/workflows/:id", access: member, summary: "MEMBER: a workflow with canvas, config and jobs", resp: schemaOf[workflowView](), status: 200, handler: s.getWorkflow},
		{method: "PATCH", path: v1 + "/workflows/:id", access: member, summary: "MEMBER: edit name and remark", body: schemaOf[workflowInput](), resp: schemaOf[workflowView](), status: 200, audit: "workflow.edit", handler: s.updateWorkflow},
		{method: "DELETE", path: v1 + "/workflows/:id", access: tenantAdmin, summary: "TENANT_ADMIN: delete a workflow with its jobs, configs and versions (409 while PUBLISHED)", status: 204, audit: "workflow.delete", handler: s.deleteWorkflow},
		{method: "PUT", path: v1 + "/workflows/:id/canvas", access: member, summary: "MEMBER: save the canvas (409 on a stale revision; 400 naming a cycle's jobs in details.cycle)", body: schemaOf[canvasInput](), resp: schemaOf[workflowView](), status: 200, audit: "workflow.canvas.save", handler: s.saveCanvas},
		{method: "GET", path: v1 + "/workflows/:id/config", access: member, summary: "MEMBER: the workflow config (schedule, alarms, invoke, failureStrategy, maxParallelism, params)", resp: schemaOf[jobflow.WorkflowConfig](), status: 200, handler: s.getConfig},
		{method: "PUT", path: v1 + "/workflows/:id/config", access: member, summary: "MEMBER: save the config (400 naming a bad cron field or time zone, or an alarm channel id that is not the tenant's: details.field alarms[i].channelIds[k], details.id)", body: schemaOf[jobflow.WorkflowConfig](), resp: schemaOf[jobflow.WorkflowConfig](), status: 200, audit: "workflow.config.save", handler: s.saveConfig},
		{method: "GET", path: v1 + "/workflows/:id/jobs", access: member, summary: "MEMBER: the jobs of a workflow", resp: schemaOf[jobflow.List[*jobflow.Job]](), status: 200, query: []string{"page", "pageSize"}, handler: s.listJobs},
		{method: "POST", path: v1 + "/workflows/:id/jobs", access: member, summary: "MEMBER: add a job (SHELL, PYTHON, SQL, HTTP, CONDITION, SUBFLOW, DEPENDENT, APPROVAL; config validated per type; 409 duplicate name; every id the config carries must be the tenant's: a datasource (SQL), a workflow (SUBFLOW, DEPENDENT), a job of the same workflow (CONDITION targets), else 400 INVALID with details.field and details.id)", body: schemaOf[jobflow.JobUpdate](), resp: schemaOf[jobflow.Job](), status: 201, audit: "job.create", auditParam: "-", handler: s.createJob},
		{method: "GET", path: v1 + "/jobs/:id", access: member, summary: "MEMBER: a job", resp: schemaOf[jobflow.Job](), status: 200, handler: s.getJob},
		{method: "PATCH", path: v1 + "/jobs/:id", access: member, summary: "MEMBER: edit a job (the config's ids are checked against the tenant as on create)", body: schemaOf[jobflow.JobUpdate](), resp: schemaOf[jobflow.Job](), status: 200, audit: "job.edit", handler: s.updateJob},
		{method: "DELETE", path: v1 + "/jobs/:id", access: member, summary: "MEMBER: delete a job (409 while it is on the canvas)", status: 204, audit: "job.delete", handler: s.deleteJob},

		{method: "GET", path: v1 + "/variables", access: member, summary: "MEMBER: tenant variables by name (secrets without their value)", resp: schemaOf[jobflow.List[*jobflow.Variable]](), status: 200, query: list, handler: s.listVariables},
		{method: "POST", path: v1 + "/variables", access: tenantAdmin, summary: "TENANT_ADMIN: create a variable {name, value, secret, remark} (${global.NAME}; a secret is ${{ secret.NAME }}, encrypted at rest, never returned)", body: schemaOf[jobflow.VariableInput](), resp: schemaOf[jobflow.Variable](), status: 201, audit: "variable.create", handler: s.createVariable},
		{method: "GET", path: v1 + "/variables/:name", access: member, summary: "MEMBER: a variable (a secret without its value)", resp: schemaOf[jobflow.Variable](), status: 200, handler: s.getVariable},
		{method: "PATCH", path: v1 + "/variables/:name", access: tenantAdmin, summary: "TENANT_ADMIN: edit a variable's value or remark (omit value to keep it; name and secret cannot change)", body: schemaOf[jobflow.VariableInput](), resp: schemaOf[jobflow.Variable](), status: 200, audit: "variable.edit", auditParam: "name", handler: s.updateVariable},
		{method: "DELETE", path: v1 + "/variables/:name", access: tenantAdmin, summary: "TENANT_ADMIN: delete a variable", status: 204, audit: "variable.delete", auditParam: "name", handler: s.deleteVariable},
		{method: "GET", path: v1 + "/datasources", access: member, summary: "MEMBER: list datasources (passwords never shown)", resp: schemaOf[jobflow.List[*jobflow.Datasource]](), status: 200, query: list, handler: s.listDatasources},
		{method: "POST", path: v1 + "/datasources", access: tenantAdmin, summary: "TENANT_ADMIN: create a datasource (POSTGRES or MYSQL; password encrypted at rest)", body: schemaOf[jobflow.DatasourceInput](), resp: schemaOf[jobflow.Datasource](), status: 201, audit: "datasource.create", handler: s.createDatasource},
		{method: "GET", path: v1 + "/datasources/:id", access: member, summary: "MEMBER: a datasource", resp: schemaOf[jobflow.Datasource](), status: 200, handler: s.getDatasource},
		{method: "PATCH", path: v1 + "/datasources/:id", access: tenantAdmin, summary: "TENANT_ADMIN: edit a datasource (omit password to keep it)", body: schemaOf[jobflow.DatasourceInput](), resp: schemaOf[jobflow.Datasource](), status: 200, audit: "datasource.edit", handler: s.updateDatasource},
		{method: "GET", path: v1 + "/pools", access: member, summary: "MEMBER: the tenant's pools (资源池) with the slots used and the jobs waiting", resp: schemaOf[jobflow.List[*jobflow.Pool]](), status: 200, query: list, handler: s.listPools},
		{method: "POST", path: v1 + "/pools", access: tenantAdmin, summary: "TENANT_ADMIN: create a pool {name, slots, description}; jobs name it in pool (with poolSlots, default 1); 409 duplicate name", body: schemaOf[jobflow.PoolUpdate](), resp: schemaOf[jobflow.Pool](), status: 201, audit: "pool.create", handler: s.createPool},
		{method: "GET", path: v1 + "/pools/:id", access: member, summary: "MEMBER: a pool with its holders (the node runs holding slots) and waiters (in the order they will be served: priority 1 first, then oldest)", resp: schemaOf[jobflow.Pool](), status: 200, handler: s.getPool},
		{method: "PATCH", path: v1 + "/pools/:id", access: tenantAdmin, summary: "TENANT_ADMIN: rename a pool or change its slots (more slots grant waiters at once; fewer let holders finish)", body: schemaOf[jobflow.PoolUpdate](), resp: schemaOf[jobflow.Pool](), status: 200, audit: "pool.edit", handler: s.updatePool},
		{method: "GET", path: v1 + "/baselines", access: member, summary: "MEMBER: the tenant's baselines (基线)", resp: schemaOf[jobflow.List[*jobflow.Baseline]](), status: 200, query: list, handler: s.listBaselines},
		{method: "POST", path: v1 + "/baselines", access: tenantAdmin, summary: "TENANT_ADMIN: create a baseline {name, targets [{workflowId, jobId?}], finishBy HH:MM or +1d HH:MM, timezone, marginMinutes, channelIds, priority 1-5}; its workflow starts watching the first data date whose finishBy is ahead", body: schemaOf[jobflow.BaselineUpdate](), resp: schemaOf[jobflow.Baseline](), status: 201, audit: "baseline.create", handler: s.createBaseline},
		{method: "GET", path: v1 + "/baselines/:id", access: member, summary: "MEMBER: a baseline", resp: schemaOf[jobflow.Baseline](), status: 200, handler: s.getBaseline},
		{method: "PATCH", path: v1 + "/baselines/:id", access: tenantAdmin, summary: "TENANT_ADMIN: change a baseline; its workflow checks again at once", body: schemaOf[jobflow.BaselineUpdate](), resp: schemaOf[jobflow.Baseline](), status: 200, audit: "baseline.edit", handler: s.updateBaseline},
		{method: "DELETE", path: v1 + "/baselines/:id", access: tenantAdmin, summary: "TENANT_ADMIN: delete a baseline with its instances; its workflow ends", status: 204, audit: "baseline.delete", handler: s.deleteBaseline},
		{method: "GET", path: v1 + "/baselines/:id/instances", access: member, summary: "MEMBER: a baseline's instances per data date, newest first (at most 60); ?date=YYYY-MM-DD answers that date's only: {status SAFE|WARNING|BREACHED|MET, deadline, warnAt, predictedFinishAt, finishedAt, keyPath, targets [{workflowId, jobId, runId, status}], reason}", resp: schemaOf[jobflow.List[*jobflow.BaselineInstance]](), status: 200, query: []string{"date"}, handler: s.baselineInstances},
		{method: "DELETE", path: v1 + "/pools/:id", access: tenantAdmin, summary: "TENANT_ADMIN: delete a pool; 409 while a job holds or waits for its slots", status: 204, audit: "pool.delete", handler: s.deletePool},
		{method: "GET", path: v1 + "/calendars", access: member, summary: "MEMBER: business calendars: the tenant's and the shared ones", resp: schemaOf[jobflow.List[*jobflow.Calendar]](), status: 200, query: list, handler: s.listCalendars},
		{method: "POST", path: v1 + "/calendars", access: tenantAdmin, summary: "TENANT_ADMIN: create a business calendar {name, timezone, weekdays 1-7 (1 = Monday), holidays, workdays (make-up days, 调休), remark, import?}; shared: true (SYS_ADMIN only) shares it with every tenant", body: schemaOf[calendarInput](), resp: schemaOf[jobflow.Calendar](), status: 201, audit: "calendar.create", handler: s.createCalendar},
		{method: "GET", path: v1 + "/calendars/:id", access: member, summary: "MEMBER: a business calendar", resp: schemaOf[jobflow.Calendar](), status: 200, handler: s.getCalendar},
		{method: "GET", path: v1 + "/calendars/:id/versions/:version", access: member, summary: "MEMBER: the content of one version of a calendar (every change raises version; published workflows copy the version they were published with)", resp: schemaOf[jobflow.Calendar](), status: 200, handler: s.getCalendarVersion},
		{method: "PATCH", path: v1 + "/calendars/:id", access: tenantAdmin, summary: "TENANT_ADMIN: edit a calendar (a shared one: SYS_ADMIN); version rises, schedules naming it are re-applied, runs already started keep their copy", body: schemaOf[calendarInput](), resp: schemaOf[jobflow.Calendar](), status: 200, audit: "calendar.edit", handler: s.updateCalendar},
		{method: "DELETE", path: v1 + "/calendars/:id", access: tenantAdmin, summary: "TENANT_ADMIN: delete a calendar (a shared one: SYS_ADMIN); published versions keep their copy", status: 204, audit: "calendar.delete", handler: s.deleteCalendar},
		{method: "POST", path: v1 + "/calendars/:id/import", access: tenantAdmin, summary: "TENANT_ADMIN: import holidays and make-up workdays {format ICS|LIST, content, mode MERGE|REPLACE}", body: schemaOf[calendarImport](), resp: schemaOf[jobflow.Calendar](), status: 200, audit: "calendar.import", handler: s.importCalendar},
		{method: "DELETE", path: v1 + "/datasources/:id", access: tenantAdmin, summary: "TENANT_ADMIN: delete a datasource", status: 204, audit: "datasource.delete", handler: s.deleteDatasource},
		{method: "POST", path: v1 + "/datasources/:id/test", access: member, summary: "MEMBER: connect and ping (5 s timeout); 200 {ok:true, latencyMs} or {ok:false, error}", resp: schemaOf[connTest](), status: 200, audit: "datasource.test", handler: s.testDatasource},
		{method: "GET", path: v1 + "/job-types", access: loggedIn, summary: "Any user: the job types, from the registry: [{type, kind ACTIVITY|CONTROL, schema (the JSON Schema of its config), defaults (the config a new job starts from), outputs}]", resp: schemaOf[[]jobtypes.Info](), status: 200, handler: s.listJobTypes},
	}
}
