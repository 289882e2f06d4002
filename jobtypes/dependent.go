package jobtypes

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"jobflow"
)

// Dependent relations and upstream-failure policies.
const (
	RelationAnd = "AND"
	RelationOr  = "OR"

	OnUpstreamFailFail = "FAIL"
	OnUpstreamFailWait = "WAIT"
)

// DependentConfig is the config of a DEPENDENT job: it waits (WAITING, no
// parallelism slot) for SUCCESS runs of other workflows whose logicalTime is
// in a window of this run's logical time.
type DependentConfig struct {
	Items                []DependentItem `json:"items"`
	Relation             string          `json:"relation"`                       // AND (default) or OR
	TimeoutSeconds       int             `json:"timeoutSeconds"`                 // 0: the job's own timeout, else 24 h
	OnUpstreamFail       string          `json:"onUpstreamFail"`                 // FAIL (default) or WAIT
	CheckIntervalSeconds int             `json:"checkIntervalSeconds,omitempty"` // the fallback poll, default 60
}

// DependentItem is one thing a DEPENDENT job waits for.
type DependentItem struct {
	WorkflowID string `json:"workflowId"`
	JobID      string `json:"jobId,omitempty"` // "": the whole run must be SUCCESS
	Window     string `json:"window"`          // today, yesterday, thisHour, lastHour, lastNHours:N, thisWeek, lastWeek, thisMonth, lastMonth, lastNDays:N
}

// Timeout is how long a DEPENDENT node waits before it fails: its own
// timeoutSeconds, else the job's, else jobflow.DefaultDependentTimeout.
func (c DependentConfig) Timeout(jobTimeoutSeconds int) time.Duration {
	switch {
	case c.TimeoutSeconds > 0:
		return time.Duration(c.TimeoutSeconds) * time.Second
	case jobTimeoutSeconds > 0:
		return time.Duration(jobTimeoutSeconds) * time.Second
	}
	return jobflow.DefaultDependentTimeout
}

// CheckInterval is the fallback poll of a DEPENDENT node.
func (c DependentConfig) CheckInterval() time.Duration {
	if c.CheckIntervalSeconds <= 0 {
		return jobflow.DefaultDependentCheckSeconds * time.Second
	}
	return time.Duration(c.CheckIntervalSeconds) * time.Second
}

// dependentType: FlowRun waits for the upstream runs (workflows/dependent.go);
// the config struct and its windows are DependentConfig.
type dependentType struct{}

func (dependentType) Type() jobflow.JobType { return jobflow.JobDependent }
func (dependentType) Kind() jobflow.JobKind { return jobflow.KindControl }
func (dependentType) Defaults() any {
	return DependentConfig{Items: []DependentItem{}, Relation: RelationAnd,
		OnUpstreamFail: OnUpstreamFailFail, CheckIntervalSeconds: jobflow.DefaultDependentCheckSeconds}
}

// Outputs: a DEPENDENT sets none.
func (dependentType) Outputs() jobflow.JobOutputs { return jobflow.JobOutputs{Names: []string{}} }

func (dependentType) Schema() map[string]any {
	windows := append(slices.Clone(jobflow.DependentWindows), "lastNHours:N", "lastNDays:N")
	return object(map[string]any{
		"items": map[string]any{"type": "array", "minItems": 1, "maxItems": jobflow.MaxDependentItems,
			"description": "the runs to wait for: each a SUCCESS run whose logical time is in the window",
			"items": object(map[string]any{
				"workflowId": str("the workflow to wait for"),
				"jobId":      str("a job of it that must have succeeded; empty: the whole run"),
				"window":     map[string]any{"type": "string", "description": "the window of logical times: " + strings.Join(windows, ", ")},
			}, "workflowId", "window")},
		"relation":       enum("AND: every item; OR: any", RelationAnd, RelationAnd, RelationOr),
		"timeoutSeconds": integer("how long to wait; 0: the job's timeout, else 24 h", 0, jobflow.MaxTimeoutSeconds),
		"onUpstreamFail": enum("FAIL: fail when an upstream run failed; WAIT: keep waiting", OnUpstreamFailFail, OnUpstreamFailFail, OnUpstreamFailWait),
		"checkIntervalSeconds": map[string]any{"type": "integer", "description": "the fallback poll", "default": jobflow.DefaultDependentCheckSeconds,
			"minimum": jobflow.MinDependentCheckSeconds, "maximum": jobflow.MaxDependentCheckSeconds},
	}, "items")
}

// Normalize validates a DEPENDENT config and fills its defaults. That the
// named workflows and jobs exist in the tenant is the store's check (it
// needs the store).
func (dependentType) Normalize(raw json.RawMessage) (any, error) {
	var c DependentConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if len(c.Items) == 0 {
		return nil, jobflow.InvalidField("config.items", "config.items must name at least one workflow to wait for")
	}
	if len(c.Items) > jobflow.MaxDependentItems {
		return nil, jobflow.InvalidField("config.items", "config.items may hold at most %d items", jobflow.MaxDependentItems)
	}
	for k := range c.Items {
		it := &c.Items[k]
		field := fmt.Sprintf("config.items[%d]", k)
		it.WorkflowID = strings.TrimSpace(it.WorkflowID)
		it.JobID = strings.TrimSpace(it.JobID)
		if it.WorkflowID == "" {
			return nil, jobflow.InvalidField(field+".workflowId", "%s.workflowId is required", field)
		}
		if _, _, err := jobflow.DependentWindow(it.Window, time.Unix(0, 0), time.UTC); err != nil {
			return nil, jobflow.InvalidField(field+".window", "%s.window: %v", field, err)
		}
	}
	if c.Relation == "" {
		c.Relation = RelationAnd
	}
	if c.Relation != RelationAnd && c.Relation != RelationOr {
		return nil, jobflow.InvalidField("config.relation", "config.relation must be AND or OR")
	}
	if c.OnUpstreamFail == "" {
		c.OnUpstreamFail = OnUpstreamFailFail
	}
	if c.OnUpstreamFail != OnUpstreamFailFail && c.OnUpstreamFail != OnUpstreamFailWait {
		return nil, jobflow.InvalidField("config.onUpstreamFail", "config.onUpstreamFail must be FAIL or WAIT")
	}
	if c.TimeoutSeconds < 0 || c.TimeoutSeconds > jobflow.MaxTimeoutSeconds {
		return nil, jobflow.InvalidField("config.timeoutSeconds", "config.timeoutSeconds must be between 0 and %d", jobflow.MaxTimeoutSeconds)
	}
	if c.CheckIntervalSeconds == 0 {
		c.CheckIntervalSeconds = jobflow.DefaultDependentCheckSeconds
	}
	if c.CheckIntervalSeconds < jobflow.MinDependentCheckSeconds || c.CheckIntervalSeconds > jobflow.MaxDependentCheckSeconds {
		return nil, jobflow.InvalidField("config.checkIntervalSeconds", "config.checkIntervalSeconds must be between %d and %d",
			jobflow.MinDependentCheckSeconds, jobflow.MaxDependentCheckSeconds)
	}
	return c, nil
}

// ParseDependentConfig reads a stored (normalized) DEPENDENT config.
func ParseDependentConfig(raw json.RawMessage) (DependentConfig, error) {
	v, err := dependentType{}.Normalize(raw)
	if err != nil {
		return DependentConfig{}, err
	}
	return v.(DependentConfig), nil
}
