package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register registers FlowRun, FlowRunAlarms, ForEach and Backfill with a worker. The
// activities they call are registered by package activities.
func Register(w worker.Registry) {
	w.RegisterWorkflowWithOptions(FlowRun, workflow.RegisterOptions{Name: FlowRunName})
	w.RegisterWorkflowWithOptions(FlowRunAlarms, workflow.RegisterOptions{Name: FlowRunAlarmsName})
	w.RegisterWorkflowWithOptions(ForEach, workflow.RegisterOptions{Name: ForEachName})
	w.RegisterWorkflowWithOptions(Backfill, workflow.RegisterOptions{Name: BackfillName})
	w.RegisterWorkflowWithOptions(Baseline, workflow.RegisterOptions{Name: BaselineName})
}
