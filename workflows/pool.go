package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Pools (docs/run-semantics.md#pools). Before a job that names a pool
// starts, FlowRun asks the store for its slots (AcquirePool, one local
// activity). Granted, the job starts; otherwise the node is WAITING —
// holding no maxParallelism slot — until the pool-granted signal, which
// the release of another holder sends once the store has handed it the
// slots, re-asking now and then in case the signal was lost. The lease is
// the node's until the node ends, however it ends (the loop releases it
// then), and finish releases whatever the run still holds, so an abort
// or a failure leaks nothing; the run reconciler does it for a run whose
// execution ended behind FlowRun's back. Runs without pooled jobs take
// none of these paths.

// poolState is what FlowRun knows of its nodes' pool leases.
type poolState struct {
	leased  []bool // the node has a lease row (held or waiting)
	held    []bool // its slots are granted
	waiting []bool // WAITING for them
	recheck []int  // waiting nodes whose recheck timer fired
	wait    []time.Duration
	on      bool // the pools version, once asked
	asked   bool
	signals bool // the signal channel is in the selector
	any     bool // some node took a lease: the run's end releases all again
}

// poolsOn reports whether this run uses pools: asked only when a pooled
// job is about to start, so other runs record no marker.
func (r *runner) poolsOn(ctx workflow.Context) bool {
	if !r.pool.asked {
		r.pool.asked = true
		r.pool.on = workflow.GetVersion(ctx, "pools", workflow.DefaultVersion, 1) >= 1
		n := len(r.nodes)
		r.pool.leased, r.pool.held, r.pool.waiting = make([]bool, n), make([]bool, n), make([]bool, n)
		r.pool.wait = make([]time.Duration, n)
	}
	return r.pool.on
}

// holdPool gets node i its pool's slots before it starts; it reports
// false when the node must not start now (it waits, or it failed).
func (r *runner) holdPool(ctx workflow.Context, i int, job *jobflow.Job) bool {
	if job.Pool == "" || !r.poolsOn(ctx) || r.pool.held[i] {
		return true
	}
	g, err := r.askPool(ctx, i, job)
	switch {
	case err != nil:
		r.fail(i, "the job's pool slots could not be asked for: "+err.Error(), true)
		return false
	case g.Error != "":
		r.fail(i, g.Error, true)
		return false
	case g.Granted:
		r.pool.held[i] = true
		return true
	}
	r.nodes[i].Status = jobflow.NodeWaiting
	r.newlyWaiting = append(r.newlyWaiting, i)
	r.pool.waiting[i] = true
	r.pool.wait[i] = queueRecheckFirst
	r.poolSignals(ctx)
	r.poolTimer(ctx, i)
	return false
}

// askPool runs AcquirePool for node i.
func (r *runner) askPool(ctx workflow.Context, i int, job *jobflow.Job) (jobflow.PoolGrant, error) {
	r.pool.leased[i], r.pool.any = true, true
	req := jobflow.PoolRequest{TenantID: r.snap.TenantID, Pool: job.Pool, RunID: r.runID, JobID: job.ID, JobName: job.Name,
		WorkflowID: r.snap.WorkflowID, WorkflowName: r.snap.WorkflowName, TemporalWorkflowID: r.temporalWorkflowID,
		Slots: job.PoolSlots, Priority: job.EffectivePriority()}
	var g jobflow.PoolGrant
	// An abort arriving meanwhile must not fail the ask: whatever it
	// grants, the run's end releases.
	lctx := workflow.WithLocalActivityOptions(disconnected(ctx), recordOptions())
	err := workflow.ExecuteLocalActivity(lctx, AcquirePoolActivity, req).Get(lctx, &g)
	return g, err
}

// poolSignals adds the pool-granted signal to the loop's selector, once.
func (r *runner) poolSignals(ctx workflow.Context) {
	if r.pool.signals {
		return
	}
	r.pool.signals = true
	r.sel.AddReceive(workflow.GetSignalChannel(ctx, SignalPoolGranted), func(c workflow.ReceiveChannel, more bool) {
		var g PoolGranted
		c.Receive(ctx, &g)
		if i, ok := r.g.index[g.JobID]; ok {
			r.poolGranted(i)
		}
	})
}

// poolTimer waits before node i asks again.
func (r *runner) poolTimer(ctx workflow.Context, i int) {
	tctx, cancel := workflow.WithCancel(r.jobsCtx)
	r.timerCancel[i] = cancel
	r.timers++
	t := workflow.NewTimerWithOptions(tctx, r.pool.wait[i], workflow.TimerOptions{Summary: "pool: ask again"})
	r.sel.AddFuture(t, func(f workflow.Future) {
		r.timers--
		if err := f.Get(ctx, nil); err != nil {
			return // granted, or the node was settled: nothing to ask
		}
		r.timerCancel[i] = nil
		if r.pool.waiting[i] && r.nodes[i].Status == jobflow.NodeWaiting {
			r.pool.recheck = append(r.pool.recheck, i)
		}
	})
}

// poolGranted moves waiting node i to the front of the ready line.
func (r *runner) poolGranted(i int) {
	if !r.pool.waiting[i] || r.nodes[i].Status != jobflow.NodeWaiting {
		return
	}
	r.pool.waiting[i], r.pool.held[i] = false, true
	if r.timerCancel[i] != nil {
		r.timerCancel[i]()
		r.timerCancel[i] = nil
	}
	r.nodes[i].Status = jobflow.NodePending
	r.ready = append([]int{i}, r.ready...)
}

// tendPools, once per loop turn, asks again for the nodes whose timer
// fired and releases the leases of the nodes that have ended.
func (r *runner) tendPools(ctx workflow.Context) {
	if !r.pool.asked || !r.pool.on {
		return
	}
	for _, i := range r.pool.recheck {
		if !r.pool.waiting[i] || r.nodes[i].Status != jobflow.NodeWaiting {
			continue
		}
		g, err := r.askPool(ctx, i, r.g.jobs[i])
		switch {
		case err == nil && g.Granted:
			r.poolGranted(i)
		case err == nil && g.Error != "":
			r.pool.waiting[i] = false
			r.fail(i, g.Error, true)
		default:
			r.pool.wait[i] = min(r.pool.wait[i]*2, queueRecheckMax)
			r.poolTimer(ctx, i)
		}
	}
	r.pool.recheck = r.pool.recheck[:0]
	for i := range r.nodes {
		if r.pool.leased[i] && r.nodes[i].Status.Done() {
			r.pool.leased[i], r.pool.held[i], r.pool.waiting[i] = false, false, false
			r.releasePool(ctx, r.g.ids[i])
		}
	}
}

// releasePool drops the lease of job jobID ("" every lease of the run).
func (r *runner) releasePool(ctx workflow.Context, jobID string) {
	lctx := workflow.WithLocalActivityOptions(disconnected(ctx), recordOptions())
	in := ReleasePoolInput{TenantID: r.snap.TenantID, RunID: r.runID, JobID: jobID}
	if err := workflow.ExecuteLocalActivity(lctx, ReleasePoolActivity, in).Get(lctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("ReleasePool failed", "runId", r.runID, "jobId", jobID, "error", err)
	}
}

// releaseAllPools, at the run's end, drops whatever the run still holds:
// a release that failed before, or a lease taken by an execution before a
// continue-as-new, included. Runs without a pooled job skip it.
func (r *runner) releaseAllPools(ctx workflow.Context) {
	pooled := r.pool.any
	for _, j := range r.g.jobs {
		pooled = pooled || j != nil && j.Pool != ""
	}
	if pooled && r.poolsOn(ctx) {
		r.releasePool(ctx, "")
	}
}
