package httpapi_test

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

type connTest struct {
	OK        bool    `json:"ok"`
	LatencyMs float64 `json:"latencyMs"`
	Error     string  `json:"error"`
}

const secretPassword = "s3cr3t-pw-xyz"

func TestDatasources_CRUD(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var d jobflow.Datasource
		r := e.as("POST", "/api/v1/datasources", map[string]any{
			"name": "warehouse", "type": "POSTGRES", "host": "db.internal", "database": "dw", "user": "etl",
			"password": secretPassword, "options": map[string]string{"application_name": "jobflow"},
		})
		e.ok(r, 201, &d)
		if d.Port != 5432 || !d.HasPassword || d.ID == "" {
			t.Fatalf("created %s", r.body)
		}
		answers := []resp{r}
		answers = append(answers, e.as("GET", "/api/v1/datasources/"+d.ID, nil), e.as("GET", "/api/v1/datasources", nil))
		var edited jobflow.Datasource
		r = e.as("PATCH", "/api/v1/datasources/"+d.ID, map[string]any{"host": "db2.internal"})
		e.ok(r, 200, &edited)
		answers = append(answers, r)
		if edited.Host != "db2.internal" || !edited.HasPassword || edited.Name != "warehouse" {
			t.Fatalf("edited %s", r.body)
		}
		for _, a := range answers {
			if strings.Contains(string(a.body), secretPassword) || strings.Contains(string(a.body), `"password"`) {
				t.Fatalf("an answer shows the password: %s", a.body)
			}
		}
		var l jobflow.List[jobflow.Datasource]
		e.ok(e.as("GET", "/api/v1/datasources?search=WARE", nil), 200, &l)
		if l.Total != 1 {
			t.Fatalf("search = %+v", l)
		}
		e.fail(e.as("POST", "/api/v1/datasources", map[string]any{"name": "x", "type": "ORACLE", "host": "h", "database": "d", "user": "u"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/datasources", map[string]any{"name": "x", "type": "MYSQL", "host": "h", "port": 70000, "database": "d", "user": "u"}), 400, jobflow.EINVALID)
		e.fail(e.as("PATCH", "/api/v1/datasources/"+d.ID, map[string]any{"port": "5432"}), 400, jobflow.EINVALID)
		e.ok(e.as("GET", "/api/v1/datasources/"+d.ID, nil), 200, &edited)
		if edited.Port != 5432 {
			t.Fatalf("refused edit changed the port: %+v", edited)
		}

		// Another tenant sees none of it.
		other := e.tenant("other", 5)
		e.fail(e.do("GET", "/api/v1/datasources/"+d.ID, e.admin, other, nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("POST", "/api/v1/datasources/"+d.ID+"/test", e.admin, other, nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("DELETE", "/api/v1/datasources/"+d.ID, e.admin, other, nil), 404, jobflow.ENOTFOUND)

		e.ok(e.as("DELETE", "/api/v1/datasources/"+d.ID, nil), 204, nil)
		e.fail(e.as("GET", "/api/v1/datasources/"+d.ID, nil), 404, jobflow.ENOTFOUND)
	})
}

func TestDatasources_ConnectionTest(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		_, member := e.user("mia", jobflow.RoleMember)
		test := func(body map[string]any) connTest {
			t.Helper()
			var d jobflow.Datasource
			e.ok(e.as("POST", "/api/v1/datasources", body), 201, &d)
			var out connTest
			r := e.do("POST", "/api/v1/datasources/"+d.ID+"/test", member, e.tenantID, nil)
			e.ok(r, 200, &out)
			if strings.Contains(string(r.body), secretPassword) {
				t.Fatalf("the test answer shows the password: %s", r.body)
			}
			return out
		}
		// docs/security.md: loopback (here jobflow's own PostgreSQL) is closed until
		// the tenant's egressAllow names it.
		t.Run("LoopbackRefusedByDefault", func(t *testing.T) {
			for _, body := range []map[string]any{
				{"name": "pg-closed-egress", "type": "POSTGRES", "host": "127.0.0.1", "port": 5432, "database": "postgres", "user": "postgres"},
				{"name": "maria-closed-egress", "type": "MYSQL", "host": "127.0.0.1", "port": 3306, "database": "mysql", "user": "root"},
			} {
				got := test(body)
				want := fmt.Sprintf("127.0.0.1:%d", body["port"])
				if got.OK || !strings.Contains(got.Error, want) || !strings.Contains(got.Error, "egressAllow") {
					t.Fatalf("%s: %+v, want refused naming %s and egressAllow", body["type"], got, want)
				}
			}
		})
		e.allowEgress("127.0.0.1:5432", "127.0.0.1:3306")
		t.Run("PostgresOK", func(t *testing.T) {
			got := test(map[string]any{"name": "pg", "type": "POSTGRES", "host": "127.0.0.1", "port": 5432, "database": "postgres", "user": "postgres"})
			if !got.OK || got.LatencyMs <= 0 || got.Error != "" {
				t.Fatalf("%+v", got)
			}
		})
		e.allowEgress("127.0.0.1")
		t.Run("PostgresClosedPort", func(t *testing.T) {
			got := test(map[string]any{"name": "pg-closed", "type": "POSTGRES", "host": "127.0.0.1", "port": closedPort(t), "database": "postgres", "user": "postgres", "password": secretPassword})
			t.Logf("error: %s", got.Error)
			if got.OK || got.Error == "" {
				t.Fatalf("%+v", got)
			}
		})
		t.Run("PostgresNoSuchDatabase", func(t *testing.T) {
			got := test(map[string]any{"name": "pg-nodb", "type": "POSTGRES", "host": "127.0.0.1", "port": 5432, "database": "no_such_db_xyz", "user": "postgres"})
			if got.OK || !strings.Contains(got.Error, "no_such_db_xyz") {
				t.Fatalf("%+v", got)
			}
		})
		t.Run("MySQLOK", func(t *testing.T) {
			got := test(map[string]any{"name": "maria", "type": "MYSQL", "host": "127.0.0.1", "port": 3306, "database": "mysql", "user": "root"})
			if !got.OK || got.Error != "" {
				t.Fatalf("%+v", got)
			}
		})
		t.Run("MySQLWrongPassword", func(t *testing.T) {
			got := test(map[string]any{"name": "maria-bad", "type": "MYSQL", "host": "127.0.0.1", "port": 3306, "database": "mysql", "user": "nobody_xyz", "password": secretPassword})
			t.Logf("error: %s", got.Error)
			if got.OK || got.Error == "" {
				t.Fatalf("%+v", got)
			}
		})
		t.Run("MySQLClosedPort", func(t *testing.T) {
			got := test(map[string]any{"name": "maria-closed", "type": "MYSQL", "host": "127.0.0.1", "port": closedPort(t), "database": "mysql", "user": "root"})
			t.Logf("error: %s", got.Error)
			if got.OK || got.Error == "" {
				t.Fatalf("%+v", got)
			}
		})
		e.fail(e.as("POST", "/api/v1/datasources/ds_nope/test", nil), 404, jobflow.ENOTFOUND)
	})
}

// closedPort is a local TCP port nobody listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, p, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	n, _ := strconv.Atoi(p)
	return n
}
