package activities

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
)

// newPostgresDatabase creates an empty database on the test server, dropped
// when the test ends, and returns its name and an admin pool on it.
func newPostgresDatabase(t *testing.T) (string, *sql.DB) {
	t.Helper()
	testtier.Long(t, "PostgreSQL (a datasource)")
	admin, err := sql.Open("postgres", storetest.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := strings.ReplaceAll(jobflow.NewID("jfact"), "_", "")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database (is PostgreSQL running on 127.0.0.1:5432?): %v", err)
	}
	u, _ := url.Parse(storetest.PostgresURL())
	u.Path = "/" + name
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return name, db
}

// datasource stores a datasource of the test tenant on 127.0.0.1:port,
// puts that address on the tenant's egressAllow, and returns its id.
func (e *testEnv) datasource(t *testing.T, typ jobflow.DatasourceType, port int, database, user string) string {
	t.Helper()
	id := e.closedDatasource(t, typ, port, database, user)
	e.allowEgress(t, fmt.Sprintf("127.0.0.1:%d", port))
	return id
}

// closedDatasource stores a datasource on 127.0.0.1:port without opening
// egress to it.
func (e *testEnv) closedDatasource(t *testing.T, typ jobflow.DatasourceType, port int, database, user string) string {
	t.Helper()
	ds := &jobflow.Datasource{
		TenantID: e.run.TenantID, Name: jobflow.NewID("ds"), Type: typ, Host: "127.0.0.1", Port: port,
		Database: database, User: user, Options: map[string]string{},
	}
	if typ == jobflow.DatasourcePostgres {
		ds.Options["sslmode"] = "disable"
	}
	if err := e.s.CreateDatasource(context.Background(), ds); err != nil {
		t.Fatalf("CreateDatasource: %v", err)
	}
	return ds.ID
}

func sqlJob(e *testEnv, dsID, mode, script string) jobflow.Job {
	return e.job(jobflow.JobSQL, jobtypes.SQLConfig{DatasourceID: dsID, SQL: script, Mode: mode})
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("result %s: %v", raw, err)
	}
	return v
}

