package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/workflows"
)

// The store side of FOREACH jobs (workflows/foreach.go): PrepareForEach
// resolves the list and writes the item rows, NextForEachItems reads
// them in order, StartForEachItem makes an item's child run row.

type forEachStore interface {
	subflowStore
	jobflow.ForEachService
}

func (a *Activities) forEachStore() (forEachStore, error) {
	st, ok := a.Runs.(forEachStore)
	if !ok {
		return nil, subflowConfigError("this worker's store cannot run FOREACH jobs")
	}
	return st, nil
}

// PrepareForEach resolves a FOREACH node's items, checks its target,
// carries the items that succeeded in the run this one reruns, and writes
// the item rows (once: a retry finds them and decides the same).
func (a *Activities) PrepareForEach(ctx context.Context, in workflows.PrepareForEachInput) (workflows.ForEachPlan, error) {
	var plan workflows.ForEachPlan
	st, err := a.forEachStore()
	if err != nil {
		return plan, err
	}
	cfg, err := jobtypes.ParseForEachConfig(in.Job.Config)
	if err != nil {
		return plan, subflowConfigError("invalid FOREACH config: %s", jobflow.ErrorMessage(err))
	}
	if err := checkChain("FOREACH", in.Depth, in.Ancestors, cfg.WorkflowID); err != nil {
		return plan, err
	}
	items, err := a.forEachItems(ctx, in, cfg)
	if err != nil {
		return plan, err
	}
	if plan.VersionID, err = a.forEachVersion(ctx, st, in.TenantID, cfg); err != nil {
		return plan, err
	}
	rows := make([]jobflow.ForEachItem, len(items))
	for i, it := range items {
		rows[i] = jobflow.ForEachItem{Index: i, Item: it}
	}
	if in.RerunOf != "" {
		if err := a.carryItems(ctx, st, in, rows); err != nil {
			return plan, err
		}
	}
	if err := st.CreateForEachItems(ctx, in.TenantID, in.RunID, in.Job.ID, rows); err != nil {
		a.logger().Error("record foreach items", "run", in.RunID, "job", in.Job.ID, "err", err)
		return plan, temporal.NewApplicationError("cannot record the items", ErrTypeStoreFailed)
	}
	plan.Total = len(rows)
	for _, r := range rows {
		if r.Carried {
			plan.Carried++
		}
	}
	return plan, nil
}

// forEachItems are the config's literal list, or its text resolved in the
// parent's scope and read as a JSON list.
func (a *Activities) forEachItems(ctx context.Context, in workflows.PrepareForEachInput, cfg jobtypes.ForEachConfig) ([]string, error) {
	text := cfg.Expression()
	if text == "" {
		items, err := jobtypes.ParseForEachItems(cfg.Items)
		if err != nil {
			return nil, subflowConfigError("config.items: %v", err)
		}
		return items, nil
	}
	resolve, err := a.parentScope(ctx, in.TenantID, in.Params, in.Upstream, in.LogicalTime, in.Timezone)
	if err != nil {
		return nil, err
	}
	list, err := resolve(text)
	if err != nil {
		return nil, subflowConfigError("config.items: %v", err)
	}
	items, err := jobtypes.ParseForEachItems([]byte(list))
	if err != nil {
		return nil, subflowConfigError("config.items %s gave no list of items: %v", text, err)
	}
	return items, nil
}

// forEachVersion is the version every item runs: the target's published
// version when the node starts, or "" for its draft (each item then runs
// the draft as it is when the item starts).
func (a *Activities) forEachVersion(ctx context.Context, st forEachStore, tenantID string, cfg jobtypes.ForEachConfig) (string, error) {
	w, err := st.FindWorkflowByID(ctx, tenantID, cfg.WorkflowID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return "", subflowConfigError("workflow %s does not exist in this tenant", cfg.WorkflowID)
	} else if err != nil {
		return "", temporal.NewApplicationError("cannot read the child workflow", ErrTypeStoreFailed)
	}
	if cfg.Version == jobtypes.SubflowDraft {
		if _, err := jobflow.TakeSnapshot(w, ""); err != nil {
			return "", subflowConfigError("the draft of workflow %q cannot run: %s", w.Name, jobflow.ErrorMessage(err))
		}
		return "", nil
	}
	if w.Status != jobflow.StatusPublished || w.PublishedVersionID == "" {
		return "", subflowConfigError("workflow %q is not published (publish it, or set version DRAFT)", w.Name)
	}
	return w.PublishedVersionID, nil
}

