package activities

import (
	"context"
	"errors"
	"sync"
)

// Graceful stop (SIGTERM to a worker). The worker first stops taking new
// tasks and lets running jobs go on; when the operator's stop timeout
// (JOBFLOW_WORKER_STOP_TIMEOUT) has passed, StopJobs cancels the jobs
// still running: their processes are stopped as on an abort, the node
// run is recorded FAIL "worker stopped", and RunJob returns a retryable
// error, so Temporal retries the job by its policy on another (or the
// restarted) worker. This happens while the worker is still in its
// graceful stop, so the failure reaches Temporal at once instead of after
// a heartbeat timeout.

// MsgWorkerStopped is the error of a job stopped by its worker's shutdown.
const MsgWorkerStopped = "worker stopped"

// ErrTypeWorkerStopped is the (retryable) error type of such a job.
const ErrTypeWorkerStopped = "WorkerStopped"

var errWorkerStopped = errors.New(MsgWorkerStopped)

// running tracks the jobs in flight, so StopJobs can cancel them.
type running struct {
	mu      sync.Mutex
	cancels map[*int]context.CancelCauseFunc
	stopped bool
}

// track registers a job's cancel func; the returned func unregisters it.
// A job that arrives after StopJobs is cancelled at once.
func (r *running) track(cancel context.CancelCauseFunc) (untrack func()) {
	key := new(int)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		cancel(errWorkerStopped)
	}
	if r.cancels == nil {
		r.cancels = map[*int]context.CancelCauseFunc{}
	}
	r.cancels[key] = cancel
	return func() {
		r.mu.Lock()
		delete(r.cancels, key)
		r.mu.Unlock()
	}
}

// StopJobs stops every running job of this worker (see above) and any
// that starts afterwards; it returns how many it stopped.
func (a *Activities) StopJobs() int {
	a.jobs.mu.Lock()
	defer a.jobs.mu.Unlock()
	a.jobs.stopped = true
	for _, cancel := range a.jobs.cancels {
		cancel(errWorkerStopped)
	}
	return len(a.jobs.cancels)
}

// workerStopped reports whether ctx ended because the worker stopped:
// by StopJobs, or by the Temporal worker's own stop timeout.
func workerStopped(activityCtx, jobCtx context.Context) bool {
	return errors.Is(context.Cause(jobCtx), errWorkerStopped) ||
		(activityCtx.Err() != nil && workerStopping(activityCtx))
}