func TestRunJob_SQLPostgres(t *testing.T) {
	e := newTestEnv(t, store.DialectPostgres)
	dbName, db := newPostgresDatabase(t)
	ds := e.datasource(t, jobflow.DatasourcePostgres, 5432, dbName, "postgres")
	ctx := context.Background()

	t.Run("Execute", func(t *testing.T) {
		script := `
create table t (id int primary key, s text);
-- a comment; with a semicolon
insert into t values (1, 'a;b'), (2, 'it''s'), (3, '${qing.current_date}');
update t set s = s || '!' where id < 3;
create function answer() returns int language plpgsql as $$
begin
  perform 1; -- semicolons inside the body
  return 42;
end $$;
`
		j := sqlJob(e, ds, jobtypes.SQLExecute, script)
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v\nlog: %s", err, e.log(t, j.ID))
		}
		got := decode[map[string][]int64](t, res.Result)["rowsAffected"]
		if want := []int64{0, 3, 2, 0}; !reflect.DeepEqual(got, want) {
			t.Errorf("rowsAffected = %v, want %v", got, want)
		}
		var s string
		if err := db.QueryRow("select string_agg(s, ',' order by id) || answer() from t").Scan(&s); err != nil || s != "a;b!,it's!,2026-11-2542" {
			t.Errorf("table holds %q (%v), want the inserted and updated rows", s, err)
		}
		if log := e.log(t, j.ID); !strings.Contains(log, "statement 2/4: 3 row(s) affected") {
			t.Errorf("log %q lacks the per-statement line", log)
		}
	})

	t.Run("Query", func(t *testing.T) {
		j := sqlJob(e, ds, jobtypes.SQLQuery, "set search_path = public; select id, s, id * 1.5 as n, null as nothing from t order by id")
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		got := decode[jobtypes.QueryResult](t, res.Result)
		want := jobtypes.QueryResult{
			Columns: []string{"id", "s", "n", "nothing"},
			Rows: []map[string]any{
				{"id": 1.0, "s": "a;b!", "n": "1.5", "nothing": nil},
				{"id": 2.0, "s": "it's!", "n": "3.0", "nothing": nil},
				{"id": 3.0, "s": "2026-11-25", "n": "4.5", "nothing": nil},
			},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("result = %+v\nwant %+v", got, want)
		}
		if n := e.node(t, j.ID); n.Status != jobflow.NodeSuccess || !reflect.DeepEqual(decode[jobtypes.QueryResult](t, n.Result), want) {
			t.Errorf("node run = %+v, want SUCCESS with the rows", n)
		}
	})

	t.Run("QueryTruncated", func(t *testing.T) {
		j := sqlJob(e, ds, jobtypes.SQLQuery, "select g from generate_series(1, 100000) g")
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		got := decode[jobtypes.QueryResult](t, res.Result)
		if len(got.Rows) != jobtypes.MaxQueryRows || !got.Truncated || got.Rows[jobtypes.MaxQueryRows-1]["g"] != float64(jobtypes.MaxQueryRows) {
			t.Errorf("%d rows, truncated %v, want the first %d and truncated", len(got.Rows), got.Truncated, jobtypes.MaxQueryRows)
		}
	})

	t.Run("QueryTruncatedBySize", func(t *testing.T) {
		// 200 rows of 10 KB would be 2 MB of result; the result keeps what fits in 256 KiB.
		j := sqlJob(e, ds, jobtypes.SQLQuery, "select g, repeat('z', 10000) as big from generate_series(1, 200) g")
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		got := decode[jobtypes.QueryResult](t, res.Result)
		if !got.Truncated || len(got.Rows) == 0 || len(got.Rows) >= jobtypes.MaxQueryRows || len(res.Result) > jobtypes.MaxQueryResultBytes+1024 {
			t.Errorf("%d rows in %d bytes, truncated %v: want fewer rows within %d bytes", len(got.Rows), len(res.Result), got.Truncated, jobtypes.MaxQueryResultBytes)
		}
	})

	t.Run("ErrorNamesStatement", func(t *testing.T) {
		j := sqlJob(e, ds, jobtypes.SQLExecute, "select 1; select * from no_such_table; select 3")
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		ae := appError(t, err)
		if !strings.HasPrefix(ae.Message(), "statement 2 of 3: ") || !strings.Contains(ae.Message(), "no_such_table") {
			t.Errorf("error = %q, want it to name statement 2 of 3 and the table", ae.Message())
		}
	})

	t.Run("SessionStateDoesNotLeak", func(t *testing.T) {
		// A failed statement inside BEGIN leaves the session in an aborted
		// transaction; the next job must not inherit it.
		j := sqlJob(e, ds, jobtypes.SQLExecute, "begin; select 1/0;")
		if _, err := e.a.RunJob(ctx, e.input(j, nil)); err == nil {
			t.Fatal("division by zero succeeded")
		}
		for i := 0; i < maxOpenConns+1; i++ {
			j := sqlJob(e, ds, jobtypes.SQLQuery, "select 1 as one")
			if _, err := e.a.RunJob(ctx, e.input(j, nil)); err != nil {
				t.Fatalf("job %d after a failed transaction: %v", i, err)
			}
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		j := sqlJob(e, ds, jobtypes.SQLExecute, "select pg_sleep(600)")
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := e.a.RunJob(runCtx, e.input(j, nil))
			done <- err
		}()
		sleeping := func() int {
			var n int
			if err := db.QueryRow("select count(*) from pg_stat_activity where datname = $1 and query like 'select pg_sleep(600)%' and state = 'active'", dbName).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if !testwait.Until(10*time.Second, func() bool { return sleeping() == 1 }) {
			t.Fatal("the query never started")
		}
		cancel()
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("a cancelled query succeeded")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("RunJob did not return within 10 s of the cancel")
		}
		if !testwait.Until(10*time.Second, func() bool { return sleeping() == 0 }) {
			t.Error("pg_the statement still runs on the server after the cancel")
		}
		if n := e.node(t, j.ID); n.Status != jobflow.NodeAborted {
			t.Errorf("node status = %s, want ABORTED", n.Status)
		}
	})

	t.Run("DatasourceChange", func(t *testing.T) {
		current := func() string {
			t.Helper()
			res, err := e.a.RunJob(ctx, e.input(sqlJob(e, ds, jobtypes.SQLQuery, "select current_database() as db"), nil))
			if err != nil {
				t.Fatalf("RunJob: %v", err)
			}
			rows := decode[jobtypes.QueryResult](t, res.Result).Rows
			if len(rows) != 1 {
				t.Fatalf("%d rows, want 1", len(rows))
			}
			return rows[0]["db"].(string)
		}
		if got := current(); got != dbName {
			t.Fatalf("current_database() = %s, want %s", got, dbName)
		}
		other, _ := newPostgresDatabase(t)
		if _, err := e.s.UpdateDatasource(ctx, e.run.TenantID, ds, jobflow.DatasourceInput{Database: &other}); err != nil {
			t.Fatalf("UpdateDatasource: %v", err)
		}
		if got := current(); got != other {
			t.Errorf("after the update current_database() = %s, want %s: the old pool was used", got, other)
		}
		restore := dbName
		if _, err := e.s.UpdateDatasource(ctx, e.run.TenantID, ds, jobflow.DatasourceInput{Database: &restore}); err != nil {
			t.Fatalf("UpdateDatasource: %v", err)
		}
	})

	t.Run("UnknownDatasource", func(t *testing.T) {
		j := sqlJob(e, "ds_doesnotexist", jobtypes.SQLExecute, "select 1")
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); !ae.NonRetryable() || !strings.Contains(ae.Message(), "ds_doesnotexist") {
			t.Errorf("error = %q, want non-retryable naming the datasource", ae.Message())
		}
	})
}

