package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
)

// CONDITION jobs (docs/run-semantics.md#condition-jobs) are decided here, in workflow code: their
// expressions are pure functions of the run's params, the tenant's plain
// variables (loaded by a local activity, so they are in the history) and
// the ancestors' outputs in FlowRun's state. The first case that is true
// chooses its children; no true case chooses the default; every other
// child is NOT_SELECTED. The choice is the node's outputs `branch` (the
// case's index, or "default") and `selected` (a JSON array of job ids), so
// a FAILED rerun, where the CONDITION is SKIPPED, makes the same choice.

// LoadVariablesActivity returns the tenant's plain variables of the given
// names (never a secret's value). A local activity of the workflow worker.
const LoadVariablesActivity = "LoadVariables"

// LoadVariablesInput is the input of LoadVariablesActivity.
type LoadVariablesInput struct {
	TenantID string   `json:"tenantId"`
	Names    []string `json:"names"`
}

// Output keys of a CONDITION node.
const (
	OutputBranch   = "branch"
	OutputSelected = "selected"
)

// startCondition decides CONDITION node i, at once or after loading the
// variables its expressions name.
func (r *runner) startCondition(ctx workflow.Context, i int, job *jobflow.Job) {
	var cfg jobtypes.ConditionConfig
	if err := json.Unmarshal(job.Config, &cfg); err != nil {
		r.fail(i, "config of CONDITION job: "+err.Error(), true)
		return
	}
	now := workflow.Now(ctx)
	n := &r.nodes[i]
	n.Status, n.Attempt, n.StartedAt, n.EndedAt = jobflow.NodeRunning, n.Attempt+1, &now, nil
	r.ours[i] = true
	names := cfg.Members("global")
	if len(names) == 0 {
		r.decideCondition(ctx, i, cfg, nil)
		return
	}
	lctx := workflow.WithLocalActivityOptions(r.jobsCtx, recordOptions())
	f := workflow.ExecuteLocalActivity(lctx, LoadVariablesActivity, LoadVariablesInput{TenantID: r.in.Snapshot.TenantID, Names: names})
	r.running++ // it holds a slot for the moment it takes
	r.sel.AddFuture(f, func(f workflow.Future) {
		r.running--
		r.finishedHere++
		var globals map[string]string
		if err := f.Get(ctx, &globals); err != nil {
			if r.cancelled || r.ending {
				r.nodes[i].Status, r.nodes[i].Error = jobflow.NodeAborted, "aborted"
				return
			}
			r.fail(i, "cannot load the tenant's variables: "+err.Error(), true)
			return
		}
		r.decideCondition(ctx, i, cfg, globals)
	})
}

// conditionBudgetVersion gates the bounded evaluation of CONDITION
// expressions (jobflow.CompileCondition: size, node, depth and range limits,
// a step, memory and string/list budget). Histories that decided a
// CONDITION before it replay with the unbounded evaluation they were
// recorded with; a workflow task that never completed (a run that ran out
// of memory on an expression) has no marker and gets the budget.
const conditionBudgetVersion = "condition-budget"

// decideCondition evaluates the cases in order and ends node i.
func (r *runner) decideCondition(ctx workflow.Context, i int, cfg jobtypes.ConditionConfig, globals map[string]string) {
	outputs := map[string]map[string]string{}
	for _, u := range r.upstream(i) {
		outputs[u.Name] = u.Outputs
	}
	bounded := workflow.GetVersion(ctx, conditionBudgetVersion, workflow.DefaultVersion, 1) >= 1
	chosen, branch := cfg.Default, "default"
	for k, cs := range cfg.Cases {
		ok, err := evalCase(bounded, cs.When, r.in.Params, globals, outputs)
		if err == nil && ok {
			chosen, branch = cs.To, strconv.Itoa(k)
			break
		}
		if err != nil {
			r.fail(i, fmt.Sprintf("case %d (%s): %v", k, cs.When, err), true)
			return
		}
	}
	sel, _ := json.Marshal(chosenChildren(chosen))
	r.deselect(i, chosen)
	r.newlyDecided = append(r.newlyDecided, i)
	r.succeed(i, RunJobResult{Outputs: map[string]string{OutputBranch: branch, OutputSelected: string(sel)}})
}

// evalCase compiles and evaluates one case's expression, within the
// budgets when bounded.
func evalCase(bounded bool, when string, params, globals map[string]string, outputs map[string]map[string]string) (bool, error) {
	if !bounded {
		p, err := jobflow.CompileConditionV0(when)
		if err != nil {
			return false, err
		}
		return jobflow.EvalConditionV0(p, params, globals, outputs)
	}
	c, err := jobflow.CompileCondition(when)
	if err != nil {
		return false, err
	}
	return c.Eval(params, globals, outputs)
}

// deselect marks the children of CONDITION node i that are not in chosen.
func (r *runner) deselect(i int, chosen []string) {
	for _, c := range r.g.children[i] {
		if !slices.Contains(chosen, r.g.ids[c]) {
			r.deselected[c] = i
		}
	}
}

func chosenChildren(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// reapplyConditions: in a FAILED rerun a CONDITION that succeeded is
// SKIPPED, and its children must be chosen as they were. Its prior choice
// is in its outputs (copied by initOutputs). FROM_NODE and NODE reruns cut
// the DAG instead: the chosen node runs whatever was decided before.
func (r *runner) reapplyConditions(plan *RerunPlan) {
	if plan == nil || plan.Mode != jobflow.RerunFailed {
		return
	}
	for i, j := range r.g.jobs {
		if j == nil || j.Type != jobflow.JobCondition || r.nodes[i].Status != jobflow.NodeSkipped {
			continue
		}
		var chosen []string
		if json.Unmarshal([]byte(r.nodes[i].Outputs[OutputSelected]), &chosen) == nil {
			r.deselect(i, chosen)
		}
	}
}
