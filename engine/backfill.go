package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/workflows"
)

// Backfilled is the outcome of a backfill request.
type Backfilled struct {
	BackfillID string   `json:"backfillId"` // the Temporal workflow id of the Backfill; "" when nothing started
	RunIDs     []string `json:"runIds"`
	Count      int      `json:"count"`
	// LogicalTimes are the runs' logical times, in the order they run
	// (what a dry run answers); Skipped counts the fire times reprocess
	// left out.
	LogicalTimes []time.Time `json:"logicalTimes"`
	Skipped      int         `json:"skipped"`
	DryRun       bool        `json:"dryRun"`
}

// Backfill options.
const (
	ReprocessAll          = "ALL"    // every fire time in the range (the default)
	ReprocessNone         = "NONE"   // leave out fire times that already have a SUCCESS run
	ReprocessFailed       = "FAILED" // only fire times whose latest run failed or was aborted
	OrderAsc              = "ASC"
	OrderDesc             = "DESC"
	MaxBackfillConcurrent = 100
)

// runOutcomes is what reprocess needs of the store.
type runOutcomes interface {
	FindRunOutcomes(ctx context.Context, tenantID, workflowID string, start, end time.Time) (map[int64]jobflow.RunStatus, error)
}

// Backfill (补数) runs the published version once per fire time of its
// cron in [start, end] (at most jobflow.MaxFireTimes), each run with its
// logical time = the fire time. Runs go one after another unless overlap
// is ALLOW_ALL. Every run is recorded with the version's snapshot before
// the Backfill workflow starts, so each is listed at once and can be rerun.
// BackfillRequest is POST /workflows/{id}/backfill. Start and end are
// RFC 3339 times, or dates (2026-11-25) read in the schedule's time zone:
// a start date means its first second, an end date its last.
//
// Reprocess NONE|FAILED|ALL (default ALL), order ASC|DESC (default ASC),
// maxConcurrent 1-100 (default: 1, or all at once under overlap
// ALLOW_ALL), dryRun: answer the logical times and start nothing. The
// schedule's calendar applies: under SKIP only calendar days are
// backfilled, under DRY_RUN the other days are dry runs.
type BackfillRequest struct {
	Start         string `json:"start" required:"true"`
	End           string `json:"end" required:"true"`
	Overlap       string `json:"overlap"`
	Reprocess     string `json:"reprocess"`
	Order         string `json:"order"`
	MaxConcurrent int    `json:"maxConcurrent"`
	DryRun        bool   `json:"dryRun"`
}

// validate checks the options and fills their defaults.
func (req *BackfillRequest) validate() error {
	bad := func(field, msg string) error {
		return jobflow.Errorf(jobflow.EINVALID, "%s", msg).WithDetails(map[string]string{"field": field})
	}
	switch req.Reprocess {
	case "":
		req.Reprocess = ReprocessAll
	case ReprocessAll, ReprocessNone, ReprocessFailed:
	default:
		return bad("reprocess", "reprocess must be NONE, FAILED or ALL")
	}
	switch req.Order {
	case "":
		req.Order = OrderAsc
	case OrderAsc, OrderDesc:
	default:
		return bad("order", "order must be ASC or DESC")
	}
	if req.MaxConcurrent < 0 || req.MaxConcurrent > MaxBackfillConcurrent {
		return bad("maxConcurrent", fmt.Sprintf("maxConcurrent must be between 1 and %d", MaxBackfillConcurrent))
	}
	return nil
}

func (e *Engine) Backfill(ctx context.Context, tenantID, workflowID string, req BackfillRequest, by string) (*Backfilled, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	if !req.DryRun {
		if err := e.check(); err != nil {
			return nil, err
		}
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
	if len(sched.CronList()) == 0 {
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
	times, err := sched.FireTimes(start, end, jobflow.MaxFireTimes, v.Snapshot.Calendar)
	if err != nil {
		return nil, err
	}
	if len(times) == 0 {
		return nil, jobflow.Errorf(jobflow.EINVALID, "the range holds no fire time of the schedule %q", strings.Join(sched.CronList(), " | ")).
			WithDetails(map[string]string{"field": "start"})
	}
	skipped := 0
	if req.Reprocess != ReprocessAll {
		ro, ok := e.Store.(runOutcomes)
		if !ok {
			return nil, jobflow.Errorf(jobflow.EINVALID, "reprocess %s is not available", req.Reprocess).
				WithDetails(map[string]string{"field": "reprocess"})
		}
		seen, err := ro.FindRunOutcomes(ctx, tenantID, workflowID, times[0], times[len(times)-1])
		if err != nil {
			return nil, err
		}
		kept := times[:0:0]
		for _, t := range times {
			st, ran := seen[t.Unix()]
			keep := !ran || st != jobflow.RunSuccess // NONE: dates without a SUCCESS run
			if req.Reprocess == ReprocessFailed {
				keep = ran && (st == jobflow.RunFail || st == jobflow.RunAborted)
			}
			if keep {
				kept = append(kept, t)
			}
		}
		skipped, times = len(times)-len(kept), kept
	}
	if req.Order == OrderDesc {
		slices.Reverse(times)
	}
	if req.DryRun || len(times) == 0 {
		return &Backfilled{RunIDs: []string{}, Count: len(times), LogicalTimes: append([]time.Time{}, times...), Skipped: skipped, DryRun: req.DryRun}, nil
	}

	snap := v.Snapshot
	in := workflows.BackfillInput{
		Template: workflows.FlowRunInput{
			Params:    snap.Config.Params,
			Trigger:   jobflow.TriggerBackfill,
			CreatedBy: by,
			TaskQueue: e.taskQueue(),
		},
		Parallel:      parallel,
		MaxConcurrent: req.MaxConcurrent,
	}
	setSnapshot(&in.Template, &snap, workflows.SnapshotRef{TenantID: tenantID, VersionID: v.ID})
	out := &Backfilled{BackfillID: jobflow.NewID("backfill"), Count: len(times), LogicalTimes: times, Skipped: skipped}
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
		Priority:                 Fairness(tenantID),
	}, workflows.BackfillName, in)
	if err != nil {
		id, known := e.startedAnyway(ctx, out.BackfillID)
		if id != "" {
			return out, nil // started after all (startcheck.go)
		}
		if known {
			ended := e.now()
			for _, run := range runs {
				run.Status, run.EndedAt, run.Error = jobflow.RunFail, &ended, "the backfill could not be started"
				_ = e.Store.UpsertRun(context.WithoutCancel(ctx), run)
			}
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
