package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"jobflow"
)

// A Temporal Schedule starts FlowRun with a fixed input: the run id is then
// the execution's workflow id and the logical time the scheduled time.
func TestFlowRun_ScheduledDefaults(t *testing.T) {
	s := newStub()
	env := newEnv(t, s)
	fire := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	env.SetStartTime(fire.Add(3 * time.Second)) // started a little late
	if err := env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(
		temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime").ValueSet(fire),
	)); err != nil {
		t.Fatal(err)
	}
	in := input(snapshot("a", ""))
	in.RunID, in.LogicalTime, in.Trigger = "", time.Time{}, ""
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	row := s.lastRecord(t).Run
	if row.ID != "default-test-workflow-id" || row.ID != row.TemporalWorkflowID {
		t.Errorf("run id %q, Temporal workflow id %q: want the workflow id", row.ID, row.TemporalWorkflowID)
	}
	if !row.LogicalTime.Equal(fire) || row.Trigger != jobflow.TriggerSchedule {
		t.Errorf("logical time %v, trigger %s: want the scheduled time %v and SCHEDULE", row.LogicalTime, row.Trigger, fire)
	}
	if n := node(t, res.Nodes, "a"); n.RunID != row.ID {
		t.Errorf("node run id %q, want %q", n.RunID, row.ID)
	}
}
