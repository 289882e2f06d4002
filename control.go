package jobflow

// Control between jobs and workflows (docs/run-semantics.md#trigger-rules-and-condition-jobs): trigger rules on canvas
// nodes, and the job types that FlowRun runs itself rather than as a RunJob
// activity: CONDITION, SUBFLOW and DEPENDENT.

// TriggerRule says when a canvas node may start, given its parents' states.
type TriggerRule string

// Trigger rules (Airflow's names).
const (
	RuleAllSuccess TriggerRule = "ALL_SUCCESS" // every parent SUCCESS, SKIPPED or NOT_SELECTED (the default)
	RuleAllDone    TriggerRule = "ALL_DONE"    // every parent ended, whatever its state: cleanup jobs
	RuleOneSuccess TriggerRule = "ONE_SUCCESS" // as soon as one parent succeeded
	RuleOneFailed  TriggerRule = "ONE_FAILED"  // as soon as one parent failed: on-failure handlers
	RuleNoneFailed TriggerRule = "NONE_FAILED" // every parent ended and none failed
)

// Job types run by FlowRun itself.
const (
	JobCondition JobType = "CONDITION"
	JobSubflow   JobType = "SUBFLOW"
	JobDependent JobType = "DEPENDENT"
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
