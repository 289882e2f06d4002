package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"jobflow/internal/testproc"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/activities"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
)

// The attack suite of docs/security.md: a tenant MEMBER's SHELL and PYTHON jobs on a
// real `jobflow standalone` try to read jobflow's environment and command
// line, its memory and root, every file of the data dir (secrets, the
// store, Temporal's database) and another tenant's running job's working
// directory, and to signal and ptrace jobflow. Each job runs to its end;
// the test then searches the jobs' logs for the bytes of every secret.
//
// It needs root (jobs then run as unprivileged users): CI runs as root.

// attackShell tries every read with bash; a marker line is printed only
// when an attempt that must fail succeeds.
const attackShell = `id
JF=${params.jf}; DATA=${params.data}; SHARED=${params.shared}
for p in /proc/[0-9]*; do
  tr '\0' '\n' < $p/environ 2>/dev/null
  tr '\0' ' ' < $p/cmdline 2>/dev/null; echo
done
head -c 4096 /proc/$JF/mem >/dev/null 2>&1 && echo "MARK-MEM-READ"
ls /proc/$JF/root/ >/dev/null 2>&1 && echo "MARK-ROOT-READ"
ls /proc/$JF/fd/ >/dev/null 2>&1 && echo "MARK-FD-READ"
kill -0 $JF 2>/dev/null && echo "MARK-SIGNAL-OK"
ls -la $DATA 2>&1
for f in $DATA/* $DATA/.* $DATA/*/*; do [ -f "$f" ] && cat "$f" 2>&1 | head -c 200000; done
B=$(cat $SHARED/b.cwd)
ls -la $B 2>&1
cat $B/secret.txt 2>&1
echo "ATTACK-DONE"
`

// attackPython tries ptrace, /proc and the data dir from Python.
const attackPython = `import ctypes, os, glob
libc = ctypes.CDLL(None, use_errno=True)
jf = int("${params.jf}")
print("uid", os.getuid())
if libc.ptrace(16, jf, 0, 0) == 0:  # PTRACE_ATTACH
    print("MARK-PTRACE-OK")
for name in ("environ", "cmdline", "mem", "maps"):
    try:
        print(open("/proc/%d/%s" % (jf, name), "rb").read(65536))
        if name != "cmdline":
            print("MARK-PROC-READ", name)
    except OSError as e:
        print("refused", name, e.errno)
try:
    os.kill(jf, 0)
    print("MARK-SIGNAL-OK")
except OSError as e:
    print("kill refused", e.errno)
for f in glob.glob("${params.data}/**", recursive=True):
    try:
        print(open(f, "rb").read(200000))
    except OSError as e:
        print("refused", f, e.errno)
print("ATTACK-DONE")
`

func TestAttack_JobsCannotReachJobflow(t *testing.T) {
	testtier.Long(t, "root (jobs as tenant users, sandboxed) and jobflow processes")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the attack suite must run as root in CI (jobs then run as unprivileged users)")
		}
		t.Skip("needs root: run as root (as CI does) to test the job user walls")
	}
	shared := jobdir.New(t)
	// The data dir sits where anyone could reach it, so only jobflow's own
	// 0700 keeps jobs out.
	dataDir := filepath.Join(shared, "data")
	srv, admin, adminPassword := startStandalone(t, dataDir)
	base := admin.base
	var tenantB jobflow.Tenant
	// Neither tenant names an osUser: each gets its own jf- user.
	admin.call("POST", "/api/v1/tenants", map[string]any{"name": "tenant-b"}, &tenantB)
	t.Cleanup(func() { testproc.RemoveUser(activities.TenantOSUser(tenantB.ID)) })
	memberA := newMember(t, admin, base, "member-a", admin.tenant)
	memberB := newMember(t, admin, base, "member-b", tenantB.ID)
	memberB.tenant = tenantB.ID

	// Tenant B's job keeps a secret in its working directory while it runs.
	secretB := "TOPSECRET-B-" + randomText(t)
	wfB, _ := oneJobWorkflow(t, memberB, "b-holds-a-secret", "SHELL",
		"pwd > "+shared+"/b.cwd.tmp; id -un > "+shared+"/b.user; echo "+secretB+" > secret.txt\n"+
			"mv "+shared+"/b.cwd.tmp "+shared+"/b.cwd; sleep 120")
	var runB struct{ RunID string }
	memberB.call("POST", "/api/v1/workflows/"+wfB.ID+"/runs", map[string]any{}, &runB)
	waitFile(t, filepath.Join(shared, "b.cwd"), 60*time.Second)

	params := map[string]string{"jf": strconv.Itoa(srv.cmd.Process.Pid), "data": dataDir, "shared": shared}
	wfA, jobs := twoJobWorkflow(t, memberA, "a-attacks", attackShell, attackPython)
	var runA struct{ RunID string }
	memberA.call("POST", "/api/v1/workflows/"+wfA.ID+"/runs", map[string]any{"params": params}, &runA)
	run := waitRunDone(t, memberA, runA.RunID, 120*time.Second)
	if run.Status != jobflow.RunSuccess {
		t.Fatalf("attack run %s: %+v\n%s", run.Status, run.Nodes, srv.log)
	}
	memberB.call("POST", "/api/v1/runs/"+runB.RunID+"/abort", nil, nil)

	secrets := map[string]string{"admin password": adminPassword, "tenant B's file": secretB}
	files, _ := os.ReadDir(dataDir)
	for _, f := range files {
		if b, err := os.ReadFile(filepath.Join(dataDir, f.Name())); err == nil && !f.IsDir() && len(b) < 4096 && len(strings.TrimSpace(string(b))) >= 16 {
			secrets["data dir file "+f.Name()] = strings.TrimSpace(string(b))
		}
	}
	if len(secrets) < 4 {
		t.Fatalf("found only %d secrets to look for (the data dir's secret files missing?): %v", len(secrets), files)
	}
	for name, jobID := range jobs {
		log := string(memberA.call("GET", "/api/v1/runs/"+runA.RunID+"/nodes/"+jobID+"/log", nil, nil))
		if !strings.Contains(log, "ATTACK-DONE") {
			t.Errorf("%s job did not run to its end:\n%s", name, log)
		}
		userA := activities.TenantOSUser(admin.tenant)
		if !strings.Contains(log, userA) && !strings.Contains(log, "uid "+uidOf(t, userA)) {
			t.Errorf("%s job did not run as %s:\n%.2000s", name, userA, log)
		}
		for what, secret := range secrets {
			if strings.Contains(log, secret) {
				t.Errorf("%s job's log holds the %s", name, what)
			}
		}
		for _, leak := range []string{"SQLite format 3", "JOBFLOW_ADMIN_PASSWORD", "JOBFLOW_DATA_DIR", "MARK-"} {
			if i := strings.Index(log, leak); i >= 0 {
				t.Errorf("%s job's log holds %q: %.200s", name, leak, log[i:])
			}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(shared, "b.user")); strings.TrimSpace(string(b)) != activities.TenantOSUser(tenantB.ID) {
		t.Errorf("tenant B's job ran as %q, want its own %s", b, activities.TenantOSUser(tenantB.ID))
	}
}

