package workflows

import (
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Trigger rules (docs/run-semantics.md#trigger-rules). When a node reaches a final state FlowRun
// decides each of its children that is still PENDING: start it, leave it
// waiting for more parents, or settle it UPSTREAM_FAILED or NOT_SELECTED
// when its rule can no longer be met — and a settled node's children are
// decided in turn, breadth-first. Parents count as:
//
//	succeeded: SUCCESS, SKIPPED       failed: FAIL, UPSTREAM_FAILED
//	not selected: NOT_SELECTED        (ABORTED and BREAK only ever come with
//	                                   an abort, END or a break, which settle
//	                                   the rest themselves)
//
// Whatever the rule, a node a CONDITION did not choose is NOT_SELECTED, and
// so is a node all of whose parents are NOT_SELECTED; a join counts a
// NOT_SELECTED parent as satisfied.
//
//	ALL_SUCCESS  every parent succeeded or was not selected; a failed parent: UPSTREAM_FAILED
//	ALL_DONE     every parent ended, whatever its state
//	ONE_SUCCESS  as soon as one parent succeeded; none did: UPSTREAM_FAILED (NOT_SELECTED if none failed)
//	ONE_FAILED   as soon as one parent failed; none did: NOT_SELECTED
//	NONE_FAILED  every parent ended and none failed; a failed parent: UPSTREAM_FAILED
//
// For canvases without rules or CONDITIONs this is exactly the rule FlowRun
// had before (start when every parent is SUCCESS or SKIPPED, a failure
// settles its descendants breadth-first), in the same order, so histories
// recorded before trigger rules replay unchanged.

// propagate decides the children of node i, which just reached a final
// state, and the children of every node that settles on the way.
func (r *runner) propagate(i int) {
	queue := []int{i}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, c := range r.g.children[cur] {
			if r.decide(c) {
				queue = append(queue, c)
			}
		}
	}
}

// decide applies node c's trigger rule to its parents' states. It reports
// whether c settled (and its own children must be decided).
func (r *runner) decide(c int) (settled bool) {
	if r.nodes[c].Status != jobflow.NodePending || r.queued[c] {
		return false
	}
	if r.deselected[c] >= 0 {
		return r.settleWith(c, jobflow.NodeNotSelected, "not chosen by CONDITION job "+r.nodeName(r.deselected[c]))
	}
	parents := r.g.parents[c]
	ok, failed, notSel, done := 0, 0, 0, 0
	firstFailed := -1
	for _, p := range parents {
		switch st := r.nodes[p].Status; {
		case st.Satisfied():
			ok++
		case st == jobflow.NodeFail || st == jobflow.NodeUpstreamFailed:
			failed++
			if firstFailed < 0 {
				firstFailed = p
			}
		case st == jobflow.NodeNotSelected:
			notSel++
		}
		if r.nodes[p].Status.Done() {
			done++
		}
	}
	all := done == len(parents)
	if len(parents) > 0 && notSel == len(parents) {
		return r.settleWith(c, jobflow.NodeNotSelected, "no upstream job was selected")
	}
	upstreamFailed := func() bool {
		r.cause[c] = firstFailed
		return r.settleWith(c, jobflow.NodeUpstreamFailed, "upstream job "+r.nodeName(r.failedCause(firstFailed))+" failed")
	}
	switch r.g.rules[c] {
	case jobflow.RuleAllDone:
		if all {
			return r.met(c)
		}
	case jobflow.RuleOneSuccess:
		switch {
		case ok > 0:
			return r.met(c)
		case all && failed > 0:
			return upstreamFailed()
		case all:
			return r.settleWith(c, jobflow.NodeNotSelected, "trigger ONE_SUCCESS: no upstream job succeeded")
		}
	case jobflow.RuleOneFailed:
		switch {
		case failed > 0:
			return r.met(c)
		case all:
			return r.settleWith(c, jobflow.NodeNotSelected, "trigger ONE_FAILED: no upstream job failed")
		}
	case jobflow.RuleNoneFailed:
		switch {
		case failed > 0:
			return upstreamFailed()
		case all:
			return r.met(c)
		}
	default: // ALL_SUCCESS
		switch {
		case failed > 0:
			return upstreamFailed()
		case ok+notSel == len(parents):
			return r.met(c)
		}
	}
	return false
}

// met handles PENDING node c whose trigger rule is met: it becomes ready,
// or DISABLED at once when it is disabled on the canvas. It reports
// whether c settled.
func (r *runner) met(c int) (settled bool) {
	if r.disabledOn && r.g.disabled[c] {
		return r.settleWith(c, jobflow.NodeDisabled, "disabled on the canvas")
	}
	r.enqueue(c)
	return false
}

// enqueue makes PENDING node c ready to start, once.
func (r *runner) enqueue(c int) {
	r.queued[c] = true
	r.ready = append(r.ready, c)
}

// settleWith settles PENDING node c with status st and says why.
func (r *runner) settleWith(c int, st jobflow.NodeStatus, why string) bool {
	r.settle(c, st)
	if r.nodes[c].Error == "" {
		r.nodes[c].Error = why
	}
	r.newlyDecided = append(r.newlyDecided, c)
	return true
}

// recordDecided writes the nodes FlowRun decided since the last record
// (UPSTREAM_FAILED, NOT_SELECTED, CONDITION outcomes) while the run goes
// on, so the run view shows a branch that will not run at once rather
// than at the run's end. Histories recorded before trigger rules replay
// without this record.
func (r *runner) recordDecided(ctx workflow.Context) {
	if len(r.newlyDecided) == 0 || r.running == 0 && r.timers == 0 && r.waits == 0 && len(r.ready) == 0 {
		return // nothing decided, or the run is about to end and its final record has them
	}
	nodes := make([]jobflow.NodeRun, 0, len(r.newlyDecided))
	for _, i := range r.newlyDecided {
		nodes = append(nodes, r.nodes[i])
	}
	r.newlyDecided = r.newlyDecided[:0]
	if workflow.GetVersion(ctx, "record-decided", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	r.record(ctx, r.liveStatus(), nodes)
}

// failedCause is the job whose FAIL made node p fail: p itself, or the
// cause of its UPSTREAM_FAILED.
func (r *runner) failedCause(p int) int {
	for r.nodes[p].Status == jobflow.NodeUpstreamFailed && r.cause[p] >= 0 {
		p = r.cause[p]
	}
	return p
}

// decideAll decides every PENDING node at the start of an execution, in
// canvas order: roots become ready, and nodes whose parents were carried
// (continue-as-new) or SKIPPED (rerun) in a final state are decided.
func (r *runner) decideAll() {
	for i := range r.nodes {
		if r.decide(i) {
			r.propagate(i)
		}
	}
}
