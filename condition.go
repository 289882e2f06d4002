package jobflow

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// CONDITION expressions (docs/run-semantics.md#condition-jobs) are expr-lang expressions over three
// maps: params (the run's parameters), global (the tenant's plain
// variables) and outputs (outputs.<jobName>.<key>, ancestors only). They
// run inside FlowRun, so everything that is not a pure function of its
// input is switched off: the clock, time zones, and the builtins that walk
// a map in Go's random order.
var conditionOptions = []expr.Option{
	expr.Env(map[string]any{"params": map[string]any{}, "global": map[string]any{}, "outputs": map[string]any{}}),
	expr.AsBool(),
	expr.DisableBuiltin("now"),
	expr.DisableBuiltin("date"),
	expr.DisableBuiltin("timezone"),
	expr.DisableBuiltin("keys"),
	expr.DisableBuiltin("values"),
	expr.DisableBuiltin("toPairs"),
	expr.DisableBuiltin("groupBy"),
}

// MaxConditionCases bounds a CONDITION job's cases; MaxExpressionBytes one
// expression. The other limits bound what an expression may cost, because
// it runs inside FlowRun's workflow task (and again on every replay):
//
//   - on save (CompileCondition): at most MaxExpressionBytes of source,
//     MaxExpressionNodes syntax-tree nodes nested at most MaxExpressionDepth
//     deep, every range a..b with integer-literal bounds of at most
//     MaxRangeElements elements, and a literal `matches` pattern of at most
//     MaxConditionRegexBytes;
//   - at run time (Condition.Eval): ConditionStepBudget steps (one per
//     operation, one per element of a collection an operation walks, one
//     per 64 bytes of a string it reads or makes), expr's VM memory budget
//     of ConditionMemoryBudget elements, no string longer than
//     MaxConditionStringBytes and no list longer than MaxConditionListLen
//     made, no pattern longer than MaxConditionRegexBytes matched. A string
//     is checked before it is built, so `let a1=a0+a0; …` or repeat()
//     never allocates past the cap. An expression over budget fails its
//     CONDITION node: "expression exceeded its budget of …".
//
// Steps are counted from the values alone, so the same input gives the
// same result, or the same error, on every replay.
const (
	MaxConditionCases       = 50
	MaxExpressionBytes      = 4096
	MaxExpressionNodes      = 500
	MaxExpressionDepth      = 128
	MaxRangeElements        = 10000
	ConditionStepBudget     = 100000
	ConditionMemoryBudget   = 100000
	MaxConditionStringBytes = 256 << 10
	MaxConditionListLen     = 10000
	MaxConditionRegexBytes  = 1024
)

// conditionStringUnit is how many bytes of a string cost one step.
const conditionStringUnit = 64

// CompileConditionV0 compiles an expression as FlowRun did before the
// budgets (no limits beyond expr's own): only for replaying histories
// recorded then. Everything else uses CompileCondition.
func CompileConditionV0(when string) (*vm.Program, error) {
	return expr.Compile(when, conditionOptions...)
}

// EvalConditionV0 runs a CompileConditionV0 program without budgets: only
// for replaying histories recorded before them.
func EvalConditionV0(p *vm.Program, params, global map[string]string, outputs map[string]map[string]string) (bool, error) {
	v, err := expr.Run(p, conditionEnv(params, global, outputs))
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("the expression gave %T, not a boolean", v)
	}
	return b, nil
}

// Condition is a compiled, bounded CONDITION expression. Not safe for
// concurrent use (FlowRun compiles one per evaluation).
type Condition struct {
	prog  *vm.Program
	meter *meter
}

// LimitError is a compile-time limit an expression breaks.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