// mysqlAdmin connects to the local MariaDB/MySQL as root to database test.
func mysqlAdmin(t *testing.T) *sql.DB {
	t.Helper()
	testtier.Long(t, "MariaDB (a datasource)")
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr, cfg.DBName = "root", "tcp", "127.0.0.1:3306", "test"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("MySQL/MariaDB at 127.0.0.1:3306 (root, database test): %v", err)
	}
	return db
}

func TestRunJob_SQLMySQL(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	admin := mysqlAdmin(t)
	ds := e.datasource(t, jobflow.DatasourceMySQL, 3306, "test", "root")
	table := strings.ReplaceAll(jobflow.NewID("t"), "_", "")
	t.Cleanup(func() { admin.Exec("DROP TABLE IF EXISTS " + table) })
	ctx := context.Background()

	script := fmt.Sprintf("create table %[1]s (id int primary key, s varchar(50));\n"+
		"insert into %[1]s values (1, 'a;b'), (2, 'it\\'s'), (3, \"x;y\"); # comment; here\n"+
		"update %[1]s set s = concat(s, '!') where id < 3;", table)
	j := sqlJob(e, ds, jobtypes.SQLExecute, script)
	res, err := e.a.RunJob(ctx, e.input(j, nil))
	if err != nil {
		t.Fatalf("EXECUTE: %v\nlog: %s", err, e.log(t, j.ID))
	}
	if got := decode[map[string][]int64](t, res.Result)["rowsAffected"]; !reflect.DeepEqual(got, []int64{0, 3, 2}) {
		t.Errorf("rowsAffected = %v, want [0 3 2]", got)
	}

	j = sqlJob(e, ds, jobtypes.SQLQuery, fmt.Sprintf("set @day = '${qing.current_date}'; select id, s, @day as day from %s order by id", table))
	res, err = e.a.RunJob(ctx, e.input(j, nil))
	if err != nil {
		t.Fatalf("QUERY: %v", err)
	}
	got := decode[jobtypes.QueryResult](t, res.Result)
	if len(got.Rows) != 3 || got.Rows[0]["s"] != "a;b!" || got.Rows[1]["s"] != "it's!" || got.Rows[2]["s"] != "x;y" || got.Rows[2]["day"] != "2026-11-25" || got.Truncated {
		t.Errorf("result = %+v, want the three rows", got)
	}
	if !reflect.DeepEqual(got.Columns, []string{"id", "s", "day"}) {
		t.Errorf("columns = %v", got.Columns)
	}

	t.Run("Cancel", func(t *testing.T) {
		j := sqlJob(e, ds, jobtypes.SQLExecute, "select benchmark(100000000000, md5('x')) as jobflow_cancel_test")
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := e.a.RunJob(runCtx, e.input(j, nil))
			done <- err
		}()
		sleeping := func() int {
			var n int
			if err := admin.QueryRow("select count(*) from information_schema.processlist where info like '%as jobflow_cancel_test%' and info not like '%processlist%'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if !testwait.Until(10*time.Second, func() bool { return sleeping() == 1 }) {
			t.Fatal("the query never started")
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("RunJob did not return within 10 s of the cancel")
		}
		if !testwait.Until(10*time.Second, func() bool { return sleeping() == 0 }) {
			t.Error("the statement still runs on the server after the cancel")
		}
	})
}
