package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/cron"
)

// RunAtActivity tells whether the workflow has a run at a logical time
// (RunAtInput → bool); FlowRun asks it before it drops the second
// occurrence of a repeated time (see checkPlan).
const RunAtActivity = "RunAt"

// RunAtInput names a workflow and a logical time.
type RunAtInput struct {
	TenantID    string    `json:"tenantId"`
	WorkflowID  string    `json:"workflowId"`
	LogicalTime time.Time `json:"logicalTime"`
}

// NotCalendarDay is the error text of the SKIPPED nodes of a dry run.
const NotCalendarDay = "not a calendar day"

// The outcomes of checkPlan.
const (
	planRun    = iota // an ordinary run
	planDrop          // not a fire of the schedule: no run at all
	planDryRun        // a DRY_RUN calendar's off day: every job SKIPPED
)

// checkPlan is jobflow's own judgement of a scheduled or backfilled run's
// logical time (docs/scheduling.md#one-judge): the schedule's crons, DST policy and business
// calendar (the copy in the run's snapshot) as one pure decision
// (cron.Plan.Decide). The Temporal Schedule fires a superset of the plan;
// a fire the plan does not make (the second occurrence of a repeated
// time under ONCE, a non-calendar day under SKIP, a Temporal misfire) is
// dropped: FlowRun ends at once and records nothing, so no run row
// exists for it. A DRY_RUN calendar's off day becomes a dry run (空跑).
//
// Under repeated ONCE a fire at the second occurrence of a repeated time
// whose first occurrence is a plan fire is the one exception: Temporal
// v1.32.1 sometimes fires only the second occurrence in zones east of UTC,
// so FlowRun asks the store (RunAt) whether the workflow has a run at the
// first occurrence; when it has none, this fire runs in its place, with
// the first occurrence as its logical time (an hour late, but once).
//
// Behind the "schedule-plan" version (2 adds the RunAt exception), and only
// asked for SCHEDULE and BACKFILL runs, so histories recorded before
// replay unchanged.
func (r *runner) checkPlan(ctx workflow.Context) (int, string) {
	if r.invalid != "" || (r.in.Trigger != jobflow.TriggerSchedule && r.in.Trigger != jobflow.TriggerBackfill) {
		return planRun, ""
	}
	s := r.cfg.Schedule
	if len(s.CronList()) == 0 {
		return planRun, ""
	}
	v := workflow.GetVersion(ctx, "schedule-plan", workflow.DefaultVersion, 2)
	if v == workflow.DefaultVersion {
		return planRun, ""
	}
	p, err := s.Plan(r.in.Snapshot.Calendar)
	if err != nil {
		return planRun, "" // published schedules are valid; a bad one runs as before
	}
	fire, day := p.Decide(r.logicalTime)
	switch {
	case r.in.Trigger == jobflow.TriggerSchedule && !fire:
		if v >= 2 && p.Repeated != cron.RepeatedTwice {
			if first := cron.FirstOccurrence(r.logicalTime, p.Loc); !first.IsZero() {
				if ok, day := p.Decide(first); ok && r.noRunAt(ctx, first) {
					r.logicalTime = first
					if !day {
						return planDryRun, NotCalendarDay
					}
					return planRun, ""
				}
			}
		}
		why := "not a fire time of the schedule (DST policy or Temporal misfire)"
		if p.Calendar != nil && !p.Calendar.IsDay(r.logicalTime) {
			why = NotCalendarDay
		}
		return planDrop, why
	case fire && !day:
		return planDryRun, NotCalendarDay
	}
	return planRun, ""
}

// dryRun settles every node SKIPPED ("not a calendar day"): the run then
// records RUNNING and at once SUCCESS, and DEPENDENT jobs downstream see
// a successful run for the date.
func (r *runner) dryRun() {
	now := workflow.Now(r.rootCtx)
	for i := range r.nodes {
		n := &r.nodes[i]
		if n.Status.Done() {
			continue
		}
		n.Status, n.Error, n.StartedAt, n.EndedAt = jobflow.NodeSkipped, NotCalendarDay, &now, &now
		r.ours[i] = true
	}
	r.ready = nil
}

// noRunAt reports whether the store holds no run of this workflow at
// logical time t; when it cannot tell, it says there is one (dropping a
// fire is safer than running it twice).
func (r *runner) noRunAt(ctx workflow.Context, t time.Time) bool {
	lctx := workflow.WithLocalActivityOptions(ctx, recordOptions())
	var exists bool
	in := RunAtInput{TenantID: r.in.Snapshot.TenantID, WorkflowID: r.in.Snapshot.WorkflowID, LogicalTime: t}
	if err := workflow.ExecuteLocalActivity(lctx, RunAtActivity, in).Get(lctx, &exists); err != nil {
		workflow.GetLogger(ctx).Error("RunAt failed", "runId", r.runID, "error", err)
		return false
	}
	return !exists
}
