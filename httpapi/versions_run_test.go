package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestVersions_PublishNoteRunPastRollback: publish with a note records it;
// a past version runs by hand with its own script (trigger MANUAL,
// versionId set, number in the run list), whatever the draft is now; a
// rollback (restore 1, publish) makes version 3 with version 1's content.
// Bad input changes nothing and starts nothing.
func TestVersions_PublishNoteRunPastRollback(t *testing.T) {
	testtier.Parallel(t)
	e := newRunEnv(t)
	w := e.flow("versioned", nil, "echo one")
	base := "/api/v1/workflows/" + w.ID
	e.ok(e.as("POST", base+"/publish", map[string]any{"note": "first release"}), 200, nil)
	jobs := w.Jobs
	if len(jobs) == 0 {
		var full jobflow.Workflow
		e.ok(e.as("GET", base, nil), 200, &full)
		jobs = full.Jobs
	}
	e.ok(e.as("PATCH", "/api/v1/jobs/"+jobs[0].ID, map[string]any{"config": map[string]any{"script": "echo two"}}), 200, nil)
	e.publish(w.ID)

	e.fail(e.as("POST", base+"/publish", map[string]any{"note": strings.Repeat("n", 501)}), 400, jobflow.EINVALID)
	var list jobflow.List[jobflow.VersionSummary]
	e.ok(e.as("GET", base+"/versions", nil), 200, &list)
	if list.Total != 2 || list.Items[1].Note != "first release" || list.Items[0].Note != "" || !list.Items[0].Current {
		t.Fatalf("versions %+v", list.Items)
	}

	// Run version 1 by hand: it echoes "one" although the draft and the
	// published version say "two".
	runs := e.runCount(w.ID)
	e.fail(e.as("POST", base+"/runs", map[string]any{"version": 0}), 400, jobflow.EINVALID)
	e.fail(e.as("POST", base+"/runs", map[string]any{"version": 7}), 404, jobflow.ENOTFOUND)
	e.fail(e.as("POST", base+"/runs", map[string]any{"version": "1"}), 400, jobflow.EINVALID)
	if n := e.runCount(w.ID); n != runs {
		t.Fatalf("refused runs started %d runs", n-runs)
	}
	var started struct {
		RunID string `json:"runId"`
	}
	e.ok(e.as("POST", base+"/runs", map[string]any{"version": 1}), 202, &started)
	run := e.waitRun(started.RunID, 60*time.Second)
	if run.Status != jobflow.RunSuccess || run.Trigger != jobflow.TriggerManual || run.VersionID != list.Items[1].ID || run.VersionNumber != 1 {
		t.Fatalf("run of version 1: %+v", run)
	}
	// Whole lines: jobflow's own log lines may hold "two" ("network").
	if logs := "\n" + e.nodeLogs(run.ID); !strings.Contains(logs, "\none\n") || strings.Contains(logs, "\ntwo\n") {
		t.Fatalf("version 1's run logged %q", logs)
	}
	var rl struct {
		Items []jobflow.Run `json:"items"`
	}
	e.ok(e.as("GET", "/api/v1/runs?workflowId="+w.ID, nil), 200, &rl)
	if len(rl.Items) != 1 || rl.Items[0].VersionNumber != 1 {
		t.Fatalf("run list %+v: want the run with versionNumber 1", rl.Items)
	}

	// Roll back: restore 1 into the draft, publish: version 3 holds "one".
	e.ok(e.as("POST", base+"/versions/1/restore", nil), 200, nil)
	var pub struct {
		Version jobflow.Version `json:"version"`
	}
	e.ok(e.as("POST", base+"/publish", map[string]any{"note": "rollback to 1"}), 200, &pub)
	if pub.Version.Number != 3 || pub.Version.Note != "rollback to 1" {
		t.Fatalf("rollback published %+v", pub.Version)
	}
	// The audit log has the engine actions with their versions.
	var audit jobflow.List[jobflow.AuditEntry]
	e.ok(e.as("GET", "/api/v1/audit-logs?objectId="+w.ID+"&action=workflow.publish", nil), 200, &audit)
	if audit.Total != 4 || audit.Items[0].Version != 3 || audit.Items[0].Result != "ok" || audit.Items[1].Result != jobflow.EINVALID ||
		audit.Items[0].ObjectName != "versioned" || audit.Items[0].Summary != `fields: note="rollback to 1"` {
		t.Fatalf("publish audit rows %+v", audit.Items)
	}
	e.ok(e.as("GET", "/api/v1/audit-logs?action=run.start&objectId="+run.ID, nil), 200, &audit)
	if audit.Total != 1 || audit.Items[0].Version != 1 || audit.Items[0].TenantID != e.tenantID {
		t.Fatalf("run.start audit rows %+v", audit.Items)
	}
	var d struct {
		Identical bool `json:"identical"`
	}
	e.ok(e.as("GET", base+"/versions/diff?from=1&to=3", nil), 200, &d)
	if !d.Identical {
		t.Fatal("version 3 (the rollback) differs from version 1")
	}
}

// TestAudit_EngineActions: invoke (a public call), abort and rerun are in
// the audit log with their tenant and run; an invoke with a bad token is
// not (anyone could flood the log with those), and the invoke token text
// never reaches it.
func TestAudit_EngineActions(t *testing.T) {
	testtier.Parallel(t)
	e := newRunEnv(t)
	w := e.flow("audited-invoke", invokeConfig, "sleep 30")
	e.publish(w.ID)
	tok := e.token(w.ID)
	var got struct {
		RunID string `json:"runId"`
	}
	e.ok(e.invoke(map[string]any{"workflowId": w.ID, "token": tok.Token, "params": map[string]string{}}), 200, &got)
	e.fail(e.invoke(map[string]any{"workflowId": w.ID, "token": "not-a-token"}), 401, jobflow.EUNAUTHORIZED)
	e.ok(e.as("POST", "/api/v1/runs/"+got.RunID+"/abort", nil), 202, nil)
	e.waitRun(got.RunID, 60*time.Second)
	e.ok(e.as("POST", "/api/v1/runs/"+got.RunID+"/rerun", map[string]any{"mode": "ALL"}), 202, nil)

	var audit jobflow.List[jobflow.AuditEntry]
	r := e.as("GET", "/api/v1/audit-logs?pageSize=100", nil)
	e.ok(r, 200, &audit)
	if strings.Contains(string(r.body), tok.Token) {
		t.Fatalf("the invoke token is in the audit log: %s", r.body)
	}
	count := map[string]int{}
	for _, it := range audit.Items {
		count[it.Action+"/"+it.Result]++
		if it.Action == "run.invoke" && (it.ObjectID != got.RunID || it.TenantID != e.tenantID || it.UserID != "") {
			t.Fatalf("invoke row %+v", it)
		}
		if (it.Action == "run.abort" || it.Action == "run.rerun") && it.TenantID != e.tenantID {
			t.Fatalf("row %+v", it)
		}
	}
	if count["run.invoke/ok"] != 1 || count["run.invoke/UNAUTHORIZED"] != 0 || count["run.abort/ok"] != 1 || count["run.rerun/ok"] != 1 ||
		count["invoke_token.create/ok"] != 1 || count["workflow.publish/ok"] != 1 {
		t.Fatalf("audit rows by action: %v", count)
	}
}
