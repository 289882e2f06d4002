package jobflow

import (
	"encoding/json"
	"strings"
	"testing"
)

func condJob(id string, cfg ConditionConfig) *Job {
	raw, _ := json.Marshal(cfg)
	return &Job{ID: id, Name: "cond " + id, Type: JobCondition, Config: raw}
}

// TestCondition_NormalizeRefuses: a CONDITION config that cannot run is a
// 400 on save naming the field, with the position of an expression error.
func TestCondition_NormalizeRefuses(t *testing.T) {
	tests := []struct {
		name, config, field, want string
	}{
		{"NoCases", `{"cases":[]}`, "config.cases", "at least one case"},
		{"EmptyWhen", `{"cases":[{"when":"  ","to":[]}]}`, "config.cases[0].when", "required"},
		{"Syntax", `{"cases":[{"when":"params.a == 1","to":[]},{"when":"params.mode == ","to":[]}]}`, "config.cases[1].when", "line 1, column"},
		{"UnknownName", `{"cases":[{"when":"mode == 'full'","to":[]}]}`, "config.cases[0].when", "unknown name mode"},
		{"NotBool", `{"cases":[{"when":"1 + 2","to":[]}]}`, "config.cases[0].when", "bool"},
		{"Clock", `{"cases":[{"when":"now() > 0","to":[]}]}`, "config.cases[0].when", "now"},
		{"UnknownField", `{"cases":[{"when":"true","to":[]}],"otherwise":[]}`, "", "otherwise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Job{Name: "c", Type: JobCondition, Config: json.RawMessage(tt.config)}
			err := j.Normalize()
			if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want INVALID containing %q", err, tt.want)
			}
			if tt.field != "" {
				d, _ := json.Marshal(err.(*Error).Details)
				if !strings.Contains(string(d), `"field":"`+tt.field+`"`) {
					t.Errorf("details %s, want field %s", d, tt.field)
				}
			}
		})
	}
	ok := Job{Name: "c", Type: JobCondition, Config: json.RawMessage(`{"cases":[{"when":"outputs.check.rowCount > 0 && params.mode == \"full\"","to":["x"]}]}`)}
	if err := ok.Normalize(); err != nil {
		t.Fatalf("valid condition refused: %v", err)
	}
	if !strings.Contains(string(ok.Config), `"default":[]`) {
		t.Errorf("normalized config %s lacks an empty default", ok.Config)
	}
}

// TestCondition_Position: the column points at the fault.
func TestCondition_Position(t *testing.T) {
	j := Job{Name: "c", Type: JobCondition, Config: json.RawMessage(`{"cases":[{"when":"params.a == 1 &&","to":[]}]}`)}
	err := j.Normalize()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	d := e.Details.(map[string]any)
	if d["line"] != 1 || d["column"] == nil {
		t.Errorf("details %v, want line 1 and a column", d)
	}
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
	good := condJob("j2", ConditionConfig{Cases: []ConditionCase{{When: "outputs.check.rowCount > 0", To: []string{"j3"}}}})
	if err := ValidateControl(c, []*Job{check, good, x, y}); err != nil {
		t.Fatalf("valid canvas refused: %v", err)
	}
	tests := []struct {
		name string
		cond *Job
		want string
	}{
		{"Grandchild", condJob("j2", ConditionConfig{Cases: []ConditionCase{{When: "true", To: []string{"j4"}}}}), `config.cases[0].to names "j4", which is not a child`},
		{"DefaultNotChild", condJob("j2", ConditionConfig{Cases: []ConditionCase{{When: "true"}}, Default: []string{"j1"}}), `config.default names "j1"`},
		{"ReadsDescendant", condJob("j2", ConditionConfig{Cases: []ConditionCase{{When: `outputs.y.k == "1"`, To: []string{"j3"}}}}), `names job "y", which is not upstream`},
		{"ReadsUnknown", condJob("j2", ConditionConfig{Cases: []ConditionCase{{When: `outputs["no such"].k == "1"`}}}), `"no such", which is not a job of this workflow`},
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
