package workflows

import (
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/vars"
)

// Outputs between jobs (docs/run-semantics.md#data-between-jobs). A job's outputs come back in its
// RunJobResult and stay on its node in FlowRun's state; a node that starts
// gets the outputs of the ancestors its config names (and no others, so an
// activity's input stays small). Outputs cross continue-as-new in Carry
// (only those that a node still to run names), and a rerun copies the
// outputs of the run it reruns into its SKIPPED nodes.
//
// Histories recorded before outputs existed replay without them: the
// "outputs" version gates every use.

const outputsVersion = "outputs"

// initOutputs decides whether this execution passes outputs, and parses
// which nodes each node's config names. Call once, in newRunner.
//
// A run that can have no outputs to pass (no job names another's outputs,
// no control job, not a rerun) asks no version: the "outputs" marker and
// the TemporalChangeVersion upsert that come with it are two history events
// and one visibility write per run that change nothing there. Leaving out a
// GetVersion is replay-safe in the Go SDK: a history that has the marker
// (recorded before) replays without the call, version markers and their
// upserts are skipped when commands are matched against events.
func (r *runner) initOutputs(ctx workflow.Context, plan *RerunPlan) {
	byName := make(map[string]int, len(r.g.ids))
	for i, j := range r.g.jobs {
		if j != nil {
			byName[j.Name] = i
		}
	}
	isJob := func(n string) bool { _, ok := byName[n]; return ok }
	r.refs = make([][]int, len(r.g.ids))
	needed := plan != nil
	for i, j := range r.g.jobs {
		if j == nil {
			continue
		}
		if jobflow.IsControl(j.Type) {
			needed = true // FlowRun's own jobs may read or give outputs
		}
		refs, err := j.OutputRefs(isJob)
		if err != nil {
			needed = true
			continue // the activity reports the malformed reference
		}
		seen := map[int]bool{}
		for _, ref := range refs {
			k, ok := byName[ref.Job]
			if ref.ByID {
				k, ok = r.g.index[ref.Job]
			}
			if ok && k != i && !seen[k] {
				seen[k] = true
				r.refs[i] = append(r.refs[i], k)
				needed = true
			}
		}
	}
	if !needed {
		r.refs = nil
		return
	}
	r.outputsOn = workflow.GetVersion(ctx, outputsVersion, workflow.DefaultVersion, 1) >= 1
	if !r.outputsOn {
		r.refs = nil
		return
	}
	if plan == nil {
		return
	}
	for _, p := range plan.Prior {
		if i, ok := r.g.index[p.JobID]; ok && len(p.Outputs) > 0 && r.nodes[i].Status == jobflow.NodeSkipped {
			r.nodes[i].Outputs = p.Outputs
		}
	}
}

// upstream is what node i's activity gets: the outputs of the nodes its
// config names that ended SUCCESS or SKIPPED, in the order named.
func (r *runner) upstream(i int) []vars.Upstream {
	if !r.outputsOn || r.refs == nil {
		return nil
	}
	var out []vars.Upstream
	for _, k := range r.refs[i] {
		if !r.nodes[k].Status.Satisfied() {
			continue
		}
		name := r.g.ids[k]
		if j := r.g.jobs[k]; j != nil {
			name = j.Name
		}
		o := r.nodes[k].Outputs
		if o == nil {
			o = map[string]string{}
		}
		out = append(out, vars.Upstream{ID: r.g.ids[k], Name: name, Outputs: o})
	}
	return out
}

// carriedOutputs drops, in the carry of a continue-as-new, the outputs no
// node still to run names: they are in the store, and the next execution's
// input must stay below Temporal's payload limit.
func (r *runner) carriedOutputs(carry []jobflow.NodeRun) {
	if !r.outputsOn || r.refs == nil {
		return
	}
	needed := make([]bool, len(carry))
	for i := range carry {
		if !carry[i].Status.Done() {
			for _, k := range r.refs[i] {
				needed[k] = true
			}
		}
	}
	for i := range carry {
		if !needed[i] {
			carry[i].Outputs = nil
		}
	}
}

// withoutOutputs copies nodes without their outputs, for the nodes query
// and the run's result (the store has them).
func withoutOutputs(nodes []jobflow.NodeRun) []jobflow.NodeRun {
	out := make([]jobflow.NodeRun, len(nodes))
	copy(out, nodes)
	for i := range out {
		out[i].Outputs = nil
	}
	return out
}
