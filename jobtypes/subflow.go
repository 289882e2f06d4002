package jobtypes

import (
	"encoding/json"
	"strings"

	"jobflow"
)

// Subflow versions.
const (
	SubflowPublished = "PUBLISHED"
	SubflowDraft     = "DRAFT"
)

// SubflowConfig is the config of a SUBFLOW job: it runs another workflow of
// the tenant as a child run.
type SubflowConfig struct {
	WorkflowID string            `json:"workflowId"`
	Version    string            `json:"version"` // PUBLISHED (default) or DRAFT
	Params     map[string]string `json:"params,omitempty"`
	Wait       *bool             `json:"wait,omitempty"` // default true: the node ends with the child
}

// subflowType: FlowRun starts the child run and waits for it
// (workflows/subflow.go); the config struct is SubflowConfig, which
// the domain's call-graph check reads too.
type subflowType struct{}

func (subflowType) Type() jobflow.JobType { return jobflow.JobSubflow }
func (subflowType) Kind() jobflow.JobKind { return jobflow.KindControl }
func (subflowType) Defaults() any {
	wait := true
	return SubflowConfig{Version: SubflowPublished, Wait: &wait}
}

// Outputs: the child run's id, and the outputs the child's jobs set
// (docs/run-semantics.md).
func (subflowType) Outputs() jobflow.JobOutputs {
	return jobflow.JobOutputs{Names: []string{"childRunId"}, Free: true}
}

func (subflowType) Schema() map[string]any {
	return object(map[string]any{
		"workflowId": str("the workflow of the tenant to run as a child run"),
		"version":    enum("which of the child's versions runs", SubflowPublished, SubflowPublished, SubflowDraft),
		"params":     stringMap("the child run's params; secrets cannot be passed"),
		"wait":       map[string]any{"type": "boolean", "description": "the node ends with the child run", "default": true},
	}, "workflowId")
}

// SUBFLOW jobs retry nothing whole: the child's own jobs have retries.
func (subflowType) CheckJob(j *jobflow.Job) error {
	if j.Retry.MaxAttempts > 1 {
		// A child run is not retried whole: its own jobs have retries,
		// and a rerun of the parent reruns the child's failed jobs.
		return jobflow.InvalidField("retry.maxAttempts", "retry.maxAttempts must be 1 for a SUBFLOW job (set retries on the child's jobs)")
	}
	return nil
}

// Normalize checks a SUBFLOW config on its own and fills its defaults;
// that the workflow exists and the call graph has no loop is checked
// against the store (jobflow.CheckSubflows).
func (subflowType) Normalize(raw json.RawMessage) (any, error) {
	var c SubflowConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if err := normalizeTarget(c.WorkflowID, &c.Version, "the workflow to run"); err != nil {
		return nil, err
	}
	if len(c.Params) > jobflow.MaxSubflowParams {
		return nil, jobflow.InvalidField("config.params", "config.params: at most %d params", jobflow.MaxSubflowParams)
	}
	for k, v := range c.Params {
		if !jobflow.ValidParamName(k) {
			return nil, jobflow.InvalidField("config.params", "config.params: %q is not a valid param name (letters, digits and '_')", k)
		}
		if len(v) > 64<<10 {
			return nil, jobflow.InvalidField("config.params", "config.params: %q is longer than 64 KiB", k)
		}
		// The child's params travel in its workflow input: a secret there
		// would sit in Temporal's history. The child's jobs name it instead.
		if strings.Contains(v, "${{") && strings.Contains(v, "secret.") {
			return nil, jobflow.InvalidField("config.params", "config.params: %q names a secret; secrets cannot be passed to a subflow (name the secret in the child's jobs)", k)
		}
	}
	if c.Wait == nil {
		wait := true
		c.Wait = &wait
	}
	return c, nil
}

// normalizeTarget checks the workflow a SUBFLOW or FOREACH config runs
// (what says what it is for) and defaults its version to PUBLISHED.
func normalizeTarget(workflowID string, version *string, what string) error {
	if strings.TrimSpace(workflowID) == "" {
		return jobflow.InvalidField("config.workflowId", "config.workflowId is required: %s", what)
	}
	switch *version {
	case "":
		*version = SubflowPublished
	case SubflowPublished, SubflowDraft:
	default:
		return jobflow.InvalidField("config.version", "config.version must be PUBLISHED or DRAFT")
	}
	return nil
}

// CalledWorkflow is the workflow a SUBFLOW config runs.
func (subflowType) CalledWorkflow(raw json.RawMessage) string {
	var c SubflowConfig
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return c.WorkflowID
}
