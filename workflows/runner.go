package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// runner is the state of one FlowRun execution. Node i is the i-th node of
// the canvas; every slice below is indexed that way.
type runner struct {
	in          FlowRunInput
	snap        jobflow.Snapshot // in.Snapshot, or loaded by reference (bigdag.go)
	large       bool             // loaded by reference: packed carry and result
	g           *graph
	cfg         jobflow.WorkflowConfig
	loc         *time.Location
	discrete    bool
	maxParallel int
	taskQueue   string

	runID              string
	logicalTime        time.Time
	startedAt          time.Time
	endedAt            *time.Time
	temporalWorkflowID string
	temporalRunID      string

	nodes       []jobflow.NodeRun // live state, served by the nodes query
	ready       []int             // PENDING nodes whose trigger rule is met, in the order they became ready
	queued      []bool            // the node went into ready (trigger.go)
	deselected  []int             // the CONDITION node that did not choose this node, or -1
	cause       []int             // UPSTREAM_FAILED: the parent that failed (or failed upstream), or -1
	cronDone    []bool            // discrete mode: the job's cron time has come
	timerCancel []workflow.CancelFunc
	ours        []bool  // FlowRun, not RunJob, decided this node's row in this execution
	refs        [][]int // the nodes whose outputs each node's config names (outputs.go)
	outputsOn   bool    // this execution passes outputs (a versioned change)
	disabledOn  bool    // disabled canvas nodes are DISABLED, not run (a versioned change)

	running      int // RunJob activities in flight
	timers       int // cron timers in flight
	waits        int // futures of waiting DEPENDENT nodes in flight (dependent.go): no slot
	deps         []*depWait
	depRecord    []int // DEPENDENT nodes to record (their items or end changed)
	depChecks    int   // DEPENDENT checks done in this execution
	newlyWaiting []int // nodes that became WAITING since the last record
	newlyDecided []int // nodes FlowRun settled or decided since the last record (trigger.go)
	finishedHere int   // jobs finished in this execution (continue-as-new only after progress)

	rootCtx    workflow.Context
	jobsCtx    workflow.Context // parent of every job and timer: cancelled by END
	cancelJobs workflow.CancelFunc
	sel        workflow.Selector
	wake       workflow.Channel             // a break wakes the loop
	alarms     workflow.ChildWorkflowFuture // the run's FlowRunAlarms, started by this execution; nil if none

	timedOut       map[int]bool // nodes FlowRun stopped at their timeout (timeouts.go)
	maxDurationHit bool         // the maximum duration timer fired (carried across continue-as-new)
	abortReason    string       // the run aborted itself (maximum duration ABORT)
	jobEventsOn    int          // 0: not asked yet; 1: off (an older history); 2: on (timeouts.go)

	wasQueued        bool      // it waited in the queue: the grant recorded it RUNNING
	queuedNow        bool      // waiting for a slot under the workflow's concurrency limit (queue.go)
	notStarted       bool      // ended while queued, skipped or refused: no alarm workflow to tell
	paused           bool      // a user paused the run: start nothing (pause.go)
	pool             poolState // pooled jobs' leases (pool.go)
	boost            []int     // per node, the priority key a baseline raised it to (boost.go)
	statusDirty      bool      // paused or resumed: the loop records the run's status
	closed           bool      // the loop has ended: no more breaks
	cancelled        bool      // the user aborted the run
	abortingRecorded bool
	startRecorded    bool   // the run's first record went out (see record)
	endRecorded      bool   // RunJob wrote the run's end (endrecord.go)
	startInJob       bool   // RunJob writes the run's start record (endrecord.go)
	ending           bool   // FailureStrategy END after a failure
	draining         bool   // continue-as-new suggested: wait for running jobs, start none
	firstError       string // the first failure, for the run row
	invalid          string // the input cannot run: the run fails at once with this
}

// scheduledStartKey is set by Temporal Schedules on the runs they start.
var scheduledStartKey = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

