package engine_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// Through the REST API on a real Temporal server: an APPROVAL node waits
// WAITING; a MEMBER the approvers do not name gets 403 and changes
// nothing; a named user approves and the run goes on; a rejection fails
// the node with who and why; both are audited; a bad config is a 400
// (docs/run-semantics.md#approval-jobs).
func TestEngine_Approval(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	var bob, carol jobflow.User
	e.API.Must("POST", "/api/v1/users", map[string]any{"account": "bob", "password": "password-bob"}, 201, &bob)
	e.API.Must("POST", "/api/v1/users", map[string]any{"account": "carol", "password": "password-carol"}, 201, &carol)
	for _, u := range []string{bob.ID, carol.ID} {
		e.API.Must("POST", "/api/v1/tenants/"+e.tenant+"/members", map[string]any{"userId": u, "role": "MEMBER"}, 200, nil)
	}
	asBob := testrig.Login(t, e.Server.URL, "bob", "password-bob")
	asCarol := testrig.Login(t, e.Server.URL, "carol", "password-carol")

	gate := jobSpec{Name: "gate", Type: "APPROVAL", Config: map[string]any{
		"approvers": map[string]any{"roles": []string{"TENANT_ADMIN"}, "users": []string{bob.ID}}, "message": "load tonight?"}}
	var probe jobflow.Workflow
	e.API.Must("POST", "/api/v1/workflows", map[string]string{"name": "bad-gate"}, 201, &probe)
	e.API.Fail("POST", "/api/v1/workflows/"+probe.ID+"/jobs", jobSpec{Name: "g", Type: "APPROVAL", Config: map[string]any{"approvers": map[string]any{}}}, 400)
	e.API.Fail("POST", "/api/v1/workflows/"+probe.ID+"/jobs", jobSpec{Name: "g", Type: "APPROVAL", Config: map[string]any{"approvers": map[string]any{"roles": []string{"OWNER"}}}}, 400)

	wfID, ids := e.workflow("gated", []jobSpec{gate, shell("after", "echo loaded")}, nil)
	start := func() string {
		var started struct{ RunID string }
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &started)
		e.eventually(30*time.Second, "the gate waiting", func() bool {
			return nodeStatus(e.run(started.RunID), ids["gate"]) == jobflow.NodeWaiting
		})
		return started.RunID
	}
	path := func(run, verb string) string { return "/api/v1/runs/" + run + "/nodes/" + ids["gate"] + "/" + verb }

	run1 := start()
	var mine struct {
		Items []jobflow.PendingApproval `json:"items"`
	}
	asBob.Must("GET", "/api/v1/approvals", nil, 200, &mine)
	if len(mine.Items) != 1 || mine.Items[0].RunID != run1 || mine.Items[0].Message != "load tonight?" || mine.Items[0].Deadline.Sub(mine.Items[0].Since) != 24*time.Hour {
		t.Fatalf("bob's approvals: %+v", mine.Items)
	}
	asCarol.Must("GET", "/api/v1/approvals", nil, 200, &mine)
	if len(mine.Items) != 0 {
		t.Fatalf("carol, no approver, sees %+v", mine.Items)
	}
	if f := asCarol.Fail("POST", path(run1, "approve"), map[string]string{"comment": "sure"}, 403); f.Code != jobflow.EFORBIDDEN {
		t.Fatalf("carol: %+v", f)
	}
	e.API.Fail("POST", "/api/v1/runs/"+run1+"/nodes/"+ids["after"]+"/approve", nil, 409) // not an APPROVAL job
	time.Sleep(500 * time.Millisecond)
	if st := nodeStatus(e.run(run1), ids["gate"]); st != jobflow.NodeWaiting {
		t.Fatalf("after carol's 403 the gate is %s", st)
	}
	var res struct{ Decision string }
	asBob.Must("POST", path(run1, "approve"), map[string]string{"comment": "go"}, 200, &res)
	r := e.waitFinished(run1)
	g := node(r, ids["gate"])
	var result struct{ Decision, By, Comment string }
	_ = json.Unmarshal(g.Result, &result)
	if res.Decision != "APPROVED" || r.Status != jobflow.RunSuccess || g.Status != jobflow.NodeSuccess || result.By != "bob" || result.Comment != "go" {
		t.Fatalf("approved run %s, gate %s %s", r.Status, g.Status, g.Result)
	}
	asBob.Fail("POST", path(run1, "approve"), nil, 409) // decided already: the run has ended

	run2 := start()
	e.API.Must("POST", path(run2, "reject"), map[string]string{"comment": "source not ready"}, 200, &res)
	r = e.waitFinished(run2)
	if g := node(r, ids["gate"]); r.Status != jobflow.RunFail || g.Status != jobflow.NodeFail || !strings.HasPrefix(g.Error, "rejected by ") || !strings.HasSuffix(g.Error, ": source not ready") {
		t.Fatalf("rejected run %s, gate %s %q", r.Status, g.Status, g.Error)
	}
	if nodeStatus(r, ids["after"]) == jobflow.NodeSuccess {
		t.Fatal("after ran past a rejection")
	}
	for action, run := range map[string]string{"run.approve": run1, "run.reject": run2} {
		var log struct {
			Items []jobflow.AuditEntry `json:"items"`
		}
		e.API.Must("GET", "/api/v1/audit-logs?action="+action+"&objectId="+run, nil, 200, &log)
		ok := 0
		for _, it := range log.Items {
			if it.Result == jobflow.AuditOK && strings.Contains(it.Summary, "comment=") {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("%s of %s: %d successes with the comment in %+v", action, run, ok, log.Items)
		}
	}
}

func nodeStatus(r *jobflow.Run, jobID string) jobflow.NodeStatus {
	if n := node(r, jobID); n != nil {
		return n.Status
	}
	return ""
}

func node(r *jobflow.Run, jobID string) *jobflow.NodeRun {
	for _, n := range r.Nodes {
		if n.JobID == jobID {
			return n
		}
	}
	return nil
}
