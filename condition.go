package jobflow

import (
	"encoding/json"
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

// CONDITION expressions (SPEC §10) are expr-lang expressions over three
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
// expression.
const (
	MaxConditionCases  = 50
	MaxExpressionBytes = 4096
)

// CompileCondition compiles and type-checks one CONDITION expression. Its
// error is a *file.Error with the line and column of the fault.
func CompileCondition(when string) (*vm.Program, error) {
	return expr.Compile(when, conditionOptions...)
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

// EvalCondition runs a compiled expression; a non-boolean result or a
// runtime fault is an error.
func EvalCondition(p *vm.Program, params, global map[string]string, outputs map[string]map[string]string) (bool, error) {
	outs := make(map[string]any, len(outputs))
	for name, o := range outputs {
		outs[name] = ConditionMap(o)
	}
	v, err := expr.Run(p, map[string]any{"params": ConditionMap(params), "global": ConditionMap(global), "outputs": outs})
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("the expression gave %T, not a boolean", v)
	}
	return b, nil
}

// normalizeCondition validates a CONDITION job's config on its own; the
// case targets are checked against the canvas by validateConditions.
func normalizeCondition(raw json.RawMessage) (any, error) {
	var c ConditionConfig
	if err := strictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if len(c.Cases) == 0 {
		return nil, invalidField("config.cases", "config.cases needs at least one case")
	}
	if len(c.Cases) > MaxConditionCases {
		return nil, invalidField("config.cases", "config.cases holds at most %d cases", MaxConditionCases)
	}
	for k, cs := range c.Cases {
		field := fmt.Sprintf("config.cases[%d].when", k)
		if strings.TrimSpace(cs.When) == "" {
			return nil, invalidField(field, "%s is required", field)
		}
		if len(cs.When) > MaxExpressionBytes {
			return nil, invalidField(field, "%s must be at most %d bytes", field, MaxExpressionBytes)
		}
		if _, err := CompileCondition(cs.When); err != nil {
			return nil, expressionError(field, err)
		}
		if c.Cases[k].To == nil {
			c.Cases[k].To = []string{}
		}
	}
	if c.Default == nil {
		c.Default = []string{}
	}
	return c, nil
}

// expressionError is the 400 of an expression that does not compile, with
// its position.
func expressionError(field string, err error) *Error {
	details := map[string]any{"field": field}
	var fe *file.Error
	if errors.As(err, &fe) {
		details["line"], details["column"] = fe.Line, fe.Column+1
		return Errorf(EINVALID, "%s: %s at line %d, column %d", field, fe.Message, fe.Line, fe.Column+1).WithDetails(details)
	}
	return Errorf(EINVALID, "%s: %v", field, err).WithDetails(details)
}

// conditionRefs lists the jobs a CONDITION job's expressions read as
// outputs.<jobName> or outputs["<jobName>"].
func conditionRefs(raw json.RawMessage) []string {
	var c ConditionConfig
	if json.Unmarshal(raw, &c) != nil {
		return nil
	}
	return c.Members("outputs")
}

// Members lists, in order of appearance, the names the expressions read
// from one of their maps: Members("global") are the tenant variables a
// CONDITION needs (FlowRun loads those, and only the plain ones).
func (c ConditionConfig) Members(of string) []string {
	var names []string
	for _, cs := range c.Cases {
		tree, err := parser.Parse(cs.When)
		if err != nil {
			continue
		}
		v := &memberVisitor{of: of}
		ast.Walk(&tree.Node, v)
		for _, n := range v.names {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

type memberVisitor struct {
	of    string
	names []string
}

func (v *memberVisitor) Visit(n *ast.Node) {
	m, ok := (*n).(*ast.MemberNode)
	if !ok {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok || id.Value != v.of {
		return
	}
	if s, ok := m.Property.(*ast.StringNode); ok {
		v.names = append(v.names, s.Value)
	}
}

// validateConditions checks every CONDITION job on the canvas: each case's
// and the default's targets must be children of the CONDITION node.
func validateConditions(c Canvas, jobs []*Job) error {
	children := c.Children()
	for _, j := range jobs {
		if j.Type != JobCondition || !c.Has(j.ID) {
			continue
		}
		var cfg ConditionConfig
		if json.Unmarshal(j.Config, &cfg) != nil {
			continue // normalizeCondition refused it on save
		}
		check := func(field string, to []string) error {
			for _, id := range to {
				if !slices.Contains(children[j.ID], id) {
					return Errorf(EINVALID, "job %q: %s names %q, which is not a child of the CONDITION job on the canvas", j.Name, field, id).
						WithDetails(map[string]string{"field": field, "jobId": j.ID, "target": id})
				}
			}
			return nil
		}
		for k, cs := range cfg.Cases {
			if err := check(fmt.Sprintf("config.cases[%d].to", k), cs.To); err != nil {
				return err
			}
		}
		if err := check("config.default", cfg.Default); err != nil {
			return err
		}
	}
	return nil
}
