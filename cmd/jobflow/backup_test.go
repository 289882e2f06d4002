package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// standaloneOn starts `jobflow standalone` on dataDir and free ports and
// returns it with an API client logged in as admin.
func standaloneOn(t *testing.T, dataDir string) (*service, *api) {
	t.Helper()
	httpPort, temporalPort, uiPort := freePort(t), freePort(t), freePort(t)
	srv := startService(t, map[string]string{
		"JOBFLOW_DATA_DIR":         dataDir,
		"JOBFLOW_HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_TEMPORAL_UI_ADDR": "127.0.0.1:" + strconv.Itoa(uiPort),
		"JOBFLOW_TEMPORAL_PORT":    strconv.Itoa(temporalPort),
		"JOBFLOW_ADMIN_PASSWORD":   "backup-test-pw",
		// A fresh process on a copy reconciles at once; then every 10 s.
		"JOBFLOW_RECONCILE_INTERVAL": "10s",
	}, "standalone")
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	if err := waitHTTP(base+"/readyz", srv.done); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, srv.log)
	}
	a := &api{t: t, base: base}
	var login struct {
		Token   string `json:"token"`
		Tenants []struct {
			ID string `json:"id"`
		} `json:"tenants"`
	}
	a.call("POST", "/api/v1/auth/login", map[string]string{"account": "admin", "password": "backup-test-pw"}, &login)
	a.token, a.tenant = login.Token, login.Tenants[0].ID
	return srv, a
}

type runPage struct {
	Items []jobflow.Run `json:"items"`
	Total int           `json:"total"`
}

