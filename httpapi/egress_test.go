package httpapi_test

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/store"
	"jobflow/store/storetest"
)

// docs/security.md: datasource driver options are an allow-list per driver; a
// refused option is a 400 naming options.<name>, and the store is unchanged.
func TestDatasources_OptionsAllowList(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		list := func() string { return string(e.as("GET", "/api/v1/datasources", nil).body) }
		before := list()
		for _, tc := range []struct {
			typ, name, value string
		}{
			{"MYSQL", "allowAllFiles", "true"},
			{"MYSQL", "allowCleartextPasswords", "true"},
			{"MYSQL", "multiStatements", "true"},
			{"MYSQL", "tls", "custom-registered"},
			{"MYSQL", "serverPubKey", "k"},
			{"MYSQL", "sql_mode", "ANSI"},
			{"POSTGRES", "sslcert", "/var/lib/jobflow/jwt-secret"},
			{"POSTGRES", "sslkey", "/etc/ssl/private/key.pem"},
			{"POSTGRES", "sslrootcert", "/etc/passwd"},
			{"POSTGRES", "sslpassword", "x"},
			{"POSTGRES", "passfile", "/root/.pgpass"},
			{"POSTGRES", "host", "/var/run/postgresql"},
			{"POSTGRES", "sslmode", "/tmp/x"},
			{"POSTGRES", "unknown_thing", "1"},
		} {
			ae := e.fail(e.as("POST", "/api/v1/datasources", map[string]any{
				"name": "ds-" + tc.name, "type": tc.typ, "host": "db.example.com", "database": "d", "user": "u",
				"options": map[string]string{tc.name: tc.value},
			}), 400, jobflow.EINVALID)
			if ae.Details["field"] != "options."+tc.name || !strings.Contains(ae.Message, tc.name) {
				t.Errorf("%s %s: error %+v, want details.field options.%s and the name in the message", tc.typ, tc.name, ae, tc.name)
			}
		}
		// A unix socket path or a list is not a host.
		for _, host := range []string{"/var/run/postgresql", "a.example.com,127.0.0.1", "@abstract"} {
			ae := e.fail(e.as("POST", "/api/v1/datasources", map[string]any{"name": "h", "type": "POSTGRES", "host": host, "database": "d", "user": "u"}), 400, jobflow.EINVALID)
			if ae.Details["field"] != "host" {
				t.Errorf("host %q: %+v", host, ae)
			}
		}
		if after := list(); after != before {
			t.Fatalf("refused creates changed the store:\n%s\n%s", before, after)
		}

		// Harmless options are kept.
		var d jobflow.Datasource
		e.ok(e.as("POST", "/api/v1/datasources", map[string]any{"name": "maria", "type": "MYSQL", "host": "db.example.com", "database": "d", "user": "u",
			"options": map[string]string{"charset": "utf8mb4", "parseTime": "true", "timeout": "5s", "loc": "Asia/Shanghai", "tls": "preferred"}}), 201, &d)
		var pg jobflow.Datasource
		e.ok(e.as("POST", "/api/v1/datasources", map[string]any{"name": "pg", "type": "POSTGRES", "host": "10.0.0.5", "database": "d", "user": "u",
			"options": map[string]string{"sslmode": "require", "connect_timeout": "5", "application_name": "etl", "search_path": "dw,public", "statement_timeout": "60000"}}), 201, &pg)

		// An update with a refused option changes nothing.
		ae := e.fail(e.as("PATCH", "/api/v1/datasources/"+d.ID, map[string]any{"options": map[string]string{"charset": "utf8mb4", "allowAllFiles": "true"}}), 400, jobflow.EINVALID)
		if ae.Details["field"] != "options.allowAllFiles" {
			t.Errorf("update: %+v", ae)
		}
		var got jobflow.Datasource
		e.ok(e.as("GET", "/api/v1/datasources/"+d.ID, nil), 200, &got)
		if !reflect.DeepEqual(got.Options, d.Options) || !got.UpdatedAt.Equal(d.UpdatedAt) {
			t.Fatalf("refused update changed the datasource: %+v", got)
		}
		// A type change re-checks the options against the new driver.
		e.fail(e.as("PATCH", "/api/v1/datasources/"+d.ID, map[string]any{"type": "POSTGRES"}), 400, jobflow.EINVALID)
	})
}

