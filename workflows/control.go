package workflows

import (
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// startControl starts node i when its job is of a type FlowRun runs itself
// (CONDITION, SUBFLOW, DEPENDENT), and reports whether it did. Each type's
// code lives in its own file; it ends the node with r.succeed or r.fail.
func (r *runner) startControl(ctx workflow.Context, i int, job *jobflow.Job) bool {
	switch job.Type {
	case jobflow.JobCondition:
		r.startCondition(ctx, i, job)
		return true
	case jobflow.JobDependent:
		r.startDependent(ctx, i, job)
		return true
	case jobflow.JobSubflow:
		r.startSubflow(ctx, i, job)
		return true
	}
	return false
}
