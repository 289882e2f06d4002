package jobflow

// Control between jobs and workflows (docs/run-semantics.md#trigger-rules-and-condition-jobs): trigger rules on canvas
// nodes, and the job types that FlowRun runs itself rather than as a RunJob
// activity: CONDITION, SUBFLOW and DEPENDENT. Their configs belong to
// package jobtypes; the draft checks read them through the hooks in
// jobtype.go.

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
	JobApproval  JobType = "APPROVAL" // waits for a user's decision (jobtypes/approval.go)
	JobForEach   JobType = "FOREACH"  // one child run per item of a list (jobtypes/foreach.go)
)
