package jobflow

import "context"

// Workflow concurrency (docs/run-semantics.md#workflow-concurrency): how
// many runs of one workflow may go on at once, whatever started them
// (manual, schedule, invoke, rerun, backfill, SUBFLOW), and what happens to
// a run that finds the limit reached. It is Kestra's `concurrency {limit,
// behavior}` and the workflow-level half of DolphinScheduler's serial
// execution; a schedule's overlap policy still decides, before that, which
// of its own fires start a run at all.

// Concurrency behaviors: what a run that finds its workflow's limit reached
// does.
const (
	ConcurrencyQueue = "QUEUE" // waits as QUEUED, in order, for a slot
	ConcurrencySkip  = "SKIP"  // is recorded SKIPPED and never runs
	ConcurrencyFail  = "FAIL"  // is refused: 409 to a manual run or an invoke, a FAIL run otherwise
)

// MaxConcurrencyLimit bounds Concurrency.Limit.
const MaxConcurrencyLimit = 1000

// Concurrency limits the runs of one workflow that go on at once.
type Concurrency struct {
	Limit    int    `json:"limit" doc:"runs of this workflow that may go on at once (RUNNING, PAUSED or ABORTING), 1 to 1000"`
	Behavior string `json:"behavior" enum:"QUEUE,SKIP,FAIL" doc:"what a run that finds the limit reached does: QUEUE waits as QUEUED in order (the default), SKIP is recorded SKIPPED, FAIL is refused (409 to a manual run or an invoke)"`
}

// Normalize fills the default behavior.
func (c *Concurrency) Normalize() {
	if c != nil && c.Behavior == "" {
		c.Behavior = ConcurrencyQueue
	}
}

// Validate normalizes c and checks it; nil is no limit.
func (c *Concurrency) Validate() error {
	if c == nil {
		return nil
	}
	c.Normalize()
	if c.Limit < 1 || c.Limit > MaxConcurrencyLimit {
		return InvalidField("concurrency.limit", "concurrency.limit must be between 1 and %d (leave out concurrency for no limit)", MaxConcurrencyLimit)
	}
	switch c.Behavior {
	case ConcurrencyQueue, ConcurrencySkip, ConcurrencyFail:
	default:
		return InvalidField("concurrency.behavior", "concurrency.behavior must be QUEUE, SKIP or FAIL")
	}
	return nil
}

// Limited reports whether c limits anything.
func (c *Concurrency) Limited() bool { return c != nil && c.Limit > 0 }

// Admission is the store's answer to a run that asks for a slot.
type Admission struct {
	// Status is the run's status after the answer: RUNNING (admitted, or
	// already admitted), QUEUED, SKIPPED or FAIL (refused); another
	// status when the run had gone on or ended before it asked.
	Status RunStatus `json:"status"`
	// Position is a QUEUED run's place in its workflow's queue, from 1.
	Position int `json:"position,omitempty"`
	// Holders is how many runs held a slot when it asked.
	Holders int `json:"holders"`
	// Error says why a run was skipped or refused.
	Error string `json:"error,omitempty"`
	// Existed: the run's row was there before the request.
	Existed bool `json:"existed,omitempty"`
}

// AdmitRequest asks for a slot for Run under Concurrency. With a Snapshot
// the run is new (the engine starts it): its row is created with the
// snapshot, and a refused run (behavior FAIL) is not written at all.
// Without one, the run's own FlowRun asks: the row is created if missing
// and a refused run is written FAIL.
type AdmitRequest struct {
	Run         *Run
	Snapshot    *Snapshot
	Concurrency Concurrency
}

// RunQueueService admits runs under their workflow's concurrency limit and
// moves the queue on (store/runqueue.go).
type RunQueueService interface {
	// AdmitRun decides whether the run starts now, waits or is turned
	// away, atomically with the other runs of its workflow. Asked again for
	// a run already decided, it answers the run's status (a QUEUED run is
	// granted first if a slot is free).
	AdmitRun(ctx context.Context, req AdmitRequest) (Admission, error)
	// GrantQueuedRuns gives free slots of the workflow to its QUEUED runs,
	// oldest first, and returns the runs it moved to RUNNING (their FlowRuns
	// are to be signalled).
	GrantQueuedRuns(ctx context.Context, tenantID, workflowID string) ([]*Run, error)
}
