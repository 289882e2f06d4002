package bench

import (
	"context"
	"encoding/json"
	"fmt"

	"jobflow"
	"jobflow/workflows"
)

// The FOREACH scenarios' stand-ins for the FOREACH activities: five items
// whose children run a one-job snapshot; the child of item 3 fails (within
// the 20% tolerated), or every child blocks.

// Targets of the FOREACH scenarios.
const (
	ForEachItemsOK    = "items-ok"
	ForEachItemsBlock = "items-block"
)

// forEachChild names the ForEach child workflow of node fe for recording.
var forEachChild = map[string]string{"-fe-1-foreach": "ForEach"}

// forEachParent is a -> fe -> b, fe running workflow target per item.
func forEachParent(target string) jobflow.Snapshot {
	s := scripted([]string{"a", "fe", "b"}, nil, [2]string{"a", "fe"}, [2]string{"fe", "b"})
	cfg, _ := json.Marshal(map[string]any{"items": []string{"i0", "i1", "i2", "i3", "i4"}, "workflowId": target,
		"maxConcurrency": 2, "failureTolerancePercent": 20})
	s.Jobs[1] = jobflow.Job{ID: "fe", Name: "fe", Type: jobflow.JobForEach, Config: cfg}
	s.Jobs[2].Config = []byte(`{"script":"echo ${outputs.fe.succeeded}"}`)
	return s
}

var forEachItems = []string{"i0", "i1", "i2", "i3", "i4"}

// PrepareForEach stands in for the real one.
func PrepareForEach(context.Context, workflows.PrepareForEachInput) (workflows.ForEachPlan, error) {
	return workflows.ForEachPlan{Total: len(forEachItems), VersionID: "v1"}, nil
}

// NextForEachItems stands in for the real one.
func NextForEachItems(_ context.Context, in workflows.NextForEachItemsInput) ([]jobflow.ForEachItem, error) {
	var out []jobflow.ForEachItem
	for i := in.After + 1; i < len(forEachItems) && len(out) < in.Limit; i++ {
		out = append(out, jobflow.ForEachItem{Index: i, Item: forEachItems[i], Status: jobflow.ItemPending})
	}
	return out, nil
}

// StartForEachItem stands in for the real one.
func StartForEachItem(_ context.Context, in workflows.StartForEachItemInput) (workflows.FlowRunInput, error) {
	script := ""
	switch {
	case in.Config.WorkflowID == ForEachItemsBlock:
		script = "block"
	case in.Index == 3:
		script = "fail"
	}
	snap := scripted([]string{"x"}, map[string]string{"x": script})
	snap.WorkflowID, snap.WorkflowName = in.Config.WorkflowID, fmt.Sprintf("%s item %d", in.Config.WorkflowID, in.Index)
	p := in.Prepare
	return workflows.FlowRunInput{RunID: in.ChildRunID, Snapshot: snap, Params: map[string]string{in.Config.Param: in.Item},
		LogicalTime: p.LogicalTime, Trigger: jobflow.TriggerSubflow, TaskQueue: p.TaskQueue, ParentRunID: p.RunID,
		ParentJobID: p.Job.ID, Depth: p.Depth, Ancestors: p.Ancestors}, nil
}

// AbortForEachItem stands in for the real one.
func AbortForEachItem(context.Context, workflows.AbortForEachItemInput) error { return nil }
