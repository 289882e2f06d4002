package engine_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/engine"
	"jobflow/internal/testtier"
)

// flakyStart is the real Temporal client with a start whose answer goes
// missing: after (or instead of) the real start it returns the timeout the
// SDK gives a slow frontend; describeDown makes Describe fail as well.
type flakyStart struct {
	client.Client
	reallyStart, describeDown bool
}

func (f flakyStart) ExecuteWorkflow(ctx context.Context, opts client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	if f.reallyStart {
		if _, err := f.Client.ExecuteWorkflow(ctx, opts, wf, args...); err != nil {
			return nil, err
		}
	}
	return nil, serviceerror.NewDeadlineExceeded("context deadline exceeded")
}

func (f flakyStart) DescribeWorkflowExecution(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	if f.describeDown {
		return nil, serviceerror.NewUnavailable("connection refused")
	}
	return f.Client.DescribeWorkflowExecution(ctx, id, runID)
}

// TestEngine_StartAnswerLost: a start that errs is checked against
// Temporal before the run is recorded FAIL: a run whose execution was
// created anyway goes on and ends SUCCESS in the store as in Temporal; one
// that was not created is FAIL "could not be started"; one Temporal cannot
// tell about is left RUNNING for the run reconciler.
func TestEngine_StartAnswerLost(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	ctx := context.Background()
	wf, _ := e.workflow("flaky", []jobSpec{shell("a", "true")}, nil)
	only := func(t *testing.T) *jobflow.Run {
		t.Helper()
		runs, _, err := e.Store.FindRuns(ctx, e.tenant, jobflow.RunFilter{WorkflowID: wf, PageSize: 1})
		if err != nil || len(runs) != 1 {
			t.Fatalf("latest run: %v %v", runs, err)
		}
		return e.run(runs[0].ID)
	}
	for _, tc := range []struct {
		name                      string
		reallyStart, describeDown bool
		want                      jobflow.RunStatus
		wantErr                   string
	}{
		{"StartedAnyway", true, false, jobflow.RunSuccess, ""},
		{"NotStarted", false, false, jobflow.RunFail, "the run could not be started"},
		{"TemporalCannotTell", false, true, jobflow.RunRunning, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := &engine.Engine{Client: flakyStart{e.Engine.Client, tc.reallyStart, tc.describeDown},
				Store: e.Store, Namespace: e.Engine.Namespace, TaskQueue: e.Engine.TaskQueue}
			run, err := eng.RunManual(ctx, e.tenant, wf, nil, "test")
			if tc.reallyStart {
				if err != nil || run.TemporalRunID == "" {
					t.Fatalf("RunManual = %+v, %v; want the run that Temporal started", run, err)
				}
				e.eventually(time.Minute, "the run ends", func() bool { return e.run(run.ID).Status.Finished() })
			} else if jobflow.ErrorCode(err) != jobflow.EUNAVAILABLE {
				t.Fatalf("RunManual error %v, want UNAVAILABLE", err)
			}
			if r := only(t); r.Status != tc.want || r.Error != tc.wantErr {
				t.Errorf("run %s %q, want %s %q", r.Status, r.Error, tc.want, tc.wantErr)
			}
		})
	}
}
