package jobtypes

import (
	"encoding/json"
	"fmt"
	"strings"

	"jobflow"
)

// conditionType: FlowRun evaluates the cases and chooses the children
// (workflows/condition.go); the config struct is jobflow.ConditionConfig,
// which the domain's canvas checks read too.
type conditionType struct{}

func (conditionType) Type() jobflow.JobType { return jobflow.JobCondition }
func (conditionType) Kind() jobflow.JobKind { return jobflow.KindControl }
func (conditionType) Defaults() any {
	return jobflow.ConditionConfig{Cases: []jobflow.ConditionCase{}, Default: []string{}}
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
	var c jobflow.ConditionConfig
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
