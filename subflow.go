package jobflow

import (
	"context"
	"strings"
)

// SUBFLOW jobs (docs/run-semantics.md#subflow-jobs) run another workflow of the tenant as a child run.
// This file checks their config and the call graph between workflows: no
// workflow may call itself, directly or through others, and calls nest at
// most MaxSubflowDepth deep. The graph is checked when a job is saved and
// when a workflow is published; FlowRun checks the chain of the live run
// again (an import or a restored version may have closed a loop since).

// MaxSubflowDepth is how deep SUBFLOW calls nest: a top-level run's child is
// at depth 1, and a run at this depth cannot start another child.
const MaxSubflowDepth = 5

// MaxSubflowParams bounds a SUBFLOW job's params, like a run's.
const MaxSubflowParams = MaxParams

// SubflowLookup is what the call-graph check reads of the store.
type SubflowLookup interface {
	FindWorkflowByID(ctx context.Context, tenantID, id string) (*Workflow, error)
	FindVersionByID(ctx context.Context, tenantID, id string) (*Version, error)
}

// CheckSubflows checks the SUBFLOW jobs of workflow w as they will be once
// saved (jobs: all of w's jobs, the one being saved in its new form): the
// targets of the jobs in check are workflows of the tenant, and the calls
// from w neither come back to a workflow already on the way (recursion)
// nor nest deeper than MaxSubflowDepth. A workflow's calls are those of
// all its draft jobs and of the jobs of its published version, since a
// SUBFLOW job may run either. Errors are INVALID, naming config.workflowId.
func CheckSubflows(ctx context.Context, look SubflowLookup, tenantID string, w *Workflow, jobs, check []*Job) error {
	for _, t := range subflowTargets(check, nil) {
		if _, err := look.FindWorkflowByID(ctx, tenantID, t); ErrorCode(err) == ENOTFOUND {
			return InvalidField("config.workflowId", "config.workflowId: no workflow %q in this tenant", t)
		} else if err != nil {
			return err
		}
	}
	own := subflowTargets(jobs, nil)
	if len(own) == 0 {
		return nil
	}
	if w.PublishedVersionID != "" {
		if v, err := look.FindVersionByID(ctx, tenantID, w.PublishedVersionID); err == nil {
			own = append(own, subflowTargets(nil, v.Snapshot.Jobs)...)
		}
	}
	c := &callGraph{ctx: ctx, look: look, tenantID: tenantID,
		names: map[string]string{w.ID: w.Name}, edges: map[string][]string{w.ID: own}, depth: map[string]int{}}
	d, err := c.walk(w.ID, []string{w.ID})
	if err != nil {
		return err
	}
	if d > MaxSubflowDepth {
		return InvalidField("config.workflowId", "SUBFLOW jobs nest %d deep from workflow %q; at most %d levels are allowed", d, w.Name, MaxSubflowDepth)
	}
	return nil
}

func subflowTargets(jobs []*Job, snap []Job) []string {
	var out []string
	for _, j := range jobs {
		if t := j.CalledWorkflow(); t != "" {
			out = append(out, t)
		}
	}
	for i := range snap {
		if t := snap[i].CalledWorkflow(); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// callGraph walks the SUBFLOW calls between a tenant's workflows, loading
// each workflow once.
type callGraph struct {
	ctx      context.Context
	look     SubflowLookup
	tenantID string
	names    map[string]string
	edges    map[string][]string
	depth    map[string]int // longest call chain below a workflow, once known
}

// walk returns the length of the longest call chain from id; path is the
// chain that led to id (id included).
func (c *callGraph) walk(id string, path []string) (int, error) {
	if d, ok := c.depth[id]; ok {
		return d, nil
	}
	if len(path) > MaxSubflowDepth+2 {
		return len(path), nil // already too deep: no need to look further
	}
	targets, err := c.targets(id)
	if err != nil {
		return 0, err
	}
	best := 0
	for _, t := range targets {
		for k, p := range path {
			if p == t {
				return 0, c.recursion(append(path[k:], t))
			}
		}
		d, err := c.walk(t, append(append([]string(nil), path...), t))
		if err != nil {
			return 0, err
		}
		best = max(best, d+1)
	}
	c.depth[id] = best
	return best, nil
}

func (c *callGraph) targets(id string) ([]string, error) {
	if t, ok := c.edges[id]; ok {
		return t, nil
	}
	w, err := c.look.FindWorkflowByID(c.ctx, c.tenantID, id)
	if ErrorCode(err) == ENOTFOUND {
		c.edges[id] = nil // a dangling call fails at run time, not here
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	c.names[id] = w.Name
	t := subflowTargets(w.Jobs, nil)
	if w.PublishedVersionID != "" {
		if v, err := c.look.FindVersionByID(c.ctx, c.tenantID, w.PublishedVersionID); err == nil {
			t = append(t, subflowTargets(nil, v.Snapshot.Jobs)...)
		}
	}
	c.edges[id] = t
	return t, nil
}

func (c *callGraph) recursion(loop []string) error {
	names := make([]string, len(loop))
	for i, id := range loop {
		if n := c.names[id]; n != "" {
			names[i] = `"` + n + `"`
		} else {
			names[i] = id
		}
	}
	return Errorf(EINVALID, "config.workflowId: SUBFLOW recursion %s: a workflow cannot run itself, directly or through other workflows",
		strings.Join(names, " → ")).WithDetails(map[string]string{"field": "config.workflowId"})
}