// CompileCondition checks one CONDITION expression against the compile-time
// limits, type-checks it (an error is then a *file.Error with the line and
// column of the fault, or a *LimitError), and compiles the bounded program.
func CompileCondition(when string) (*Condition, error) {
	if len(when) > MaxExpressionBytes {
		return nil, &LimitError{fmt.Sprintf("the expression is %d bytes, more than the limit of %d bytes", len(when), MaxExpressionBytes)}
	}
	tree, err := parser.ParseWithConfig(when, parseConfig())
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) && strings.Contains(fe.Message, "exceeds maximum allowed nodes") {
			return nil, &LimitError{fmt.Sprintf("the expression has more than the limit of %d syntax nodes", MaxExpressionNodes)}
		}
		return nil, err
	}
	if err := checkLimits(tree.Node); err != nil {
		return nil, err
	}
	// The plain compile type-checks what the user wrote; the bounded one
	// below has its operands wrapped in untyped calls, which the checker
	// cannot see through.
	if _, err := expr.Compile(when, append(conditionOptions[:len(conditionOptions):len(conditionOptions)], expr.MaxNodes(MaxExpressionNodes))...); err != nil {
		return nil, err
	}
	m := &meter{}
	opts := append(conditionOptions[:len(conditionOptions):len(conditionOptions)],
		expr.MaxNodes(MaxExpressionNodes),
		expr.Function(fnCharge, m.chargeFn),
		expr.Function(fnAdd, m.add),
		expr.Function(fnCall, m.call),
		expr.Function(fnMatch, m.match),
		expr.Function(fnIter, m.iter),
		expr.Patch(budgetPatcher{}),
	)
	p, err := expr.Compile(when, opts...)
	if err != nil {
		return nil, fmt.Errorf("the expression cannot be bounded: %w", err)
	}
	return &Condition{prog: p, meter: m}, nil
}

// checkLimits walks a parsed expression for the compile-time limits.
func checkLimits(root ast.Node) error {
	var walk func(n ast.Node, depth int) error
	walk = func(n ast.Node, depth int) error {
		if n == nil {
			return nil
		}
		if depth > MaxExpressionDepth {
			return &LimitError{fmt.Sprintf("the expression nests deeper than the limit of %d levels", MaxExpressionDepth)}
		}
		if b, ok := n.(*ast.BinaryNode); ok && b.Operator == ".." {
			lo, okl := intLiteral(b.Left)
			hi, okh := intLiteral(b.Right)
			if !okl || !okh {
				return &LimitError{"a range a..b must have integer literals as bounds (a range over computed bounds has no size limit)"}
			}
			if hi >= lo && uint64(hi)-uint64(lo) >= MaxRangeElements { // no overflow
				return &LimitError{fmt.Sprintf("the range %d..%d has %d elements, more than the limit of %d", lo, hi, uint64(hi)-uint64(lo)+1, MaxRangeElements)}
			}
		}
		if b, ok := n.(*ast.BinaryNode); ok && b.Operator == "matches" {
			if p, ok := b.Right.(*ast.StringNode); ok && len(p.Value) > MaxConditionRegexBytes {
				return &LimitError{fmt.Sprintf("the pattern of matches is %d bytes, more than the limit of %d bytes", len(p.Value), MaxConditionRegexBytes)}
			}
		}
		for _, c := range children(n) {
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, 0)
}

// children lists a node's direct children (ast.Walk has no depth).
func children(n ast.Node) []ast.Node {
	switch n := n.(type) {
	case *ast.UnaryNode:
		return []ast.Node{n.Node}
	case *ast.BinaryNode:
		return []ast.Node{n.Left, n.Right}
	case *ast.ChainNode:
		return []ast.Node{n.Node}
	case *ast.MemberNode:
		return []ast.Node{n.Node, n.Property}
	case *ast.SliceNode:
		return []ast.Node{n.Node, n.From, n.To}
	case *ast.CallNode:
		return append([]ast.Node{n.Callee}, n.Arguments...)
	case *ast.BuiltinNode:
		return n.Arguments
	case *ast.PredicateNode:
		return []ast.Node{n.Node}
	case *ast.VariableDeclaratorNode:
		return []ast.Node{n.Value, n.Expr}
	case *ast.SequenceNode:
		return n.Nodes
	case *ast.ConditionalNode:
		return []ast.Node{n.Cond, n.Exp1, n.Exp2}
	case *ast.ArrayNode:
		return n.Nodes
	case *ast.MapNode:
		return n.Pairs
	case *ast.PairNode:
		return []ast.Node{n.Key, n.Value}
	}
	return nil
}

// intLiteral is the value of an integer literal, possibly negated.
func intLiteral(n ast.Node) (int, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return n.Value, true
	case *ast.UnaryNode:
		if n.Operator == "-" {
			if v, ok := intLiteral(n.Node); ok {
				return -v, true
			}
		}
	}
	return 0, false
}