// A datasource stored with a refused option before the allow-list (here
// written straight into the table) fails its connection test with the
// allow-list's message, before any connection is made.
func TestDatasources_StoredRefusedOptionFailsTest(t *testing.T) {
	testtier.Parallel(t)
	st, dbURL := storetest.OpenURL(t, store.DialectPostgres)
	e := newEnv(t, st)
	e.allowEgress("127.0.0.1:3306")
	var d jobflow.Datasource
	e.ok(e.as("POST", "/api/v1/datasources", map[string]any{"name": "maria", "type": "MYSQL", "host": "127.0.0.1", "port": 3306, "database": "mysql", "user": "root"}), 201, &d)
	var out connTest
	e.ok(e.as("POST", "/api/v1/datasources/"+d.ID+"/test", nil), 200, &out)
	if !out.OK {
		t.Fatalf("clean datasource: %+v", out)
	}
	raw, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(context.Background(), `UPDATE datasources SET options = '{"allowAllFiles":"true"}', updated_at = now() WHERE id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	e.ok(e.as("POST", "/api/v1/datasources/"+d.ID+"/test", nil), 200, &out)
	want := jobflow.ErrorMessage(jobflow.CheckDatasourceOptions(jobflow.DatasourceMySQL, map[string]string{"allowAllFiles": "true"}))
	if out.OK || out.Error != want || !strings.Contains(want, "allowAllFiles") {
		t.Fatalf("test = %+v, want the error %q", out, want)
	}
}

// docs/security.md: only a SYS_ADMIN sets a tenant's egressAllow and jobLimits; a
// bad entry is a 400 naming it and the tenant stays as it was.
func TestTenants_EgressAllowJobLimits(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var tn jobflow.Tenant
		e.ok(e.as("GET", "/api/v1/tenants?search=default", nil), 200, nil)
		r := e.as("PATCH", "/api/v1/tenants/"+e.tenantID, map[string]any{
			"egressAllow": []string{"127.0.0.1:5432", "10.0.0.0/8:443", "db.example.com:3306"},
			"jobLimits":   map[string]int{"memoryMiB": 512, "processes": 64, "cpuWeight": 50, "workDirMiB": 100, "logKiBPerSecond": 10},
		})
		e.ok(r, 200, &tn)
		wantAllow := []string{"127.0.0.1:5432", "10.0.0.0/8:443", "db.example.com:3306"}
		wantLimits := jobflow.JobLimits{MemoryMiB: 512, Processes: 64, CPUWeight: 50, WorkDirMiB: 100, LogKiBPerSecond: 10}
		if !reflect.DeepEqual(tn.EgressAllow, wantAllow) || tn.JobLimits != wantLimits {
			t.Fatalf("patched %s", r.body)
		}

		// TENANT_ADMIN of the tenant: 403, nothing changes.
		_, tadmin := e.user("tina", jobflow.RoleTenantAdmin)
		e.fail(e.do("PATCH", "/api/v1/tenants/"+e.tenantID, tadmin, e.tenantID, map[string]any{"egressAllow": []string{"127.0.0.1"}}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("PATCH", "/api/v1/tenants/"+e.tenantID, tadmin, e.tenantID, map[string]any{"jobLimits": map[string]int{"memoryMiB": 4096}}), 403, jobflow.EFORBIDDEN)

		// Bad entries: 400 naming the entry, tenant unchanged.
		for _, bad := range []string{"10.0.0.0/33", "1.2.3.4:0", "not a host", ""} {
			ae := e.fail(e.as("PATCH", "/api/v1/tenants/"+e.tenantID, map[string]any{"egressAllow": []string{"127.0.0.1", bad}}), 400, jobflow.EINVALID)
			if !strings.Contains(ae.Message, `"`+bad+`"`) || ae.Details["field"] != "egressAllow[1]" {
				t.Errorf("entry %q: %+v", bad, ae)
			}
		}
		for _, bad := range []map[string]int{{"memoryMiB": 8}, {"processes": 100000}, {"cpuWeight": -1}, {"workDirMiB": 2000000}, {"logKiBPerSecond": 2000000}} {
			e.fail(e.as("PATCH", "/api/v1/tenants/"+e.tenantID, map[string]any{"jobLimits": bad}), 400, jobflow.EINVALID)
		}
		e.fail(e.as("PATCH", "/api/v1/tenants/"+e.tenantID, `{"egressAllow":"127.0.0.1"}`), 400, jobflow.EINVALID)
		got, err := e.st.FindTenantByID(context.Background(), e.tenantID)
		if err != nil || !reflect.DeepEqual(got.EgressAllow, wantAllow) || got.JobLimits != wantLimits {
			t.Fatalf("stored %+v, %v", got, err)
		}

		// On create too; a new tenant's list is [] and its limits {}.
		var created jobflow.Tenant
		r = e.as("POST", "/api/v1/tenants", map[string]any{"name": "fresh"})
		e.ok(r, 201, &created)
		if !strings.Contains(string(r.body), `"egressAllow":[]`) || !strings.Contains(string(r.body), `"jobLimits":{}`) {
			t.Errorf("created %s", r.body)
		}
		e.fail(e.as("POST", "/api/v1/tenants", map[string]any{"name": "bad", "egressAllow": []string{"300.1.1.1"}}), 400, jobflow.EINVALID)
	})
}
