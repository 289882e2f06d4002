package workflows

import "jobflow"

// NewRerunPlan checks the mode and node and lists the prior node outcomes
// in canvas order.
func NewRerunPlan(snap *jobflow.Snapshot, prior *jobflow.Run, mode jobflow.RerunMode, nodeID string) (*RerunPlan, error) {
	switch mode {
	case "":
		mode = jobflow.RerunAll
	case jobflow.RerunAll, jobflow.RerunFailed:
	case jobflow.RerunFromNode, jobflow.RerunNode:
		if nodeID == "" {
			return nil, jobflow.Errorf(jobflow.EINVALID, "mode %s needs nodeId", mode).WithDetails(map[string]string{"field": "nodeId"})
		}
		if !snap.Canvas.Has(nodeID) {
			return nil, jobflow.Errorf(jobflow.EINVALID, "nodeId %q is not a node of this run", nodeID).WithDetails(map[string]string{"field": "nodeId"})
		}
	default:
		return nil, jobflow.Errorf(jobflow.EINVALID, "mode must be ALL, FAILED, FROM_NODE or NODE").WithDetails(map[string]string{"field": "mode"})
	}
	if mode == jobflow.RerunAll || mode == jobflow.RerunFailed {
		nodeID = ""
	}
	status := make(map[string]jobflow.NodeStatus, len(prior.Nodes))
	outputs := make(map[string]map[string]string, len(prior.Nodes))
	notes := map[string]string{}
	for _, n := range prior.Nodes {
		status[n.JobID] = n.Status
		if n.Status == jobflow.NodeForcedSuccess {
			notes[n.JobID] = n.Error
		}
		if n.Status.Satisfied() {
			outputs[n.JobID] = n.Outputs // copied into the rerun's SKIPPED node
		}
	}
	plan := &RerunPlan{Mode: mode, NodeID: nodeID}
	for _, n := range snap.Canvas.Nodes {
		st, ok := status[n.JobID]
		if !ok {
			st = jobflow.NodePending
		}
		plan.Prior = append(plan.Prior, PriorNode{JobID: n.JobID, Status: st, Outputs: outputs[n.JobID], Note: notes[n.JobID]})
	}
	return plan, nil
}
