package workflows

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobflow"
)

// approvalFlow is gate -> after, with c beside them; gate is an APPROVAL.
func approvalFlow(onTimeout string, timeoutSeconds int) FlowRunInput {
	in := input(snapshot("gate after c", "gate>after"))
	in.Snapshot.Jobs[0].Type = jobflow.JobApproval
	in.Snapshot.Jobs[0].Config = []byte(`{"approvers":{"roles":["TENANT_ADMIN"]},"onTimeout":"` + onTimeout + `","timeoutSeconds":` +
		strconv.Itoa(timeoutSeconds) + `}`)
	in.Snapshot.Config.MaxParallelism = 1
	return in
}

func approvalResult(t *testing.T, n jobflow.NodeRun) ApprovalResult {
	t.Helper()
	var r ApprovalResult
	if err := json.Unmarshal(n.Result, &r); err != nil {
		t.Fatalf("node %s result %s: %v", n.JobID, n.Result, err)
	}
	return r
}

// The gate waits WAITING without a slot (c runs beside it under
// maxParallelism 1); a decision on another node or by nobody is refused;
// approved, the gate succeeds with outputs decision and by, and after runs
// (docs/run-semantics.md#approval-jobs).
func TestFlowRun_ApprovalApproved(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	var wrongNode, noUser, ok string
	env.RegisterDelayedCallback(func() {
		wantStatuses(t, queryNodes(t, env), map[string]jobflow.NodeStatus{"gate": jobflow.NodeWaiting, "after": jobflow.NodePending, "c": jobflow.NodeSuccess})
		env.UpdateWorkflow(UpdateApprove, "u1", &updateCallbacks{reject: &wrongNode}, ApprovalDecision{JobID: "c", Approve: true, By: "us_1"})
		env.UpdateWorkflow(UpdateApprove, "u2", &updateCallbacks{reject: &noUser}, ApprovalDecision{JobID: "gate", Approve: true})
		env.UpdateWorkflow(UpdateApprove, "u3", &updateCallbacks{complete: &ok}, ApprovalDecision{JobID: "gate", Approve: true, By: "us_1", Comment: "looks right"})
	}, time.Hour)
	res, err := run(t, env, approvalFlow("REJECT", 0))
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if !strings.Contains(wrongNode, "not an APPROVAL job") || !strings.Contains(noUser, "needs its user") || ok != "ok" {
		t.Fatalf("decisions: other node %q, no user %q, approver %q", wrongNode, noUser, ok)
	}
	gate := node(t, res.Nodes, "gate")
	if r := approvalResult(t, gate); gate.Status != jobflow.NodeSuccess || r.Decision != DecisionApproved || r.By != "us_1" || r.Comment != "looks right" {
		t.Fatalf("gate %s %+v", gate.Status, r)
	}
	if s.callCount("after") != 1 {
		t.Fatal("after did not run once")
	}
}

// Rejected, the gate fails with who and why, and after never runs.
func TestFlowRun_ApprovalRejected(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateApprove, "u", &updateCallbacks{}, ApprovalDecision{JobID: "gate", By: "us_2", Comment: "not tonight"})
	}, time.Minute)
	res, _ := run(t, env, approvalFlow("REJECT", 0))
	gate := node(t, res.Nodes, "gate")
	if res.Status != jobflow.RunFail || gate.Status != jobflow.NodeFail || gate.Error != "rejected by us_2: not tonight" || s.callCount("after") != 0 {
		t.Fatalf("run %s, gate %s %q, after ran %d", res.Status, gate.Status, gate.Error, s.callCount("after"))
	}
	if r := approvalResult(t, gate); r.Decision != DecisionRejected || r.By != "us_2" {
		t.Fatalf("result %+v", r)
	}
}

// No decision: the timeout decides, by onTimeout.
func TestFlowRun_ApprovalTimeout(t *testing.T) {
	for _, c := range []struct {
		onTimeout string
		want      jobflow.RunStatus
	}{{"REJECT", jobflow.RunFail}, {"APPROVE", jobflow.RunSuccess}} {
		s := newStub()
		env := newEnv(t, s)
		res, _ := run(t, env, approvalFlow(c.onTimeout, 600))
		gate := node(t, res.Nodes, "gate")
		if r := approvalResult(t, gate); res.Status != c.want || r.By != "timeout" {
			t.Fatalf("onTimeout %s: run %s, gate %s %+v", c.onTimeout, res.Status, gate.Status, r)
		}
		if d := gate.EndedAt.Sub(*gate.StartedAt); d != 600*time.Second {
			t.Fatalf("onTimeout %s: decided after %v, want 10m", c.onTimeout, d)
		}
	}
}