// TestBinary_BackupRestore: `jobflow backup` of a running standalone, with
// a run in flight, then a fresh process on the copy: the same workflows,
// runs, versions and invoke tokens are there, the published schedule fires,
// and the run that was in flight at the backup does not stay RUNNING.
func TestBinary_BackupRestore(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	dataDir := t.TempDir()
	orig, a := standaloneOn(t, dataDir)

	// A published workflow firing every 5 s, with invoke enabled.
	var wf jobflow.Workflow
	a.call("POST", "/api/v1/workflows", map[string]string{"name": "every-5s"}, &wf)
	var job jobflow.Job
	a.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": "a", "type": "SHELL", "config": map[string]string{"script": "echo tick"}}, &job)
	a.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{
		"nodes": []map[string]any{{"jobId": job.ID, "x": 0, "y": 0}}, "edges": []any{}, "revision": wf.Revision}, nil)
	a.call("PUT", "/api/v1/workflows/"+wf.ID+"/config", map[string]any{
		"schedule": map[string]any{"mode": "SINGLE", "cron": "*/5 * * * * ?", "timezone": "UTC", "enabled": true},
		"invoke":   map[string]any{"enabled": true}}, nil)
	var pub struct {
		Version jobflow.Version `json:"version"`
	}
	a.call("POST", "/api/v1/workflows/"+wf.ID+"/publish", nil, &pub)
	var tok struct {
		Token string `json:"token"`
		JTI   string `json:"jti"`
	}
	a.call("POST", "/api/v1/workflows/"+wf.ID+"/invoke-tokens", nil, &tok)
	var manual struct{ RunID string }
	a.call("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{}, &manual)
	waitRunUntil(t, a, manual.RunID, func(s jobflow.RunStatus) bool { return s == jobflow.RunSuccess })

	// A run in flight while the backup is taken.
	var slow jobflow.Workflow
	a.call("POST", "/api/v1/workflows", map[string]string{"name": "slow"}, &slow)
	var sj jobflow.Job
	a.call("POST", "/api/v1/workflows/"+slow.ID+"/jobs", map[string]any{"name": "s", "type": "SHELL", "config": map[string]string{"script": "sleep 3"}}, &sj)
	a.call("PUT", "/api/v1/workflows/"+slow.ID+"/canvas", map[string]any{
		"nodes": []map[string]any{{"jobId": sj.ID, "x": 0, "y": 0}}, "edges": []any{}, "revision": slow.Revision}, nil)
	var inFlight struct{ RunID string }
	a.call("POST", "/api/v1/workflows/"+slow.ID+"/runs", map[string]any{}, &inFlight)

	backupDir := filepath.Join(t.TempDir(), "backup")
	cmd, stdout, stderr := command(t, map[string]string{"JOBFLOW_DATA_DIR": dataDir}, "backup", backupDir)
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("jobflow backup exited %d:\n%s%s", code, stdout, stderr)
	}
	t.Logf("jobflow backup:\n%s", stdout)
	var before runPage
	a.call("GET", "/api/v1/runs?pageSize=200", nil, &before)
	orig.stop()

	for _, f := range []string{"jobflow.db", "temporal.db", "temporal-visibility.db", jwtSecretFile, encryptionKeyFile} {
		if _, err := os.Stat(filepath.Join(backupDir, f)); err != nil {
			t.Fatalf("backup lacks %s: %v", f, err)
		}
	}
	// A second backup into a directory that is not empty is refused.
	cmd, _, stderr = command(t, map[string]string{"JOBFLOW_DATA_DIR": dataDir}, "backup", backupDir)
	if code := exitCode(t, cmd); code == 0 || !strings.Contains(stderr.String(), "not empty") {
		t.Fatalf("backup into a non-empty dir: exit %d, %s", code, stderr)
	}

	restoredAt := time.Now()
	_, b := standaloneOn(t, backupDir)
	var got jobflow.Workflow
	b.call("GET", "/api/v1/workflows/"+wf.ID, nil, &got)
	if got.Status != jobflow.StatusPublished || got.PublishedVersionID != pub.Version.ID {
		t.Fatalf("restored workflow %s version %q, want PUBLISHED %q", got.Status, got.PublishedVersionID, pub.Version.ID)
	}
	var m jobflow.Run
	b.call("GET", "/api/v1/runs/"+manual.RunID, nil, &m)
	if m.Status != jobflow.RunSuccess {
		t.Fatalf("restored manual run %s, want SUCCESS", m.Status)
	}
	var toks struct {
		Items []struct {
			JTI string `json:"jti"`
		} `json:"items"`
	}
	b.call("GET", "/api/v1/workflows/"+wf.ID+"/invoke-tokens", nil, &toks)
	if len(toks.Items) != 1 || toks.Items[0].JTI != tok.JTI {
		t.Fatalf("restored invoke tokens %+v, want %s", toks.Items, tok.JTI)
	}
	// The token issued before the backup still works: the JWT secret came along.
	var invoked struct{ RunID string }
	b.call("POST", "/workflow/open/invokeWorkflow", map[string]any{"workflowId": wf.ID, "token": tok.Token, "requestId": "after-restore"}, &invoked)

	// The published schedule fires on the restored installation.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var sched runPage
		b.call("GET", "/api/v1/runs?trigger=SCHEDULE&pageSize=200&workflowId="+wf.ID, nil, &sched)
		fired := 0
		for _, r := range sched.Items {
			if r.StartedAt.After(restoredAt) {
				fired++
			}
		}
		if fired > 0 {
			t.Logf("restored: %d runs listed before the backup; schedule fired %d times %s after the restart", before.Total, fired, time.Since(restoredAt).Round(time.Second))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the published schedule did not fire within 60 s of the restore (%d scheduled runs, none after)", sched.Total)
		}
		time.Sleep(time.Second)
	}
	// Nothing stays stuck: the run in flight at the backup ends.
	r := waitRunUntil(t, b, inFlight.RunID, func(s jobflow.RunStatus) bool { return s.Finished() })
	t.Logf("the run in flight at the backup ended %s %q", r.Status, r.Error)
}

// waitRunUntil polls a run until ok(status) holds (90 s at most).
func waitRunUntil(t *testing.T, a *api, id string, ok func(jobflow.RunStatus) bool) jobflow.Run {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var r jobflow.Run
		a.call("GET", "/api/v1/runs/"+id, nil, &r)
		if ok(r.Status) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still %s after 90 s", id, r.Status)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
