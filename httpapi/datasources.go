package httpapi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/activities"
	"jobflow/egress"
)

// connTimeout bounds a datasource connection test.
const connTimeout = 5 * time.Second

type connTest struct {
	OK        bool    `json:"ok"`
	LatencyMs float64 `json:"latencyMs,omitempty"`
	Error     string  `json:"error,omitempty"`
}

func (s *Server) listDatasources(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := s.deps.Datasources.FindDatasources(c.Request().Context(), actor(c).TenantID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) createDatasource(c echo.Context) error {
	var in jobflow.DatasourceInput
	if err := decode(c, &in); err != nil {
		return err
	}
	now := time.Now().UTC()
	d, err := in.Apply(jobflow.Datasource{
		ID: jobflow.NewID(jobflow.PrefixDatasource), TenantID: actor(c).TenantID, CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: d.Name})
	if err := s.deps.Datasources.CreateDatasource(c.Request().Context(), d); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: d.ID})
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) getDatasource(c echo.Context) error {
	d, err := s.deps.Datasources.FindDatasourceByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) updateDatasource(c echo.Context) error {
	var in jobflow.DatasourceInput
	if err := decode(c, &in); err != nil {
		return err
	}
	d, err := s.deps.Datasources.UpdateDatasource(c.Request().Context(), actor(c).TenantID, c.Param("id"), in)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: d.Name})
	return c.JSON(http.StatusOK, d)
}

func (s *Server) deleteDatasource(c echo.Context) error {
	if err := s.deps.Datasources.DeleteDatasource(c.Request().Context(), actor(c).TenantID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// testDatasource opens a real connection and pings it, through the
// tenant's egress policy. A failed connection (a refused destination or
// driver option included) is a 200 with ok:false: the request itself was
// fine.
func (s *Server) testDatasource(c echo.Context) error {
	d, err := s.deps.Datasources.FindDatasourceByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), connTimeout)
	defer cancel()
	setAudit(c, auditObject{Name: d.Name})
	start := time.Now()
	err = Ping(ctx, d, s.egressDial(d.TenantID))
	if err != nil {
		return c.JSON(http.StatusOK, connTest{OK: false, Error: scrub(errText(err), d.Password)})
	}
	return c.JSON(http.StatusOK, connTest{OK: true, LatencyMs: float64(time.Since(start).Microseconds()) / 1000})
}

// Ping connects to the datasource through dial and pings it once.
func Ping(ctx context.Context, d *jobflow.Datasource, dial activities.DialFunc) error {
	db, err := Open(d, dial)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

// Open returns a *sql.DB for a datasource: lib/pq for POSTGRES (sslmode
// disable unless the options say otherwise), go-sql-driver/mysql for MYSQL,
// dialled through dial. Options become connection parameters; a host or
// option the allow-list refuses (a row stored before it) does not open.
func Open(d *jobflow.Datasource, dial activities.DialFunc) (*sql.DB, error) {
	if err := d.CheckConnectable(); err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
	switch d.Type {
	case jobflow.DatasourcePostgres:
		q := url.Values{}
		q.Set("sslmode", "disable")
		q.Set("connect_timeout", strconv.Itoa(int(connTimeout.Seconds())))
		for k, v := range d.Options {
			q.Set(k, v)
		}
		u := url.URL{Scheme: "postgres", User: url.UserPassword(d.User, d.Password), Host: addr, Path: "/" + d.Database, RawQuery: q.Encode()}
		conn, err := activities.PostgresConnector(u.String(), d.Password, dial)
		if err != nil {
			return nil, err
		}
		return sql.OpenDB(conn), nil
	case jobflow.DatasourceMySQL:
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = d.User, d.Password, "tcp", addr, d.Database
		cfg.Timeout = connTimeout
		q := url.Values{}
		for k, v := range d.Options {
			q.Set(k, v)
		}
		// The DSN parser knows the driver's own options (tls, charset …).
		parsed, err := mysql.ParseDSN("/?" + q.Encode())
		if err != nil {
			return nil, err
		}
		parsed.User, parsed.Passwd, parsed.Net, parsed.Addr, parsed.DBName = cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName
		if parsed.Timeout == 0 {
			parsed.Timeout = connTimeout
		}
		conn, err := activities.MySQLConnector(parsed, dial)
		if err != nil {
			return nil, err
		}
		return sql.OpenDB(conn), nil
	}
	return nil, jobflow.Errorf(jobflow.EINVALID, "unknown datasource type %q", d.Type)
}

// errText is err's message: a jobflow error's own message, else err's text.
func errText(err error) string {
	var e *jobflow.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// egressDial dials for tenantID through its egress policy (the tenant's
// egressAllow, read at each dial, and the installation's rules).
func (s *Server) egressDial(tenantID string) activities.DialFunc {
	d := &net.Dialer{Timeout: connTimeout}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		t, err := s.deps.Tenants.FindTenantByID(ctx, tenantID)
		if err != nil {
			return nil, fmt.Errorf("cannot read the tenant's egressAllow: %v", err)
		}
		p, err := egress.ForTenant(s.cfg.EgressAllow, s.cfg.EgressDeny, t.EgressAllow)
		if err != nil {
			return nil, err
		}
		return p.DialContext(d)(ctx, network, addr)
	}
}

// scrub removes the password from a driver's error text, should a driver
// ever echo its DSN back.
func scrub(msg, password string) string {
	if password == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, password, "******")
	return strings.ReplaceAll(msg, url.QueryEscape(password), "******")
}
