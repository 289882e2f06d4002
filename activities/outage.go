package activities

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// Temporal outages. A job learns of an abort through its heartbeats, so
// the worker sends one a second (MaxHeartbeatThrottleInterval 1 s), and
// the SDK then gives each heartbeat call only that second: when Temporal
// is unreachable for a moment, the SDK cancels the activity's context as
// if the activity had timed out. Taken at its word, every running job
// would be killed by a Temporal restart.
//
// So a job does not run on the activity context itself but on jobBase,
// which follows it only for real cancellations: an abort (a CanceledError
// from the server), the worker's shutdown, a pause or reset. A context
// ended by a heartbeat that could not be delivered leaves the job running;
// heartbeats go on (on a context without the cancellation) until Temporal
// answers again, and the job's result is reported when it ends (the SDK
// retries that report for 60 s; the server waits JobHeartbeatTimeout, 60 s,
// for a heartbeat). Since the SDK keeps the first cancellation cause, an
// abort that comes after such a lost heartbeat would not reach the context
// any more: from then on the job also watches its run in the store, where
// the engine writes ABORTING, once a second.

// The SDK reports a job's end with a 10 s budget, so a job that ends while
// Temporal is away would have its result lost (and then time out and run
// again, or fail). A job that lost a heartbeat therefore waits, once it has
// ended, until Temporal answers a health check (for at most the heartbeat
// timeout since the loss), and only then returns its result.

// baseJob is the context a job runs on, and what it knows of an outage.
type baseJob struct {
	context.Context
	stop   context.CancelFunc
	lostAt atomic.Int64 // unix nanos of the first lost heartbeat; 0: none
}

// jobBase returns the context a job runs on (see above).
func (a *Activities) jobBase(ctx context.Context, tenantID, runID string) *baseJob {
	b := &baseJob{}
	base, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stopDeadline := context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); ok {
		base, stopDeadline = context.WithDeadline(base, dl)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		cause := context.Cause(ctx)
		if !heartbeatLost(cause) {
			cancel(cause)
			return
		}
		b.lostAt.Store(time.Now().Add(-DefaultHeartbeat).UnixNano())
		a.logger().Warn("a heartbeat did not reach Temporal; the job goes on", "run", runID, "err", cause)
		a.watchAbort(base, done, cancel, tenantID, runID)
	}()
	b.Context = base
	b.stop = func() {
		close(done)
		stopDeadline()
		cancel(nil)
	}
	return b
}

// awaitTemporal waits, after a lost heartbeat, until Temporal answers a
// health check, so the job's result can be reported; it gives up when
// the server would have timed the job out anyway.
func (b *baseJob) awaitTemporal(ctx context.Context, log *slog.Logger) {
	lost := b.lostAt.Load()
	if lost == 0 || !activity.IsActivity(ctx) {
		return
	}
	c := activity.GetClient(ctx)
	until := time.Unix(0, lost).Add(workflows.JobHeartbeatTimeout - 2*time.Second)
	for time.Now().Before(until) {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		_, err := c.CheckHealth(hctx, &client.CheckHealthRequest{})
		cancel()
		if err == nil {
			log.Info("Temporal answers again: reporting the job's end")
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	log.Warn("Temporal did not come back within the heartbeat timeout; the job's end may not be reported")
}

// watchAbort cancels the job when the store says its run is being aborted
// (or has ended), until done.
func (a *Activities) watchAbort(ctx context.Context, done <-chan struct{}, cancel context.CancelCauseFunc, tenantID, runID string) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		r, err := a.Runs.FindRunByID(rctx, tenantID, runID)
		rcancel()
		if err == nil && (r.Status == jobflow.RunAborting || r.Status.Finished()) {
			a.logger().Info("run aborted while Temporal was unreachable: stopping the job", "run", runID)
			cancel(temporal.NewCanceledError("aborted"))
			return
		}
	}
}

// heartbeatLost reports whether an activity context ended only because a
// heartbeat could not reach Temporal in time.
func heartbeatLost(cause error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var exhausted *serviceerror.ResourceExhausted
	return errors.Is(cause, context.DeadlineExceeded) || errors.As(cause, &unavailable) ||
		errors.As(cause, &deadline) || errors.As(cause, &exhausted)
}
