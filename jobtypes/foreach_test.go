package jobtypes_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	. "jobflow"
	"jobflow/jobtypes"
)

// A FOREACH config that cannot run is a 400 naming the field.
func TestForEach_NormalizeRefuses(t *testing.T) {
	many := make([]int, MaxForEachItems+1)
	tooMany, _ := json.Marshal(many)
	tests := []struct{ name, config, field, want string }{
		{"NoWorkflow", `{"items":[1]}`, "config.workflowId", "required"},
		{"NoItems", `{"workflowId":"w"}`, "config.items", "required"},
		{"TextWithoutVariable", `{"workflowId":"w","items":"a,b"}`, "config.items", "without a variable"},
		{"Object", `{"workflowId":"w","items":{"a":1}}`, "config.items", "JSON list"},
		{"TooMany", `{"workflowId":"w","items":` + string(tooMany) + `}`, "config.items", "more than the 10000"},
		{"Secret", `{"workflowId":"w","items":"${{secret.list}}"}`, "config.items", "secret"},
		{"BadParam", `{"workflowId":"w","items":[1],"param":"a-b"}`, "config.param", "valid param name"},
		{"Concurrency", `{"workflowId":"w","items":[1],"maxConcurrency":501}`, "config.maxConcurrency", "between 1 and 500"},
		{"Tolerance", `{"workflowId":"w","items":[1],"failureTolerancePercent":101}`, "config.failureTolerancePercent", "between 0 and 100"},
		{"Version", `{"workflowId":"w","items":[1],"version":"3"}`, "config.version", "PUBLISHED or DRAFT"},
		{"UnknownField", `{"workflowId":"w","items":[1],"parallel":2}`, "", "parallel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Job{Name: "f", Type: JobForEach, Config: json.RawMessage(tt.config)}
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
	j := Job{Name: "f", Type: JobForEach, Config: json.RawMessage(`{"workflowId":"w","items":"${outputs.list.ids}"}`), Retry: RetryPolicy{MaxAttempts: 2}}
	if err := j.Normalize(); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "retry.maxAttempts") {
		t.Errorf("a retried FOREACH: %v", err)
	}
}

// Defaults fill in; the call graph sees the target; items read as text.
func TestForEach_NormalizeAndItems(t *testing.T) {
	j := Job{Name: "f", Type: JobForEach, Config: json.RawMessage(`{"workflowId":"w","items":"${outputs.list.ids}"}`)}
	if err := j.Normalize(); err != nil {
		t.Fatal(err)
	}
	c, err := jobtypes.ParseForEachConfig(j.Config)
	if err != nil {
		t.Fatal(err)
	}
	if c.Param != "item" || c.MaxConcurrency != 10 || c.Version != "PUBLISHED" || c.Expression() != "${outputs.list.ids}" {
		t.Errorf("normalized %+v", c)
	}
	if j.CalledWorkflow() != "w" {
		t.Errorf("CalledWorkflow = %q", j.CalledWorkflow())
	}
	if got := c.Tolerated(10); got != 0 {
		t.Errorf("Tolerated(10) at 0%% = %d", got)
	}
	items, err := jobtypes.ParseForEachItems([]byte(`["a", 2, {"k": [1, 2]}, "${x}"]`))
	if err != nil || fmt.Sprint(items) != `[a 2 {"k":[1,2]} ${x}]` {
		t.Errorf("items %q, %v", items, err)
	}
	if _, err := jobtypes.ParseForEachItems([]byte(`["` + strings.Repeat("x", 64<<10+1) + `"]`)); err == nil {
		t.Error("an item over 64 KiB was taken")
	}
}
