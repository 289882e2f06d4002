package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Pause and resume (docs/run-semantics.md#pause-and-resume), as
// DolphinScheduler's 暂停/恢复 and Kestra's Pause: a paused run lets its
// running jobs finish and starts nothing new (ready nodes wait in line,
// timers and DEPENDENT waits go on); it is PAUSED in the store until
// resumed. Abort works while paused. A pause outlives continue-as-new
// (FlowRunInput.Paused). Runs never paused take none of these paths, so
// the recorded histories replay unchanged.

// validatePause admits a pause of a running run that is not paused. Its
// message reaches the API user (409).
func (r *runner) validatePause(_ workflow.Context) error {
	switch {
	case r.closed || r.cancelled || r.ending:
		return temporal.NewApplicationError("the run is no longer running", "PauseRejected")
	case r.queuedNow:
		return temporal.NewApplicationError(msgQueued, "PauseRejected")
	case r.paused:
		return temporal.NewApplicationError("the run is already paused", "PauseRejected")
	}
	return nil
}

// validateResume admits a resume of a paused run.
func (r *runner) validateResume(_ workflow.Context) error {
	switch {
	case r.closed || r.cancelled:
		return temporal.NewApplicationError("the run is no longer running", "ResumeRejected")
	case !r.paused:
		return temporal.NewApplicationError("the run is not paused", "ResumeRejected")
	}
	return nil
}

// pause holds the run: the loop starts nothing while paused. The update
// completes once the loop has recorded the run PAUSED, so the API answers
// with the row already changed.
func (r *runner) pause(ctx workflow.Context) error {
	if err := r.validatePause(ctx); err != nil {
		return err // the validator runs again here on replay; be safe
	}
	r.paused = true
	return r.statusChanged(ctx)
}

// resume lets the loop start what is ready again; the update completes
// once the run is recorded RUNNING.
func (r *runner) resume(ctx workflow.Context) error {
	if err := r.validateResume(ctx); err != nil {
		return err
	}
	r.paused = false
	return r.statusChanged(ctx)
}

// statusChanged wakes the loop to record the run's live status and waits
// until it has (or the run has ended meanwhile).
func (r *runner) statusChanged(ctx workflow.Context) error {
	r.statusDirty = true
	r.wake.SendAsync(true)
	return workflow.Await(ctx, func() bool { return !r.statusDirty || r.closed })
}

// recordStatus records the run's live status after a pause or resume; only
// the loop records, so records never run side by side.
func (r *runner) recordStatus(ctx workflow.Context) {
	if !r.statusDirty {
		return
	}
	r.record(ctx, r.liveStatus(), nil)
	r.statusDirty = false
}

// liveStatus is the status of the run while it goes on.
func (r *runner) liveStatus() jobflow.RunStatus {
	if r.paused {
		return jobflow.RunPaused
	}
	return jobflow.RunRunning
}

// held reports whether the loop must wait for a resume (or an abort)
// although nothing is running: the run is paused with nodes left to start.
func (r *runner) held() bool {
	return r.paused && !r.cancelled && !r.ending && len(r.ready) > 0
}
