package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
)

// doubling is the reported let-chain bomb, from a literal or from a name.
func doubling(seed string, levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "let a0=%s; ", seed)
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "let a%d=a%d+a%d; ", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "len(a%d)>0", levels)
	return b.String()
}

// memNow is the process's peak RSS (VmHWM, bytes) and Go's cumulative
// bytes allocated.
func memNow(t *testing.T) (hwm int64, alloc uint64) {
	t.Helper()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			hwm = kb << 10
		}
	}
	return hwm, m.TotalAlloc
}

// TestCondition_BudgetBombs: the reported bombs, and variants reading a
// param, a tenant variable and an upstream output, fail the CONDITION node
// in the workflow (not the workflow task) with the budget or limit error;
// its children are UPSTREAM_FAILED; the whole run grows the test process's
// peak RSS and its allocations by less than 64 MiB.
func TestCondition_BudgetBombs(t *testing.T) {
	tests := []struct{ name, when, want string }{
		{"ReportedDoubling", doubling(`"aaaaaaaaaaaaaaaa"`, 26), "expression exceeded its budget of 262144 bytes for a string"},
		{"ReportedNestedRange", `let r=1..25000; all(r,{all(r,{#>0})})`, "the range 1..25000 has 25000 elements, more than the limit of 10000"},
		{"NestedAll10k", `let r=1..10000; all(r,{all(r,{#>0})})`, "expression exceeded its budget of 100000 steps"},
		{"NestedAnyFilter", `let r=1..10000; any(r,{len(filter(r,{# > 0})) == 0})`, "expression exceeded its budget of 100000 steps"},
		{"RepeatChain", `let a0=repeat("aaaaaaaaaaaaaaaa", 16); let a1=repeat(a0, 16); let a2=repeat(a1, 16); let a3=repeat(a2, 16); let a4=repeat(a3, 16); len(a4)>0`, "expression exceeded its budget of 262144 bytes"},
		{"DoublingParam", doubling("params.mode", 20), "expression exceeded its budget of 262144 bytes"},
		{"DoublingGlobal", doubling("global.seed", 20), "expression exceeded its budget of 262144 bytes"},
		{"DoublingOutput", doubling(`outputs["job check"].body`, 20), "expression exceeded its budget of 262144 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub()
			s.globals = map[string]string{"seed": "ssss"}
			s.behave["check"] = returns(map[string]string{"rowCount": "3", "body": "bbbb"})
			env := newEnv(t, s)
			in := input(conditionFlow(t, jobtypes.ConditionConfig{Cases: []jobtypes.ConditionCase{
				{When: `params.mode == "never"`, To: []string{"x"}},
				{When: tt.when, To: []string{"y"}},
			}}))
			in.Params = map[string]string{"mode": "full"}
			runtime.GC()
			hwm0, alloc0 := memNow(t)
			start := time.Now()
			res, _ := run(t, env, in)
			took := time.Since(start)
			hwm1, alloc1 := memNow(t)
			if res.Status != jobflow.RunFail {
				t.Fatalf("run %s, want FAIL", res.Status)
			}
			cond := node(t, res.Nodes, "cond")
			if cond.Status != jobflow.NodeFail || !strings.Contains(cond.Error, "case 1") || !strings.Contains(cond.Error, tt.want) {
				t.Errorf("cond %s %.300q, want FAIL naming case 1 and %q", cond.Status, cond.Error, tt.want)
			}
			for _, id := range []string{"x", "y", "z", "w"} {
				if st := node(t, res.Nodes, id).Status; st != jobflow.NodeUpstreamFailed {
					t.Errorf("%s is %s, want UPSTREAM_FAILED", id, st)
				}
			}
			if s.callCount("cond") != 0 {
				t.Error("the CONDITION ran as an activity")
			}
			t.Logf("%s: run %v, RSS peak +%d KiB, allocated %d KiB", tt.name, took, (hwm1-hwm0)>>10, (alloc1-alloc0)>>10)
			if hwm1-hwm0 > 64<<20 || alloc1-alloc0 > 64<<20 {
				t.Errorf("memory grew: RSS peak +%d B, allocated %d B", hwm1-hwm0, alloc1-alloc0)
			}
		})
	}
}

