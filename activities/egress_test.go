package activities

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"jobflow"
	"jobflow/egress"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// docs/security.md attack: a SQL datasource on jobflow's own PostgreSQL
// (127.0.0.1:5432, trust auth) is refused for a tenant without a rule;
// the store's address is refused even to a loopback-wide rule when it is
// on the deny list; it works once 127.0.0.1:5432 is named exactly.
func TestEgress_SQLPostgresLoopback(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	ctx := context.Background()
	ds := e.closedDatasource(t, jobflow.DatasourcePostgres, 5432, "postgres", "postgres")
	run := func() (string, error) {
		j := sqlJob(e, ds, jobtypes.SQLQuery, "select current_user as u")
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		return j.ID, err
	}

	jobID, err := run()
	ae := appError(t, err)
	if !ae.NonRetryable() || !strings.Contains(ae.Message(), "127.0.0.1:5432") || !strings.Contains(ae.Message(), "egressAllow") {
		t.Fatalf("error = %q, want a refusal naming 127.0.0.1:5432 and egressAllow", ae.Message())
	}
	if n := e.node(t, jobID); n.Status != jobflow.NodeFail || !strings.Contains(n.Error, "127.0.0.1:5432") {
		t.Fatalf("node run = %+v", n)
	}

	// The store's address on the deny list: a range does not open it.
	e.a.EgressDeny = []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:5432")}
	e.allowEgress(t, "127.0.0.0/8")
	if _, err := run(); err == nil || !strings.Contains(appError(t, err).Message(), "own store") {
		t.Fatalf("store address opened by a range rule: %v", err)
	}
	// Named exactly, it opens.
	e.allowEgress(t, "127.0.0.1:5432")
	if _, err := run(); err != nil {
		t.Fatalf("allowed datasource: %v", err)
	}
	// The installation-wide rules (JOBFLOW_EGRESS_ALLOW) open it as well.
	e2 := newTestEnv(t, store.DialectSQLite)
	rules, _ := parseTestRules("127.0.0.1:5432")
	e2.a.EgressAllow = rules
	ds2 := e2.closedDatasource(t, jobflow.DatasourcePostgres, 5432, "postgres", "postgres")
	if _, err := e2.a.RunJob(ctx, e2.input(sqlJob(e2, ds2, jobtypes.SQLQuery, "select 1 as one"), nil)); err != nil {
		t.Fatalf("datasource allowed by the global list: %v", err)
	}
}

