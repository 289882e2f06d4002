package workflows

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
)

// DEPENDENT nodes (docs/run-semantics.md#dependent-jobs). A DEPENDENT node is WAITING, holding no
// parallelism slot (it is not counted in r.running but in r.waits), until
// its items are met by upstream runs, as CheckDependent finds in the store.
// It checks when it starts, when a SignalDependent says that a run of a
// workflow it waits on has ended, and every checkIntervalSeconds as a
// fallback; it fails at its deadline, or when the upstream failed under
// onUpstreamFail FAIL.
//
// A waiting node has exactly one future in the selector at any time: its
// check (a local activity) or its interval timer. That future's callback
// decides what comes next, so a break, an abort or END (which settle the
// node and cancel its timer) are seen there, and the node's waits are
// forgotten.
//
// Across continue-as-new the node is carried as PENDING, starts waiting
// again and keeps its deadline (from its StartedAt, carried too).
//
// Histories recorded before DEPENDENT existed failed such nodes at once:
// the "dependent" version keeps that.

const dependentVersion = "dependent"

// depChecksPerExecution: a long wait is progress too. A wait of days, at a
// check a minute, would outgrow Temporal's history limit (about six events
// a check); after this many checks in one execution FlowRun may continue
// as new when Temporal suggests it, like after a finished job.
const depChecksPerExecution = 100

// depWait is the state of one waiting DEPENDENT node.
type depWait struct {
	cfg      jobtypes.DependentConfig
	deadline time.Time
	inFlight bool   // a check is running
	again    bool   // a signal came during the check: check once more
	shown    string // the items as last shown on the node
}

func (d *depWait) waitsOn(workflowID string) bool {
	for _, it := range d.cfg.Items {
		if it.WorkflowID == workflowID {
			return true
		}
	}
	return false
}

// startDependent starts DEPENDENT node i waiting.
func (r *runner) startDependent(ctx workflow.Context, i int, job *jobflow.Job) {
	if workflow.GetVersion(ctx, dependentVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		r.fail(i, "job type "+string(job.Type)+" is not supported by this worker yet", true)
		return
	}
	cfg, err := jobtypes.ParseDependentConfig(job.Config)
	if err != nil {
		r.fail(i, "invalid DEPENDENT config: "+jobflow.ErrorMessage(err), true)
		return
	}
	r.initDependents(ctx)
	n := &r.nodes[i]
	started := workflow.Now(ctx)
	if n.StartedAt != nil { // carried across continue-as-new: the same wait goes on
		started = *n.StartedAt
	}
	n.Status, n.StartedAt, n.EndedAt, n.Error = jobflow.NodeWaiting, &started, nil, ""
	n.Attempt = max(n.Attempt, 1)
	r.ours[i] = true // no RunJob writes this node: FlowRun does
	r.newlyWaiting = append(r.newlyWaiting, i)
	r.deps[i] = &depWait{cfg: cfg, deadline: started.Add(cfg.Timeout(job.TimeoutSeconds))}
	r.checkDependent(ctx, i)
}

// initDependents makes the per-node state and listens to SignalDependent,
// once per execution.
func (r *runner) initDependents(ctx workflow.Context) {
	if r.deps != nil {
		return
	}
	r.deps = make([]*depWait, len(r.nodes))
	ch := workflow.GetSignalChannel(ctx, SignalDependent)
	r.sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
		var s DependentSignal
		c.ReceiveAsync(&s)
		r.upstreamEnded(s)
	})
}

// upstreamEnded wakes every node waiting on the workflow of the run that
// ended: a sleeping one checks at once, one that is checking checks again.
func (r *runner) upstreamEnded(s DependentSignal) {
	for i, d := range r.deps {
		if d == nil || r.nodes[i].Status != jobflow.NodeWaiting || !d.waitsOn(s.WorkflowID) {
			continue
		}
		if d.inFlight {
			d.again = true
		} else if r.timerCancel[i] != nil {
			r.timerCancel[i]() // its callback checks
		}
	}
}

