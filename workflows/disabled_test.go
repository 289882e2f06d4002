package workflows

import (
	"slices"
	"strings"
	"testing"

	"jobflow"
)

// disable marks canvas nodes of s disabled.
func disable(s *jobflow.Snapshot, ids ...string) {
	for i := range s.Canvas.Nodes {
		if slices.Contains(ids, s.Canvas.Nodes[i].JobID) {
			s.Canvas.Nodes[i].Disabled = true
		}
	}
}

// ran lists the jobs the stub ran, sorted.
func ran(s *stub) string {
	got := slices.Clone(s.calls)
	slices.Sort(got)
	return strings.Join(got, " ")
}

// TestDisabled: a disabled node is never executed, is DISABLED, and counts
// as succeeded for its children's trigger rules; its edges stay, so what
// hangs below it still waits for what is above it
// (docs/run-semantics.md#disabled-nodes).
func TestDisabled(t *testing.T) {
	D, S, N := jobflow.NodeDisabled, jobflow.NodeSuccess, jobflow.NodeNotSelected
	tests := []struct {
		name     string
		nodes    string
		edges    string
		disabled []string
		rules    map[string]jobflow.TriggerRule
		fail     string
		ran      string
		want     map[string]jobflow.NodeStatus
		run      jobflow.RunStatus
	}{
		{name: "Middle", nodes: "a b c d", edges: "a>b b>c a>d", disabled: []string{"b"},
			ran: "a c d", want: map[string]jobflow.NodeStatus{"a": S, "b": D, "c": S, "d": S}, run: jobflow.RunSuccess},
		{name: "Root", nodes: "a b", edges: "a>b", disabled: []string{"a"},
			ran: "b", want: map[string]jobflow.NodeStatus{"a": D, "b": S}, run: jobflow.RunSuccess},
		{name: "All", nodes: "a b", edges: "a>b", disabled: []string{"a", "b"},
			ran: "", want: map[string]jobflow.NodeStatus{"a": D, "b": D}, run: jobflow.RunSuccess},
		// Counted as succeeded: ONE_SUCCESS starts, ONE_FAILED is not needed.
		{name: "OneSuccess", nodes: "a b h", edges: "a>h b>h", disabled: []string{"a"}, fail: "b",
			rules: map[string]jobflow.TriggerRule{"h": jobflow.RuleOneSuccess},
			ran:   "b h", want: map[string]jobflow.NodeStatus{"a": D, "b": jobflow.NodeFail, "h": S}, run: jobflow.RunFail},
		{name: "OneFailed", nodes: "a h", edges: "a>h", disabled: []string{"a"},
			rules: map[string]jobflow.TriggerRule{"h": jobflow.RuleOneFailed},
			ran:   "", want: map[string]jobflow.NodeStatus{"a": D, "h": N}, run: jobflow.RunSuccess},
		// The edge stays: c below disabled b still waits for a, which failed.
		{name: "EdgesKept", nodes: "a b c", edges: "a>b b>c", disabled: []string{"b"}, fail: "a",
			ran: "a", want: map[string]jobflow.NodeStatus{"a": jobflow.NodeFail, "b": jobflow.NodeUpstreamFailed, "c": jobflow.NodeUpstreamFailed}, run: jobflow.RunFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub()
			env := newEnv(t, s)
			snap := snapshot(tt.nodes, tt.edges)
			disable(&snap, tt.disabled...)
			for id, rule := range tt.rules {
				withRule(&snap, id, rule, false)
			}
			if tt.fail != "" {
				s.behave[tt.fail] = fails(tt.fail + " broke")
			}
			res, _ := run(t, env, input(snap))
			if res.Status != tt.run {
				t.Errorf("run %s, want %s", res.Status, tt.run)
			}
			wantStatuses(t, res.Nodes, tt.want)
			if got := ran(s); got != tt.ran {
				t.Errorf("ran %q, want %q", got, tt.ran)
			}
			for _, id := range tt.disabled {
				if n := node(t, res.Nodes, id); n.Status == D && (n.StartedAt != nil || n.EndedAt == nil || n.Error != "disabled on the canvas") {
					t.Errorf("disabled node %s: started %v, ended %v, error %q", id, n.StartedAt, n.EndedAt, n.Error)
				}
			}
		})
	}
}

// TestDisabled_Rerun: a rerun shows a disabled node as DISABLED, never
// SKIPPED, and never runs it, whatever the mode.
func TestDisabled_Rerun(t *testing.T) {
	prior := []PriorNode{
		{JobID: "a", Status: jobflow.NodeSuccess},
		{JobID: "b", Status: jobflow.NodeDisabled},
		{JobID: "c", Status: jobflow.NodeFail},
	}
	D, S, K := jobflow.NodeDisabled, jobflow.NodeSuccess, jobflow.NodeSkipped
	for _, tt := range []struct {
		name string
		plan *RerunPlan
		ran  string
		want map[string]jobflow.NodeStatus
	}{
		{"Failed", &RerunPlan{Mode: jobflow.RerunFailed, Prior: prior}, "c", map[string]jobflow.NodeStatus{"a": K, "b": D, "c": S}},
		{"Node", &RerunPlan{Mode: jobflow.RerunNode, NodeID: "c", Prior: prior}, "c", map[string]jobflow.NodeStatus{"a": K, "b": D, "c": S}},
		{"FromDisabled", &RerunPlan{Mode: jobflow.RerunFromNode, NodeID: "b", Prior: prior}, "c", map[string]jobflow.NodeStatus{"a": K, "b": D, "c": S}},
		{"All", &RerunPlan{Mode: jobflow.RerunAll, Prior: prior}, "a c", map[string]jobflow.NodeStatus{"a": S, "b": D, "c": S}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub()
			env := newEnv(t, s)
			snap := snapshot("a b c", "a>b b>c")
			disable(&snap, "b")
			in := input(snap)
			in.Plan = tt.plan
			in.Trigger, in.RerunOf = jobflow.TriggerRerun, "run0"
			res, err := run(t, env, in)
			if err != nil || res.Status != jobflow.RunSuccess {
				t.Fatalf("status %s, err %v", res.Status, err)
			}
			wantStatuses(t, res.Nodes, tt.want)
			if got := ran(s); got != tt.ran {
				t.Errorf("ran %q, want %q", got, tt.ran)
			}
		})
	}
}