// A MySQL datasource stored with a refused option (written before the
// allow-list existed) fails its job with the allow-list's message.
func TestEgress_SQLStoredRefusedOption(t *testing.T) {
	s, dbURL := storetest.OpenURL(t, store.DialectPostgres)
	e := newTestEnvOn(t, s)
	ctx := context.Background()
	ds := e.datasource(t, jobflow.DatasourceMySQL, 3306, "test", "root")
	raw, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE datasources SET options = '{"allowAllFiles":"true"}', updated_at = now() WHERE id = $1`, ds); err != nil {
		t.Fatal(err)
	}
	j := sqlJob(e, ds, jobtypes.SQLQuery, "select 1")
	_, err = e.a.RunJob(ctx, e.input(j, nil))
	ae := appError(t, err)
	want := jobflow.ErrorMessage(jobflow.CheckDatasourceOptions(jobflow.DatasourceMySQL, map[string]string{"allowAllFiles": "true"}))
	t.Logf("job error: %s", ae.Message())
	if !ae.NonRetryable() || !strings.Contains(ae.Message(), want) || !strings.Contains(want, "allowAllFiles") {
		t.Fatalf("error = %q, want it to hold %q", ae.Message(), want)
	}
}

// docs/security.md attack: LOAD DATA LOCAL INFILE of a file of the worker, through
// a MYSQL SQL job on the real MariaDB (local_infile on) with the database
// allowed: the driver reads no file, so the secret's bytes are in neither
// the job's result, its log, nor the table.
func TestEgress_MySQLLoadDataLocalReadsNoFile(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	admin := mysqlAdmin(t)
	var localInfile int
	if err := admin.QueryRow("SELECT @@GLOBAL.local_infile").Scan(&localInfile); err != nil {
		t.Fatal(err)
	}
	if localInfile != 1 {
		// The attack needs the server to ask for the file; make it.
		if _, err := admin.Exec("SET GLOBAL local_infile = 1"); err != nil {
			t.Fatalf("enable local_infile: %v", err)
		}
		t.Cleanup(func() { admin.Exec("SET GLOBAL local_infile = 0") })
	}
	secret := "jwt-secret-" + jobflow.NewID("s")
	path := filepath.Join(t.TempDir(), "jwt-secret")
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ds := e.datasource(t, jobflow.DatasourceMySQL, 3306, "test", "root")
	table := strings.ReplaceAll(jobflow.NewID("leak"), "_", "")
	t.Cleanup(func() { admin.Exec("DROP TABLE IF EXISTS " + table) })
	ctx := context.Background()

	script := fmt.Sprintf("create table %[1]s (line text);\nload data local infile '%[2]s' into table %[1]s;\nselect * from %[1]s", table, path)
	j := sqlJob(e, ds, jobtypes.SQLQuery, script)
	res, err := e.a.RunJob(ctx, e.input(j, nil))
	if err == nil {
		t.Fatalf("LOAD DATA LOCAL INFILE succeeded: %s", res.Result)
	}
	msg := appError(t, err).Message()
	t.Logf("job error: %s", msg)
	// The server did ask (local_infile is on) and the driver refused.
	if !strings.Contains(msg, "not registered") {
		t.Errorf("error = %q, want the driver's refusal of the local file", msg)
	}
	var rows []string
	r, err := admin.Query("SELECT line FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var l sql.NullString
		r.Scan(&l)
		rows = append(rows, l.String)
	}
	r.Close()
	log := e.log(t, j.ID)
	n := e.node(t, j.ID)
	for what, text := range map[string]string{"error": msg, "log": log, "result": string(n.Result), "node error": n.Error, "table": strings.Join(rows, "\n")} {
		if strings.Contains(text, secret) {
			t.Errorf("the secret file's bytes are in the %s: %q", what, text)
		}
	}
	if len(rows) != 0 {
		t.Errorf("table holds %d rows: %q", len(rows), rows)
	}
	// Nor does jobflow register a reader with the driver.
	j = sqlJob(e, ds, jobtypes.SQLExecute, fmt.Sprintf("load data local infile 'Reader::secret' into table %s", table))
	if _, err := e.a.RunJob(ctx, e.input(j, nil)); err == nil || !strings.Contains(appError(t, err).Message(), "not registered") {
		t.Errorf("LOAD DATA LOCAL INFILE 'Reader::secret': %v, want the driver's refusal", err)
	}
}

// docs/security.md: an alarm webhook on loopback is refused unless the tenant's
// egressAllow names it; the refusal is recorded and names egressAllow.
func TestEgress_AlarmWebhookLoopback(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	e.a.Alarms = e.s
	ctx := context.Background()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits++
	}))
	defer srv.Close()
	name, typ := "hook", jobflow.ChannelWebhook
	ch, err := e.s.CreateAlarmChannel(ctx, e.run.TenantID, jobflow.AlarmChannelInput{Name: &name, Type: &typ,
		Config: []byte(`{"url":"` + srv.URL + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.SendAlarmInput{Run: *e.run, Event: jobflow.EventRunStart, ChannelID: ch.ID, Timezone: "Asia/Shanghai"}
	err = e.a.SendAlarm(ctx, in)
	if err == nil || !strings.Contains(err.Error(), "egressAllow") || hits != 0 {
		t.Fatalf("SendAlarm to loopback: err %v, hits %d; want refused", err, hits)
	}
	recs, _, _ := e.s.FindAlarmRecords(ctx, e.run.TenantID, e.run.ID, jobflow.ListParams{})
	if len(recs) != 1 || recs[0].Status != jobflow.AlarmFailed || !strings.Contains(recs[0].Error, "egressAllow") {
		t.Fatalf("records = %+v", recs)
	}
	e.allowServer(t, srv.URL)
	if err := e.a.SendAlarm(ctx, in); err != nil || hits != 1 {
		t.Fatalf("SendAlarm to an allowed webhook: err %v, hits %d", err, hits)
	}
}

func parseTestRules(entries ...string) ([]egress.Rule, error) { return egress.ParseRules(entries) }

// The tenant cache serves osUser and egressAllow alike: one store read per
// tenantUserTTL, a SYS_ADMIN's change seen once the entry is older.
func TestTenantCache_OSUserAndEgress(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	ctx := context.Background()
	osUser, allow := "tenant-user", []string{"10.0.0.0/8:443"}
	if _, err := e.s.UpdateTenant(ctx, e.run.TenantID, jobflow.TenantUpdate{OSUser: &osUser, EgressAllow: &allow}); err != nil {
		t.Fatal(err)
	}
	if u, err := e.a.tenantOSUser(ctx, e.run.TenantID); err != nil || u != osUser {
		t.Fatalf("tenantOSUser = %q, %v", u, err)
	}
	p, err := e.a.egressPolicy(ctx, e.run.TenantID)
	if err != nil || p.Check("", netip.MustParseAddrPort("10.1.2.3:443")) != nil || p.Check("", netip.MustParseAddrPort("10.1.2.3:80")) == nil {
		t.Fatalf("policy %+v, %v", p, err)
	}
	// Changed in the store: the cached copy still answers within the TTL.
	other := "other-user"
	if _, err := e.s.UpdateTenant(ctx, e.run.TenantID, jobflow.TenantUpdate{OSUser: &other, EgressAllow: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	if u, _ := e.a.tenantOSUser(ctx, e.run.TenantID); u != osUser {
		t.Fatalf("tenantOSUser = %q within the TTL, want the cached %q", u, osUser)
	}
	e.a.mu.Lock()
	c := e.a.tenants[e.run.TenantID]
	c.at = c.at.Add(-tenantUserTTL)
	e.a.tenants[e.run.TenantID] = c
	e.a.mu.Unlock()
	if u, _ := e.a.tenantOSUser(ctx, e.run.TenantID); u != other {
		t.Fatalf("tenantOSUser = %q after the TTL, want %q", u, other)
	}
	if p, _ := e.a.egressPolicy(ctx, e.run.TenantID); p.Check("", netip.MustParseAddrPort("10.1.2.3:443")) == nil {
		t.Fatal("a removed rule still allows after the TTL")
	}
}

// lib/pq falls back to the worker's environment and home for a password
// file, a password and a client certificate: none reaches a datasource.
func TestPostgresConnector_NoWorkerCredentials(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".postgresql"), 0o700)
	t.Setenv("HOME", home)
	t.Setenv("PGPASSWORD", "worker-env-password")
	t.Setenv("PGPASSFILE", filepath.Join(home, "pgpass"))
	t.Setenv("PGSSLCERT", "/etc/jobflow/client.crt")
	var seen string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		seen = addr
		return nil, errors.New("not dialled in this test")
	}
	c, err := PostgresConnector("postgres://u@db.example.com:5432/d?sslmode=disable", "", dial)
	if err != nil {
		t.Fatal(err)
	}
	pc := reflect.ValueOf(c).Elem().FieldByName("cfg")
	for field, bad := range map[string]string{"Password": "worker-env-password", "Passfile": "", "SSLCert": "/etc/jobflow/client.crt"} {
		if got := pc.FieldByName(field).String(); got == bad {
			t.Errorf("lib/pq config %s = %q (from the worker)", field, got)
		}
	}
	if pc.FieldByName("Passfile").String() != nonexistentFile || pc.FieldByName("SSLCert").String() != nonexistentFile {
		t.Errorf("passfile %q, sslcert %q: want %q", pc.FieldByName("Passfile"), pc.FieldByName("SSLCert"), nonexistentFile)
	}
	if _, err := c.Connect(context.Background()); err == nil || seen != "db.example.com:5432" {
		t.Errorf("connect went around the dialer: %v (dialled %q)", err, seen)
	}
}

// The same for MYSQL: MariaDB on 127.0.0.1:3306 is refused by default and
// reached once the tenant's egressAllow names it.
func TestEgress_SQLMySQLLoopback(t *testing.T) {
	e := newTestEnv(t, store.DialectSQLite)
	mysqlAdmin(t)
	ctx := context.Background()
	ds := e.closedDatasource(t, jobflow.DatasourceMySQL, 3306, "test", "root")
	_, err := e.a.RunJob(ctx, e.input(sqlJob(e, ds, jobtypes.SQLQuery, "select 1 as one"), nil))
	if ae := appError(t, err); !ae.NonRetryable() || !strings.Contains(ae.Message(), "127.0.0.1:3306") || !strings.Contains(ae.Message(), "egressAllow") {
		t.Fatalf("error = %q, want a refusal naming 127.0.0.1:3306 and egressAllow", ae.Message())
	}
	e.allowEgress(t, "127.0.0.1:3306")
	res, err := e.a.RunJob(ctx, e.input(sqlJob(e, ds, jobtypes.SQLQuery, "select 1 as one"), nil))
	if err != nil || res.Outputs["one"] != "1" {
		t.Fatalf("allowed: %v %v", res.Outputs, err)
	}
}
