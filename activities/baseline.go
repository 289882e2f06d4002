package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/alarms"
	"jobflow/workflows"
)

// BaselineStore is what the Baseline workflow's activities need of the
// store (docs/baselines.md).
type BaselineStore interface {
	jobflow.BaselineService
	jobflow.RunTimingService
	FindWorkflowByID(ctx context.Context, tenantID, id string) (*jobflow.Workflow, error)
	FindJobs(ctx context.Context, tenantID, workflowID string) ([]*jobflow.Job, error)
}

// EvaluateBaseline judges one data date of a baseline at in.Now and
// stores the instance. While the date is in WARNING it raises
// the priority of the key path's jobs not yet started (workflows.Boost).
func (a *Activities) EvaluateBaseline(ctx context.Context, in workflows.EvaluateBaselineInput) (workflows.EvaluateBaselineResult, error) {
	var res workflows.EvaluateBaselineResult
	if a.Baselines == nil {
		return res, temporal.NewNonRetryableApplicationError("this worker has no baseline store", ErrTypeStoreFailed, nil)
	}
	b, err := a.Baselines.FindBaselineByID(ctx, in.TenantID, in.BaselineID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		res.Deleted = true
		return res, nil
	} else if err != nil {
		return res, err
	}
	inst, err := a.judgeBaseline(ctx, b, in.Date, in.Now)
	if err != nil {
		return res, err
	}
	if err := a.Baselines.PutBaselineInstance(ctx, b.TenantID, inst); jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		res.Deleted = true
		return res, nil
	} else if err != nil {
		return res, err
	}
	if inst.Status == jobflow.BaselineWarning && a.Signaller != nil {
		a.boostKeyPath(ctx, b, inst)
	}
	res.Status, res.Deadline, res.WarnAt = inst.Status, inst.Deadline, inst.WarnAt
	return res, nil
}

// judgeBaseline reads where each target of b stands on date and judges
// the instance at now.
func (a *Activities) judgeBaseline(ctx context.Context, b *jobflow.Baseline, date string, now time.Time) (*jobflow.BaselineInstance, error) {
	deadline, warnAt, err := b.Deadline(date)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "BadBaseline", nil)
	}
	loc, _ := time.LoadLocation(b.Timezone)
	dayStart, _ := time.ParseInLocation(time.DateOnly, date, loc)
	inst := &jobflow.BaselineInstance{BaselineID: b.ID, Date: date, Deadline: deadline.UTC(), WarnAt: warnAt.UTC()}
	walk := &upstreamWalk{seen: map[jobflow.BaselineTarget]jobflow.BaselineTargetState{}, left: maxUpstreamLookups}
	for _, t := range b.Targets {
		st, err := a.targetState(ctx, b.TenantID, t, dayStart, now, walk, 0)
		if err != nil {
			return nil, err
		}
		inst.Targets = append(inst.Targets, st)
	}
	inst.Judge(now.UTC())
	return inst, nil
}

// targetState is where target t stands on the data date starting at
// dayStart: its run of the date, finished or predicted; or, with no run
// yet, a start at the usual time of day and its usual duration.
func (a *Activities) targetState(ctx context.Context, tenantID string, t jobflow.BaselineTarget, dayStart, now time.Time, walk *upstreamWalk, depth int) (jobflow.BaselineTargetState, error) {
	st, run, hist, err := a.ownState(ctx, tenantID, t, dayStart, now)
	if err != nil || st.Status == jobflow.TargetSuccess || st.Status == jobflow.TargetFailed {
		return st, err
	}
	return st, a.boundByUpstream(ctx, tenantID, &st, run, hist, dayStart, now, walk, depth)
}

// ownState is where target t stands from its own run and history alone.
func (a *Activities) ownState(ctx context.Context, tenantID string, t jobflow.BaselineTarget, dayStart, now time.Time) (jobflow.BaselineTargetState, *jobflow.Run, []jobflow.RunTiming, error) {
	st := jobflow.BaselineTargetState{BaselineTarget: t, Status: jobflow.TargetNotStarted}
	run, err := a.Baselines.FindTargetRun(ctx, tenantID, t.WorkflowID, dayStart, dayStart.AddDate(0, 0, 1))
	if err != nil {
		return st, nil, nil, err
	}
	except := ""
	if run != nil {
		except, st.RunID, st.WorkflowName, st.TemporalWorkflowID = run.ID, run.ID, run.WorkflowName, run.TemporalWorkflowID
	} else if wf, err := a.Baselines.FindWorkflowByID(ctx, tenantID, t.WorkflowID); err == nil {
		st.WorkflowName = wf.Name
	} else if jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
		return st, nil, nil, err
	}
	hist, err := a.Baselines.FindRunTimings(ctx, tenantID, t.WorkflowID, except)
	if err != nil {
		return st, nil, nil, err
	}
	if run == nil {
		st.PredictedFinishAt, st.Basis = predictUnstarted(hist, t.JobID, dayStart, now)
		return st, nil, hist, nil
	}
	node := run.Node(t.JobID)
	switch {
	case t.JobID == "" && run.Status == jobflow.RunSuccess:
		st.Status, st.FinishedAt = jobflow.TargetSuccess, run.EndedAt
		return st, run, hist, nil
	case t.JobID != "" && node != nil && node.Status.Done():
		st.Status, st.FinishedAt = jobflow.TargetFailed, node.EndedAt
		if node.Status.Satisfied() {
			st.Status = jobflow.TargetSuccess
		}
		return st, run, hist, nil
	case run.Status.Finished() || run.Status == jobflow.RunAborting:
		st.Status = jobflow.TargetFailed
		return st, run, hist, nil
	}
	st.Status = jobflow.TargetRunning
	p := jobflow.Predict(run, jobflow.JobStatsFrom(hist, jobflow.Canvas{Edges: run.Edges}.Parents()), now)
	st.Basis = p.Basis
	path := p.CriticalPath
	if t.JobID != "" {
		path = p.PathTo(t.JobID)
		for _, j := range p.Jobs {
			if j.JobID == t.JobID {
				f := j.FinishAt
				st.PredictedFinishAt = &f
			}
		}
	} else {
		st.PredictedFinishAt = p.FinishAt
	}
	for _, id := range path {
		st.KeyPath = append(st.KeyPath, jobflow.BaselineKeyJob{WorkflowID: t.WorkflowID, RunID: run.ID, JobID: id})
	}
	return st, run, hist, nil
}

