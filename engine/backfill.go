package engine

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/workflows"
)

// Backfilled is the outcome of a backfill request.
type Backfilled struct {
	BackfillID string   `json:"backfillId"` // the Temporal workflow id of the Backfill
	RunIDs     []string `json:"runIds"`
	Count      int      `json:"count"`
}

// Backfill (补数) runs the published version once per fire time of its
// cron in [start, end] (at most jobflow.MaxFireTimes), each run with its
// logical time = the fire time. Runs go one after another unless overlap
// is ALLOW_ALL. Every run is recorded with the version's snapshot before
// the Backfill workflow starts, so each is listed at once and can be rerun.
// BackfillRequest is POST /workflows/{id}/backfill. Start and end are
// RFC 3339 times, or dates (2026-11-25) read in the schedule's time zone:
// a start date means its first second, an end date its last.
type BackfillRequest struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	Overlap string `json:"overlap"`
}

func (e *Engine) Backfill(ctx context.Context, tenantID, workflowID string, req BackfillRequest, by string) (*Backfilled, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	parallel := false
	switch req.Overlap {
	case "", jobflow.OverlapSkip, jobflow.OverlapBufferOne, jobflow.OverlapBufferAll:
	case jobflow.OverlapAllowAll:
		parallel = true
	default:
		return nil, jobflow.Errorf(jobflow.EINVALID, "overlap must be SKIP (one run after another, the default) or ALLOW_ALL (all at once)").
			WithDetails(map[string]string{"field": "overlap"})
	}
	w, err := e.Store.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return nil, err
	}
	if w.Status != jobflow.StatusPublished || w.PublishedVersionID == "" {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "only a PUBLISHED workflow can be backfilled; this one is %s", w.Status)
	}
	v, err := e.Store.FindVersionByID(ctx, tenantID, w.PublishedVersionID)
	if err != nil {
		return nil, err
	}
	sched := v.Snapshot.Config.Schedule
	if sched.Cron == "" {
		return nil, jobflow.Errorf(jobflow.EINVALID, "the published version has no cron to backfill")
	}
	loc, err := jobflow.LoadLocation(sched.Timezone)
	if err != nil {
		return nil, err
	}
	start, err := parseBackfillTime("start", req.Start, loc, false)
	if err != nil {
		return nil, err
	}
	end, err := parseBackfillTime("end", req.End, loc, true)
	if err != nil {
		return nil, err
	}
	if end.Before(start) {
		return nil, jobflow.Errorf(jobflow.EINVALID, "end must not be before start").
			WithDetails(map[string]string{"field": "end"})
	}
	times, err := sched.FireTimes(start, end, jobflow.MaxFireTimes)
	if err != nil {
		return nil, err
	}
	if len(times) == 0 {
		return nil, jobflow.Errorf(jobflow.EINVALID, "the range holds no fire time of the schedule %q", sched.Cron).
			WithDetails(map[string]string{"field": "start"})
	}

	snap := v.Snapshot
	in := workflows.BackfillInput{
		Template: workflows.FlowRunInput{
			Params:    snap.Config.Params,
			Trigger:   jobflow.TriggerBackfill,
			CreatedBy: by,
			TaskQueue: e.taskQueue(),
		},
		Parallel: parallel,
	}
	setSnapshot(&in.Template, &snap, workflows.SnapshotRef{TenantID: tenantID, VersionID: v.ID})
	out := &Backfilled{BackfillID: jobflow.NewID("backfill"), Count: len(times)}
	runs := make([]*jobflow.Run, len(times))
	for i, t := range times {
		run := &jobflow.Run{
			ID:           jobflow.NewID(jobflow.PrefixRun),
			TenantID:     tenantID,
			WorkflowID:   w.ID,
			WorkflowName: snap.WorkflowName,
			VersionID:    v.ID,
			Trigger:      jobflow.TriggerBackfill,
			Status:       jobflow.RunRunning,
			LogicalTime:  t,
			Params:       snap.Config.Params,
			CreatedBy:    by,
			StartedAt:    e.now(),
		}
		run.TemporalWorkflowID = run.ID
		if err := e.Store.CreateRun(ctx, run, &snap); err != nil {
			return nil, err
		}
		runs[i] = run
		in.Runs = append(in.Runs, workflows.BackfillRun{RunID: run.ID, LogicalTime: t})
		out.RunIDs = append(out.RunIDs, run.ID)
	}
	_, err = e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       out.BackfillID,
		TaskQueue:                e.taskQueue(),
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		Memo:                     map[string]any{"workflowName": snap.WorkflowName},
		StaticSummary:            snap.WorkflowName + " (" + string(jobflow.TriggerBackfill) + ")",
		TypedSearchAttributes:    SearchAttributes(tenantID, w.ID, jobflow.TriggerBackfill),
	}, workflows.BackfillName, in)
	if err != nil {
		ended := e.now()
		for _, run := range runs {
			run.Status, run.EndedAt, run.Error = jobflow.RunFail, &ended, "the backfill could not be started"
			_ = e.Store.UpsertRun(context.WithoutCancel(ctx), run)
		}
		return nil, temporalError(err)
	}
	return out, nil
}

// parseBackfillTime reads an RFC 3339 time or a date in loc (the day's
// first second, or its last when endOfDay is set).
func parseBackfillTime(field, s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, jobflow.Errorf(jobflow.EINVALID, "%s is required: an RFC 3339 time or a date (2006-01-02)", field).
			WithDetails(map[string]string{"field": field})
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, jobflow.Errorf(jobflow.EINVALID, "%s %q is neither an RFC 3339 time nor a date (2006-01-02)", field, s).
			WithDetails(map[string]string{"field": field})
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1).Add(-time.Second)
	}
	return d.UTC(), nil
}
