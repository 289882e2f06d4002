package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Mark success (docs/run-semantics.md#mark-success), DolphinScheduler's
// Forced Success and Airflow's mark success: a user marks a FAIL or
// UPSTREAM_FAILED node of a running run FORCED_SUCCESS (who and why kept
// in its error field), trigger rules count it as succeeded, and what hangs
// below it and was settled UPSTREAM_FAILED because of it is decided again.
// Runs never marked take none of these paths, so the recorded histories
// replay unchanged. A finished run is marked through a FAILED-mode rerun
// whose plan carries the node FORCED_SUCCESS (graph.go, engine).

// validateMarkSuccess admits a mark of a FAIL or UPSTREAM_FAILED node of a
// run that is still going on and not ending (FailureStrategy END).
func (r *runner) validateMarkSuccess(_ workflow.Context, req MarkSuccessRequest) error {
	i, err := r.liveNode(req.JobID, "MarkSuccessRejected")
	if err != nil {
		return err
	}
	if st := r.nodes[i].Status; st != jobflow.NodeFail && st != jobflow.NodeUpstreamFailed {
		return temporal.NewApplicationError("job "+req.JobID+" is "+string(st)+": only a FAIL or UPSTREAM_FAILED node can be marked succeeded", "MarkSuccessRejected")
	}
	return nil
}

// markSuccess forces the node's success and decides its descendants again.
func (r *runner) markSuccess(ctx workflow.Context, req MarkSuccessRequest) error {
	if err := r.validateMarkSuccess(ctx, req); err != nil {
		return err
	}
	i := r.g.index[req.JobID]
	n := &r.nodes[i]
	n.Status, n.Error = jobflow.NodeForcedSuccess, ForcedSuccessNote(req.By, req.Reason)
	r.ours[i] = true
	r.newlyDecided = append(r.newlyDecided, i)
	// Descendants FlowRun settled UPSTREAM_FAILED wait again; decide
	// settles again those that another failed parent still blocks.
	for _, d := range r.g.descendants(i) {
		if dn := &r.nodes[d]; dn.Status == jobflow.NodeUpstreamFailed && r.ours[d] {
			dn.Status, dn.Error, dn.EndedAt = jobflow.NodePending, "", nil
			r.cause[d], r.queued[d] = -1, false
		}
	}
	r.propagate(i)
	r.firstError = ""
	for k := range r.nodes {
		if r.nodes[k].Status == jobflow.NodeFail && !r.g.allowFail[k] {
			r.firstError = r.failureText(k)
			break
		}
	}
	r.wake.SendAsync(true)
	return nil
}

// ForcedSuccessNote is what a FORCED_SUCCESS node's error field says.
func ForcedSuccessNote(by, reason string) string {
	return clip("marked succeeded by " + by + ": " + reason)
}
