package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/vars"
	"jobflow/workflows"
)

// The store side of SUBFLOW jobs (workflows/subflow.go): PrepareSubflow
// picks and records the child run before FlowRun starts it, EndSubflow
// writes the SUBFLOW node's end and reads the child's outputs.

// subflowStore is what SUBFLOW needs of the store beyond RunService; the
// store implements it (like scheduledRunRecorder).
type subflowStore interface {
	jobflow.RunSnapshotService
	FindWorkflowByID(ctx context.Context, tenantID, id string) (*jobflow.Workflow, error)
	FindVersionByID(ctx context.Context, tenantID, id string) (*jobflow.Version, error)
}

func subflowConfigError(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeConfig, nil)
}

func (a *Activities) subflowStore() (subflowStore, error) {
	st, ok := a.Runs.(subflowStore)
	if !ok {
		return nil, subflowConfigError("this worker's store cannot run SUBFLOW jobs")
	}
	return st, nil
}

// PrepareSubflow records the SUBFLOW node RUNNING, decides what the child
// runs and creates its run row; it returns the child's FlowRun input.
// Retried, it finds the row it created and returns the same input.
func (a *Activities) PrepareSubflow(ctx context.Context, in workflows.PrepareSubflowInput) (workflows.FlowRunInput, error) {
	var none workflows.FlowRunInput
	st, err := a.subflowStore()
	if err != nil {
		return none, err
	}
	node := in.Node
	node.TenantID = in.TenantID
	if err := a.Runs.UpsertNodeRun(ctx, &node); err != nil {
		a.logger().Error("record subflow node", "run", node.RunID, "job", node.JobID, "err", err)
		return none, temporal.NewApplicationError("cannot record the node run", ErrTypeStoreFailed)
	}
	var cfg jobtypes.SubflowConfig
	if err := json.Unmarshal(in.Job.Config, &cfg); err != nil || cfg.WorkflowID == "" {
		return none, subflowConfigError("the SUBFLOW config names no workflow")
	}
	if err := checkChain("SUBFLOW", in.Depth, in.Ancestors, cfg.WorkflowID); err != nil {
		return none, err
	}

	child := &jobflow.Run{
		ID:                 in.ChildRunID,
		TenantID:           in.TenantID,
		Trigger:            jobflow.TriggerSubflow,
		Status:             jobflow.RunRunning,
		LogicalTime:        in.LogicalTime,
		ParentRunID:        node.RunID,
		ParentJobID:        in.Job.ID,
		TemporalWorkflowID: in.ChildRunID,
		StartedAt:          time.Now().UTC(),
		CreatedBy:          in.CreatedBy,
	}
	snap, plan, err := a.rerunChild(ctx, st, in, child)
	if err != nil {
		return none, err
	}
	if snap == nil { // not a rerun: the target's version or draft, with the config's params
		if snap, err = a.childSnapshot(ctx, st, in.TenantID, cfg); err != nil {
			return none, err
		}
		given, err := a.childParams(ctx, in, cfg)
		if err != nil {
			return none, err
		}
		if child.Params, err = jobflow.MergeParams(snap.Config.Params, given); err != nil {
			return none, subflowConfigError("config.params: %s", jobflow.ErrorMessage(err))
		}
	}
	return a.createChildRun(ctx, st, child, snap, plan, in.TaskQueue, in.Depth, in.Ancestors)
}

// createChildRun creates child's run row with snap (a retry finds the row
// its first attempt made) and returns the child's FlowRun input.
func (a *Activities) createChildRun(ctx context.Context, st subflowStore, child *jobflow.Run, snap *jobflow.Snapshot,
	plan *workflows.RerunPlan, taskQueue string, depth int, ancestors []string) (workflows.FlowRunInput, error) {
	var none workflows.FlowRunInput
	child.WorkflowID, child.WorkflowName, child.VersionID = snap.WorkflowID, snap.WorkflowName, snap.VersionID
	err := st.CreateRun(ctx, child, snap)
	if jobflow.ErrorCode(err) == jobflow.ECONFLICT { // a retry: the first attempt created it
		prev, ferr := a.Runs.FindRunByID(ctx, child.TenantID, child.ID)
		if ferr != nil || prev.ParentRunID != child.ParentRunID || prev.ParentJobID != child.ParentJobID {
			return none, subflowConfigError("run %s already exists and is not this job's child", child.ID)
		}
		if snap, err = st.FindRunSnapshot(ctx, child.TenantID, child.ID); err == nil {
			child.Params = prev.Params
		}
	}
	if err != nil {
		a.logger().Error("create subflow run", "run", child.ID, "err", err)
		return none, temporal.NewApplicationError("cannot record the child run", ErrTypeStoreFailed)
	}
	in2 := workflows.FlowRunInput{
		RunID:       child.ID,
		Snapshot:    *snap,
		Params:      child.Params,
		LogicalTime: child.LogicalTime,
		Trigger:     jobflow.TriggerSubflow,
		RerunOf:     child.RerunOf,
		Plan:        plan,
		CreatedBy:   child.CreatedBy,
		TaskQueue:   taskQueue,
		ParentRunID: child.ParentRunID,
		ParentJobID: child.ParentJobID,
		Depth:       depth,
		Ancestors:   ancestors,
	}
	// A large child DAG travels by reference to its run_snapshots row, as
	// the engine starts large runs (workflows/bigdag.go).
	if workflows.ByReference(snap) {
		in2.Snapshot = workflows.SnapshotHeader(*snap)
		in2.SnapshotRef = &workflows.SnapshotRef{TenantID: child.TenantID, RunID: child.ID}
		if plan != nil {
			packed := *plan
			workflows.PackPlan(&packed)
			in2.Plan = &packed
		}
	}
	return in2, nil
}

