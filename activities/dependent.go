package activities

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// DEPENDENT jobs (docs/run-semantics.md#dependent-jobs): CheckDependent and ForgetDependent, called by
// FlowRun for a waiting DEPENDENT node, and the signal RecordRun sends when
// a run ends, so its waiters check at once.

// Signaller sends signals to workflow executions (client.Client does).
type Signaller interface {
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
}

// CheckDependent registers the node's waits, then checks each item in the
// store: a run (or node run) of the item's workflow whose logical time is
// in the item's window, computed from the waiting run's logical time in its
// schedule zone. Registering first means that an upstream run ending during
// the check is either seen by it or signals the node afterwards.
func (a *Activities) CheckDependent(ctx context.Context, in workflows.CheckDependentInput) (workflows.CheckDependentResult, error) {
	var res workflows.CheckDependentResult
	if a.Dependents == nil {
		return res, temporal.NewNonRetryableApplicationError("this worker cannot run DEPENDENT jobs (no store for them)", ErrTypeConfig, nil)
	}
	loc, err := jobflow.LoadLocation(in.Timezone)
	if err != nil {
		return res, temporal.NewNonRetryableApplicationError(jobflow.ErrorMessage(err), ErrTypeConfig, nil)
	}
	var waits []jobflow.DependentWait
	seen := map[string]bool{}
	for _, it := range in.Config.Items {
		if !seen[it.WorkflowID] {
			seen[it.WorkflowID] = true
			waits = append(waits, jobflow.DependentWait{TenantID: in.TenantID, RunID: in.RunID, JobID: in.JobID,
				UpstreamWorkflowID: it.WorkflowID, TemporalWorkflowID: in.TemporalWorkflowID})
		}
	}
	if err := a.Dependents.AddDependentWaits(ctx, waits); err != nil {
		a.logger().Error("register dependent waits", "run", in.RunID, "job", in.JobID, "err", err)
		return res, temporal.NewApplicationError("cannot register the DEPENDENT job's waits", ErrTypeStoreFailed)
	}

	for _, it := range in.Config.Items {
		from, to, err := jobflow.DependentWindow(it.Window, in.LogicalTime, loc)
		if err != nil {
			return res, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeConfig, nil)
		}
		m, err := a.Dependents.MatchDependent(ctx, in.TenantID, it.WorkflowID, it.JobID, from, to)
		if err != nil {
			a.logger().Error("check dependent item", "run", in.RunID, "job", in.JobID, "err", err)
			return res, temporal.NewApplicationError("cannot check the DEPENDENT job's items", ErrTypeStoreFailed)
		}
		st := jobflow.DependentItemState{WorkflowID: it.WorkflowID, WorkflowName: m.WorkflowName, JobID: it.JobID,
			JobName: m.JobName, Window: it.Window, From: from.UTC(), To: to.UTC()}
		switch {
		case m.SuccessRunID != "":
			st.Met, st.RunID = true, m.SuccessRunID
		case m.NewestFailed:
			st.Failed, st.RunID = true, m.NewestRunID
		}
		res.Items = append(res.Items, st)
		res.Texts = append(res.Texts, st.Describe(loc))
	}
	return res, nil
}

// ForgetDependent forgets the waits of a node that stopped waiting
// (timeout, break, abort).
func (a *Activities) ForgetDependent(ctx context.Context, in workflows.ForgetDependentInput) error {
	if a.Dependents == nil {
		return nil
	}
	if err := a.Dependents.RemoveDependentWaits(ctx, in.RunID, in.JobID); err != nil {
		a.logger().Error("forget dependent waits", "run", in.RunID, "job", in.JobID, "err", err)
		return temporal.NewApplicationError("cannot forget the DEPENDENT job's waits", ErrTypeStoreFailed)
	}
	return nil
}

// wakeDependents runs after a run's final record: the run's own waits go,
// and every FlowRun waiting on the run's workflow is signalled once. A
// signal that cannot be sent is logged, not retried: the waiter's
// fallback check finds the run anyway; a waiter that has ended is no error.
func (a *Activities) wakeDependents(ctx context.Context, run *jobflow.Run) error {
	if a.Dependents == nil {
		return nil
	}
	if err := a.Dependents.RemoveDependentWaits(ctx, run.ID, ""); err != nil {
		a.logger().Error("forget the run's dependent waits", "run", run.ID, "err", err)
		return temporal.NewApplicationError("cannot forget the run's DEPENDENT waits", ErrTypeStoreFailed)
	}
	waits, err := a.Dependents.FindDependentWaiters(ctx, run.TenantID, run.WorkflowID)
	if err != nil {
		a.logger().Error("find dependent waiters", "run", run.ID, "err", err)
		return temporal.NewApplicationError("cannot find the run's DEPENDENT waiters", ErrTypeStoreFailed)
	}
	if len(waits) == 0 {
		return nil
	}
	sig := a.Signaller
	if sig == nil {
		sig = activity.GetClient(ctx)
	}
	signalled := map[string]bool{}
	for _, w := range waits {
		if signalled[w.TemporalWorkflowID] {
			continue
		}
		signalled[w.TemporalWorkflowID] = true
		err := sig.SignalWorkflow(ctx, w.TemporalWorkflowID, "", workflows.SignalDependent,
			workflows.DependentSignal{WorkflowID: run.WorkflowID, RunID: run.ID, Status: run.Status})
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			// The waiter has ended; its final record removes its rows.
			continue
		} else if err != nil {
			a.logger().Warn("signal dependent waiter", "run", run.ID, "waiter", w.TemporalWorkflowID, "err", err)
		}
	}
	return nil
}