// ConditionValue turns a parameter, variable or output (all strings) into
// the value an expression sees: integers, decimals and true/false as
// numbers and booleans, so that `outputs.check.rowCount > 0` reads as
// meant; anything else stays a string.
func ConditionValue(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpPnN") {
		return f
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	return s
}

// ConditionMap converts a string map for an expression's environment.
func ConditionMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = ConditionValue(v)
	}
	return out
}

func conditionEnv(params, global map[string]string, outputs map[string]map[string]string) map[string]any {
	outs := make(map[string]any, len(outputs))
	for name, o := range outputs {
		outs[name] = ConditionMap(o)
	}
	return map[string]any{"params": ConditionMap(params), "global": ConditionMap(global), "outputs": outs}
}

// Eval runs the expression within its budgets; a non-boolean result, a
// runtime fault or an exceeded budget is an error.
func (c *Condition) Eval(params, global map[string]string, outputs map[string]map[string]string) (bool, error) {
	c.meter.steps, c.meter.re = 0, nil
	machine := vm.VM{MemoryBudget: ConditionMemoryBudget}
	v, err := machine.Run(c.prog, conditionEnv(params, global, outputs))
	if err != nil {
		if strings.Contains(err.Error(), "memory budget exceeded") && !strings.Contains(err.Error(), budgetPrefix) {
			return false, fmt.Errorf("%s %d elements of memory: %w", budgetPrefix, ConditionMemoryBudget, err)
		}
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("the expression gave %T, not a boolean", v)
	}
	return b, nil
}

// ExpressionError is the 400 of an expression that does not compile, with
// its position.
func ExpressionError(field string, err error) *Error {
	details := map[string]any{"field": field}
	var le *LimitError
	if errors.As(err, &le) {
		details["limit"] = true
		return Errorf(EINVALID, "%s: %s", field, le.Msg).WithDetails(details)
	}
	var fe *file.Error
	if errors.As(err, &fe) {
		details["line"], details["column"] = fe.Line, fe.Column+1
		return Errorf(EINVALID, "%s: %s at line %d, column %d", field, fe.Message, fe.Line, fe.Column+1).WithDetails(details)
	}
	return Errorf(EINVALID, "%s: %v", field, err).WithDetails(details)
}

// validateBranches checks every job on the canvas whose type chooses
// branches (CONDITION): each target it names must be a child of the job on
// the canvas, and the node may not be disabled: a disabled node chooses
// nothing, so its children could only all run or none
// (docs/run-semantics.md#disabled-nodes).
func validateBranches(c Canvas, jobs []*Job) error {
	children := c.Children()
	disabled := map[string]bool{}
	for _, n := range c.Nodes {
		disabled[n.JobID] = n.Disabled
	}
	for _, j := range jobs {
		bc, ok := LookupJobType(j.Type).(BranchChooser)
		if !ok || !c.Has(j.ID) {
			continue
		}
		if disabled[j.ID] {
			return Errorf(EINVALID, "job %q: a %s job cannot be disabled (it would choose no branch); disable the jobs of its branches instead", j.Name, j.Type).
				WithDetails(map[string]string{"field": "nodes", "jobId": j.ID})
		}
		for _, b := range bc.Branches(j.Config) {
			for _, id := range b.To {
				if !slices.Contains(children[j.ID], id) {
					return Errorf(EINVALID, "job %q: %s names %q, which is not a child of the %s job on the canvas", j.Name, b.Field, id, j.Type).
						WithDetails(map[string]string{"field": b.Field, "jobId": j.ID, "target": id})
				}
			}
		}
	}
	return nil
}