// startStandalone starts `jobflow standalone` on dataDir and free loopback
// ports, with a random admin password, and logs the admin in.
func startStandalone(t *testing.T, dataDir string) (srv *service, admin *api, adminPassword string) {
	adminPassword = "attack-admin-" + randomText(t)
	httpPort, uiPort, temporalPort := freePort(t), freePort(t), freePort(t)
	srv = startService(t, map[string]string{
		"JOBFLOW_DATA_DIR":         dataDir,
		"JOBFLOW_HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_TEMPORAL_UI_ADDR": "127.0.0.1:" + strconv.Itoa(uiPort),
		"JOBFLOW_TEMPORAL_PORT":    strconv.Itoa(temporalPort),
		"JOBFLOW_ADMIN_PASSWORD":   adminPassword,
	}, "standalone")
	srv.waitLog("jobflow ready")
	admin = loginAPI(t, fmt.Sprintf("http://127.0.0.1:%d", httpPort), "admin", adminPassword)
	t.Cleanup(func() { testproc.RemoveUser(activities.TenantOSUser(admin.tenant)) })
	return srv, admin, adminPassword
}

func randomText(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func uidOf(t *testing.T, name string) string {
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, ":"); len(f) > 2 && f[0] == name {
			return f[2]
		}
	}
	t.Fatalf("no user %s", name)
	return ""
}

func loginAPI(t *testing.T, base, account, password string) *api {
	a := &api{t: t, base: base}
	var login struct {
		Token   string
		Tenants []struct{ ID string }
	}
	a.call("POST", "/api/v1/auth/login", map[string]string{"account": account, "password": password}, &login)
	a.token = login.Token
	if len(login.Tenants) > 0 {
		a.tenant = login.Tenants[0].ID
	}
	return a
}

// newMember creates a user who is a MEMBER of tenant and logs it in.
func newMember(t *testing.T, admin *api, base, account, tenant string) *api {
	var u jobflow.User
	admin.call("POST", "/api/v1/users", map[string]any{"account": account, "password": "password-" + account}, &u)
	admin.call("POST", "/api/v1/tenants/"+url.PathEscape(tenant)+"/members", map[string]any{"userId": u.ID, "role": "MEMBER"}, nil)
	m := loginAPI(t, base, account, "password-"+account)
	m.tenant = tenant
	return m
}

func oneJobWorkflow(t *testing.T, a *api, name, typ, script string) (*jobflow.Workflow, string) {
	var wf jobflow.Workflow
	a.call("POST", "/api/v1/workflows", map[string]string{"name": name}, &wf)
	var j jobflow.Job
	a.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": "only", "type": typ, "config": map[string]string{"script": script}}, &j)
	a.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{
		"nodes": []map[string]any{{"jobId": j.ID, "x": 0, "y": 0}}, "edges": []any{}, "revision": wf.Revision,
	}, nil)
	return &wf, j.ID
}

// twoJobWorkflow holds a SHELL and a PYTHON job side by side.
func twoJobWorkflow(t *testing.T, a *api, name, shell, python string) (*jobflow.Workflow, map[string]string) {
	var wf jobflow.Workflow
	a.call("POST", "/api/v1/workflows", map[string]string{"name": name}, &wf)
	ids := map[string]string{}
	var nodes []map[string]any
	for i, j := range []struct{ name, typ, script string }{{"shell", "SHELL", shell}, {"python", "PYTHON", python}} {
		var job jobflow.Job
		a.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": j.name, "type": j.typ, "config": map[string]string{"script": j.script}}, &job)
		ids[j.name] = job.ID
		nodes = append(nodes, map[string]any{"jobId": job.ID, "x": i * 100, "y": 0})
	}
	a.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{"nodes": nodes, "edges": []any{}, "revision": wf.Revision}, nil)
	return &wf, ids
}

func waitRunDone(t *testing.T, a *api, runID string, d time.Duration) *jobflow.Run {
	t.Helper()
	var run jobflow.Run
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		a.call("GET", "/api/v1/runs/"+runID, nil, &run)
		if run.Status.Finished() {
			return &run
		}
	}
	t.Fatalf("run %s still %s after %s", runID, run.Status, d)
	return nil
}

func waitFile(t *testing.T, path string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s did not appear within %s", path, d)
}
