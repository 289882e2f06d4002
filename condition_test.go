package jobflow

import (
	"encoding/json"
	"strings"
	"testing"
)

// condJob is a CONDITION job; its config struct belongs to package
// jobtypes, which this package's tests reach only through the registry.
func condJob(id, config string) *Job {
	return &Job{ID: id, Name: "cond " + id, Type: JobCondition, Config: json.RawMessage(config)}
}

// TestValidateControl_Conditions: case targets must be the CONDITION's
// children, and its expressions may read ancestors' outputs only.
func TestValidateControl_Conditions(t *testing.T) {
	check := refJob("j1", "check", "true")
	x, y := refJob("j3", "x", "true"), refJob("j4", "y", "true")
	c := Canvas{
		Nodes: []CanvasNode{{JobID: "j1"}, {JobID: "j2"}, {JobID: "j3"}, {JobID: "j4"}},
		Edges: []Edge{{From: "j1", To: "j2"}, {From: "j2", To: "j3"}, {From: "j3", To: "j4"}},
	}
	good := condJob("j2", `{"cases":[{"when":"outputs.check.rowCount > 0","to":["j3"]}]}`)
	if err := ValidateControl(c, []*Job{check, good, x, y}); err != nil {
		t.Fatalf("valid canvas refused: %v", err)
	}
	tests := []struct {
		name string
		cond *Job
		want string
	}{
		{"Grandchild", condJob("j2", `{"cases":[{"when":"true","to":["j4"]}]}`), `config.cases[0].to names "j4", which is not a child`},
		{"DefaultNotChild", condJob("j2", `{"cases":[{"when":"true"}],"default":["j1"]}`), `config.default names "j1"`},
		{"ReadsDescendant", condJob("j2", `{"cases":[{"when":"outputs.y.k == \"1\"","to":["j3"]}]}`), `names job "y", which is not upstream`},
		{"ReadsUnknown", condJob("j2", `{"cases":[{"when":"outputs[\"no such\"].k == \"1\""}]}`), `"no such", which is not a job of this workflow`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateControl(c, []*Job{check, tt.cond, x, y})
			if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want INVALID containing %q", err, tt.want)
			}
		})
	}
}

// TestCanvas_TriggerRule: an unknown trigger rule is refused.
func TestCanvas_TriggerRule(t *testing.T) {
	c := Canvas{Nodes: []CanvasNode{{JobID: "a", Trigger: RuleOneFailed}, {JobID: "b", Trigger: "SOMETIMES"}}}
	err := c.Validate([]string{"a", "b"})
	if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), `node "b": trigger must be`) {
		t.Fatalf("err = %v", err)
	}
	c.Nodes[1].Trigger = RuleAllDone
	if err := c.Validate([]string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
}

// TestConditionValue: numbers and booleans are typed, the rest are strings.
func TestConditionValue(t *testing.T) {
	for in, want := range map[string]any{"3": 3, "-2": -2, "1.5": 1.5, "true": true, "false": false, "full": "full", "": "", "NaN": "NaN", "0x10": "0x10"} {
		if got := ConditionValue(in); got != want {
			t.Errorf("ConditionValue(%q) = %#v, want %#v", in, got, want)
		}
	}
}