// checkDependent runs one check of node i.
func (r *runner) checkDependent(ctx workflow.Context, i int) {
	d := r.deps[i]
	d.inFlight, d.again = true, false
	lctx := workflow.WithLocalActivityOptions(r.jobsCtx, dependentCheckOptions())
	f := workflow.ExecuteLocalActivity(lctx, CheckDependentActivity, CheckDependentInput{
		TenantID:           r.in.Snapshot.TenantID,
		RunID:              r.runID,
		JobID:              r.g.ids[i],
		TemporalWorkflowID: r.temporalWorkflowID,
		LogicalTime:        r.logicalTime,
		Timezone:           r.cfg.Schedule.Timezone,
		Config:             d.cfg,
	})
	r.waits++
	r.sel.AddFuture(f, func(f workflow.Future) {
		r.waits--
		d.inFlight = false
		var res CheckDependentResult
		err := f.Get(ctx, &res)
		r.dependentChecked(ctx, i, res, err)
	})
}

// dependentChecked applies a check's outcome to node i.
func (r *runner) dependentChecked(ctx workflow.Context, i int, res CheckDependentResult, err error) {
	n := &r.nodes[i]
	d := r.deps[i]
	if n.Status != jobflow.NodeWaiting { // broken, aborted or failed upstream meanwhile
		r.forgetDependent(i)
		return
	}
	if err != nil {
		if r.jobsCtx.Err() != nil { // END or abort; settled by them
			r.settle(i, jobflow.NodeAborted)
			r.forgetDependent(i)
			return
		}
		r.dependentEnded(i, false, "cannot check the upstream runs: "+failureMessage(err, workflow.ActivityOptions{}))
		return
	}
	r.depChecks++
	r.showItems(i, res)
	met, failed, waiting := decideDependent(d.cfg, res)
	switch {
	case met:
		r.dependentEnded(i, true, "")
	case failed != "":
		r.dependentEnded(i, false, failed)
	case !workflow.Now(ctx).Before(d.deadline):
		what := "every one of"
		if d.cfg.Relation == jobtypes.RelationOr {
			what = "one of"
		}
		r.dependentEnded(i, false, fmt.Sprintf("timed out after %d s waiting for %s: %s",
			int(d.deadline.Sub(*n.StartedAt)/time.Second), what, strings.Join(waiting, "; ")))
	case d.again:
		r.checkDependent(ctx, i)
	default:
		r.sleepDependent(ctx, i)
	}
}

// decideDependent applies the relation and onUpstreamFail to what a check
// found: met when every item (AND) or one (OR) has its SUCCESS run; with
// FAIL, failed when an item's newest run in its window ended FAIL (AND) or
// every item's did (OR); waiting names the items not met.
func decideDependent(cfg jobtypes.DependentConfig, res CheckDependentResult) (met bool, failed string, waiting []string) {
	nMet := 0
	var fails []string
	for k, it := range res.Items {
		text := it.WorkflowID
		if k < len(res.Texts) {
			text = res.Texts[k]
		}
		switch {
		case it.Met:
			nMet++
			continue
		case it.Failed:
			fails = append(fails, text+": its newest run "+it.RunID+" ended FAIL")
		}
		waiting = append(waiting, text)
	}
	n := len(res.Items)
	if cfg.Relation == jobtypes.RelationOr {
		met = nMet > 0
	} else {
		met = n > 0 && nMet == n
	}
	if !met && cfg.OnUpstreamFail != jobtypes.OnUpstreamFailWait && len(fails) > 0 &&
		(cfg.Relation != jobtypes.RelationOr || len(fails) == n) {
		failed = "upstream failed: " + strings.Join(fails, "; ")
	}
	return met, failed, waiting
}

