package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestFlowRun_Replay replays FlowRun histories recorded on a real Temporal
// server (success, CONTINUE failure, END, abort, break, discrete wait,
// rerun, continue-as-new, outputs, trigger rules, CONDITION (and one over
// its budget, condition-budget.json), DEPENDENT,
// SUBFLOW, FOREACH (and its ForEach child, foreach-ForEach.json), a baseline's watch (baseline-watch*.json), a DRY_RUN calendar's off day and a dropped schedule fire), so a change to FlowRun that breaks determinism
// fails here. Record them again after an intended, versioned change:
//
//	go run ./bench/flowbench -record-histories workflows/testdata/histories
//
// success-diamond-outputs-marker.json is not re-recorded by that command:
// it was recorded when every run asked the "outputs" version, and checks
// that such histories replay now that runs without outputs do not ask.
func TestFlowRun_Replay(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("found %d recorded histories in testdata/histories, want at least 8", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(FlowRun, workflow.RegisterOptions{Name: FlowRunName})
			r.RegisterWorkflowWithOptions(ForEach, workflow.RegisterOptions{Name: ForEachName})
			r.RegisterWorkflowWithOptions(Baseline, workflow.RegisterOptions{Name: BaselineName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
