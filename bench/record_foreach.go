package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/workflows"
)

// The stand-ins for the FOREACH activities, for the recorded scenarios and
// the benchmark: the config's literal list, each item's child a one-job
// snapshot that succeeds, fails (item 3 of items-ok) or blocks.

// Targets of the FOREACH scenarios and benchmark.
const (
	ForEachItemsOK    = "items-ok"    // item 3's child fails
	ForEachItemsBlock = "items-block" // every child blocks
	ForEachItemsBench = "items-bench" // every child succeeds
)

// forEachLists are the lists PrepareForEach read, by ForEach workflow
// input (run and job), for NextForEachItems.
var forEachLists sync.Map

// forEachChild names the ForEach child workflow of node fe for recording.
var forEachChild = map[string]string{"-fe-1-foreach": "ForEach"}

// forEachParent is a -> fe -> b, fe running workflow target per item.
func forEachParent(target string) jobflow.Snapshot {
	return ForEachSnapshot(target, []string{"i0", "i1", "i2", "i3", "i4"}, 2, 20)
}

// ForEachSnapshot is a -> fe -> b, fe running workflow target once per
// item, at most concurrency at once.
func ForEachSnapshot(target string, items []string, concurrency, tolerance int) jobflow.Snapshot {
	s := scripted([]string{"a", "fe", "b"}, nil, [2]string{"a", "fe"}, [2]string{"fe", "b"})
	cfg, _ := json.Marshal(map[string]any{"items": items, "workflowId": target,
		"maxConcurrency": concurrency, "failureTolerancePercent": tolerance})
	s.Jobs[1] = jobflow.Job{ID: "fe", Name: "fe", Type: jobflow.JobForEach, Config: cfg}
	s.Jobs[2].Config = []byte(`{"script":"echo ${outputs.fe.succeeded}"}`)
	return s
}

// PrepareForEach stands in for the real one: the config's literal list.
func PrepareForEach(_ context.Context, in workflows.PrepareForEachInput) (workflows.ForEachPlan, error) {
	cfg, err := jobtypes.ParseForEachConfig(in.Job.Config)
	if err != nil {
		return workflows.ForEachPlan{}, err
	}
	items, err := jobtypes.ParseForEachItems(cfg.Items)
	if err != nil {
		return workflows.ForEachPlan{}, err
	}
	forEachLists.Store(in.RunID+"/"+in.Job.ID, items)
	return workflows.ForEachPlan{Total: len(items), VersionID: "v1"}, nil
}

// NextForEachItems stands in for the real one.
func NextForEachItems(_ context.Context, in workflows.NextForEachItemsInput) ([]jobflow.ForEachItem, error) {
	v, ok := forEachLists.Load(in.RunID + "/" + in.JobID)
	if !ok {
		return nil, fmt.Errorf("no list for %s/%s", in.RunID, in.JobID)
	}
	items := v.([]string)
	var out []jobflow.ForEachItem
	for i := in.After + 1; i < len(items) && len(out) < in.Limit; i++ {
		out = append(out, jobflow.ForEachItem{Index: i, Item: items[i], Status: jobflow.ItemPending})
	}
	return out, nil
}

// StartForEachItem stands in for the real one.
func StartForEachItem(_ context.Context, in workflows.StartForEachItemInput) (workflows.FlowRunInput, error) {
	script := ""
	switch {
	case in.WorkflowID == ForEachItemsBlock:
		script = "block"
	case in.WorkflowID == ForEachItemsOK && in.Index == 3:
		script = "fail"
	}
	snap := scripted([]string{"x"}, map[string]string{"x": script})
	snap.WorkflowID, snap.WorkflowName = in.WorkflowID, fmt.Sprintf("%s item %d", in.WorkflowID, in.Index)
	return workflows.FlowRunInput{RunID: in.ChildRunID, Snapshot: snap, Params: map[string]string{in.Param: in.Item},
		LogicalTime: in.LogicalTime, Trigger: jobflow.TriggerSubflow, TaskQueue: in.TaskQueue, ParentRunID: in.ParentRunID,
		ParentJobID: in.JobID, Depth: in.Depth, Ancestors: in.Ancestors}, nil
}

// AbortForEachItem stands in for the real one.
func AbortForEachItem(context.Context, workflows.AbortForEachItemInput) error { return nil }

// timeoutSnap is a -> b, a blocking until cancelled: with action, a has a
// 1 s timeout of that action; with maxSeconds, the run has that maximum
// duration and onMax.
func timeoutSnap(action string, maxSeconds int, onMax string) jobflow.Snapshot {
	s := scripted([]string{"a", "b"}, map[string]string{"a": "block"}, [2]string{"a", "b"})
	if action != "" {
		s.Jobs[0].TimeoutSeconds, s.Jobs[0].TimeoutAction = 1, action
	}
	s.Config.MaxDurationSeconds, s.Config.OnMaxDuration = maxSeconds, onMax
	return s
}
