package engine

import (
	"context"
	"errors"
	"log/slog"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/workflows"
)

// Baselines (docs/baselines.md): each baseline has one long-lived
// Baseline workflow, started when the baseline is created, woken when it
// is edited or deleted, and started again by the reconciler if it is
// missing (a baseline created while Temporal was down).

// baselineLister is the store's list of every baseline.
type baselineLister interface {
	AllBaselines(ctx context.Context) ([]*jobflow.Baseline, error)
}

// WatchBaseline starts b's workflow on the first data date whose deadline
// is ahead, or wakes the running one to check now.
func (e *Engine) WatchBaseline(ctx context.Context, b *jobflow.Baseline) error {
	if err := e.check(); err != nil {
		return err
	}
	in := workflows.BaselineInput{TenantID: b.TenantID, BaselineID: b.ID, Date: b.FirstDate(e.now())}
	_, err := e.Client.SignalWithStartWorkflow(ctx, workflows.BaselineWorkflowID(b.ID), workflows.SignalBaselineChanged, nil,
		client.StartWorkflowOptions{TaskQueue: e.taskQueue(), Priority: Fairness(b.TenantID)}, workflows.BaselineName, in)
	return temporalError(err)
}

// ForgetBaseline wakes a deleted baseline's workflow, which then finds the
// baseline gone and ends.
func (e *Engine) ForgetBaseline(ctx context.Context, id string) error {
	if err := e.check(); err != nil {
		return err
	}
	err := e.Client.SignalWorkflow(ctx, workflows.BaselineWorkflowID(id), "", workflows.SignalBaselineChanged, nil)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return temporalError(err)
}

// EnsureBaselines starts the workflow of every baseline that has none
// running; it returns how many it started.
func (e *Engine) EnsureBaselines(ctx context.Context, log *slog.Logger) int {
	bl, ok := e.Store.(baselineLister)
	if !ok || e.check() != nil {
		return 0
	}
	if log == nil {
		log = slog.Default()
	}
	all, err := bl.AllBaselines(ctx)
	if err != nil {
		log.Error("reconcile baselines", "err", err)
		return 0
	}
	started := 0
	for _, b := range all {
		d, err := e.Client.DescribeWorkflowExecution(ctx, workflows.BaselineWorkflowID(b.ID), "")
		if err == nil && d.GetWorkflowExecutionInfo().GetCloseTime() == nil {
			continue
		}
		if err := e.WatchBaseline(ctx, b); err != nil {
			log.Error("reconcile baseline", "baseline", b.ID, "err", err)
			continue
		}
		started++
		log.Info("reconcile: started the missing baseline workflow", "baseline", b.ID)
	}
	return started
}
