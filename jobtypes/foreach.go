package jobtypes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"jobflow"
)

// FOREACH limits.
const (
	DefaultForEachParam       = "item"
	DefaultForEachConcurrency = 10
	MaxForEachConcurrency     = 500
	MaxForEachItemBytes       = 64 << 10 // a param's bound
)

// ForEachConfig is the config of a FOREACH job
// (docs/run-semantics.md#foreach-jobs): one child run of WorkflowID per
// item, the item in the child's param Param, at most MaxConcurrency at
// once; the node fails when more than FailureTolerancePercent of the
// items fail.
type ForEachConfig struct {
	// Items is a literal JSON list, or a text with variables (typically
	// "${outputs.<job>.<key>}") that resolves to a JSON list when the node
	// starts.
	Items                   json.RawMessage `json:"items"`
	WorkflowID              string          `json:"workflowId"`
	Version                 string          `json:"version"` // PUBLISHED (default) or DRAFT, as SUBFLOW's
	Param                   string          `json:"param"`
	MaxConcurrency          int             `json:"maxConcurrency"`
	FailureTolerancePercent int             `json:"failureTolerancePercent"`
}

// Expression is the items' text when they are resolved at run time, ""
// for a literal list.
func (c ForEachConfig) Expression() string {
	var s string
	if json.Unmarshal(c.Items, &s) == nil {
		return s
	}
	return ""
}

// Tolerated is how many of total items may fail with the node succeeding.
func (c ForEachConfig) Tolerated(total int) int {
	return total * c.FailureTolerancePercent / 100
}

type forEachType struct{}

func (forEachType) Type() jobflow.JobType { return jobflow.JobForEach }
func (forEachType) Kind() jobflow.JobKind { return jobflow.KindControl }
func (forEachType) Defaults() any {
	return ForEachConfig{Items: json.RawMessage(`[]`), Version: SubflowPublished, Param: DefaultForEachParam,
		MaxConcurrency: DefaultForEachConcurrency}
}

// Outputs: the counts of the node's items.
func (forEachType) Outputs() jobflow.JobOutputs {
	return jobflow.JobOutputs{Names: []string{"total", "succeeded", "failed"}}
}

func (forEachType) Schema() map[string]any {
	items := map[string]any{"description": "a JSON list, or a text such as ${outputs.<job>.<key>} that gives one when the node starts",
		"oneOf": []any{map[string]any{"type": "array", "items": map[string]any{}}, map[string]any{"type": "string"}}}
	return object(map[string]any{
		"items":                   items,
		"workflowId":              str("the workflow of the tenant to run once per item"),
		"version":                 enum("which of the child's versions runs", SubflowPublished, SubflowPublished, SubflowDraft),
		"param":                   map[string]any{"type": "string", "description": "the child's param that holds the item", "default": DefaultForEachParam},
		"maxConcurrency":          integer("child runs at once", 1, MaxForEachConcurrency),
		"failureTolerancePercent": integer("the share of items that may fail with the node succeeding", 0, 100),
	}, "items", "workflowId")
}

// FOREACH jobs retry nothing whole: a rerun reruns their failed items.
func (forEachType) CheckJob(j *jobflow.Job) error {
	if j.Retry.MaxAttempts > 1 {
		return jobflow.InvalidField("retry.maxAttempts", "retry.maxAttempts must be 1 for a FOREACH job (set retries on the child's jobs; a rerun reruns the failed items)")
	}
	return nil
}

// Normalize checks a FOREACH config and fills its defaults.
func (forEachType) Normalize(raw json.RawMessage) (any, error) {
	var c ForEachConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if err := normalizeTarget(c.WorkflowID, &c.Version, "the workflow to run per item"); err != nil {
		return nil, err
	}
	if c.Param == "" {
		c.Param = DefaultForEachParam
	}
	if !jobflow.ValidParamName(c.Param) {
		return nil, jobflow.InvalidField("config.param", "config.param %q is not a valid param name (letters, digits and '_')", c.Param)
	}
	if c.MaxConcurrency == 0 {
		c.MaxConcurrency = DefaultForEachConcurrency
	}
	if c.MaxConcurrency < 1 || c.MaxConcurrency > MaxForEachConcurrency {
		return nil, jobflow.InvalidField("config.maxConcurrency", "config.maxConcurrency must be between 1 and %d", MaxForEachConcurrency)
	}
	if c.FailureTolerancePercent < 0 || c.FailureTolerancePercent > 100 {
		return nil, jobflow.InvalidField("config.failureTolerancePercent", "config.failureTolerancePercent must be between 0 and 100")
	}
	t := bytes.TrimSpace(c.Items)
	switch {
	case len(t) == 0 || bytes.Equal(t, []byte("null")):
		return nil, jobflow.InvalidField("config.items", "config.items is required: a JSON list, or a text such as ${outputs.<job>.<key>} that gives one")
	case t[0] == '"':
		var s string
		_ = json.Unmarshal(t, &s)
		if !strings.Contains(s, "${") {
			return nil, jobflow.InvalidField("config.items", "config.items is a text without a variable: give a JSON list, or a text such as ${outputs.<job>.<key>}")
		}
		// A secret would be resolved into every child's params, which sit
		// in Temporal's history (as SUBFLOW's params).
		if strings.Contains(s, "${{") && strings.Contains(s, "secret.") {
			return nil, jobflow.InvalidField("config.items", "config.items names a secret; secrets cannot be passed to child runs")
		}
	case t[0] == '[':
		if _, err := ParseForEachItems(t); err != nil {
			return nil, jobflow.InvalidField("config.items", "config.items: %s", err)
		}
	default:
		return nil, jobflow.InvalidField("config.items", "config.items must be a JSON list or a text such as ${outputs.<job>.<key>}")
	}
	c.Items = json.RawMessage(t)
	return c, nil
}

// CalledWorkflow is the workflow a FOREACH config runs (the call-graph
// check treats it as SUBFLOW's).
func (forEachType) CalledWorkflow(raw json.RawMessage) string {
	var c ForEachConfig
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return c.WorkflowID
}

// ParseForEachConfig reads a stored (normalized) FOREACH config.
func ParseForEachConfig(raw json.RawMessage) (ForEachConfig, error) {
	v, err := forEachType{}.Normalize(raw)
	if err != nil {
		return ForEachConfig{}, err
	}
	return v.(ForEachConfig), nil
}

// ParseForEachItems reads a JSON list of items: a string item is the
// param's value as it is, any other value its compact JSON text.
func ParseForEachItems(list []byte) ([]string, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(list, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON list: %v", err)
	}
	if len(raw) > jobflow.MaxForEachItems {
		return nil, fmt.Errorf("%d items, more than the %d a FOREACH job may run", len(raw), jobflow.MaxForEachItems)
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		var s string
		if json.Unmarshal(r, &s) != nil {
			var b bytes.Buffer
			if err := json.Compact(&b, r); err != nil {
				return nil, fmt.Errorf("item %d: %v", i, err)
			}
			s = b.String()
		}
		if len(s) > MaxForEachItemBytes {
			return nil, fmt.Errorf("item %d is longer than %d bytes", i, MaxForEachItemBytes)
		}
		out[i] = s
	}
	return out, nil
}
