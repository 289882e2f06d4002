package engine

import (
	"context"
	"time"

	"jobflow"
)

// VersionStore is what running a past version needs beyond Store.
type VersionStore interface {
	FindVersionByNumber(ctx context.Context, tenantID, workflowID string, number int) (*jobflow.Version, error)
}

// RunVersion starts a MANUAL run of a past version of the workflow (issue
// 12): the version's frozen snapshot and default params, whatever the
// draft or the published version are now. The run carries the version id,
// so lists show its number.
func (e *Engine) RunVersion(ctx context.Context, tenantID, workflowID string, number int, params map[string]string, by string) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	vs, ok := e.Store.(VersionStore)
	if !ok {
		return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "the store keeps no version history")
	}
	v, err := vs.FindVersionByNumber(ctx, tenantID, workflowID, number)
	if err != nil {
		return nil, err
	}
	merged, err := jobflow.MergeParams(v.Snapshot.Config.Params, params)
	if err != nil {
		return nil, err
	}
	snap := v.Snapshot
	snap.VersionID = v.ID
	run := &jobflow.Run{
		ID:           jobflow.NewID(jobflow.PrefixRun),
		TenantID:     tenantID,
		WorkflowID:   workflowID,
		WorkflowName: snap.WorkflowName,
		VersionID:    v.ID,
		Trigger:      jobflow.TriggerManual,
		LogicalTime:  e.now().Truncate(time.Second),
		Params:       merged,
		CreatedBy:    by,
	}
	if err := e.start(ctx, run, &snap, nil); err != nil {
		return nil, err
	}
	run.VersionNumber = v.Number
	return run, nil
}
