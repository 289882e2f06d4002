package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// validateBreak admits a break of a PENDING or WAITING node of a running
// run. Its message reaches the API user (409), so it says what is wrong.
func (r *runner) validateBreak(_ workflow.Context, req BreakRequest) error {
	if r.closed || r.cancelled || r.ending {
		return temporal.NewApplicationError("the run is no longer running", "BreakRejected")
	}
	i, ok := r.g.index[req.JobID]
	if !ok {
		return temporal.NewApplicationError("job "+req.JobID+" is not a node of this run", "BreakRejected")
	}
	if st := r.nodes[i].Status; st != jobflow.NodePending && st != jobflow.NodeWaiting {
		return temporal.NewApplicationError("job "+req.JobID+" is "+string(st)+": only a PENDING or WAITING node can be broken", "BreakRejected")
	}
	return nil
}

// breakNode holds the node and every descendant that has not started: they
// become BREAK and a WAITING node's cron timer is cancelled.
func (r *runner) breakNode(ctx workflow.Context, req BreakRequest) error {
	if err := r.validateBreak(ctx, req); err != nil {
		return err // the validator runs again here on replay of old histories; be safe
	}
	i := r.g.index[req.JobID]
	r.settle(i, jobflow.NodeBreak)
	for _, d := range r.g.descendants(i) {
		r.settle(d, jobflow.NodeBreak) // only those that have not started
	}
	r.wake.SendAsync(true)
	return nil
}
