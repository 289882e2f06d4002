package jobflow

import (
	"slices"
	"strings"
)

// Canvas is the DAG a user draws: job nodes at positions, and edges.
type Canvas struct {
	Nodes []CanvasNode `json:"nodes"`
	Edges []Edge       `json:"edges"`
}

// CanvasNode places a job on the canvas.
type CanvasNode struct {
	JobID string  `json:"jobId" required:"true"`
	X     float64 `json:"x" required:"true"`
	Y     float64 `json:"y" required:"true"`
	// Trigger is when the node may start; "" is ALL_SUCCESS (control.go).
	Trigger TriggerRule `json:"trigger,omitempty"`
	// AllowFailure: the node's FAIL does not fail the run (trigger rules
	// still see it as failed).
	AllowFailure bool `json:"allowFailure,omitempty"`
	// Disabled: the node is never executed; its run status is DISABLED,
	// which trigger rules count as succeeded, and its edges stay
	// (docs/run-semantics.md#disabled-nodes).
	Disabled bool `json:"disabled,omitempty"`
}

// Edge runs From a parent job To a child job.
type Edge struct {
	From string `json:"from" required:"true"`
	To   string `json:"to" required:"true"`
}

// MaxCanvasNodes bounds a canvas; the engine is measured up to this size
// (a 10,000-job DAG runs by reference, workflows/bigdag.go).
const MaxCanvasNodes = 10000

// Validate checks the canvas against the set of jobs of its workflow: every
// node a known job, placed once; every edge between placed nodes, no
// self-loops, no duplicates, no cycles. A cycle error names the jobs of one
// cycle in Details.cycle, in order.
func (c Canvas) Validate(jobIDs []string) error {
	known := make(map[string]bool, len(jobIDs))
	for _, id := range jobIDs {
		known[id] = true
	}
	if len(c.Nodes) > MaxCanvasNodes {
		return InvalidField("nodes", "a canvas holds at most %d nodes", MaxCanvasNodes)
	}
	placed := make(map[string]bool, len(c.Nodes))
	for _, n := range c.Nodes {
		if n.JobID == "" {
			return InvalidField("nodes", "every node needs a jobId")
		}
		if !known[n.JobID] {
			return Errorf(EINVALID, "node %q is not a job of this workflow", n.JobID).WithDetails(map[string]string{"field": "nodes", "jobId": n.JobID})
		}
		if placed[n.JobID] {
			return Errorf(EINVALID, "job %q is on the canvas more than once", n.JobID).WithDetails(map[string]string{"field": "nodes", "jobId": n.JobID})
		}
		placed[n.JobID] = true
		switch n.Trigger {
		case "", RuleAllSuccess, RuleAllDone, RuleOneSuccess, RuleOneFailed, RuleNoneFailed:
		default:
			return Errorf(EINVALID, "node %q: trigger must be ALL_SUCCESS, ALL_DONE, ONE_SUCCESS, ONE_FAILED or NONE_FAILED", n.JobID).WithDetails(map[string]string{"field": "nodes", "jobId": n.JobID})
		}
	}
	seen := make(map[Edge]bool, len(c.Edges))
	for _, e := range c.Edges {
		if !placed[e.From] || !placed[e.To] {
			return Errorf(EINVALID, "edge %s -> %s joins a job that is not on the canvas", e.From, e.To).WithDetails(map[string]string{"field": "edges"})
		}
		if e.From == e.To {
			return Errorf(EINVALID, "edge %s -> %s is a self-loop", e.From, e.To).WithDetails(map[string]string{"field": "edges"})
		}
		if seen[e] {
			return Errorf(EINVALID, "edge %s -> %s appears more than once", e.From, e.To).WithDetails(map[string]string{"field": "edges"})
		}
		seen[e] = true
	}
	if cycle := c.FindCycle(); cycle != nil {
		return Errorf(EINVALID, "the canvas has a cycle: %s", strings.Join(append(cycle, cycle[0]), " -> ")).
			WithDetails(map[string]any{"field": "edges", "cycle": cycle})
	}
	return nil
}

// FindCycle returns the jobs of one cycle in edge order, or nil if the canvas
// is acyclic. Iterative, so a deep chain cannot overflow the stack.
func (c Canvas) FindCycle() []string {
	children := c.Children()
	const (
		white = 0
		grey  = 1
		black = 2
	)
	color := make(map[string]int, len(c.Nodes))
	type frame struct {
		id   string
		next int
	}
	for _, n := range c.Nodes {
		if color[n.JobID] != white {
			continue
		}
		stack := []frame{{id: n.JobID}}
		color[n.JobID] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			kids := children[top.id]
			if top.next == len(kids) {
				color[top.id] = black
				stack = stack[:len(stack)-1]
				continue
			}
			kid := kids[top.next]
			top.next++
			switch color[kid] {
			case grey:
				var cycle []string
				for i := len(stack) - 1; i >= 0; i-- {
					cycle = append(cycle, stack[i].id)
					if stack[i].id == kid {
						break
					}
				}
				slices.Reverse(cycle)
				return cycle
			case white:
				color[kid] = grey
				stack = append(stack, frame{id: kid})
			}
		}
	}
	return nil
}

// Children maps each job to its children, in edge order.
func (c Canvas) Children() map[string][]string {
	m := make(map[string][]string, len(c.Nodes))
	for _, e := range c.Edges {
		m[e.From] = append(m[e.From], e.To)
	}
	return m
}

// Parents maps each job to its parents, in edge order.
func (c Canvas) Parents() map[string][]string {
	m := make(map[string][]string, len(c.Nodes))
	for _, e := range c.Edges {
		m[e.To] = append(m[e.To], e.From)
	}
	return m
}

// Has reports whether job id is on the canvas.
func (c Canvas) Has(id string) bool {
	for _, n := range c.Nodes {
		if n.JobID == id {
			return true
		}
	}
	return false
}
