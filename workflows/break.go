package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// validateBreak admits a break of a PENDING or WAITING node of a running
// run. Its message reaches the API user (409), so it says what is wrong.
func (r *runner) validateBreak(_ workflow.Context, req BreakRequest) error {
	i, err := r.liveNode(req.JobID, "BreakRejected")
	if err != nil {
		return err
	}
	if st := r.nodes[i].Status; st != jobflow.NodePending && st != jobflow.NodeWaiting {
		return temporal.NewApplicationError("job "+req.JobID+" is "+string(st)+": only a PENDING or WAITING node can be broken", "BreakRejected")
	}
	return nil
}

// liveNode is the index of node jobID of a run still going on (not
// closed, aborted or ending), for the validators of the node updates; a
// rejection has type errType.
func (r *runner) liveNode(jobID, errType string) (int, error) {
	if r.closed || r.cancelled || r.ending {
		return 0, temporal.NewApplicationError("the run is no longer running", errType)
	}
	if r.queuedNow {
		return 0, temporal.NewApplicationError(msgQueued, errType)
	}
	i, ok := r.g.index[jobID]
	if !ok {
		return 0, temporal.NewApplicationError("job "+jobID+" is not a node of this run", errType)
	}
	return i, nil
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