// checkChain checks the running chain again before a child of target is
// made (an import or a restored version may have closed a loop since the
// save-time check): at most MaxSubflowDepth deep, no workflow twice.
func checkChain(kind string, depth int, ancestors []string, target string) error {
	if depth > jobflow.MaxSubflowDepth {
		return subflowConfigError("%s calls nest deeper than %d levels", kind, jobflow.MaxSubflowDepth)
	}
	if slices.Contains(ancestors, target) {
		return subflowConfigError("%s recursion: workflow %s is already running above this run (%s)",
			kind, target, strings.Join(append(slices.Clone(ancestors), target), " → "))
	}
	return nil
}

// rerunChild is the child of a rerun of the parent: a rerun of the child
// that the rerun run's job started last, with that run's snapshot and
// params, in FAILED mode (its succeeded jobs SKIPPED) for a FAILED or
// FROM_NODE rerun and ALL mode otherwise. nil: the parent is no rerun, or
// the run it reruns started no child for this job (a fresh child then).
func (a *Activities) rerunChild(ctx context.Context, st subflowStore, in workflows.PrepareSubflowInput, child *jobflow.Run) (*jobflow.Snapshot, *workflows.RerunPlan, error) {
	if in.RerunOf == "" {
		return nil, nil, nil
	}
	runs, _, err := a.Runs.FindRuns(ctx, in.TenantID, jobflow.RunFilter{ParentRunID: in.RerunOf, PageSize: 100})
	if err != nil {
		return nil, nil, temporal.NewApplicationError("cannot read the previous child runs", ErrTypeStoreFailed)
	}
	var prev *jobflow.Run
	for _, r := range runs { // newest first
		if r.ParentJobID == in.Job.ID {
			prev = r
			break
		}
	}
	if prev == nil || !prev.Status.Finished() {
		return nil, nil, nil
	}
	full, err := a.Runs.FindRunByID(ctx, in.TenantID, prev.ID)
	if err != nil {
		return nil, nil, temporal.NewApplicationError("cannot read the previous child run", ErrTypeStoreFailed)
	}
	snap, err := st.FindRunSnapshot(ctx, in.TenantID, prev.ID)
	if err != nil {
		return nil, nil, temporal.NewApplicationError("cannot read the previous child run's snapshot", ErrTypeStoreFailed)
	}
	mode := jobflow.RerunAll
	if in.RerunMode == jobflow.RerunFailed || in.RerunMode == jobflow.RerunFromNode {
		mode = jobflow.RerunFailed
	}
	plan, err := workflows.NewRerunPlan(snap, full, mode, "")
	if err != nil {
		return nil, nil, subflowConfigError("%s", jobflow.ErrorMessage(err))
	}
	child.Params, child.RerunOf = prev.Params, prev.ID
	return snap, plan, nil
}