// TestCondition_BudgetAbort: a run whose CONDITION holds a bomb is aborted
// while another branch still runs: the abort ends it within seconds
// (FlowRun's workflow task is never blocked by the expression, which fails
// in milliseconds), the CONDITION FAIL with the budget error, the rest
// ABORTED.
func TestCondition_BudgetAbort(t *testing.T) {
	for _, bomb := range []string{
		doubling(`"aaaaaaaaaaaaaaaa"`, 26),
		`let r=1..10000; all(r,{all(r,{#>0})})`,
	} {
		s := newStub()
		env := newEnv(t, s)
		snap := snapshot("check cond x slow", "check>cond cond>x")
		snap.Config.FailureStrategy = jobflow.FailureContinue
		raw, _ := json.Marshal(jobtypes.ConditionConfig{Cases: []jobtypes.ConditionCase{{When: bomb, To: []string{"x"}}}})
		snap.Jobs[1].Type, snap.Jobs[1].Config = jobflow.JobCondition, raw
		s.behave["slow"] = blocks()
		const abortAfter = 300 * time.Millisecond
		env.RegisterDelayedCallback(env.CancelWorkflow, abortAfter)
		start := time.Now()
		res, err := run(t, env, input(snap))
		took := time.Since(start)
		var canceled *temporal.CanceledError
		if !errors.As(err, &canceled) || res.Status != jobflow.RunAborted {
			t.Fatalf("%.30s: %s %v, want ABORTED", bomb, res.Status, err)
		}
		if cond := node(t, res.Nodes, "cond"); cond.Status != jobflow.NodeFail || !strings.Contains(cond.Error, "expression exceeded its budget of") {
			t.Errorf("%.30s: cond %s %.200q, want FAIL with the budget error", bomb, cond.Status, cond.Error)
		}
		wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"check": jobflow.NodeSuccess, "cond": jobflow.NodeFail, "x": jobflow.NodeUpstreamFailed, "slow": jobflow.NodeAborted})
		t.Logf("%.30s: aborted after %v, the run ended %v after the abort", bomb, abortAfter, took-abortAfter)
		if took > abortAfter+5*time.Second {
			t.Errorf("%.30s: the run ended %v after the abort", bomb, took-abortAfter)
		}
	}
}

// TestCondition_BudgetVersion: a history that decided its CONDITION before
// the budgets (no condition-budget marker) replays with the unbounded
// evaluation it was recorded with, so an expression that the limits now
// refuse (a computed range) decides as it did; a new run refuses it.
func TestCondition_BudgetVersion(t *testing.T) {
	for _, old := range []bool{true, false} {
		s := newStub()
		env := newEnv(t, s)
		if old {
			env.OnGetVersion(conditionBudgetVersion, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
		in := input(conditionFlow(t, jobtypes.ConditionConfig{Cases: []jobtypes.ConditionCase{
			{When: `let n = 3; len(1..n) == 3`, To: []string{"x"}},
		}}))
		res, _ := run(t, env, in)
		cond := node(t, res.Nodes, "cond")
		switch {
		case old && (cond.Status != jobflow.NodeSuccess || node(t, res.Nodes, "x").Status != jobflow.NodeSuccess || node(t, res.Nodes, "y").Status != jobflow.NodeNotSelected):
			t.Errorf("unversioned: cond %s %q, x %s, y %s; want SUCCESS choosing x", cond.Status, cond.Error, node(t, res.Nodes, "x").Status, node(t, res.Nodes, "y").Status)
		case !old && (cond.Status != jobflow.NodeFail || !strings.Contains(cond.Error, "integer literals")):
			t.Errorf("versioned: cond %s %q, want FAIL on the range limit", cond.Status, cond.Error)
		}
	}
}
