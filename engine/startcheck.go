package engine

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
)

// startCheckTimeout bounds the look at Temporal after a failed start.
const startCheckTimeout = 5 * time.Second

// startedAnyway says what became of an execution whose start returned an
// error. The SDK gives a start 10 s; a frontend that is slow to answer (a
// loaded embedded server) may still have created the execution, which
// then runs to its end while the store had the run FAIL "could not be
// started" (the soak test saw 15 of 700 failed starts do this). So before
// recording the failure the engine asks Temporal: runID is the execution's
// when it exists; known is false when Temporal cannot tell either, and the
// run is then left RUNNING for the run reconciler, which settles it from
// what Temporal says once it answers (FAIL "the run was never started"
// when the execution does not exist).
func (e *Engine) startedAnyway(ctx context.Context, workflowID string) (runID string, known bool) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startCheckTimeout)
	defer cancel()
	d, err := e.Client.DescribeWorkflowExecution(cctx, workflowID, "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return "", true
	case err != nil:
		return "", false
	}
	return d.GetWorkflowExecutionInfo().GetExecution().GetRunId(), true
}
