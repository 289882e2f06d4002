package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// A rule naming APPROVAL_WAITING gets one SendAlarm per channel when the
// gate starts waiting, asking for the gate until its deadline; channels
// that fail do not hold the run, which the approver then decides.
func TestFlowRun_ApprovalAlarmAsks(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	var mu sync.Mutex
	var asks []SendAlarmInput
	env.RegisterWorkflowWithOptions(FlowRunAlarms, workflow.RegisterOptions{Name: FlowRunAlarmsName})
	env.RegisterActivityWithOptions(func(_ context.Context, in SendAlarmInput) error {
		mu.Lock()
		defer mu.Unlock()
		if in.Event == jobflow.EventApprovalWaiting {
			asks = append(asks, in)
			if in.ChannelID == "down" {
				return temporal.NewNonRetryableApplicationError("channel down", "AlarmFailed", nil)
			}
		}
		return nil
	}, activity.RegisterOptions{Name: SendAlarmActivity})
	in := approvalFlow("REJECT", 600)
	in.Snapshot.Config.Alarms = []jobflow.AlarmRule{
		{Events: []jobflow.AlarmEvent{jobflow.EventApprovalWaiting}, ChannelIDs: []string{"ops", "down"}},
		{Events: []jobflow.AlarmEvent{jobflow.EventRunFail}, ChannelIDs: []string{"other"}},
	}
	var ok string
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateApprove, "u1", &updateCallbacks{complete: &ok}, ApprovalDecision{JobID: "gate", Approve: true, By: "us_1"})
	}, time.Minute)
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess || ok != "ok" {
		t.Fatalf("status %s, err %v, decision %q", res.Status, err, ok)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asks) != 2 || asks[0].ChannelID == asks[1].ChannelID {
		t.Fatalf("asks %+v, want one per channel of the APPROVAL_WAITING rule", asks)
	}
	for _, a := range asks {
		gate := node(t, res.Nodes, "gate")
		if a.Approval == nil || a.Approval.JobID != "gate" || a.Approval.JobName != "job gate" || a.Run.ID != "run1" ||
			!a.Approval.Deadline.Equal(gate.StartedAt.Add(600*time.Second)) {
			t.Errorf("ask %+v (approval %+v), gate started %v", a, a.Approval, gate.StartedAt)
		}
	}
}
