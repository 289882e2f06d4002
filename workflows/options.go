package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/cron"
)

// Timeouts of the activities FlowRun schedules.
const (
	// DefaultJobTimeout bounds a job without a timeout of its own: a day.
	DefaultJobTimeout = 24 * time.Hour
	// JobHeartbeatTimeout: RunJob heartbeats every second, so a job whose
	// worker died is noticed (and retried or failed) within this time; it is
	// generous so that a loaded worker does not fail healthy jobs. An abort
	// reaches a job with its next heartbeat, which the SDK sends at most
	// every 80 % of this (24 s) unless the worker sets
	// MaxHeartbeatThrottleInterval: workers must set it to 1 s.
	//
	// It is also how long a Temporal outage may last without failing the
	// jobs that run through it: heartbeats cannot reach a server that is
	// down, and when it comes back it times out every job whose last
	// heartbeat is older than this before the workers' reports (retried by
	// the SDK for 60 s) arrive. 60 s survives the 30 s outage the tests
	// cause, at the price of noticing a dead worker's job 30 s later.
	JobHeartbeatTimeout = 60 * time.Second
	// recordTimeout bounds one RecordRun attempt; recordTotal all of them,
	// so a store outage shorter than that loses no record.
	recordTimeout = 30 * time.Second
	recordTotal   = 10 * time.Minute
)

// JobActivityOptions are the activity options of one job: id = job id, summary =
// job name, the worker group's task queue, the job's timeout and retry
// policy (one attempt by default: jobs are not assumed idempotent).
func JobActivityOptions(base string, job *jobflow.Job) workflow.ActivityOptions {
	timeout := DefaultJobTimeout
	if job.TimeoutSeconds > 0 {
		timeout = time.Duration(job.TimeoutSeconds) * time.Second
	}
	attempts := job.Retry.MaxAttempts
	if attempts < 1 {
		attempts = 1
	}
	interval := time.Duration(job.Retry.IntervalSeconds) * time.Second
	if interval <= 0 {
		interval = time.Second
	}
	backoff := job.Retry.Backoff
	if backoff < 1 {
		backoff = 1
	}
	opts := workflow.ActivityOptions{
		ActivityID:          job.ID,
		Summary:             job.Name,
		TaskQueue:           TaskQueue(base, job.WorkerGroup),
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    JobHeartbeatTimeout,
		WaitForCancellation: true, // an abort waits until the job's process is gone
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    interval,
			BackoffCoefficient: backoff,
			MaximumAttempts:    int32(attempts),
		},
	}
	if job.Priority > 0 {
		// Temporal serves the task queue's tasks by priority key, 1 first
		// (docs/run-semantics.md#pools); jobs without one keep the default.
		opts.Priority = temporal.Priority{PriorityKey: job.Priority}
	}
	return opts
}

// recordOptions run RecordRun as a local activity: it costs no extra
// workflow task or history events beyond one marker, which keeps FlowRun's
// overhead over a hand-written workflow low, and it is retried for
// recordTotal so a store blip does not lose the record.
func recordOptions() workflow.LocalActivityOptions { return localOptions(recordTotal) }

// localOptions are FlowRun's store-reading local activities' options: each
// attempt bounded by recordTimeout, retried with backoff for total, except
// for the given non-retryable error types.
func localOptions(total time.Duration, nonRetryable ...string) workflow.LocalActivityOptions {
	return workflow.LocalActivityOptions{
		StartToCloseTimeout:    recordTimeout,
		ScheduleToCloseTimeout: total,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// failureMessage turns a job activity's error into the node's error text.
// A timeout says so, with the job's limit in seconds.
func failureMessage(err error, opts workflow.ActivityOptions) string {
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		switch timeoutErr.TimeoutType() {
		case enumspb.TIMEOUT_TYPE_HEARTBEAT:
			return fmt.Sprintf("the job stopped reporting for %d s (its worker died or hung)", int(opts.HeartbeatTimeout/time.Second))
		default:
			return fmt.Sprintf("the job timed out after %d s", int(opts.StartToCloseTimeout/time.Second))
		}
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return "aborted"
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}

// reportedByJob reports whether RunJob itself produced err, and so has
// written the node's row; otherwise (timeout, lost worker, cancellation)
// FlowRun records the node.
func reportedByJob(err error) bool {
	var timeoutErr *temporal.TimeoutError
	var canceled *temporal.CanceledError
	if errors.As(err, &timeoutErr) || errors.As(err, &canceled) {
		return false
	}
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr)
}

// cronFireTime is the first fire time of a job's cron at or after the
// run's logical time, in the schedule's time zone.
func cronFireTime(expr string, logical time.Time, loc *time.Location) (time.Time, error) {
	e, err := cron.Parse(expr)
	if err != nil {
		return time.Time{}, err
	}
	next := e.Next(logical.Add(-time.Nanosecond), loc) // Next is strictly after
	if next.IsZero() {
		return time.Time{}, errors.New("the cron never fires at or after the run's logical time")
	}
	return next, nil
}
