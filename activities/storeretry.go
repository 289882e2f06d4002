package activities

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"jobflow"
)

// Store outages. The worker's store writes (a node run's start and
// outcome, its log) retry with backoff while the store is unreachable or
// busy, so that a run goes on through an outage and its rows land once the
// store answers again. Domain errors (NOT_FOUND: the run was deleted) are
// not retried. RecordRun needs none of this: it is a local activity that
// Temporal retries with backoff for ten minutes (workflows.recordOptions).

// Store retry timing: first pause, longest pause, and how long one write
// may go on retrying before it gives up.
var (
	storeRetryFirst = 200 * time.Millisecond
	storeRetryMax   = 5 * time.Second
	storeRetryTotal = 5 * time.Minute
)

// storeCallTimeout bounds one attempt, so a store that hangs (rather than
// refusing) counts as down.
const storeCallTimeout = 10 * time.Second

// retryStore calls fn until it succeeds, fails with a domain error, ctx
// ends or storeRetryTotal has passed; it returns the last error.
func retryStore(ctx context.Context, log *slog.Logger, what string, fn func(ctx context.Context) error) error {
	deadline := time.Now().Add(storeRetryTotal)
	pause := storeRetryFirst
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
		err := fn(cctx)
		cancel()
		if err == nil {
			if attempt > 1 {
				log.Info("store write went through after retries", "what", what, "attempts", attempt)
			}
			return nil
		}
		if !storeRetryable(err) || time.Now().Add(pause).After(deadline) {
			return err
		}
		if attempt == 1 || attempt%10 == 0 {
			log.Warn("store write failed; retrying", "what", what, "attempt", attempt, "err", err)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
		pause = min(2*pause, storeRetryMax)
	}
}

// storeRetryable: anything but a domain error (other than UNAVAILABLE).
func storeRetryable(err error) bool {
	var e *jobflow.Error
	if errors.As(err, &e) {
		return e.Code == jobflow.EUNAVAILABLE
	}
	return true
}
