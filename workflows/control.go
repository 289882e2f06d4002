package workflows

import (
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// controlStarters are FlowRun's side of the CONTROL job types (package
// jobtypes declares their kind): each starts node i and ends it with
// r.succeed or r.fail. Each type's code lives in its own file.
var controlStarters = map[jobflow.JobType]func(r *runner, ctx workflow.Context, i int, job *jobflow.Job){
	jobflow.JobCondition: (*runner).startCondition,
	jobflow.JobDependent: (*runner).startDependent,
	jobflow.JobSubflow:   (*runner).startSubflow,
	jobflow.JobApproval:  (*runner).startApproval,
	jobflow.JobForEach:   (*runner).startForEach,
}

// startControl starts node i when its job is of a type FlowRun runs itself,
// and reports whether it did.
func (r *runner) startControl(ctx workflow.Context, i int, job *jobflow.Job) bool {
	start, ok := controlStarters[job.Type]
	if !ok {
		return false
	}
	start(r, ctx, i, job)
	return true
}
