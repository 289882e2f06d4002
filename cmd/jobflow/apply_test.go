package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testrig"
)

const alphaDoc = `apiVersion: jobflow/v1
kind: Workflow
metadata:
  name: alpha
  remark: applied from Git
spec:
  config:
    schedule: {mode: SINGLE, cron: "0 0 2 * * ?", timezone: UTC, enabled: true}
    maxParallelism: 2
  jobs:
  - name: extract
    type: SHELL
    config: {script: echo extract}
    position: {x: 0, y: 0}
  - name: load
    type: SHELL
    config: {script: echo load}
    position: {x: 200, y: 0}
  edges:
  - {from: extract, to: load}
`

const betaGammaDoc = `# two workflows in one file
apiVersion: jobflow/v1
kind: Workflow
metadata: {name: beta}
spec:
  config: {}
  jobs:
  - {name: only, type: PYTHON, config: {script: "print(1)"}, position: {x: 1, y: 2}}
  edges: []
---
apiVersion: jobflow/v1
kind: Workflow
metadata: {name: gamma}
spec:
  config: {failureStrategy: END}
  jobs:
  - {name: a, type: SHELL, config: {script: "true"}, position: {x: 0, y: 0}}
  - {name: b, type: SHELL, config: {script: "true"}}
  edges: []
`

// revisions is every workflow of the tenant by name with its revision.
func revisions(t *testing.T, r *testrig.Rig) map[string]int64 {
	t.Helper()
	ws, _, err := r.Store.FindWorkflows(context.Background(), r.API.Tenant, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{PageSize: 200}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, w := range ws {
		out[w.Name] = w.Revision
	}
	return out
}

// TestApply_DirectoryTwiceThenChange applies a directory to a running
// server twice (the second run changes nothing), then a changed file (one
// job changed) with --publish; a file with problems fails with one line
// per problem and changes nothing; export gives documents apply reads back
// unchanged.
func TestApply_DirectoryTwiceThenChange(t *testing.T) {
	r := testrig.New(t, testrig.Options{})
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("alpha.yaml", alphaDoc)
	write("more.yml", betaGammaDoc)
	write("README.md", "not a document")
	env := map[string]string{"JOBFLOW_URL": r.Server.URL, "JOBFLOW_TOKEN": r.API.Token, "JOBFLOW_TENANT": r.API.Tenant}
	getenv := func(k string) string { return env[k] }
	apply := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"jobflow", "apply"}, args...), getenv, &out, &errb)
		return out.String(), errb.String(), err
	}

	out, _, err := apply("-f", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"created alpha\n", "  + job extract (SHELL)\n", "  + edge extract -> load\n", "created beta\n", "created gamma\n", "3 workflow(s), 3 changed\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("first apply: no %q in\n%s", want, out)
		}
	}
	first := revisions(t, r)
	if len(first) != 3 {
		t.Fatalf("workflows %v", first)
	}

	// Second run, with a personal API token and no tenant: nothing changes.
	var pat struct{ Token string }
	tokReq, _ := json.Marshal(map[string]string{"name": "ci", "tenantId": r.API.Tenant, "role": "MEMBER"})
	req, _ := http.NewRequest("POST", r.Server.URL+"/api/v1/me/tokens", bytes.NewReader(tokReq))
	req.Header.Set("Authorization", "Bearer "+r.API.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("token: %v %v", res, err)
	}
	json.NewDecoder(res.Body).Decode(&pat)
	res.Body.Close()
	env["JOBFLOW_TOKEN"], env["JOBFLOW_TENANT"] = pat.Token, ""
	out, _, err = apply("-f", dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "unchanged ") != 3 || !strings.Contains(out, "3 workflow(s), 0 changed") {
		t.Fatalf("second apply:\n%s", out)
	}
	if second := revisions(t, r); !equalMaps(first, second) {
		t.Fatalf("the second apply changed revisions: %v -> %v", first, second)
	}

	// One job changed: dry run changes nothing, then apply --publish.
	write("alpha.yaml", strings.Replace(alphaDoc, "echo load", "echo load v2", 1))
	out, _, err = apply("-f", filepath.Join(dir, "alpha.yaml"), "--dry-run")
	if err != nil || !strings.Contains(out, "would change alpha\n  ~ job load: config.script\n") || !strings.Contains(out, "1 to change") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if now := revisions(t, r); !equalMaps(first, now) {
		t.Fatal("a dry run changed something")
	}
	out, _, err = apply("-f", filepath.Join(dir, "alpha.yaml"), "--publish")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "changed alpha\n  ~ job load: config.script\n") || !strings.Contains(out, "published alpha version 1") {
		t.Fatalf("changed apply:\n%s", out)
	}
	after := revisions(t, r)
	if after["alpha"] != first["alpha"]+1 || after["beta"] != first["beta"] || after["gamma"] != first["gamma"] {
		t.Fatalf("revisions %v -> %v: want only alpha's to move, by one", first, after)
	}
	alpha, err := r.Store.FindWorkflowByName(context.Background(), r.API.Tenant, "alpha")
	if err != nil || alpha.Status != jobflow.StatusPublished {
		t.Fatalf("alpha %+v %v", alpha, err)
	}
	for _, j := range alpha.Jobs {
		if j.Name == "load" && !strings.Contains(string(j.Config), "echo load v2") {
			t.Fatalf("load's config %s", j.Config)
		}
	}

	// Problems: one line each, non-zero, nothing changed.
	bad := strings.Replace(strings.Replace(alphaDoc, "type: SHELL", "type: COBOL", 1), "{from: extract, to: load}", "{from: extract, to: nowhere}", 1)
	write("alpha.yaml", bad)
	_, stderr, err := apply("-f", filepath.Join(dir, "alpha.yaml"))
	if err == nil || strings.Count(stderr, "\n") != 2 || !strings.Contains(stderr, "alpha: spec.jobs.0: ") || !strings.Contains(stderr, "alpha: spec.edges.0: ") {
		t.Fatalf("bad file: err %v, stderr:\n%s", err, stderr)
	}
	if now := revisions(t, r); !equalMaps(after, now) {
		t.Fatal("a refused apply changed something")
	}
	if _, _, err := apply("-f", filepath.Join(dir, "missing.yaml")); err == nil {
		t.Fatal("a missing file applied")
	}

	// export writes what apply reads back unchanged.
	var exp, errb bytes.Buffer
	if err := run(context.Background(), []string{"jobflow", "export", "alpha", "gamma"}, getenv, &exp, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	if strings.Count(exp.String(), "apiVersion: jobflow/v1") != 2 || !strings.Contains(exp.String(), "echo load v2") {
		t.Fatalf("export:\n%s", exp.String())
	}
	write("alpha.yaml", exp.String())
	out, _, err = apply("-f", filepath.Join(dir, "alpha.yaml"))
	if err != nil || strings.Count(out, "unchanged ") != 2 {
		t.Fatalf("re-applying the export: %v\n%s", err, out)
	}
	if err := run(context.Background(), []string{"jobflow", "export", "nope"}, getenv, &exp, &errb); err == nil || !strings.Contains(err.Error(), "NOT_FOUND") {
		t.Fatalf("export of a missing workflow: %v", err)
	}
	env["JOBFLOW_TOKEN"] = ""
	if _, _, err := apply("-f", dir); err == nil || !strings.Contains(err.Error(), "JOBFLOW_TOKEN") {
		t.Fatalf("no token: %v", err)
	}
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