// childSnapshot is what a fresh child runs: the target's published version
// or a snapshot of its draft.
func (a *Activities) childSnapshot(ctx context.Context, st subflowStore, tenantID string, cfg jobtypes.SubflowConfig) (*jobflow.Snapshot, error) {
	w, err := st.FindWorkflowByID(ctx, tenantID, cfg.WorkflowID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil, subflowConfigError("workflow %s does not exist in this tenant", cfg.WorkflowID)
	} else if err != nil {
		return nil, temporal.NewApplicationError("cannot read the child workflow", ErrTypeStoreFailed)
	}
	if cfg.Version == jobtypes.SubflowDraft {
		snap, err := jobflow.TakeSnapshot(w, "")
		if err != nil {
			return nil, subflowConfigError("the draft of workflow %q cannot run: %s", w.Name, jobflow.ErrorMessage(err))
		}
		return snap, nil
	}
	if w.Status != jobflow.StatusPublished || w.PublishedVersionID == "" {
		return nil, subflowConfigError("workflow %q is not published (publish it, or set version DRAFT)", w.Name)
	}
	v, err := st.FindVersionByID(ctx, tenantID, w.PublishedVersionID)
	if err != nil {
		return nil, temporal.NewApplicationError("cannot read the child workflow's version", ErrTypeStoreFailed)
	}
	return &v.Snapshot, nil
}

// childParams resolves the config's params in the parent's scope: its
// params, the tenant's plain variables, the upstream outputs and the
// logical time. Secrets are refused when the job is saved.
func (a *Activities) childParams(ctx context.Context, in workflows.PrepareSubflowInput, cfg jobtypes.SubflowConfig) (map[string]string, error) {
	if len(cfg.Params) == 0 {
		return nil, nil
	}
	resolve, err := a.parentScope(ctx, in.TenantID, in.Params, in.Upstream, in.LogicalTime, in.Timezone)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(cfg.Params))
	for k := range cfg.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		v, err := resolve(cfg.Params[k])
		if err != nil {
			return nil, subflowConfigError("config.params.%s: %v", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// parentScope resolves texts in a parent run's scope: its params, the
// tenant's plain variables, the upstream outputs and the logical time.
func (a *Activities) parentScope(ctx context.Context, tenantID string, params map[string]string, upstream []vars.Upstream,
	logicalTime time.Time, timezone string) (func(text string) (string, error), error) {
	scope := vars.Scope{Params: params, Upstream: upstream}.WithCache()
	if a.Variables != nil {
		plain, _, err := a.Variables.VariableValues(ctx, tenantID)
		if err != nil {
			return nil, temporal.NewApplicationError("cannot load the tenant's variables", ErrTypeStoreFailed)
		}
		scope.Globals = plain
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		loc = time.UTC
	}
	return func(text string) (string, error) { return vars.ResolveScope(text, logicalTime, loc, scope) }, nil
}

// EndSubflow writes the SUBFLOW node's end. For a child that succeeded it
// reads the child's outputs first and returns them (and writes them with
// the node): each child job's outputs as <jobName>.<key>, and runId. A
// child whose row exists but that never started is recorded ABORTED.
func (a *Activities) EndSubflow(ctx context.Context, in workflows.EndSubflowInput) (map[string]string, error) {
	node := in.Node
	node.TenantID = in.TenantID
	if in.NotStarted {
		if err := a.abortNotStarted(ctx, node.TenantID, in.ChildRunID); err != nil {
			return nil, err
		}
	}
	var out map[string]string
	if node.Status == jobflow.NodeSuccess {
		out = map[string]string{"runId": in.ChildRunID}
	}
	if in.Outputs {
		child, err := a.Runs.FindRunByID(ctx, node.TenantID, in.ChildRunID)
		if err != nil {
			return nil, temporal.NewApplicationError("cannot read the child run", ErrTypeStoreFailed)
		}
		for _, n := range child.Nodes {
			for k, v := range n.Outputs {
				out[n.JobName+"."+k] = v
			}
		}
		if size := jobflow.OutputsSize(out); size > jobflow.MaxOutputBytes {
			return nil, subflowConfigError("the child run's outputs are %d bytes, more than the %d a node may keep", size, jobflow.MaxOutputBytes)
		}
	}
	node.Outputs = out
	if err := a.Runs.UpsertNodeRun(ctx, &node); err != nil {
		a.logger().Error("record subflow node", "run", node.RunID, "job", node.JobID, "err", err)
		return nil, temporal.NewApplicationError("cannot record the node run", ErrTypeStoreFailed)
	}
	return out, nil
}

// abortNotStarted records ABORTED a child run whose row exists but whose
// FlowRun never started.
func (a *Activities) abortNotStarted(ctx context.Context, tenantID, runID string) error {
	r, err := a.Runs.FindRunByID(ctx, tenantID, runID)
	if err != nil || r.Status.Finished() {
		return nil
	}
	r.Nodes, r.Edges, r.Children = nil, nil, nil
	now := time.Now().UTC()
	r.Status, r.EndedAt, r.Error = jobflow.RunAborted, &now, "aborted before it started"
	if err := a.Runs.UpsertRun(ctx, r); err != nil {
		return temporal.NewApplicationError("cannot record the child run", ErrTypeStoreFailed)
	}
	return nil
}
