package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Workflow concurrency (docs/run-semantics.md#workflow-concurrency). Before
// a run of a limited workflow starts anything, its FlowRun asks the store
// for a slot (AdmitRun, one local activity): whatever started the run, the
// same door. A QUEUED run waits for the slot-granted signal, which the
// final record of a holder sends once the store has handed it the slot; a
// lost signal costs at most one re-ask (every 10 s, doubling to 5 min),
// since the grant itself is in the store. An abort ends a queued run at
// once. Runs of workflows without a limit take none of these paths, so the
// recorded histories replay unchanged.

// msgQueued is why a queued run refuses updates.
const msgQueued = "the run is queued: it has not started yet (abort it, or wait until it starts)"

// Outcomes of admit.
const (
	admitGo      = iota // the run has its slot (or needs none): go on
	admitSkipped        // SKIP: the store recorded the run SKIPPED; end now
	admitAborted        // aborted while queued: finish
)

// Re-asking a queued run's admission, in case its signal was lost.
const (
	queueRecheckFirst = 10 * time.Second
	queueRecheckMax   = 5 * time.Minute
)

// admit gets the run a slot under its workflow's concurrency limit. A run
// the limit refuses (behavior FAIL) goes on with r.invalid set, and so
// fails at once with the reason.
func (r *runner) admit(ctx workflow.Context) int {
	c := r.cfg.Concurrency
	if !c.Limited() || workflow.GetVersion(ctx, "concurrency", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return admitGo
	}
	if ctx.Err() != nil { // aborted before it began: it never asks
		r.notStarted = true
		r.onCancel()
		return admitAborted
	}
	adm, err := r.askSlot(ctx)
	switch {
	case err != nil && ctx.Err() != nil: // aborted while it asked
		r.notStarted = true
		r.onCancel()
		return admitAborted
	case err != nil:
		r.invalid = "the run could not be admitted under the workflow's concurrency limit: " + err.Error()
		return admitGo
	}
	switch adm.Status {
	case jobflow.RunSkipped:
		r.notStarted = true
		return admitSkipped
	case jobflow.RunFail:
		r.notStarted = true
		r.invalid = adm.Error
		return admitGo
	case jobflow.RunQueued:
		return r.waitForSlot(ctx)
	}
	return admitGo // admitted, or aborting: the cancellation is on its way
}

// askSlot runs AdmitRun.
func (r *runner) askSlot(ctx workflow.Context) (jobflow.Admission, error) {
	var adm jobflow.Admission
	in := AdmitRunInput{Run: r.runRow(jobflow.RunRunning), Concurrency: *r.cfg.Concurrency}
	lctx := workflow.WithLocalActivityOptions(ctx, recordOptions())
	err := workflow.ExecuteLocalActivity(lctx, AdmitRunActivity, in).Get(lctx, &adm)
	return adm, err
}

// waitForSlot records the run QUEUED with its nodes PENDING and waits for
// the grant, re-asking now and then, or for an abort.
func (r *runner) waitForSlot(ctx workflow.Context) int {
	r.queuedNow, r.wasQueued = true, true
	defer func() { r.queuedNow = false }()
	r.record(ctx, jobflow.RunQueued, r.allNodes())
	granted := workflow.GetSignalChannel(ctx, SignalSlotGranted)
	wait := queueRecheckFirst
	for {
		got := false
		tctx, cancel := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(granted, func(c workflow.ReceiveChannel, _ bool) {
			c.ReceiveAsync(nil)
			got = true
		})
		sel.AddFuture(workflow.NewTimerWithOptions(tctx, wait, workflow.TimerOptions{Summary: "queued: ask again"}), func(workflow.Future) {})
		sel.AddReceive(ctx.Done(), func(c workflow.ReceiveChannel, _ bool) { c.ReceiveAsync(nil) })
		sel.Select(ctx)
		cancel()
		if ctx.Err() != nil { // aborted while queued: nothing ran
			r.notStarted = true
			r.onCancel()
			return admitAborted
		}
		if got {
			return admitGo
		}
		adm, err := r.askSlot(ctx)
		if err == nil && adm.Status != jobflow.RunQueued {
			return admitGo // granted (its signal lost), or aborting
		}
		wait = min(wait*2, queueRecheckMax)
	}
}
