package workflows

import (
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// NotCalendarDay is the error text of the SKIPPED nodes of a dry run.
const NotCalendarDay = "not a calendar day"

// The outcomes of checkPlan.
const (
	planRun    = iota // an ordinary run
	planDrop          // not a fire of the schedule: no run at all
	planDryRun        // a DRY_RUN calendar's off day: every job SKIPPED
)

// checkPlan is jobflow's own judgement of a scheduled or backfilled run's
// logical time (SPEC §11): the schedule's crons, DST policy and business
// calendar (the copy in the run's snapshot) as one pure decision
// (cron.Plan.Decide). The Temporal Schedule fires a superset of the plan;
// a fire the plan does not make (the second occurrence of a repeated
// time under ONCE, a non-calendar day under SKIP, a Temporal misfire) is
// dropped: FlowRun ends at once and records nothing, so no run row
// exists for it. A DRY_RUN calendar's off day becomes a dry run (空跑).
//
// Behind the "schedule-plan" version, and only asked for SCHEDULE and
// BACKFILL runs, so histories recorded before replay unchanged.
func (r *runner) checkPlan(ctx workflow.Context) (int, string) {
	if r.invalid != "" || (r.in.Trigger != jobflow.TriggerSchedule && r.in.Trigger != jobflow.TriggerBackfill) {
		return planRun, ""
	}
	s := r.cfg.Schedule
	if len(s.CronList()) == 0 {
		return planRun, ""
	}
	if workflow.GetVersion(ctx, "schedule-plan", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return planRun, ""
	}
	p, err := s.Plan(r.in.Snapshot.Calendar)
	if err != nil {
		return planRun, "" // published schedules are valid; a bad one runs as before
	}
	fire, day := p.Decide(r.logicalTime)
	switch {
	case r.in.Trigger == jobflow.TriggerSchedule && !fire:
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
