package activities

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/lib/pq"

	"jobflow"
	"jobflow/egress"
	"jobflow/jobtypes"
)

// Pool limits per datasource: jobs of many runs may share one datasource,
// but they must not exhaust the database's connections.
const (
	maxOpenConns    = 8
	maxIdleConns    = 2
	connMaxIdleTime = time.Minute
)

// cachedDB is the pool of one datasource, valid while the datasource is not
// updated. MySQL datasources keep a second, one-connection pool to send
// KILL QUERY from when a job is cancelled.
type cachedDB struct {
	db        *sql.DB
	killer    *sql.DB
	updatedAt time.Time
	ds        jobflow.Datasource
}

// DialFunc dials a datasource's server; it is where egress is checked.
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// OpenDatasource opens a pool for ds (lib/pq for POSTGRES, go-sql-driver for
// MYSQL) with small limits, every connection dialled through dial (the
// tenant's egress policy). It does not connect; Ping does. A datasource
// whose host or options are refused (jobflow.Datasource.CheckConnectable:
// a row stored before the options allow-list) does not open.
func OpenDatasource(ds *jobflow.Datasource, dial DialFunc) (*sql.DB, error) {
	if dial == nil {
		return nil, errors.New("datasource: no dialer (egress policy)")
	}
	if err := ds.CheckConnectable(); err != nil {
		return nil, err
	}
	var (
		connector driver.Connector
		err       error
	)
	addr := net.JoinHostPort(ds.Host, strconv.Itoa(ds.Port))
	switch ds.Type {
	case jobflow.DatasourcePostgres:
		q := url.Values{}
		for _, k := range sortedKeys(ds.Options) {
			q.Set(k, ds.Options[k])
		}
		if !q.Has("connect_timeout") {
			q.Set("connect_timeout", "10")
		}
		if !q.Has("application_name") {
			q.Set("application_name", "jobflow")
		}
		u := url.URL{Scheme: "postgres", User: url.UserPassword(ds.User, ds.Password), Host: addr, Path: "/" + ds.Database, RawQuery: q.Encode()}
		connector, err = PostgresConnector(u.String(), ds.Password, dial)
	case jobflow.DatasourceMySQL:
		// Options go through the DSN parser (it knows tls, charset, …);
		// the credentials are set as fields, so no character in them can
		// break the DSN.
		q := url.Values{}
		for _, k := range sortedKeys(ds.Options) {
			q.Set(k, ds.Options[k])
		}
		var cfg *mysql.Config
		if cfg, err = mysql.ParseDSN("/?" + q.Encode()); err == nil {
			cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = ds.User, ds.Password, "tcp", addr, ds.Database
			if cfg.Timeout == 0 {
				cfg.Timeout = 10 * time.Second
			}
			connector, err = MySQLConnector(cfg, dial)
		}
	default:
		return nil, fmt.Errorf("datasource type %q is not supported", ds.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("datasource options: %v", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	return db, nil
}

// PostgresConnector is a lib/pq connector for dsn that dials through dial.
// What lib/pq would take from the worker's environment or files (PGPASSWORD,
// PGPASSFILE and ~/.pgpass, PGSERVICE, PGSSLCERT, PGSSLKEY, PGSSLROOTCERT,
// ~/.postgresql/postgresql.crt) is cleared, so a tenant's server never
// receives a credential of the worker.
func PostgresConnector(dsn, password string, dial DialFunc) (driver.Connector, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.Password = password
	cfg.Passfile = nonexistentFile // "" would read ~/.pgpass
	cfg.Service = ""
	cfg.SSLKey, cfg.SSLRootCert = "", ""
	// With no sslcert lib/pq presents ~/.postgresql/postgresql.crt of the
	// worker's user when it exists; a path that never exists turns that off
	// (lib/pq skips a missing certificate file).
	cfg.SSLCert = nonexistentFile
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	c.Dialer(pqDialer(dial))
	return c, nil
}

// nonexistentFile is a path that does not exist: a datasource's passfile
// and sslcert, so lib/pq reads neither ~/.pgpass nor a client certificate.
const nonexistentFile = "/nonexistent/jobflow-datasources-read-no-file"

// pqDialer is lib/pq's Dialer over a DialFunc.
type pqDialer DialFunc

func (d pqDialer) Dial(network, addr string) (net.Conn, error) {
	return d(context.Background(), network, addr)
}

func (d pqDialer) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d(ctx, network, addr)
}

func (d pqDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return d(ctx, network, addr)
}

// MySQLConnector is a go-sql-driver/mysql connector for cfg that dials
// through dial, with every file-reading and plaintext option forced off:
// LOAD DATA LOCAL INFILE can read no file (AllowAllFiles false, and jobflow
// registers no file or reader with the driver), no cleartext password, one
// statement per query.
func MySQLConnector(cfg *mysql.Config, dial DialFunc) (driver.Connector, error) {
	cfg.AllowAllFiles = false
	cfg.AllowCleartextPasswords = false
	cfg.AllowFallbackToPlaintext = false
	cfg.AllowOldPasswords = false
	cfg.MultiStatements = false
	cfg.Net = "tcp"
	cfg.DialFunc = dial
	return mysql.NewConnector(cfg)
}

// datasourceDB returns the cached pool of a datasource, opening a new one
// when the datasource changed since (its updatedAt moved).
func (a *Activities) datasourceDB(ctx context.Context, tenantID, id string) (*cachedDB, error) {
	ds, err := a.Datasources.FindDatasourceByID(ctx, tenantID, id)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil, configErrorf("datasource %s does not exist", id)
	} else if err != nil {
		a.logger().Error("load datasource", "datasource", id, "err", err)
		return nil, failf("cannot load datasource %s", id)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.dbs[id]; ok {
		if c.updatedAt.Equal(ds.UpdatedAt) {
			return c, nil
		}
		// Jobs still running on the old pool finish on it; Close waits for them.
		go c.db.Close()
		if c.killer != nil {
			go c.killer.Close()
		}
		delete(a.dbs, id)
	}
	dial := a.tenantDialer(ds.TenantID)
	db, err := OpenDatasource(ds, dial)
	if err != nil {
		return nil, configErrorf("datasource %q: %v", ds.Name, errText(err))
	}
	c := &cachedDB{db: db, updatedAt: ds.UpdatedAt, ds: *ds}
	if ds.Type == jobflow.DatasourceMySQL {
		if c.killer, err = OpenDatasource(ds, dial); err != nil {
			db.Close()
			return nil, configErrorf("datasource %q: %v", ds.Name, errText(err))
		}
		c.killer.SetMaxOpenConns(1)
		c.killer.SetMaxIdleConns(0)
	}
	if a.dbs == nil {
		a.dbs = map[string]*cachedDB{}
	}
	a.dbs[id] = c
	return c, nil
}

// openSQL is Env.OpenSQL: the datasource's cached pool, and a connection
// of it per job that is closed rather than pooled afterwards, so no session
// state (an open transaction, a SET, a temporary table) leaks into the next
// job. On MySQL a cancelled job's statement is killed on the server.
func (a *Activities) openSQL(ctx context.Context, tenantID, id string, log *nodeLog) (*jobtypes.SQLSource, error) {
	c, err := a.datasourceDB(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	connect := func(ctx context.Context) (*sql.Conn, func(), error) {
		conn, err := c.db.Conn(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if egress.IsRefused(err) {
				return nil, nil, configErrorf("cannot connect to datasource %q: %v", c.ds.Name, err)
			}
			return nil, nil, failf("cannot connect to datasource %q: %v", c.ds.Name, err)
		}
		closeConn := func() {
			conn.Raw(func(any) error { return driver.ErrBadConn }) // close, do not pool
			conn.Close()
		}
		if c.killer != nil {
			stop, err := killOnCancel(ctx, conn, c.killer, log)
			if err != nil {
				closeConn()
				return nil, nil, failf("datasource %q: %v", c.ds.Name, err)
			}
			return conn, func() { stop(); closeConn() }, nil
		}
		return conn, closeConn, nil
	}
	return &jobtypes.SQLSource{Datasource: c.ds, Connect: connect}, nil
}

// killOnCancel arranges for a MySQL statement running on conn to be killed
// on the server when ctx ends: the driver only drops its socket, and the
// server would run the statement to its end. stop waits for a kill under
// way, so the job ends only once the server has been told.
func killOnCancel(ctx context.Context, conn *sql.Conn, killer *sql.DB, log *nodeLog) (stop func(), err error) {
	var id uint64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return nil, err
	}
	killed := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		defer close(killed)
		kctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := killer.ExecContext(kctx, fmt.Sprintf("KILL QUERY %d", id)); err != nil {
			log.Printf("could not kill the running statement (connection %d): %v", id, err)
		}
	})
	return func() {
		if !stopAfter() {
			<-killed
		}
	}, nil
}
