package jobtypes

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"jobflow"
)

// ConditionConfig is the config of a CONDITION job: the first case whose
// expression is true chooses its children; no true case chooses Default.
// Children not chosen are NOT_SELECTED.
type ConditionConfig struct {
	Cases   []ConditionCase `json:"cases"`
	Default []string        `json:"default"`
}

// ConditionCase is one branch of a CONDITION job.
type ConditionCase struct {
	When string   `json:"when"` // an expr-lang expression over params, vars and outputs
	To   []string `json:"to"`   // job ids of the CONDITION node's children
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

// conditionType: FlowRun evaluates the cases and chooses the children
// (workflows/condition.go); the config struct is ConditionConfig,
// which the domain's canvas checks read too.
type conditionType struct{}

func (conditionType) Type() jobflow.JobType { return jobflow.JobCondition }
func (conditionType) Kind() jobflow.JobKind { return jobflow.KindControl }
func (conditionType) Defaults() any {
	return ConditionConfig{Cases: []ConditionCase{}, Default: []string{}}
}

// Outputs: a CONDITION sets none.
func (conditionType) Outputs() jobflow.JobOutputs { return jobflow.JobOutputs{Names: []string{}} }

func (conditionType) Schema() map[string]any {
	ids := array("job ids of the CONDITION node's children", map[string]any{"type": "string"})
	return object(map[string]any{
		"cases": map[string]any{"type": "array", "minItems": 1, "maxItems": jobflow.MaxConditionCases,
			"description": "the first case whose expression is true chooses its children",
			"items": object(map[string]any{
				"when": str("an expr-lang expression over params, global and outputs"),
				"to":   ids,
			}, "when")},
		"default": ids,
	}, "cases")
}

// Normalize validates a CONDITION job's config on its own; the case
// targets are checked against the canvas by jobflow.ValidateControl.
func (conditionType) Normalize(raw json.RawMessage) (any, error) {
	var c ConditionConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if len(c.Cases) == 0 {
		return nil, jobflow.InvalidField("config.cases", "config.cases needs at least one case")
	}
	if len(c.Cases) > jobflow.MaxConditionCases {
		return nil, jobflow.InvalidField("config.cases", "config.cases holds at most %d cases", jobflow.MaxConditionCases)
	}
	for k, cs := range c.Cases {
		field := fmt.Sprintf("config.cases[%d].when", k)
		if strings.TrimSpace(cs.When) == "" {
			return nil, jobflow.InvalidField(field, "%s is required", field)
		}
		if _, err := jobflow.CompileCondition(cs.When); err != nil {
			return nil, jobflow.ExpressionError(field, err)
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

// Branches: every case's targets and the default must be children of the
// CONDITION node on the canvas.
func (conditionType) Branches(raw json.RawMessage) []jobflow.Branch {
	var c ConditionConfig
	if json.Unmarshal(raw, &c) != nil {
		return nil // Normalize refused it on save
	}
	out := make([]jobflow.Branch, 0, len(c.Cases)+1)
	for k, cs := range c.Cases {
		out = append(out, jobflow.Branch{Field: fmt.Sprintf("config.cases[%d].to", k), To: cs.To})
	}
	return append(out, jobflow.Branch{Field: "config.default", To: c.Default})
}

// ReadsOutputsOf: the jobs the expressions read as outputs.<jobName> or
// outputs["<jobName>"].
func (conditionType) ReadsOutputsOf(raw json.RawMessage) []string {
	var c ConditionConfig
	if json.Unmarshal(raw, &c) != nil {
		return nil
	}
	return c.Members("outputs")
}

// RenameBranches: a document names the children by job name, the store by
// job id.
func (conditionType) RenameBranches(raw json.RawMessage, rename func(string) (string, bool)) (json.RawMessage, error) {
	var c ConditionConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	apply := func(list []string) error {
		for i, id := range list {
			n, ok := rename(id)
			if !ok {
				return fmt.Errorf("its case target %s is not a job of the workflow", id)
			}
			list[i] = n
		}
		return nil
	}
	for _, cs := range c.Cases {
		if err := apply(cs.To); err != nil {
			return nil, err
		}
	}
	if err := apply(c.Default); err != nil {
		return nil, err
	}
	return json.Marshal(c)
}
