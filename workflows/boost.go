package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SignalBoost raises the Temporal task-queue priority of jobs of a run
// that have not started yet: Boost. A baseline in WARNING sends it for the
// jobs on its key path (docs/baselines.md#priority).
const SignalBoost = "boost"

// Boost names the jobs to raise and the priority key they take (1 first,
// as jobflow.Job.Priority); a job whose own priority is higher keeps it.
type Boost struct {
	JobIDs      []string `json:"jobIds"`
	PriorityKey int      `json:"priorityKey"`
}

// boostVersion marks runs that took a boost: their activities of boosted
// jobs carry the raised priority.
const boostVersion = "baseline-boost"

// boostSignals adds the boost signal to the loop's selector.
func (r *runner) boostSignals(ctx workflow.Context) {
	r.sel.AddReceive(workflow.GetSignalChannel(ctx, SignalBoost), func(c workflow.ReceiveChannel, _ bool) {
		var b Boost
		c.Receive(ctx, &b)
		if b.PriorityKey < 1 || workflow.GetVersion(ctx, boostVersion, workflow.DefaultVersion, 1) != 1 {
			return
		}
		if r.boost == nil {
			r.boost = make([]int, len(r.nodes))
		}
		for _, id := range b.JobIDs {
			if i, ok := r.g.index[id]; ok && (r.boost[i] == 0 || b.PriorityKey < r.boost[i]) {
				r.boost[i] = b.PriorityKey
			}
		}
	})
}

// boosted raises opts' priority for node i when a boost named it.
func (r *runner) boosted(i int, p temporal.Priority) temporal.Priority {
	if i < len(r.boost) && r.boost[i] > 0 && (p.PriorityKey == 0 || r.boost[i] < p.PriorityKey) {
		p.PriorityKey = r.boost[i]
	}
	return p
}
