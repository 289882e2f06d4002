package jobtypes_test

// These tests read the domain's names unqualified: they moved here with
// the validation they check, from the root package's own tests.

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	. "jobflow"
	"jobflow/jobtypes"
)

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

// TestConditionLimits_RefusedOnSave: what a limit refuses on save is a 400
// INVALID naming the field and the limit.
func TestConditionLimits_RefusedOnSave(t *testing.T) {
	deep := strings.Repeat("abs(", MaxExpressionDepth+5) + "1" + strings.Repeat(")", MaxExpressionDepth+5) + " == 1"
	many := strings.Repeat("1+", MaxExpressionNodes) + "1 > 0"
	tests := []struct{ name, when, want string }{
		{"ReportedRangeBomb", "let r=1..25000; all(r,{all(r,{#>0})})", "the range 1..25000 has 25000 elements, more than the limit of 10000"},
		{"ComputedRange", `all(1..params.n, {# > 0})`, "integer literals"},
		{"ComputedRangeLet", `let n=10; let r=1..n; len(r) > 0`, "integer literals"},
		{"HugeRange", `len(1..100000000) > 0`, "more than the limit of 10000"},
		{"NegativeRange", `len(-20000..-1) > 0`, "more than the limit of 10000"},
		{"HugeLiteral", `"` + strings.Repeat("a", 5000) + `" != ""`, "more than the limit of 4096 bytes"},
		{"DeepNesting", deep, "nests deeper than the limit of 128 levels"},
		{"DeepNot", strings.Repeat("!", 200) + "true", "nests deeper"},
		{"DeepArrays", strings.Repeat("[", 300) + strings.Repeat("]", 300) + " != nil", "nests deeper"},
		{"HugePattern", `params.mode matches "` + strings.Repeat("(a|aa)", 200) + `"`, "the pattern of matches is 1200 bytes, more than the limit of 1024 bytes"},
		{"OverflowRange", `len(-9223372036854775807..9223372036854775807) > 0`, "more than the limit of 10000"},
		{"TooManyNodes", many, "more than the limit of 500 syntax nodes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := json.Marshal(jobtypes.ConditionConfig{Cases: []jobtypes.ConditionCase{{When: "true", To: []string{}}, {When: tt.when, To: []string{}}}})
			j := Job{Name: "c", Type: JobCondition, Config: cfg}
			err := j.Normalize()
			if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want INVALID containing %q", err, tt.want)
			}
			d, _ := json.Marshal(err.(*Error).Details)
			if !strings.Contains(string(d), `"field":"config.cases[1].when"`) {
				t.Errorf("details %s, want field config.cases[1].when", d)
			}
		})
	}
	// At the limits, not past them: saved.
	for _, ok := range []string{
		`len(1..10000) == 10000`, `len(-5..4) == 10`,
		strings.Repeat("abs(", MaxExpressionDepth-5) + "1" + strings.Repeat(")", MaxExpressionDepth-5) + " == 1",
		strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000) + " == 1", // parentheses make no nodes
		strings.Repeat("1+", 100) + "1 > 0",
	} {
		if _, err := CompileCondition(ok); err != nil {
			t.Errorf("%.40s refused: %v", ok, err)
		}
	}
}

// TestNormalizeDependentConfig: defaults, and every invalid field named.
func TestNormalizeDependentConfig(t *testing.T) {
	j := Job{Name: "wait", Type: JobDependent, Config: json.RawMessage(`{"items":[{"workflowId":" wf_a ","window":"yesterday"}]}`)}
	if err := j.Normalize(); err != nil {
		t.Fatal(err)
	}
	c, err := jobtypes.ParseDependentConfig(j.Config)
	if err != nil {
		t.Fatal(err)
	}
	if c.Relation != jobtypes.RelationAnd || c.OnUpstreamFail != jobtypes.OnUpstreamFailFail || c.CheckIntervalSeconds != 60 ||
		c.Items[0].WorkflowID != "wf_a" || c.TimeoutSeconds != 0 {
		t.Fatalf("normalized: %+v", c)
	}
	if d := c.Timeout(0); d != 24*time.Hour {
		t.Errorf("default timeout %v", d)
	}
	if d := c.Timeout(90); d != 90*time.Second {
		t.Errorf("job timeout %v", d)
	}
	c.TimeoutSeconds = 30
	if d := c.Timeout(90); d != 30*time.Second {
		t.Errorf("own timeout %v", d)
	}

	bad := []struct{ config, field string }{
		{`{}`, "config.items"},
		{`{"items":[]}`, "config.items"},
		{`{"items":[{"window":"today"}]}`, "config.items[0].workflowId"},
		{`{"items":[{"workflowId":"a","window":"today"},{"workflowId":"b","window":"someday"}]}`, "config.items[1].window"},
		{`{"items":[{"workflowId":"a","window":"lastNDays:0"}]}`, "config.items[0].window"},
		{`{"items":[{"workflowId":"a","window":"today"}],"relation":"XOR"}`, "config.relation"},
		{`{"items":[{"workflowId":"a","window":"today"}],"onUpstreamFail":"IGNORE"}`, "config.onUpstreamFail"},
		{`{"items":[{"workflowId":"a","window":"today"}],"timeoutSeconds":-1}`, "config.timeoutSeconds"},
		{`{"items":[{"workflowId":"a","window":"today"}],"checkIntervalSeconds":1}`, "config.checkIntervalSeconds"},
		{`{"items":[{"workflowId":"a","window":"today"}],"wait":true}`, "config"},
		{`{"items":[{"workflowId":"a","window":"today","extra":1}]}`, "config"},
	}
	for _, b := range bad {
		j := Job{Name: "wait", Type: JobDependent, Config: json.RawMessage(b.config)}
		err := j.Normalize()
		var e *Error
		if !errors.As(err, &e) || e.Code != EINVALID || fieldOf(e) != b.field {
			t.Errorf("%s: err %v, want EINVALID on %s", b.config, err, b.field)
			continue
		}
		if !strings.Contains(e.Message, strings.TrimPrefix(b.field, "config.")) {
			t.Errorf("%s: message %q does not name %s", b.config, e.Message, b.field)
		}
	}
	items := make([]string, MaxDependentItems+1)
	for k := range items {
		items[k] = `{"workflowId":"a","window":"today"}`
	}
	j = Job{Name: "wait", Type: JobDependent, Config: json.RawMessage(`{"items":[` + strings.Join(items, ",") + `]}`)}
	if err := j.Normalize(); ErrorCode(err) != EINVALID {
		t.Errorf("%d items: %v", len(items), err)
	}
}

func fieldOf(e *Error) string {
	d, _ := e.Details.(map[string]string)
	return d["field"]
}