func newRunner(ctx workflow.Context, in FlowRunInput) (*runner, error) {
	info := workflow.GetInfo(ctx)
	snap, bad := loadSnapshot(ctx, &in)
	r := &runner{
		in:                 in,
		snap:               snap,
		large:              in.SnapshotRef != nil,
		g:                  newGraph(&snap),
		invalid:            bad,
		cfg:                in.Snapshot.Config,
		taskQueue:          in.TaskQueue,
		runID:              in.RunID,
		logicalTime:        in.LogicalTime,
		startedAt:          in.StartedAt,
		temporalWorkflowID: info.WorkflowExecution.ID,
		temporalRunID:      info.FirstRunID,
		rootCtx:            ctx,
		paused:             in.Paused,
	}
	r.cfg.Normalize()
	// A Temporal Schedule starts runs with a fixed input: the run id and
	// logical time then come from the execution itself.
	if r.runID == "" {
		r.runID = info.WorkflowExecution.ID
	}
	scheduled, isScheduled := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStartKey)
	if r.logicalTime.IsZero() {
		r.logicalTime = info.WorkflowStartTime
		if isScheduled {
			r.logicalTime = scheduled
		}
	}
	if r.in.Trigger == "" {
		r.in.Trigger = jobflow.TriggerManual
		if isScheduled {
			r.in.Trigger = jobflow.TriggerSchedule
		}
	}
	if r.startedAt.IsZero() {
		r.startedAt = info.WorkflowStartTime
	}
	if r.taskQueue == "" {
		r.taskQueue = DefaultTaskQueue
	}
	r.maxParallel = max(r.cfg.MaxParallelism, 1)
	r.discrete = r.cfg.Schedule.Mode == jobflow.ModeDiscrete
	if r.discrete {
		loc, err := time.LoadLocation(r.cfg.Schedule.Timezone)
		if err != nil {
			r.invalid = "unknown time zone " + r.cfg.Schedule.Timezone
		}
		r.loc = loc
	}

	n := len(r.g.ids)
	r.nodes = make([]jobflow.NodeRun, n)
	r.queued = make([]bool, n)
	r.deselected = make([]int, n)
	r.cause = make([]int, n)
	for i := range n {
		r.deselected[i], r.cause[i] = -1, -1
	}
	r.cronDone = make([]bool, n)
	r.timerCancel = make([]workflow.CancelFunc, n)
	r.ours = make([]bool, n)
	plan, err := unpackPlan(in.Plan)
	if err != nil && r.invalid == "" {
		r.invalid = "the rerun plan could not be read: " + err.Error()
	}
	statuses, bad := initialStatuses(r.g, plan)
	carry := in.Carry
	if len(in.CarryPacked) > 0 {
		if carry, err = UnpackNodes(in.CarryPacked); err != nil && r.invalid == "" {
			r.invalid = "the carried node states could not be read: " + err.Error()
		}
	}
	if bad != "" && r.invalid == "" {
		r.invalid = bad
	}
	for i, id := range r.g.ids {
		n := &r.nodes[i]
		n.RunID, n.TenantID, n.JobID, n.Status = r.runID, in.Snapshot.TenantID, id, jobflow.NodePending
		if j := r.g.jobs[i]; j != nil {
			n.JobName, n.JobType = j.Name, j.Type
		}
		if statuses != nil {
			n.Status = statuses[i]
		}
	}
	if plan != nil {
		for _, p := range plan.Prior {
			if i, ok := r.g.index[p.JobID]; ok && r.nodes[i].Status == jobflow.NodeForcedSuccess {
				r.nodes[i].Error = p.Note // who marked it and why
			}
		}
	}
	r.initOutputs(ctx, plan)
	// Only a canvas with a disabled node asks for the version, so runs of
	// other canvases record no marker (docs/run-semantics.md#disabled-nodes).
	if slices.Contains(r.g.disabled, true) && workflow.GetVersion(ctx, "disabled-nodes", workflow.DefaultVersion, 1) >= 1 {
		r.disabledOn = true
		for i := range r.nodes {
			if r.g.disabled[i] && r.nodes[i].Status == jobflow.NodeSkipped {
				r.nodes[i].Status = jobflow.NodeDisabled // a rerun of other nodes shows it as it is
			}
		}
	}
	for _, c := range carry {
		if i, ok := r.g.index[c.JobID]; ok {
			base := r.nodes[i]
			r.nodes[i] = c
			r.nodes[i].RunID, r.nodes[i].TenantID = base.RunID, base.TenantID
			if c.JobName == "" && c.JobType == "" { // packed: the graph gives them back
				r.nodes[i].JobName, r.nodes[i].JobType = base.JobName, base.JobType
			}
			if !c.Status.Done() { // WAITING or RUNNING cannot be carried: it starts over
				r.nodes[i].Status = jobflow.NodePending
			}
		}
	}
	r.reapplyConditions(in.Plan)
	r.decideAll()

	r.jobsCtx, r.cancelJobs = workflow.WithCancel(ctx)
	r.wake = workflow.NewBufferedChannel(ctx, 1)
	r.sel = workflow.NewSelector(ctx)
	r.sel.AddReceive(ctx.Done(), func(c workflow.ReceiveChannel, _ bool) {
		c.ReceiveAsync(nil) // a receive case must consume, or it stays ready
		r.onCancel()
	})
	r.sel.AddReceive(r.wake, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })

	if err := workflow.SetQueryHandler(ctx, QueryNodes, func(q NodesQuery) ([]jobflow.NodeRun, error) {
		return r.pageNodes(q), nil
	}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateBreak, r.breakNode,
		workflow.UpdateHandlerOptions{Validator: r.validateBreak}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateMarkSuccess, r.markSuccess,
		workflow.UpdateHandlerOptions{Validator: r.validateMarkSuccess}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApprove, r.approve,
		workflow.UpdateHandlerOptions{Validator: r.validateApproval}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePause, r.pause,
		workflow.UpdateHandlerOptions{Validator: r.validatePause}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateResume, r.resume,
		workflow.UpdateHandlerOptions{Validator: r.validateResume}); err != nil {
		return nil, err
	}
	return r, nil
}
