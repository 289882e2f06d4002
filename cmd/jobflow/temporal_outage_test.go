package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
	"jobflow/temporalserver"
)

// TestBinary_TemporalOutage: `jobflow server` (API + worker) on PostgreSQL
// and an in-process Temporal server that is stopped for 30 s while the
// middle job of a chain runs, then started again on the same port and
// data. The worker reconnects by itself, the run finishes, every job ran
// once (side effects counted), and the engine routes answer 503 meanwhile
// and recover without a restart.
func TestBinary_TemporalOutage(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	dbURL := postgresDatabase(t)
	tdir, tport := t.TempDir(), freePort(t)
	startTemporal := func() *temporalserver.Server {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		ts, err := temporalserver.Start(ctx, temporalserver.Config{DataDir: tdir, FrontendPort: tport})
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	ts := startTemporal()
	defer func() { ts.Stop() }()

	vars := serverEnv()
	vars["JOBFLOW_DATABASE_URL"] = dbURL
	vars["JOBFLOW_TEMPORAL_ADDRESS"] = ts.FrontendAddress()
	// The embedded server wants its credential; the data dir (and so the
	// CA and key) stay the same across the restart.
	vars["JOBFLOW_TEMPORAL_TLS_CA"] = ts.CAFile()
	vars["JOBFLOW_TEMPORAL_API_KEY"] = ts.APIKey()
	vars["JOBFLOW_ADMIN_PASSWORD"] = "outage-test-pw"
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
	api := testrig.Login(t, base, "admin", "outage-test-pw")

	marks := filepath.Join(jobdir.New(t), "marks")
	var wf jobflow.Workflow
	api.Must("POST", "/api/v1/workflows", map[string]string{"name": "through-outage"}, 201, &wf)
	ids := map[string]string{}
	for _, j := range [][2]string{{"a", "echo a >> " + marks}, {"b", "sleep 5; echo b >> " + marks}, {"c", "echo c >> " + marks}} {
		var job jobflow.Job
		api.Must("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": j[0], "type": "SHELL", "config": map[string]string{"script": j[1]}}, 201, &job)
		ids[j[0]] = job.ID
	}
	api.Must("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{
		"nodes":    []map[string]any{{"jobId": ids["a"]}, {"jobId": ids["b"], "x": 100}, {"jobId": ids["c"], "x": 200}},
		"edges":    []map[string]string{{"from": ids["a"], "to": ids["b"]}, {"from": ids["b"], "to": ids["c"]}},
		"revision": wf.Revision}, 200, nil)
	var started struct{ RunID string }
	api.Must("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{}, 202, &started)

	run := func() *jobflow.Run {
		var r jobflow.Run
		api.Must("GET", "/api/v1/runs/"+started.RunID, nil, 200, &r)
		return &r
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := run()
		if n := nodeOf(r, ids["b"]); n != nil && n.Status == jobflow.NodeRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job b never ran: %+v", r)
		}
		time.Sleep(100 * time.Millisecond)
	}

	ts.Stop()
	stoppedAt := time.Now()
	codes := map[string]map[int]int{"start": {}, "read": {}, "readyz": {}}
	for time.Since(stoppedAt) < 30*time.Second {
		code, _ := api.Do("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{})
		codes["start"][code]++
		code, _ = api.Do("GET", "/api/v1/runs/"+started.RunID, nil)
		codes["read"][code]++
		code, _ = get(t, base+"/readyz")
		codes["readyz"][code]++
		time.Sleep(time.Second)
	}
	t.Logf("Temporal stopped for %s; answers meanwhile: %v", time.Since(stoppedAt).Round(time.Millisecond), codes)
	if len(codes["start"]) != 1 || codes["start"][503] == 0 || len(codes["read"]) != 1 || codes["read"][200] == 0 ||
		len(codes["readyz"]) != 1 || codes["readyz"][503] == 0 {
		t.Fatalf("while Temporal was away: %v; want starts and /readyz 503, reads 200", codes)
	}

	ts = startTemporal()
	restartedAt := time.Now()
	// The engine routes recover by themselves.
	var again struct{ RunID string }
	for {
		code, b := api.Do("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{})
		if code == http.StatusAccepted {
			json := string(b)
			again.RunID = json[strings.Index(json, "run_") : strings.Index(json, "run_")+len(started.RunID)]
			break
		}
		if time.Since(restartedAt) > 60*time.Second {
			t.Fatalf("starts still %d 60 s after Temporal came back: %s", code, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("a start answered 202 %s after Temporal came back", time.Since(restartedAt).Round(time.Millisecond))

	for _, id := range []string{started.RunID, again.RunID} {
		deadline := time.Now().Add(120 * time.Second)
		for {
			var r jobflow.Run
			api.Must("GET", "/api/v1/runs/"+id, nil, 200, &r)
			if r.Status.Finished() {
				if r.Status != jobflow.RunSuccess {
					for _, n := range r.Nodes {
						t.Logf("node %s %s attempt %d %q", n.JobName, n.Status, n.Attempt, n.Error)
					}
					t.Fatalf("run %s ended %s %q\nserver log:\n%s", id, r.Status, r.Error, grepLog(srv.log.String()))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %s still %s 120 s after Temporal came back", id, r.Status)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	t.Logf("both runs SUCCESS %s after Temporal came back", time.Since(restartedAt).Round(time.Millisecond))
	b, _ := os.ReadFile(marks)
	count := map[string]int{}
	for _, l := range strings.Fields(string(b)) {
		count[l]++
	}
	t.Logf("side effects (two runs): %v", count)
	if count["a"] != 2 || count["b"] != 2 || count["c"] != 2 {
		t.Fatalf("side effects %v, want every job exactly once per run (a, b, c: 2 each)", count)
	}
	srv.stop()
}

func nodeOf(r *jobflow.Run, jobID string) *jobflow.NodeRun {
	for _, n := range r.Nodes {
		if n.JobID == jobID {
			return n
		}
	}
	return nil
}

// grepLog keeps the log lines about activities and connections.
func grepLog(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "ctivit") || strings.Contains(l, "onnect") || strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	if len(out) > 60 {
		out = out[len(out)-60:]
	}
	return strings.Join(out, "\n")
}
