package main

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobflow/workflows"
)

// The bare storm is the limit jobflow is measured against: plain Temporal
// Schedules, each starting a hand-written workflow that runs one activity,
// on the same server and client, with no store and no interpretation.

const bareQueue = "storm-bare"

// StormBare runs one StormBareJob.
func StormBare(ctx workflow.Context, execTrue bool) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	return workflow.ExecuteActivity(ctx, StormBareJob, execTrue).Get(ctx, nil)
}

// StormBareMimic is StormBare started with jobflow's schedule action: its
// input is a FlowRun input, which it ignores.
func StormBareMimic(ctx workflow.Context, _ workflows.FlowRunInput) error {
	return StormBare(ctx, false)
}

// starts is when each bare workflow's activity began, by workflow id.
var starts = struct {
	sync.Mutex
	at map[string]time.Time
}{at: map[string]time.Time{}}

// StormBareJob notes when it began, then does nothing, or runs `true` as a
// process when execTrue.
func StormBareJob(ctx context.Context, execTrue bool) error {
	now := time.Now()
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	starts.Lock()
	if _, ok := starts.at[id]; !ok {
		starts.at[id] = now
	}
	starts.Unlock()
	if execTrue {
		return exec.CommandContext(ctx, "true").Run()
	}
	return nil
}

// bareStorm creates n bare schedules that fire once, on the same second,
// waits for their runs and deletes the schedules.
func (e *env) bareStorm(ctx context.Context, n int, mode string) (result, error) {
	execTrue := mode == "exec"
	w := worker.New(e.c, bareQueue, worker.Options{})
	w.RegisterWorkflow(StormBare)
	w.RegisterWorkflow(StormBareMimic)
	w.RegisterActivity(StormBareJob)
	if err := w.Start(); err != nil {
		return result{}, err
	}
	defer w.Stop()
	starts.Lock()
	clear(starts.at)
	starts.Unlock()

	begin := time.Now()
	sc := e.c.ScheduleClient()
	est := time.Duration(n) * 30 * time.Millisecond
	var fire time.Time
	var ids []string
	var res result
	for attempt := 1; ; attempt++ {
		fire = e.fireTime(est)
		ids = make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("storm-bare-%d-%d-%04d", begin.Unix(), attempt, i)
		}
		if err := parallel(ids, func(id string) error {
			opts := client.ScheduleOptions{
				ID: id,
				Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
					Second: []client.ScheduleRange{{Start: fire.Second()}},
					Minute: []client.ScheduleRange{{Start: fire.Minute()}},
					Hour:   []client.ScheduleRange{{Start: fire.Hour()}},
				}}},
				Action:        &client.ScheduleWorkflowAction{ID: id, Workflow: StormBare, Args: []any{execTrue}, TaskQueue: bareQueue},
				CatchupWindow: catchup,
			}
			if mode == "mimic" {
				var err error
				if opts, err = e.mimic(id, fire); err != nil {
					return err
				}
			}
			_, err := sc.Create(ctx, opts)
			return err
		}); err != nil {
			return result{}, err
		}
		res.setup = time.Since(begin)
		err := e.checkSetup(fire)
		if err == nil {
			break
		}
		if attempt == 3 {
			return result{}, err
		}
		fmt.Printf("bare: %v; again\n", err)
		if err := parallel(ids, func(id string) error { return sc.GetHandle(ctx, id).Delete(ctx) }); err != nil {
			return result{}, err
		}
		est *= 2
	}
	fmt.Printf("bare: %d schedules created in %.1f s; they fire at %s\n", n, res.setup.Seconds(), fire.Format(time.TimeOnly))

	// The run of schedule id fired at fire is "<id>-<fire, RFC 3339>"
	// (an earlier attempt's runs have other ids).
	suffix := "-" + fire.Format(time.RFC3339)
	time.Sleep(time.Until(fire))
	stopProfile := profile("bare-" + mode)
	deadline := fire.Add(10 * time.Minute)
	for {
		starts.Lock()
		got := 0
		for _, id := range ids {
			if _, ok := starts.at[id+suffix]; ok {
				got++
			}
		}
		starts.Unlock()
		if got >= n {
			break
		}
		if time.Now().After(deadline) {
			fmt.Printf("bare: only %d of %d scheduled runs started in 10 minutes\n", got, n)
			break
		}
		time.Sleep(time.Second)
	}
	stopProfile()
	for _, id := range ids {
		wid := id + suffix
		starts.Lock()
		at, ok := starts.at[wid]
		starts.Unlock()
		if !ok {
			continue // counted above
		}
		var d *workflowservice.DescribeWorkflowExecutionResponse
		for {
			desc, err := e.c.DescribeWorkflowExecution(ctx, wid, "")
			if err != nil {
				return result{}, err
			}
			if desc.GetWorkflowExecutionInfo().GetCloseTime() != nil || time.Now().After(deadline) {
				d = desc
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		info := d.GetWorkflowExecutionInfo()
		if res.events == 0 {
			res.events = int(info.GetHistoryLength())
		}
		res.late = append(res.late, at.Sub(fire))
		res.exec = append(res.exec, info.GetStartTime().AsTime().Sub(fire))
		if info.GetCloseTime() != nil {
			res.drained = max(res.drained, info.GetCloseTime().AsTime().Sub(fire))
		}
	}
	return res, parallel(ids, func(id string) error { return sc.GetHandle(ctx, id).Delete(ctx) })
}

// mimic is the schedule jobflow publishes for its sample version (its
// action's input, memo, search attributes, summary, note, time zone and
// overlap policy), firing once at fire and starting StormBareMimic: the
// bare workflow with everything jobflow's action carries.
func (e *env) mimic(id string, fire time.Time) (client.ScheduleOptions, error) {
	opts, err := e.eng.ScheduleOptions(e.sample)
	if err != nil {
		return opts, err
	}
	opts.ID = id
	opts.Spec.Calendars = []client.ScheduleCalendarSpec{{
		Second: []client.ScheduleRange{{Start: fire.Second()}},
		Minute: []client.ScheduleRange{{Start: fire.Minute()}},
		Hour:   []client.ScheduleRange{{Start: fire.Hour()}},
	}}
	opts.CatchupWindow = catchup
	a := *opts.Action.(*client.ScheduleWorkflowAction)
	a.ID, a.Workflow, a.TaskQueue = id, StormBareMimic, bareQueue
	opts.Action = &a
	return opts, nil
}
