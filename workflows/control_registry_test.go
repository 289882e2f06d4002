package workflows

import (
	"testing"

	"jobflow"
)

// TestControlStarters: FlowRun runs exactly the job types the registry
// declares CONTROL; any other type goes to a RunJob activity.
func TestControlStarters(t *testing.T) {
	control := 0
	for _, d := range jobflow.JobTypes() {
		_, has := controlStarters[d.Type()]
		if (d.Kind() == jobflow.KindControl) != has {
			t.Errorf("type %s: kind %s, FlowRun starter %v", d.Type(), d.Kind(), has)
		}
		if d.Kind() == jobflow.KindControl {
			control++
		}
	}
	if control != len(controlStarters) || control == 0 {
		t.Errorf("%d CONTROL types registered, %d starters", control, len(controlStarters))
	}
}
