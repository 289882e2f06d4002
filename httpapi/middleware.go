package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jobflow"
)

// maxBody is the largest request body accepted (docs/api.md#errors).
const maxBody = 1 << 20

// maxCanvasBody is the largest canvas a save accepts: a canvas of
// jobflow.MaxCanvasNodes jobs with two or three edges each is about 2 MiB
// of JSON (docs/deviations.md).
const maxCanvasBody = 4 << 20

const headerTenant = "X-Tenant-ID"

// ctxUser is where authentication leaves the user id for the request log,
// ctxClaims the login token's claims (for logout).
const (
	ctxUser   = "jobflow.user"
	ctxClaims = "jobflow.claims"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobflow_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jobflow_http_request_duration_seconds",
			Help:    "HTTP request duration by method, route pattern and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	reg.MustRegister(m.requests, m.duration)
	// A private registry does not get the Go and process collectors for free.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (s *Server) metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
}

// observe writes one log line and the metrics of every request. It handles
// the error itself, so that the status it records is the one sent.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		d := time.Since(start)
		status := c.Response().Status
		route := c.Path()
		if route == "" || c.Get(ctxRouted) == nil && status == http.StatusNotFound {
			route = "unmatched" // keeps the label set bounded on scans of random paths
		}
		code := strconv.Itoa(status)
		s.metrics.requests.WithLabelValues(c.Request().Method, route, code).Inc()
		s.metrics.duration.WithLabelValues(c.Request().Method, route, code).Observe(d.Seconds())
		user, _ := c.Get(ctxUser).(string)
		s.log.Info("request",
			"method", c.Request().Method,
			"path", c.Request().URL.Path,
			"route", route,
			"status", status,
			"duration_ms", float64(d.Microseconds())/1000,
			"bytes", c.Response().Size,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"user", user,
		)
		return nil
	}
}

// ctxRouted marks a request that reached a registered route's middleware.
const ctxRouted = "jobflow.routed"

// limitBody refuses bodies over maxBody (maxCanvasBody for a canvas save):
// at once when Content-Length says so, else when the reader passes the
// limit (decode turns that into 413).
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		limit := int64(maxBody)
		if r.Method == http.MethodPut && strings.HasSuffix(c.Path(), "/workflows/:id/canvas") {
			limit = maxCanvasBody
		}
		if r.ContentLength > limit {
			return tooLargeThan(limit)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}

// guard returns the middleware that enforces a route's access level.
func (s *Server) guard(a access) []echo.MiddlewareFunc {
	mark := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(ctxRouted, true)
			return next(c)
		}
	}
	switch a {
	case loggedIn:
		return []echo.MiddlewareFunc{mark, s.authenticate}
	case sysAdmin:
		return []echo.MiddlewareFunc{mark, s.authenticate, requireSysAdmin}
	case member:
		return []echo.MiddlewareFunc{mark, s.authenticate, s.enterTenant}
	case tenantAdmin:
		return []echo.MiddlewareFunc{mark, s.authenticate, s.enterTenant, requireTenantAdmin}
	}
	return []echo.MiddlewareFunc{mark}
}

// authenticate checks the Bearer login token and puts the actor (without a
// tenant yet) into the request context. The user is read from the store on
// every request, so a removed or disabled user, a changed password or a
// revoked SYS_ADMIN takes effect at once rather than at token expiry; a
// logout, within revokedTTL on other api processes.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if tok := bearer(c.Request()); strings.HasPrefix(tok, jobflow.APITokenPrefix) {
			return s.authenticateAPIToken(c, tok, next) // a personal API token (tokens.go)
		}
		u, claims, err := s.loginUser(c.Request().Context(), bearer(c.Request()))
		if err != nil {
			return err
		}
		c.Set(ctxUser, u.ID)
		c.Set(ctxClaims, claims)
		ctx := c.Request().Context()
		a := jobflow.Actor{UserID: u.ID, SysAdmin: u.SysAdmin}
		c.SetRequest(c.Request().WithContext(jobflow.NewContextWithActor(ctx, a)))
		return next(c)
	}
}

// enterTenant resolves X-Tenant-ID. A tenant the caller does not belong to
// is NOT_FOUND, exactly like a tenant that does not exist, so the answer
// never tells an outsider which tenants exist. SYS_ADMIN enters any existing
// tenant as TENANT_ADMIN.
func (s *Server) enterTenant(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if t, ok := c.Get(ctxAPIToken).(*jobflow.APIToken); ok {
			return s.enterTenantWithToken(c, t, next)
		}
		tid := c.Request().Header.Get(headerTenant)
		if tid == "" {
			return invalid(headerTenant, "the %s header is required on this route", headerTenant)
		}
		ctx := c.Request().Context()
		a := actor(c)
		notFound := jobflow.Errorf(jobflow.ENOTFOUND, "tenant not found")
		if a.SysAdmin {
			if _, err := s.deps.Tenants.FindTenantByID(ctx, tid); jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
				return notFound
			} else if err != nil {
				return err
			}
			a.Role = jobflow.RoleTenantAdmin
		} else {
			ms, err := s.deps.Users.FindMemberships(ctx, a.UserID)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.TenantID == tid {
					a.Role = m.Role
				}
			}
			if a.Role == "" {
				return notFound
			}
		}
		a.TenantID = tid
		c.SetRequest(c.Request().WithContext(jobflow.NewContextWithActor(ctx, a)))
		return next(c)
	}
}

func requireSysAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !actor(c).SysAdmin {
			return jobflow.Errorf(jobflow.EFORBIDDEN, "this route needs a system administrator (SYS_ADMIN)")
		}
		return next(c)
	}
}

func requireTenantAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !actor(c).IsTenantAdmin() {
			return jobflow.Errorf(jobflow.EFORBIDDEN, "this route needs a tenant administrator (TENANT_ADMIN)")
		}
		return next(c)
	}
}

// actor is the authenticated caller; routes behind authenticate always have one.
func actor(c echo.Context) jobflow.Actor {
	a, _ := jobflow.ActorFromContext(c.Request().Context())
	return a
}
