package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register registers FlowRun with a worker. The activities it calls are
// registered by package activities.
func Register(w worker.Registry) {
	w.RegisterWorkflowWithOptions(FlowRun, workflow.RegisterOptions{Name: FlowRunName})
}
