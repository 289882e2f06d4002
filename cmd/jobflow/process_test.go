package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"jobflow/internal/jobdir"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
	"jobflow/temporalserver"
)

// These tests run the real binary, as an operator does.

func TestMain(m *testing.M) {
	code := m.Run()
	testrig.RemoveBinary()
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// command prepares the binary with exactly the given environment (plus
// PATH and HOME), so nothing of the developer's shell leaks in.
func command(t *testing.T, vars map[string]string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(testrig.Binary(t), args...)
	// Jobs may write to the tests' shared directories (internal/jobdir).
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "JOBFLOW_JOB_WRITABLE=" + jobdir.Base()}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// exitCode runs cmd to the end (at most a minute) and returns its exit code.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("jobflow did not exit within a minute")
		return -1
	}
}

// assertOneErrorLine checks that stderr is exactly one ERROR line that
// names the setting.
func assertOneErrorLine(t *testing.T, stderr, setting string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 {
		t.Fatalf("stderr has %d lines, want 1:\n%s", len(lines), stderr)
	}
	if !strings.Contains(lines[0], "level=ERROR") || !strings.Contains(lines[0], setting) {
		t.Fatalf("stderr line %q does not name %s at level ERROR", lines[0], setting)
	}
}

func TestBinary_ErrMissingSetting(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	cmd, _, stderr := command(t, map[string]string{"JOBFLOW_DATABASE_URL": "postgres://x@127.0.0.1:1/x"}, "server")
	if code := exitCode(t, cmd); code == 0 {
		t.Fatal("exit code 0 without JOBFLOW_TEMPORAL_ADDRESS")
	}
	assertOneErrorLine(t, stderr.String(), "JOBFLOW_TEMPORAL_ADDRESS")
}

func TestBinary_ErrTemporalUnreachable(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	vars := serverEnv()
	vars["JOBFLOW_TEMPORAL_ADDRESS"] = "127.0.0.1:1"
	cmd, _, stderr := command(t, vars, "server")
	begin := time.Now()
	if code := exitCode(t, cmd); code == 0 {
		t.Fatal("exit code 0 with Temporal unreachable")
	}
	t.Logf("gave up after %v", time.Since(begin).Round(time.Millisecond))
	assertOneErrorLine(t, stderr.String(), "JOBFLOW_TEMPORAL_ADDRESS")
	if !strings.Contains(stderr.String(), "127.0.0.1:1") {
		t.Errorf("error line does not say the address: %s", stderr)
	}
}

func TestBinary_ErrDatabaseUnreachable(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	cmd, _, stderr := command(t, map[string]string{"JOBFLOW_DATABASE_URL": "postgres://postgres:secret@127.0.0.1:1/jobflow?sslmode=disable"}, "migrate")
	if code := exitCode(t, cmd); code == 0 {
		t.Fatal("exit code 0 with the database unreachable")
	}
	assertOneErrorLine(t, stderr.String(), "JOBFLOW_DATABASE_URL")
	if strings.Contains(stderr.String(), "secret") {
		t.Errorf("the error line shows the database password: %s", stderr)
	}
}

// TestBinary_Standalone starts `jobflow standalone` on a fresh data dir and
// free ports, waits until it serves, stops it with SIGTERM and expects a
// clean exit; then starts it again on the same data dir.
func TestBinary_Standalone(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	dir := t.TempDir()
	httpPort, uiPort, temporalPort := freePort(t), freePort(t), freePort(t)
	vars := map[string]string{
		"JOBFLOW_DATA_DIR":         dir,
		"JOBFLOW_HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_TEMPORAL_UI_ADDR": "127.0.0.1:" + strconv.Itoa(uiPort),
		"JOBFLOW_TEMPORAL_PORT":    strconv.Itoa(temporalPort),
		"JOBFLOW_ADMIN_PASSWORD":   "standalone-test-pw",
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	for i := 0; i < 2; i++ {
		cmd, _, stderr := command(t, vars, "standalone")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()

		begin := time.Now()
		if err := waitHTTP(base+"/healthz", done); err != nil {
			cmd.Process.Kill()
			t.Fatalf("start %d: %v\nstderr:\n%s", i+1, err, stderr)
		}
		t.Logf("start %d: /healthz answered after %v", i+1, time.Since(begin).Round(time.Millisecond))
		for _, url := range []string{base + "/readyz", fmt.Sprintf("http://127.0.0.1:%d/temporal/", uiPort)} {
			resp, err := http.Get(url)
			if err != nil {
				t.Fatalf("GET %s: %v", url, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d, want 200", url, resp.StatusCode)
			}
		}

		// The admin user exists with the configured password.
		resp, err := http.Post(base+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"account":"admin","password":"standalone-test-pw"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("start %d: admin login = %d, want 200", i+1, resp.StatusCode)
		}

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("start %d: exit after SIGTERM: %v\nstderr:\n%s", i+1, err, stderr)
			}
		case <-time.After(45 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("start %d: still running 45 s after SIGTERM\nstderr:\n%s", i+1, stderr)
		}
		if strings.Contains(stderr.String(), "level=ERROR") {
			t.Errorf("start %d logged errors:\n%s", i+1, stderr)
		}
	}
	for _, f := range []string{"jobflow.db", "temporal.db", "temporal-visibility.db", jwtSecretFile, encryptionKeyFile, temporalserver.APIKeyFile, temporalserver.CAFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("data dir lacks %s: %v", f, err)
		}
	}
}

// waitHTTP polls url until it answers 200, the process exits, or 60 s pass.
func waitHTTP(url string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("jobflow exited before serving: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer 200 within 60 s", url)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestBinary_ErrHTTPAddrInUse: a taken API port is one error line naming
// the setting, before anything else starts.
func TestBinary_ErrHTTPAddrInUse(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cmd, _, stderr := command(t, map[string]string{
		"JOBFLOW_DATA_DIR":  t.TempDir(),
		"JOBFLOW_HTTP_ADDR": l.Addr().String(),
	}, "standalone")
	if code := exitCode(t, cmd); code == 0 {
		t.Fatal("exit code 0 with the API port taken")
	}
	assertOneErrorLine(t, stderr.String(), "JOBFLOW_HTTP_ADDR")
}
