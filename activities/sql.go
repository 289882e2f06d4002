package activities

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/lib/pq"

	"jobflow"
	"jobflow/egress"
	"jobflow/workflows"
)

// MaxQueryRows is how many rows of a QUERY job's last statement are kept.
const MaxQueryRows = 200

// MaxQueryResultBytes bounds a QUERY result's JSON as well: it travels in
// the activity's result, which Temporal limits to a few MiB. Rows past the
// bound are dropped and the result says truncated.
const MaxQueryResultBytes = 256 << 10

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

// runSQL runs the job's statements in order on one connection, in
// autocommit mode (a script may hold its own BEGIN … COMMIT). EXECUTE
// reports the rows affected by each statement; QUERY keeps the first
// MaxQueryRows rows of the last statement. A cancelled or timed-out job
// cancels the running statement on the server. The connection is closed
// afterwards rather than pooled, so no session state (an open transaction,
// a SET, a temporary table) leaks into the next job.
func (a *Activities) runSQL(ctx context.Context, in workflows.RunJobInput, cfg jobflow.SQLConfig, vars resolver, log *nodeLog) (outcome, error) {
	text, err := vars.resolve("sql", cfg.SQL)
	if err != nil {
		return outcome{}, err
	}
	c, err := a.datasourceDB(ctx, in.TenantID, cfg.DatasourceID)
	if err != nil {
		return outcome{}, err
	}
	stmts := splitSQL(text, c.ds.Type)
	if len(stmts) == 0 {
		return outcome{}, configErrorf("sql holds no statement")
	}
	log.Printf("%d statement(s) on datasource %q (%s %s:%d/%s)", len(stmts), c.ds.Name, c.ds.Type, c.ds.Host, c.ds.Port, c.ds.Database)

	conn, err := c.db.Conn(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{}, ctx.Err()
		}
		if egress.IsRefused(err) {
			return outcome{}, configErrorf("cannot connect to datasource %q: %v", c.ds.Name, err)
		}
		return outcome{}, failf("cannot connect to datasource %q: %v", c.ds.Name, err)
	}
	defer func() {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // close, do not pool
		conn.Close()
	}()
	if c.killer != nil {
		stop, err := killOnCancel(ctx, conn, c.killer, log)
		if err != nil {
			return outcome{}, failf("datasource %q: %v", c.ds.Name, err)
		}
		defer stop()
	}

	mode := cfg.Mode
	if mode == "" {
		mode = jobflow.SQLExecute
	}
	affected := make([]int64, 0, len(stmts))
	for i, stmt := range stmts {
		log.Printf("statement %d/%d: %s", i+1, len(stmts), abbreviate(stmt, 200))
		start := time.Now()
		if mode == jobflow.SQLQuery && i == len(stmts)-1 {
			res, err := queryRows(ctx, conn, stmt)
			if err != nil {
				if ctx.Err() != nil {
					return outcome{}, ctx.Err()
				}
				return outcome{}, failf("statement %d of %d: %v", i+1, len(stmts), err)
			}
			more := ""
			if res.Truncated {
				more = ", more not kept"
			}
			log.Printf("statement %d/%d: %d row(s)%s in %d ms", i+1, len(stmts), len(res.Rows), more, time.Since(start).Milliseconds())
			result, err := json.Marshal(res)
			if err != nil {
				return outcome{}, failf("statement %d of %d: a value cannot be shown as JSON: %v", i+1, len(stmts), err)
			}
			return outcome{Result: result, Outputs: queryOutputs(res)}, nil
		}
		r, err := conn.ExecContext(ctx, stmt)
		if err != nil {
			if ctx.Err() != nil {
				return outcome{}, ctx.Err()
			}
			return outcome{}, failf("statement %d of %d: %v", i+1, len(stmts), err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			n = -1 // the driver cannot tell
		}
		affected = append(affected, n)
		log.Printf("statement %d/%d: %d row(s) affected in %d ms", i+1, len(stmts), n, time.Since(start).Milliseconds())
	}
	result, _ := json.Marshal(map[string][]int64{"rowsAffected": affected})
	var total int64
	for _, n := range affected {
		total += max(n, 0)
	}
	return outcome{Result: result, Outputs: map[string]string{"rowsAffected": strconv.FormatInt(total, 10)}}, nil
}

// queryOutputs are a QUERY job's outputs: the first row's columns, and
// rowCount, the rows kept (truncated "true" when more were not read).
// The built-in names win over columns of the same name.
func queryOutputs(res *queryResult) map[string]string {
	out := map[string]string{}
	if len(res.Rows) > 0 {
		for _, c := range res.Columns {
			out[c] = outputText(res.Rows[0][c])
		}
	}
	out["rowCount"] = strconv.Itoa(len(res.Rows))
	if res.Truncated {
		out["truncated"] = "true"
	}
	return out
}

// outputText shows a column value as an output: text as is, NULL as "",
// anything else as its JSON (a time as its RFC 3339 text).
func outputText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var str string
	if json.Unmarshal(b, &str) == nil {
		return str
	}
	return string(b)
}

// queryResult is the result of a QUERY job.
type queryResult struct {
	Columns   []string         `json:"columns"`
	Rows      []map[string]any `json:"rows"`
	Truncated bool             `json:"truncated"`
}

// queryRows runs stmt and keeps its first MaxQueryRows rows, as many as fit
// in MaxQueryResultBytes of JSON. Text comes back from drivers as []byte; it
// is kept as a string. When more rows follow, the statement is cancelled
// rather than read to the end.
func queryRows(ctx context.Context, conn *sql.Conn, stmt string) (*queryResult, error) {
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := conn.QueryContext(qctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &queryResult{Columns: cols, Rows: []map[string]any{}}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	size := 0
	for rows.Next() {
		if len(res.Rows) == MaxQueryRows {
			res.Truncated = true
			cancel() // stop the server sending the rest
			return res, nil
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				row[c] = string(b)
			} else {
				row[c] = vals[i]
			}
		}
		b, err := json.Marshal(row)
		if err != nil {
			return nil, fmt.Errorf("row %d cannot be shown as JSON: %v", len(res.Rows)+1, err)
		}
		if size += len(b) + 1; size > MaxQueryResultBytes {
			res.Truncated = true
			cancel()
			return res, nil
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return res, nil
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

// abbreviate shows a statement on one line, cut to max bytes.
func abbreviate(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		return string(trimPartialRune([]byte(s[:max]))) + " …"
	}
	return s
}
