// Package engine is the client side of the run engine: it turns API calls
// (run, abort, rerun, break) into Temporal calls on FlowRun executions, and
// records what it started in the store. The worker side is workflows/ and
// activities/.
package engine

import (
	"context"
	"errors"
	"fmt"
	"jobflow/metrics"
	"net/url"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/workflows"
)

// Store is what the engine needs of the store.
type Store interface {
	jobflow.WorkflowService
	jobflow.RunService
	jobflow.RunSnapshotService
	jobflow.VersionService
	jobflow.UnsettledRunService
	jobflow.RunQueueService
	// CreateAuditEntry records the reconcilers' repairs (audit.go).
	CreateAuditEntry(ctx context.Context, e *jobflow.AuditEntry) error
	// DraftRefs reads the tenant for jobflow.CheckDraft at publish.
	DraftRefs() jobflow.DraftRefs
}

// Engine starts and steers runs. A nil Client means the engine is not
// configured: every call answers UNAVAILABLE, the management API goes on.
type Engine struct {
	Client    client.Client
	Store     Store
	Namespace string
	TaskQueue string // base task queue of jobs and of FlowRun itself
	UIURL     string // base URL of the Temporal Web UI, for run links; "" for none

	// Now is the clock of logical times; tests may pin it.
	Now func() time.Time
	// Metrics counts reconciler actions (none when nil).
	Metrics *metrics.Metrics

	// The run reconciler (reconcile_runs.go): how old a run must be before
	// it is reconciled (default DefaultRunGrace) and how many runs one pass
	// looks at (default DefaultRunBatch).
	RunGrace time.Duration
	RunBatch int
	runs     runCursor
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

func (e *Engine) taskQueue() string {
	if e.TaskQueue == "" {
		return workflows.DefaultTaskQueue
	}
	return e.TaskQueue
}

// Ready reports whether Temporal answers.
func (e *Engine) Ready(ctx context.Context) error {
	if e == nil || e.Client == nil {
		return errUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := e.Client.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	return nil
}

var errUnavailable = jobflow.Errorf(jobflow.EUNAVAILABLE, "the run engine is not available")

func (e *Engine) check() error {
	if e == nil || e.Client == nil {
		return errUnavailable
	}
	return nil
}

// temporalError maps a Temporal client error to a domain error: a server
// that cannot be reached is UNAVAILABLE, anything else stays internal.
func temporalError(err error) error {
	if err == nil {
		return nil
	}
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &unavailable) || errors.As(err, &deadline) ||
		errors.Is(err, context.DeadlineExceeded) {
		return errUnavailable
	}
	return err
}

// RunURL is the link to a run's execution in the Temporal Web UI.
func (e *Engine) RunURL(r *jobflow.Run) string {
	if e == nil || e.UIURL == "" || r.TemporalWorkflowID == "" {
		return ""
	}
	u := fmt.Sprintf("%s/namespaces/%s/workflows/%s", e.UIURL,
		url.PathEscape(e.Namespace), url.PathEscape(r.TemporalWorkflowID))
	if r.TemporalRunID != "" {
		u += "/" + url.PathEscape(r.TemporalRunID) + "/history"
	}
	return u
}