// predictUnstarted predicts a target whose run of the date has not
// started: it starts at the median time after its data date's midnight
// that recent runs started (or now, if later) and takes the median time
// from run start to the target's end.
func predictUnstarted(hist []jobflow.RunTiming, jobID string, dayStart, now time.Time) (*time.Time, string) {
	var offsets, durs []time.Duration
	for _, h := range hist {
		loc := dayStart.Location()
		l := h.LogicalTime.In(loc)
		mid := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
		var end *time.Time
		if jobID == "" {
			if h.Status == jobflow.RunSuccess {
				end = h.EndedAt
			}
		} else {
			for _, n := range h.Nodes {
				if n.JobID == jobID && n.Status == jobflow.NodeSuccess {
					end = n.EndedAt
				}
			}
		}
		if end == nil || len(durs) >= jobflow.PredictionSamples {
			continue
		}
		offsets = append(offsets, max(0, h.StartedAt.Sub(mid)))
		durs = append(durs, end.Sub(h.StartedAt))
	}
	if len(durs) == 0 {
		return nil, "not started and no successful run to learn from"
	}
	start := dayStart.Add(jobflow.Percentile(offsets, 50))
	if now.After(start) {
		start = now
	}
	f := start.Add(jobflow.Percentile(durs, 50)).UTC()
	return &f, fmt.Sprintf("not started: usual start and duration of %d recent runs", len(durs))
}

// boostKeyPath signals each live target run to raise the priority of its
// key-path jobs; a run that ended meanwhile is no error.
func (a *Activities) boostKeyPath(ctx context.Context, b *jobflow.Baseline, inst *jobflow.BaselineInstance) {
	for _, t := range inst.Targets {
		if t.Status != jobflow.TargetRunning || t.TemporalWorkflowID == "" || len(t.KeyPath) == 0 {
			continue
		}
		boost := workflows.Boost{PriorityKey: b.Priority}
		for _, k := range t.KeyPath {
			boost.JobIDs = append(boost.JobIDs, k.JobID)
		}
		if err := a.Signaller.SignalWorkflow(ctx, t.TemporalWorkflowID, "", workflows.SignalBoost, boost); err != nil {
			a.logger().Info("boost key path", "baseline", b.ID, "run", t.RunID, "err", err)
		}
	}
}

// SendBaselineAlarm sends a date's status change to the baseline's
// channels and to those of the target workflows' alarm rules that name
// the event, once per (baseline, date, event, channel): the records carry
// runId "<baselineId>/<date>".
func (a *Activities) SendBaselineAlarm(ctx context.Context, in workflows.SendBaselineAlarmInput) error {
	if a.Baselines == nil || a.Alarms == nil {
		return temporal.NewNonRetryableApplicationError("this worker has no baseline store", ErrTypeStoreFailed, nil)
	}
	b, err := a.Baselines.FindBaselineByID(ctx, in.TenantID, in.BaselineID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	inst, err := a.Baselines.FindBaselineInstance(ctx, in.TenantID, in.BaselineID, in.Date)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		loc = time.UTC
	}
	type dest struct {
		channel, template string
		silence           *jobflow.Silence
	}
	var dests []dest
	seen := map[string]bool{}
	for _, id := range b.ChannelIDs {
		seen[id] = true
		dests = append(dests, dest{channel: id})
	}
	for _, t := range b.Targets {
		wf, err := a.Baselines.FindWorkflowByID(ctx, in.TenantID, t.WorkflowID)
		if err != nil {
			continue // deleted since: its rules are gone with it
		}
		for _, r := range wf.Config.Alarms {
			if !slices.Contains(r.Events, in.Event) {
				continue
			}
			for _, ch := range r.ChannelIDs {
				if !seen[ch] {
					seen[ch] = true
					dests = append(dests, dest{channel: ch, template: r.Template, silence: r.Silence})
				}
			}
		}
	}
	key := b.ID + "/" + in.Date
	var errs []error
	for _, d := range dests {
		rec := &jobflow.AlarmRecord{ID: alarmRecordID(ctx) + "_" + d.channel, TenantID: b.TenantID, RunID: key,
			ChannelID: d.channel, Event: in.Event, Attempt: attemptOf(ctx)}
		err := a.deliver(ctx, rec, d.silence, loc, func(*jobflow.AlarmChannel) (alarms.Message, error) {
			return alarms.BaselineMessage(in.Event, d.template, b, inst, time.Now(), loc), nil
		})
		var appErr *temporal.ApplicationError
		if err != nil && !(errors.As(err, &appErr) && appErr.Type() == workflows.ErrTypeAlarmChannelMissing) {
			errs = append(errs, err) // a missing channel is recorded and left; the others are retried
		}
	}
	if len(errs) > 0 {
		return temporal.NewApplicationError(errors.Join(errs...).Error(), ErrTypeAlarmFailed)
	}
	return nil
}
