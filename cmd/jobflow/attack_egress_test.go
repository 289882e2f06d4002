package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
)

// TestAttack_Egress: a tenant MEMBER's jobs of every type try loopback on a
// real `jobflow standalone` run as root, with no allow-list anywhere: a
// SHELL /dev/tcp, a PYTHON socket, an HTTP job and a SQL job on a
// PostgreSQL datasource at 127.0.0.1:5432 (the machine's own database),
// and the alarm channel test on a loopback webhook. Every one fails naming
// the destination and egressAllow, and the listener counts no connection.
// Then a SYS_ADMIN puts the listener on the tenant's egressAllow: the
// SHELL, PYTHON and HTTP jobs reach it, the SQL job still does not.
func TestAttack_Egress(t *testing.T) {
	testtier.Long(t, "root (jobs as tenant users, sandboxed) and jobflow processes")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the attack suite must run as root in CI")
		}
		t.Skip("needs root")
	}
	var hits atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "REACHED")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	_, admin, _ := startStandalone(t, jobdir.New(t)+"/data")
	member := newMember(t, admin, admin.base, "member-egress", admin.tenant)

	var ds struct{ ID string }
	admin.call("POST", "/api/v1/datasources", map[string]any{"name": "own-db", "type": "POSTGRES", "host": "127.0.0.1", "port": 5432,
		"database": "postgres", "user": "postgres", "password": "x"}, &ds)
	var ch struct{ ID string }
	admin.call("POST", "/api/v1/alarm-channels", map[string]any{"name": "loop", "type": "WEBHOOK", "config": map[string]any{"url": fmt.Sprintf("http://127.0.0.1:%d/hook", port)}}, &ch)
	code, body := rawCall(t, member, "POST", "/api/v1/alarm-channels/"+ch.ID+"/test")
	if !strings.Contains(body, fmt.Sprintf("127.0.0.1:%d", port)) || !strings.Contains(body, "egressAllow") {
		t.Errorf("channel test on loopback = %d %s, want the destination and egressAllow named", code, body)
	}

	target := fmt.Sprintf("127.0.0.1:%d", port)
	jobs := []struct {
		name, typ string
		config    map[string]any
		dest      string
	}{
		{"shell", "SHELL", map[string]any{"script": fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d && echo CONNECTED", port)}, target},
		{"python", "PYTHON", map[string]any{"script": fmt.Sprintf("import socket\nsocket.create_connection(('127.0.0.1', %d), 5)\nprint('CONNECTED')", port)}, target},
		{"http", "HTTP", map[string]any{"method": "GET", "url": "http://" + target + "/"}, target},
		{"sql", "SQL", map[string]any{"datasourceId": ds.ID, "sql": "select 1", "mode": "QUERY"}, "127.0.0.1:5432"},
	}
	var wf jobflow.Workflow
	member.call("POST", "/api/v1/workflows", map[string]string{"name": "egress"}, &wf)
	ids := map[string]string{}
	var nodes []map[string]any
	for i, j := range jobs {
		var job jobflow.Job
		member.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": j.name, "type": j.typ, "config": j.config}, &job)
		ids[j.name] = job.ID
		nodes = append(nodes, map[string]any{"jobId": job.ID, "x": i * 100, "y": 0})
	}
	member.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{"nodes": nodes, "edges": []any{}, "revision": wf.Revision}, nil)

	runOnce := func() map[string]*jobflow.NodeRun {
		var r struct{ RunID string }
		member.call("POST", "/api/v1/workflows/"+wf.ID+"/runs", map[string]any{}, &r)
		run := waitRunDone(t, member, r.RunID, 90*time.Second)
		byJob := map[string]*jobflow.NodeRun{}
		for _, n := range run.Nodes {
			byJob[n.JobID] = n
		}
		return byJob
	}
	nodesRun := runOnce()
	for _, j := range jobs {
		n := nodesRun[ids[j.name]]
		if n == nil || n.Status != jobflow.NodeFail || !strings.Contains(n.Error, j.dest) || !strings.Contains(n.Error, "egressAllow") {
			t.Errorf("%s job on loopback: %+v, want FAIL naming %s and egressAllow", j.name, n, j.dest)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback listener was reached %d times while closed", hits.Load())
	}

	admin.call("PATCH", "/api/v1/tenants/"+admin.tenant, map[string]any{"egressAllow": []string{target}}, nil)
	// Workers read a tenant again at most 10 s after they last did.
	for deadline := time.Now().Add(30 * time.Second); ; {
		nodesRun = runOnce()
		if n := nodesRun[ids["shell"]]; (n != nil && n.Status == jobflow.NodeSuccess) || time.Now().After(deadline) {
			break
		}
	}
	for _, j := range jobs[:3] {
		if n := nodesRun[ids[j.name]]; n == nil || n.Status != jobflow.NodeSuccess {
			t.Errorf("%s job with %s allowed: %+v", j.name, target, n)
		}
	}
	if n := nodesRun[ids["sql"]]; n == nil || n.Status != jobflow.NodeFail || !strings.Contains(n.Error, "127.0.0.1:5432") {
		t.Errorf("sql job with only %s allowed: %+v", target, n)
	}
	if hits.Load() < 1 {
		t.Errorf("the HTTP job did not reach the allowed listener")
	}
}

// rawCall is a request whose status the test reads itself.
func rawCall(t *testing.T, a *api, method, path string) (int, string) {
	req, _ := http.NewRequest(method, a.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("X-Tenant-ID", a.tenant)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 1<<16)
	n, _ := resp.Body.Read(buf)
	b.Write(buf[:n])
	return resp.StatusCode, b.String()
}