// carryItems marks the rows whose item succeeded, as the same item at the
// same index, in the run this one reruns: those do not run again.
func (a *Activities) carryItems(ctx context.Context, st forEachStore, in workflows.PrepareForEachInput, rows []jobflow.ForEachItem) error {
	after := -1
	for {
		page, err := st.FindForEachItems(ctx, in.TenantID, in.RerunOf, in.Job.ID,
			jobflow.ForEachItemFilter{Status: jobflow.RunSuccess, After: after, PageSize: 1000})
		if err != nil {
			return temporal.NewApplicationError("cannot read the items of the run this reruns", ErrTypeStoreFailed)
		}
		for _, it := range page.Items {
			if it.Index < len(rows) && rows[it.Index].Item == it.Item {
				rows[it.Index].Carried, rows[it.Index].RunID = true, it.RunID
			}
		}
		if page.Next < 0 {
			return nil
		}
		after = page.Next
	}
}

// NextForEachItems reads the next items to start.
func (a *Activities) NextForEachItems(ctx context.Context, in workflows.NextForEachItemsInput) ([]jobflow.ForEachItem, error) {
	st, err := a.forEachStore()
	if err != nil {
		return nil, err
	}
	items, err := st.NextForEachItems(ctx, in.TenantID, in.RunID, in.JobID, in.After, in.Limit)
	if err != nil {
		return nil, temporal.NewApplicationError("cannot read the items", ErrTypeStoreFailed)
	}
	return items, nil
}

// StartForEachItem creates an item's child run row, with the item in the
// child's param, and returns the child's FlowRun input. The item's value
// is passed as it is: it is not resolved again (it may hold "${").
func (a *Activities) StartForEachItem(ctx context.Context, in workflows.StartForEachItemInput) (workflows.FlowRunInput, error) {
	var none workflows.FlowRunInput
	st, err := a.forEachStore()
	if err != nil {
		return none, err
	}
	var snap *jobflow.Snapshot
	if in.VersionID != "" {
		v, err := st.FindVersionByID(ctx, in.TenantID, in.VersionID)
		if err != nil {
			return none, temporal.NewApplicationError("cannot read the child workflow's version", ErrTypeStoreFailed)
		}
		snap = &v.Snapshot
	} else if snap, err = a.childSnapshot(ctx, st, in.TenantID, jobtypes.SubflowConfig{WorkflowID: in.WorkflowID, Version: jobtypes.SubflowDraft}); err != nil {
		return none, err
	}
	child := &jobflow.Run{
		ID:                 in.ChildRunID,
		TenantID:           in.TenantID,
		Trigger:            jobflow.TriggerSubflow,
		Status:             jobflow.RunRunning,
		LogicalTime:        in.LogicalTime,
		ParentRunID:        in.ParentRunID,
		ParentJobID:        in.JobID,
		TemporalWorkflowID: in.ChildRunID,
		StartedAt:          time.Now().UTC(),
		CreatedBy:          in.CreatedBy,
	}
	if child.Params, err = jobflow.MergeParams(snap.Config.Params, map[string]string{in.Param: in.Item}); err != nil {
		return none, subflowConfigError("item %d: %s", in.Index, jobflow.ErrorMessage(err))
	}
	out, err := a.createChildRun(ctx, st, child, snap, nil, in.TaskQueue, in.Depth, in.Ancestors)
	if err != nil {
		return none, err
	}
	if err := st.SetForEachItemRun(ctx, in.TenantID, in.ParentRunID, in.JobID, in.Index, child.ID); err != nil {
		return none, temporal.NewApplicationError("cannot record the item's run", ErrTypeStoreFailed)
	}
	return out, nil
}

// AbortForEachItem settles an item's child run that never started.
func (a *Activities) AbortForEachItem(ctx context.Context, in workflows.AbortForEachItemInput) error {
	return a.abortNotStarted(ctx, in.TenantID, in.ChildRunID)
}
