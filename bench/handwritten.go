package bench

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"jobflow/workflows"
)

// HandWrittenName is the workflow type of HandWritten.
const HandWrittenName = "HandWritten"

// HandWritten is the baseline: the code one would write by hand for each
// shape, calling the same activity with the same options and input as
// FlowRun, but with no interpretation, no node states, no records, no
// query or update. A chain is a loop, a fan-out/fan-in is a slice of
// futures, a random DAG is one coroutine per job that waits for its
// parents' futures.
func HandWritten(ctx workflow.Context, shape Shape) error {
	s := shape.Snapshot
	call := func(i int) workflow.Future {
		job := s.Jobs[i]
		actx := workflow.WithActivityOptions(ctx, workflows.JobActivityOptions(TaskQueue, &job))
		return workflow.ExecuteActivity(actx, workflows.RunJobActivity, workflows.RunJobInput{
			RunID: "hand", TenantID: s.TenantID, WorkflowID: s.WorkflowID, Job: job,
			Timezone: s.Config.Schedule.Timezone,
		})
	}
	switch shape.Kind {
	case "chain":
		for i := range s.Jobs {
			if err := call(i).Get(ctx, nil); err != nil {
				return err
			}
		}
		return nil
	case "fan":
		last := len(s.Jobs) - 1
		if err := call(0).Get(ctx, nil); err != nil {
			return err
		}
		var fs []workflow.Future
		for i := 1; i < last; i++ {
			fs = append(fs, call(i))
		}
		for _, f := range fs {
			if err := f.Get(ctx, nil); err != nil {
				return err
			}
		}
		return call(last).Get(ctx, nil)
	case "dag":
		index := make(map[string]int, len(s.Jobs))
		for i, j := range s.Jobs {
			index[j.ID] = i
		}
		parents := make([][]int, len(s.Jobs))
		for _, e := range s.Canvas.Edges {
			parents[index[e.To]] = append(parents[index[e.To]], index[e.From])
		}
		done := make([]workflow.Future, len(s.Jobs))
		settle := make([]workflow.Settable, len(s.Jobs))
		for i := range s.Jobs {
			done[i], settle[i] = workflow.NewFuture(ctx)
		}
		for i := range s.Jobs {
			workflow.Go(ctx, func(ctx workflow.Context) {
				for _, p := range parents[i] {
					if err := done[p].Get(ctx, nil); err != nil {
						settle[i].SetError(err)
						return
					}
				}
				settle[i].Set(nil, call(i).Get(ctx, nil))
			})
		}
		for _, f := range done {
			if err := f.Get(ctx, nil); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown shape kind %q", shape.Kind)
}