// dependentEnded ends node i, SUCCESS or FAIL with msg, and has it recorded.
func (r *runner) dependentEnded(i int, ok bool, msg string) {
	r.finishedHere++
	r.depRecord = append(r.depRecord, i)
	r.forgetDependent(i)
	if ok {
		r.succeed(i, RunJobResult{Outputs: r.nodes[i].Outputs})
		return
	}
	r.fail(i, msg, true)
}

// sleepDependent waits for node i's next check: the interval, or less if
// the deadline comes first. A signal cancels the timer to check sooner.
func (r *runner) sleepDependent(ctx workflow.Context, i int) {
	d := r.deps[i]
	wait := min(d.cfg.CheckInterval(), d.deadline.Sub(workflow.Now(ctx)))
	tctx, cancel := workflow.WithCancel(r.jobsCtx)
	r.timerCancel[i] = cancel
	r.waits++
	t := workflow.NewTimerWithOptions(tctx, wait, workflow.TimerOptions{Summary: "DEPENDENT check of " + r.g.ids[i]})
	r.sel.AddFuture(t, func(f workflow.Future) {
		r.waits--
		r.timerCancel[i] = nil
		switch {
		case r.nodes[i].Status != jobflow.NodeWaiting: // broken, aborted, failed upstream
			r.forgetDependent(i)
		case r.jobsCtx.Err() != nil: // END or abort, before they settled it
			r.settle(i, jobflow.NodeAborted)
			r.forgetDependent(i)
		default: // its time came, or a signal cancelled it
			r.checkDependent(ctx, i)
		}
	})
}

// forgetDependent removes node i's waits, so that upstream runs no longer
// signal this run for it. It runs even after an abort; the run's final
// record removes any that are left.
func (r *runner) forgetDependent(i int) {
	lctx := workflow.WithLocalActivityOptions(disconnected(r.rootCtx), dependentCheckOptions())
	f := workflow.ExecuteLocalActivity(lctx, ForgetDependentActivity, ForgetDependentInput{RunID: r.runID, JobID: r.g.ids[i]})
	r.waits++
	r.sel.AddFuture(f, func(f workflow.Future) {
		r.waits--
		if err := f.Get(r.rootCtx, nil); err != nil {
			workflow.GetLogger(r.rootCtx).Warn("ForgetDependent failed", "runId", r.runID, "jobId", r.g.ids[i], "error", err)
		}
	})
}

// showItems puts what the check found on node i (outputs "items", a JSON
// array of jobflow.DependentItemState, and "met", "k/n") and has the node
// recorded when that changed, so the run view shows which items are met.
func (r *runner) showItems(i int, res CheckDependentResult) {
	met := 0
	for _, it := range res.Items {
		if it.Met {
			met++
		}
	}
	b, _ := json.Marshal(res.Items)
	d := r.deps[i]
	if string(b) == d.shown {
		return
	}
	d.shown = string(b)
	r.nodes[i].Outputs = map[string]string{"items": string(b), "met": fmt.Sprintf("%d/%d", met, len(res.Items))}
	r.depRecord = append(r.depRecord, i)
}

// recordDependents writes the DEPENDENT nodes whose state changed since the
// last record: FlowRun, not RunJob, writes them.
func (r *runner) recordDependents(ctx workflow.Context) {
	if len(r.depRecord) == 0 {
		return
	}
	nodes := make([]jobflow.NodeRun, 0, len(r.depRecord))
	seen := make([]bool, len(r.nodes))
	for _, i := range r.depRecord {
		if !seen[i] {
			seen[i] = true
			nodes = append(nodes, r.nodes[i])
		}
	}
	r.depRecord = r.depRecord[:0]
	r.record(ctx, r.liveStatus(), nodes)
}

// dependentCheckOptions: a check is a few store queries; a store outage
// is retried for a few minutes before the node fails saying so.
func dependentCheckOptions() workflow.LocalActivityOptions {
	return localOptions(5*time.Minute, "JobConfig")
}
