package workflows

import (
	"jobflow"
)

// graph is the snapshot's DAG indexed by canvas position. Workflow code
// walks its slices, never a map, so every execution and replay visits nodes
// in the same order.
type graph struct {
	ids       []string       // job id per node, canvas order
	jobs      []*jobflow.Job // nil when the snapshot lacks the job
	parents   [][]int
	children  [][]int
	rules     []jobflow.TriggerRule // per node; "" is ALL_SUCCESS
	allowFail []bool                // per node: a FAIL does not fail the run
	disabled  []bool                // per node: never executed (DISABLED)
	index     map[string]int        // lookups only, never ranged over
}

func newGraph(s *jobflow.Snapshot) *graph {
	n := len(s.Canvas.Nodes)
	g := &graph{
		ids:       make([]string, n),
		jobs:      make([]*jobflow.Job, n),
		parents:   make([][]int, n),
		children:  make([][]int, n),
		rules:     make([]jobflow.TriggerRule, n),
		allowFail: make([]bool, n),
		disabled:  make([]bool, n),
		index:     make(map[string]int, n),
	}
	jobIndex := make(map[string]int, len(s.Jobs))
	for i := range s.Jobs {
		jobIndex[s.Jobs[i].ID] = i
	}
	for i, cn := range s.Canvas.Nodes {
		g.ids[i] = cn.JobID
		g.index[cn.JobID] = i
		g.rules[i], g.allowFail[i], g.disabled[i] = cn.Trigger, cn.AllowFailure, cn.Disabled
		if j, ok := jobIndex[cn.JobID]; ok {
			g.jobs[i] = &s.Jobs[j]
		}
	}
	for _, e := range s.Canvas.Edges {
		from, ok1 := g.index[e.From]
		to, ok2 := g.index[e.To]
		if !ok1 || !ok2 || from == to {
			continue // the canvas was validated on save; ignore what cannot be an edge
		}
		g.parents[to] = append(g.parents[to], from)
		g.children[from] = append(g.children[from], to)
	}
	return g
}

// descendants returns i's descendants (not i) in breadth-first order.
func (g *graph) descendants(i int) []int {
	seen := make([]bool, len(g.ids))
	seen[i] = true
	var out []int
	queue := []int{i}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, c := range g.children[cur] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// initialStatuses says which nodes of a new run run (PENDING) and which are
// carried over (SKIPPED), following the rerun plan:
//
//   - nil or ALL: every node runs.
//   - FAILED: nodes that were SUCCESS or SKIPPED are SKIPPED; the rest run.
//   - FROM_NODE: the node and its descendants run; every other node is
//     SKIPPED, whatever its prior status. As in DolphinScheduler's "start from
//     this node", the DAG is cut to the node's sub-graph: nodes outside it are
//     not executed and do not hold the sub-graph back, even if they failed
//     before (they show as SKIPPED: not executed in this run).
//   - NODE: only the node runs; every other node is SKIPPED.
//
// An unknown mode or node is an error message; the run then fails at once.
func initialStatuses(g *graph, plan *RerunPlan) ([]jobflow.NodeStatus, string) {
	st := make([]jobflow.NodeStatus, len(g.ids))
	for i := range st {
		st[i] = jobflow.NodePending
	}
	if plan == nil {
		return st, ""
	}
	switch plan.Mode {
	case "", jobflow.RerunAll:
		return st, ""
	case jobflow.RerunFailed:
		for _, p := range plan.Prior {
			// A DISABLED node is decided again: it is DISABLED again.
			if i, ok := g.index[p.JobID]; ok && p.Status.Satisfied() && p.Status != jobflow.NodeDisabled {
				st[i] = jobflow.NodeSkipped
			}
		}
		keepForced(g, plan, st)
		return st, ""
	case jobflow.RerunFromNode, jobflow.RerunNode:
		start, ok := g.index[plan.NodeID]
		if !ok {
			return nil, "rerun node " + plan.NodeID + " is not on the canvas"
		}
		for i := range st {
			st[i] = jobflow.NodeSkipped
		}
		st[start] = jobflow.NodePending
		if plan.Mode == jobflow.RerunFromNode {
			for _, d := range g.descendants(start) {
				st[d] = jobflow.NodePending
			}
		}
		keepForced(g, plan, st)
		return st, ""
	}
	return nil, "unknown rerun mode " + string(plan.Mode)
}

// keepForced keeps a FORCED_SUCCESS node of the prior run FORCED_SUCCESS
// where the rerun carries it over instead of SKIPPED, so every view of the
// rerun shows it as such (marksuccess.go). Only plans made since mark
// success existed hold the status.
func keepForced(g *graph, plan *RerunPlan, st []jobflow.NodeStatus) {
	for _, p := range plan.Prior {
		if i, ok := g.index[p.JobID]; ok && p.Status == jobflow.NodeForcedSuccess && st[i] == jobflow.NodeSkipped {
			st[i] = jobflow.NodeForcedSuccess
		}
	}
}
