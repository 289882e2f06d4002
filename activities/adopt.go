package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// MsgAdopted starts the log line of a retry that found its job already
// done by an earlier attempt.
const MsgAdopted = "not run again: attempt %d ran to its end and recorded SUCCESS, but its worker stopped before Temporal heard of it"

// earlierSuccess is the check a retried attempt makes before it runs the
// job. After a job's process ends, its worker records the outcome in the
// store and only then reports to Temporal; under load that takes seconds.
// A worker killed in between leaves Temporal believing the attempt still
// runs, so after the heartbeat timeout it schedules the next attempt,
// which would run a job that already succeeded a second time (the soak
// test saw this on about one job in ten of each killed worker). When the
// store holds the node run as SUCCESS on an earlier attempt, the retry
// answers that outcome instead and leaves the row as it is.
//
// What remains: a worker that dies after the job's end but before the
// outcome's write still has the job run again on the retry (jobs with
// retries are at least once; one attempt, the default, never repeats).
func (a *Activities) earlierSuccess(ctx context.Context, in workflows.RunJobInput, attempt int) (*workflows.RunJobResult, error) {
	if attempt <= 1 {
		return nil, nil
	}
	var prev *jobflow.NodeRun
	if err := retryStore(ctx, a.logger(), "node run of an earlier attempt", func(c context.Context) error {
		r, err := a.Runs.FindRunByID(c, in.TenantID, in.RunID)
		if err != nil {
			return err
		}
		prev = nil
		for _, n := range r.Nodes {
			if n.JobID == in.Job.ID {
				prev = n
			}
		}
		return nil
	}); err != nil {
		a.logger().Error("read node run", "run", in.RunID, "job", in.Job.ID, "err", err)
		return nil, temporal.NewApplicationError("cannot read the node run", ErrTypeStoreFailed)
	}
	if prev == nil || prev.Status != jobflow.NodeSuccess || prev.Attempt >= attempt {
		return nil, nil
	}
	msg := fmt.Sprintf(MsgAdopted, prev.Attempt)
	log := newNodeLog(context.WithoutCancel(ctx), a.Runs, in.RunID, in.Job.ID, a.logger())
	log.Printf("attempt %d %s", attempt, msg)
	log.Close()
	a.logger().Info("retry adopted an earlier attempt's SUCCESS", "run", in.RunID, "job", in.Job.ID, "attempt", attempt, "succeeded", prev.Attempt)
	return &workflows.RunJobResult{ExitCode: prev.ExitCode, Result: prev.Result, Outputs: prev.Outputs}, nil
}
