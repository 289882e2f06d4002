package activities

import (
	"context"
	"time"

	"jobflow"
	"jobflow/jobtypes"
)

// How far a check follows DEPENDENT upstreams: three levels up, and at
// most maxUpstreamLookups distinct upstreams in all, each judged once per
// check however many items name it. Anyone who edits a workflow writes
// its DEPENDENT items (20 a job, any number of jobs), so without the
// bounds one check could cost millions of store reads.
const (
	maxUpstreamDepth   = 3
	maxUpstreamLookups = 50
)

// upstreamWalk is one check's memo of judged upstreams and what is left
// of its lookup budget.
type upstreamWalk struct {
	seen map[jobflow.BaselineTarget]jobflow.BaselineTargetState
	left int
}

// upstream judges target t as an upstream, once per check; ok is false
// when the budget is spent.
func (a *Activities) upstream(ctx context.Context, tenantID string, t jobflow.BaselineTarget, dayStart, now time.Time,
	walk *upstreamWalk, depth int) (st jobflow.BaselineTargetState, ok bool, err error) {
	if st, ok := walk.seen[t]; ok {
		return st, true, nil
	}
	if walk.left <= 0 {
		return st, false, nil
	}
	walk.left--
	st, err = a.targetState(ctx, tenantID, t, dayStart, now, walk, depth)
	if err == nil {
		walk.seen[t] = st
	}
	return st, err == nil, err
}

// boundByUpstream makes a target that is not finished wait for the
// upstream workflows its DEPENDENT jobs still wait for on the same data
// date (window today, docs/baselines.md#late-upstreams): it cannot end
// before such an upstream's predicted finish plus the usual time from its
// DEPENDENT job's end to its own end. A later bound replaces the target's
// own prediction, with the upstream's key path in front of the DEPENDENT
// job; a target that could not be predicted takes the bound.
func (a *Activities) boundByUpstream(ctx context.Context, tenantID string, st *jobflow.BaselineTargetState, run *jobflow.Run,
	hist []jobflow.RunTiming, dayStart, now time.Time, walk *upstreamWalk, depth int) error {
	if depth >= maxUpstreamDepth {
		return nil
	}
	jobs, err := a.Baselines.FindJobs(ctx, tenantID, st.WorkflowID)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if j.Type != jobflow.JobDependent || (run != nil && nodeDone(run, j.ID)) {
			continue
		}
		cfg, err := jobtypes.ParseDependentConfig(j.Config)
		if err != nil {
			continue
		}
		for _, it := range cfg.Items {
			if it.Window != "" && it.Window != "today" || it.WorkflowID == st.WorkflowID {
				continue
			}
			up, ok, err := a.upstream(ctx, tenantID, jobflow.BaselineTarget{WorkflowID: it.WorkflowID, JobID: it.JobID}, dayStart, now, walk, depth+1)
			if err != nil {
				return err
			}
			if !ok || up.Status == jobflow.TargetSuccess || up.PredictedFinishAt == nil {
				continue
			}
			bound := up.PredictedFinishAt.Add(tailAfter(hist, j.ID, st.JobID))
			if st.PredictedFinishAt != nil && !bound.After(*st.PredictedFinishAt) {
				continue
			}
			st.PredictedFinishAt = &bound
			st.Basis = "waits for upstream " + up.WorkflowName + " (DEPENDENT " + j.Name + ")"
			path := append([]jobflow.BaselineKeyJob{}, up.KeyPath...)
			runID := ""
			if run != nil {
				runID = run.ID
			}
			st.KeyPath = append(path, jobflow.BaselineKeyJob{WorkflowID: st.WorkflowID, RunID: runID, JobID: j.ID})
		}
	}
	return nil
}

func nodeDone(r *jobflow.Run, jobID string) bool {
	n := r.Node(jobID)
	return n != nil && n.Status.Done()
}

// tailAfter is the median time in recent runs from the DEPENDENT job
// depID's end to the target's end (its job targetJob, or the run), 0
// with no such run.
func tailAfter(hist []jobflow.RunTiming, depID, targetJob string) time.Duration {
	var tails []time.Duration
	for _, h := range hist {
		var depEnd, end *time.Time
		for _, n := range h.Nodes {
			if n.JobID == depID && n.Status == jobflow.NodeSuccess {
				depEnd = n.EndedAt
			}
			if targetJob != "" && n.JobID == targetJob && n.Status == jobflow.NodeSuccess {
				end = n.EndedAt
			}
		}
		if targetJob == "" && h.Status == jobflow.RunSuccess {
			end = h.EndedAt
		}
		if depEnd != nil && end != nil && len(tails) < jobflow.PredictionSamples {
			tails = append(tails, max(0, end.Sub(*depEnd)))
		}
	}
	return jobflow.Percentile(tails, 50)
}
