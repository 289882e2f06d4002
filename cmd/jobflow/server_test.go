package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
	"jobflow/temporalserver"
)

// postgresDatabase creates an empty database on the local PostgreSQL
// (JOBFLOW_TEST_POSTGRES_URL overrides the admin URL) and drops it when the
// test ends. An unreachable PostgreSQL fails the test.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("JOBFLOW_TEST_POSTGRES_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("PostgreSQL is not reachable (set JOBFLOW_TEST_POSTGRES_URL): %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "jobflow_cmd_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("postgres", admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

// service is a jobflow process started in the background.
type service struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan error
	log  fmt.Stringer
}

func startService(t *testing.T, vars map[string]string, mode string) *service {
	t.Helper()
	cmd, _, _ := command(t, vars, mode)
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr // read while the process runs: waitLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &service{t: t, cmd: cmd, done: make(chan error, 1), log: stderr}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return s
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until the service has logged line.
func (s *service) waitLog(line string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.log.String(), line) {
		select {
		case err := <-s.done:
			s.t.Fatalf("%s exited before %q: %v\n%s", s.cmd.Args[1], line, err, s.log)
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s did not log %q within 60 s:\n%s", s.cmd.Args[1], line, s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a clean exit.
func (s *service) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	begin := time.Now()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatalf("%s: exit after SIGTERM: %v\nstderr:\n%s", s.cmd.Args[1], err, s.log)
		}
		s.t.Logf("%s stopped %v after SIGTERM", s.cmd.Args[1], time.Since(begin).Round(time.Millisecond))
	case <-time.After(45 * time.Second):
		s.t.Fatalf("%s: still running 45 s after SIGTERM\nstderr:\n%s", s.cmd.Args[1], s.log)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestBinary_ServerPostgres runs `jobflow migrate`, `jobflow server`,
// `jobflow api` and `jobflow worker` against the local PostgreSQL and a Temporal server
// started by the test (an external cluster to jobflow). When Temporal goes
// away, /readyz says so while the management API keeps answering.
func TestBinary_ServerPostgres(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	dbURL := postgresDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts, err := temporalserver.Start(ctx, temporalserver.Config{DataDir: t.TempDir(), FrontendPort: freePort(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Stop()

	vars := serverEnv()
	vars["JOBFLOW_DATABASE_URL"] = dbURL
	vars["JOBFLOW_TEMPORAL_ADDRESS"] = ts.FrontendAddress()
	// The embedded server wants TLS and its API key, as a production
	// cluster may: the same settings reach it.
	vars["JOBFLOW_TEMPORAL_TLS_CA"] = ts.CAFile()
	vars["JOBFLOW_TEMPORAL_API_KEY"] = ts.APIKey()
	vars["JOBFLOW_ADMIN_PASSWORD"] = "server-test-pw"

	cmd, _, stderr := command(t, vars, "migrate")
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("migrate exit %d:\n%s", code, stderr)
	}

	port := freePort(t)
	vars["JOBFLOW_HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	srv := startService(t, vars, "server")
	if err := waitHTTP(base+"/readyz", srv.done); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, srv.log)
	}
	worker := startService(t, vars, "worker")
	worker.waitLog("jobflow worker running")

	// An api process beside it serves the same store.
	apiVars := map[string]string{}
	for k, v := range vars {
		apiVars[k] = v
	}
	apiPort := freePort(t)
	apiVars["JOBFLOW_HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(apiPort)
	apiSrv := startService(t, apiVars, "api")
	if err := waitHTTP(fmt.Sprintf("http://127.0.0.1:%d/readyz", apiPort), apiSrv.done); err != nil {
		t.Fatalf("api: %v\nstderr:\n%s", err, apiSrv.log)
	}

	login := func() int {
		resp, err := http.Post(base+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"account":"admin","password":"server-test-pw"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := login(); code != http.StatusOK {
		t.Fatalf("admin login = %d", code)
	}
	api := testrig.Login(t, base, "admin", "server-test-pw")
	var wf jobflow.Workflow
	api.Must("POST", "/api/v1/workflows", map[string]string{"name": "before"}, 201, &wf)
	var job jobflow.Job
	api.Must("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": "a", "type": "SHELL", "config": map[string]string{"script": "true"}}, 201, &job)
	api.Must("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{"nodes": []map[string]string{{"jobId": job.ID}}, "revision": wf.Revision}, 200, nil)

	// Temporal goes away: not ready, but alive and managing.
	ts.Stop()
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "temporal") {
		t.Errorf("/readyz without Temporal = %d %s, want 503 naming temporal", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz without Temporal = %d", code)
	}
	if code := login(); code != http.StatusOK {
		t.Errorf("admin login without Temporal = %d", code)
	}
	api.Must("POST", "/api/v1/workflows", map[string]string{"name": "after"}, 201, nil)
	if e := api.Fail("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{}, 503); e.Code != jobflow.EUNAVAILABLE {
		t.Errorf("run without Temporal: %+v, want UNAVAILABLE", e)
	}

	select {
	case err := <-worker.done:
		t.Fatalf("worker exited on its own: %v\n%s", err, worker.log)
	default:
	}
	worker.stop()
	apiSrv.stop()
	srv.stop()
}
