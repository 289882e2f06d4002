package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// Memo keys of a schedule's action, read back by reconciliation and by
// concurrent publishes to tell which version a schedule runs.
const (
	memoVersionID     = "versionId"
	memoVersionNumber = "versionNumber"
	memoTenantID      = "tenantId"
	memoWorkflowName  = "workflowName"
	// memoCalendarVersion is the version of the business calendar copied
	// into the action's snapshot (0: none), so a calendar change is seen.
	memoCalendarVersion = "calendarVersion"
)

// Published is the outcome of a publish.
type Published struct {
	Workflow     *jobflow.Workflow `json:"workflow"`
	Version      *jobflow.Version  `json:"version"`
	NextRunTimes []time.Time       `json:"nextRunTimes"`
}

// Publish (发布) validates the workflow, snapshots a version, creates or
// updates its Temporal Schedule and marks it PUBLISHED on that version.
//
// The schedule is written before the store, so a failure half-way leaves a
// schedule the store does not know yet; reconciliation brings it back in
// line. Two publishes at once both write their version; the store keeps the
// higher number (SetPublished is a compare-and-set) and each publish ends
// by bringing the schedule to whatever the store then holds.
func (e *Engine) Publish(ctx context.Context, tenantID, workflowID, by string) (*Published, error) {
	return e.PublishWithNote(ctx, tenantID, workflowID, by, "")
}

// PublishWithNote is Publish that records the publisher's note on the version.
func (e *Engine) PublishWithNote(ctx context.Context, tenantID, workflowID, by, note string) (*Published, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	w, err := e.Store.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return nil, err
	}
	if err := e.checkPublish(ctx, w); err != nil {
		return nil, err
	}
	snap := jobflow.BuildSnapshot(w, "")
	if snap.Calendar, err = e.scheduleCalendar(ctx, tenantID, snap.Config.Schedule); err != nil {
		return nil, err
	}
	next, err := checkSchedule(snap.Config.Schedule, snap.Calendar, e.now())
	if err != nil {
		return nil, err
	}
	v := &jobflow.Version{TenantID: tenantID, WorkflowID: workflowID, Snapshot: *snap, CreatedBy: by, Note: note}
	if err := e.Store.CreateVersion(ctx, v); err != nil {
		return nil, err
	}
	if err := e.applySchedule(ctx, v); err != nil {
		return nil, err
	}
	var first *time.Time
	if len(next) > 0 {
		first = &next[0]
	}
	if _, err := e.Store.SetPublished(ctx, v, first); err != nil {
		return nil, err
	}
	// Whoever won, the schedule must end on the store's version: a slower
	// concurrent publish may have written an older one after the winner
	// checked, so every publish checks once more after its own write.
	if w, err = e.Store.FindWorkflowByID(ctx, tenantID, workflowID); err != nil {
		return nil, err
	}
	if w.Status == jobflow.StatusPublished {
		cur := v
		if w.PublishedVersionID != v.ID {
			if cur, err = e.Store.FindVersionByID(ctx, tenantID, w.PublishedVersionID); err != nil {
				return nil, err
			}
		}
		if cur.Snapshot.Config.Schedule.Enabled {
			_, _, err = e.syncSchedule(ctx, cur)
		} else {
			err = e.deleteSchedule(ctx, workflowID)
		}
		if err != nil {
			return nil, err
		}
	}
	if next == nil {
		next = []time.Time{}
	}
	return &Published{Workflow: w, Version: v, NextRunTimes: next}, nil
}

// scheduleCalendar loads the calendar a schedule names (one of the
// tenant's or a shared one), nil when it names none. A calendar that does
// not exist is INVALID on schedule.calendar.id.
func (e *Engine) scheduleCalendar(ctx context.Context, tenantID string, s jobflow.Schedule) (*jobflow.Calendar, error) {
	if s.Calendar == nil {
		return nil, nil
	}
	cs, ok := e.Store.(jobflow.CalendarService)
	if !ok {
		return nil, jobflow.Errorf(jobflow.EINVALID, "business calendars are not available").
			WithDetails(map[string]string{"field": "schedule.calendar.id"})
	}
	cal, err := cs.FindCalendarByID(ctx, tenantID, s.Calendar.ID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil, jobflow.Errorf(jobflow.EINVALID, "schedule.calendar.id %q names no calendar", s.Calendar.ID).
			WithDetails(map[string]string{"field": "schedule.calendar.id"})
	}
	return cal, err
}

// checkSchedule checks what Validate cannot: that an enabled schedule has
// fire times Temporal can reach, and returns the next five.
func checkSchedule(s jobflow.Schedule, cal *jobflow.Calendar, now time.Time) ([]time.Time, error) {
	if !s.Enabled {
		return nil, nil
	}
	p, err := s.Plan(cal)
	if err != nil {
		return nil, err
	}
	for i, x := range p.Exprs {
		if x.Calendars() == nil {
			field := "schedule.cron"
			if s.Cron == "" || i > 0 {
				field = "schedule.crons"
			}
			return nil, jobflow.Errorf(jobflow.EINVALID, "%s %q never fires in the years 2000-2100", field, x.String()).
				WithDetails(map[string]string{"field": field})
		}
	}
	next, err := s.NextTimes(now, 5, cal)
	if err != nil {
		return nil, err
	}
	if len(next) == 0 {
		return nil, jobflow.Errorf(jobflow.EINVALID, "the schedule has no fire time after now (check schedule.cron, startAt and endAt)").
			WithDetails(map[string]string{"field": "schedule.endAt"})
	}
	return next, nil
}

// Offline (下线) deletes the schedule and marks the workflow OFFLINE; runs
// in flight go on. CONFLICT unless the workflow is PUBLISHED.
func (e *Engine) Offline(ctx context.Context, tenantID, workflowID string) (*jobflow.Workflow, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	w, err := e.Store.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return nil, err
	}
	if w.Status != jobflow.StatusPublished {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "only a PUBLISHED workflow can be taken offline; this one is %s", w.Status)
	}
	if err := e.deleteSchedule(ctx, workflowID); err != nil {
		return nil, err
	}
	if err := e.Store.SetOffline(ctx, tenantID, workflowID); err != nil {
		return nil, err
	}
	return e.Store.FindWorkflowByID(ctx, tenantID, workflowID)
}

// applySchedule makes the Temporal Schedule run version v: created when
// missing, updated in place otherwise, deleted when v's schedule is
// disabled. An update never replaces a schedule of a higher version number.
func (e *Engine) applySchedule(ctx context.Context, v *jobflow.Version) error {
	if !v.Snapshot.Config.Schedule.Enabled {
		return e.deleteSchedule(ctx, v.WorkflowID)
	}
	v = e.currentCalendar(ctx, v)
	opts, err := e.ScheduleOptions(v)
	if err != nil {
		return err
	}
	_, err = e.Client.ScheduleClient().Create(ctx, opts)
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return temporalError(err)
	}
	h := e.Client.ScheduleClient().GetHandle(ctx, opts.ID)
	err = h.Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			id, n := scheduleVersion(in.Description.Schedule.Action)
			if n > v.Number || (id == v.ID && sameSpec(in.Description.Schedule.Spec, opts.Spec) &&
				scheduleCalendarVersion(in.Description.Schedule.Action) == calendarVersion(v)) {
				return nil, temporal.ErrSkipScheduleUpdate
			}
			return &client.ScheduleUpdate{Schedule: &client.Schedule{
				Action: opts.Action,
				Spec:   &opts.Spec,
				Policy: &client.SchedulePolicies{Overlap: opts.Overlap, CatchupWindow: opts.CatchupWindow},
				State:  &client.ScheduleState{Note: opts.Note},
			}}, nil
		},
	})
	return temporalError(err)
}

// deleteSchedule deletes the workflow's schedule; a missing one is fine.
func (e *Engine) deleteSchedule(ctx context.Context, workflowID string) error {
	err := e.Client.ScheduleClient().GetHandle(ctx, workflows.ScheduleID(workflowID)).Delete(ctx)
	var notFound *serviceerror.NotFound
	if err == nil || errors.As(err, &notFound) {
		return nil
	}
	return temporalError(err)
}

// ScheduleOptions is the Temporal Schedule of version v: its action starts
// FlowRun on the version's snapshot with the run id, logical time and
// trigger left empty, for FlowRun to take from the execution (the
// schedule's workflow id and TemporalScheduledStartTime). bench/storm
// copies it onto bare schedules to weigh what the action itself costs.
func (e *Engine) ScheduleOptions(v *jobflow.Version) (client.ScheduleOptions, error) {
	s := v.Snapshot.Config.Schedule
	plan, err := s.Plan(v.Snapshot.Calendar)
	if err != nil {
		return client.ScheduleOptions{}, err
	}
	spec := client.ScheduleSpec{TimeZoneName: s.Timezone}
	// Temporal fires a superset of the plan (cron.Plan.TemporalSpec); FlowRun
	// drops what the plan does not fire.
	cals, skip := plan.TemporalSpec(e.now(), scheduleSpecYears)
	for _, c := range cals {
		spec.Calendars = append(spec.Calendars, sdkCalendar(c))
	}
	for _, c := range skip {
		spec.Skip = append(spec.Skip, sdkCalendar(c))
	}
	if s.StartAt != nil {
		spec.StartAt = *s.StartAt
	}
	if s.EndAt != nil {
		spec.EndAt = *s.EndAt
	}
	catchup := time.Duration(s.CatchupWindowSeconds) * time.Second
	if catchup <= 0 {
		catchup = jobflow.DefaultCatchupSeconds * time.Second
	}
	id := workflows.ScheduleID(v.WorkflowID)
	// A run the schedule starts has no row yet: a large DAG is loaded from
	// the version.
	in := workflows.FlowRunInput{Params: v.Snapshot.Config.Params, TaskQueue: e.taskQueue()}
	setSnapshot(&in, &v.Snapshot, workflows.SnapshotRef{TenantID: v.TenantID, VersionID: v.ID})
	memo := map[string]any{
		memoVersionID:     v.ID,
		memoVersionNumber: v.Number,
		memoTenantID:      v.TenantID,
		memoWorkflowName:  v.Snapshot.WorkflowName,
	}
	if cv := calendarVersion(v); cv > 0 {
		memo[memoCalendarVersion] = cv
	}
	return client.ScheduleOptions{
		ID:   id,
		Spec: spec,
		Action: &client.ScheduleWorkflowAction{
			ID:        id,
			Workflow:  workflows.FlowRunName,
			Args:      []any{in},
			TaskQueue: e.taskQueue(),
			Memo:      memo,
			// The schedule adds TemporalScheduledStartTime; FlowRun reads it.
			TypedSearchAttributes: SearchAttributes(v.TenantID, v.WorkflowID, jobflow.TriggerSchedule),
			StaticSummary:         v.Snapshot.WorkflowName + " (" + string(jobflow.TriggerSchedule) + ")",
			Priority:              Fairness(v.TenantID),
		},
		Overlap:       overlapPolicy(s.Overlap),
		CatchupWindow: catchup,
		Memo:          memo,
		Note:          fmt.Sprintf("jobflow workflow %s version %d", v.WorkflowID, v.Number),
	}, nil
}

// scheduleSpecYears is how many years ahead the SHIFT fire times of
// spring-forward days are compiled into a schedule; reconciliation and
// every publish compile them again.
const scheduleSpecYears = 10

func sdkCalendar(c *schedulepb.StructuredCalendarSpec) client.ScheduleCalendarSpec {
	return client.ScheduleCalendarSpec{
		Second:     sdkRanges(c.Second),
		Minute:     sdkRanges(c.Minute),
		Hour:       sdkRanges(c.Hour),
		DayOfMonth: sdkRanges(c.DayOfMonth),
		Month:      sdkRanges(c.Month),
		Year:       sdkRanges(c.Year),
		DayOfWeek:  sdkRanges(c.DayOfWeek),
	}
}

func overlapPolicy(o string) enumspb.ScheduleOverlapPolicy {
	switch o {
	case jobflow.OverlapBufferOne:
		return enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE
	case jobflow.OverlapBufferAll:
		return enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL
	case jobflow.OverlapCancelOld:
		return enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER
	case jobflow.OverlapAllowAll:
		return enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL
	}
	return enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
}

// currentCalendar returns v with the current content of the calendar its
// schedule names (a calendar change reaches the schedule's next fires;
// runs already started keep the copy they started with). v itself when
// the schedule names none, or the calendar is gone (the publish-time copy
// stays in force).
func (e *Engine) currentCalendar(ctx context.Context, v *jobflow.Version) *jobflow.Version {
	s := v.Snapshot.Config.Schedule
	if s.Calendar == nil {
		return v
	}
	cal, err := e.scheduleCalendar(ctx, v.TenantID, s)
	if err != nil || cal == nil {
		return v
	}
	cp := *v
	cp.Snapshot.Calendar = cal
	return &cp
}

func calendarVersion(v *jobflow.Version) int {
	if v.Snapshot.Calendar == nil {
		return 0
	}
	return v.Snapshot.Calendar.Version
}

// scheduleCalendarVersion reads the calendar version from a schedule's
// action memo (0: none).
func scheduleCalendarVersion(a client.ScheduleAction) int {
	wa, ok := a.(*client.ScheduleWorkflowAction)
	if !ok || wa == nil {
		return 0
	}
	var n int
	if p, ok := wa.Memo[memoCalendarVersion].(*commonpb.Payload); ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &n)
	}
	return n
}

// RefreshCalendar re-applies at once the schedules of the published
// workflows whose schedule names calendar id (reconciliation would do it
// on its next pass). tenantID "" is a shared calendar: every tenant.
func (e *Engine) RefreshCalendar(ctx context.Context, tenantID, id string) error {
	if e.check() != nil {
		return nil // no Temporal: reconciliation does it when it is back
	}
	pubs, err := e.Store.FindPublishedVersions(ctx)
	if err != nil {
		return err
	}
	var first error
	for _, p := range pubs {
		s := p.Version.Snapshot.Config.Schedule
		if !s.Enabled || s.Calendar == nil || s.Calendar.ID != id || (tenantID != "" && p.TenantID != tenantID) {
			continue
		}
		if _, _, err := e.syncSchedule(ctx, p.Version); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// scheduleVersion reads the version id and number from a schedule's action
// memo; "" and 0 when it has none (not ours, or damaged).
func scheduleVersion(a client.ScheduleAction) (string, int) {
	wa, ok := a.(*client.ScheduleWorkflowAction)
	if !ok || wa == nil {
		return "", 0
	}
	var id string
	var n int
	dc := converter.GetDefaultDataConverter()
	if p, ok := wa.Memo[memoVersionID].(*commonpb.Payload); ok {
		_ = dc.FromPayload(p, &id)
	}
	if p, ok := wa.Memo[memoVersionNumber].(*commonpb.Payload); ok {
		_ = dc.FromPayload(p, &n)
	}
	return id, n
}

// sameSpec reports whether a schedule's spec is the one we would write, as
// far as it matters: the zone, the bounds and the number of calendars. A
// spec edited behind our back is then rewritten by reconciliation.
func sameSpec(got *client.ScheduleSpec, want client.ScheduleSpec) bool {
	if got == nil {
		return false
	}
	return got.TimeZoneName == want.TimeZoneName &&
		got.StartAt.Equal(want.StartAt) && got.EndAt.Equal(want.EndAt) &&
		len(got.Calendars) == len(want.Calendars) && len(got.Skip) == len(want.Skip) && len(got.CronExpressions) == 0 && len(got.Intervals) == 0
}

func sdkRanges[R interface {
	GetStart() int32
	GetEnd() int32
	GetStep() int32
}](rs []R) []client.ScheduleRange {
	if len(rs) == 0 {
		return nil
	}
	out := make([]client.ScheduleRange, len(rs))
	for i, r := range rs {
		out[i] = client.ScheduleRange{Start: int(r.GetStart()), End: int(r.GetEnd()), Step: int(r.GetStep())}
	}
	return out
}

// ScheduleInfo is GET /workflows/{id}/schedule: the next fire times, the
// recent scheduled runs, and the Temporal schedule's state when reachable.
type ScheduleInfo struct {
	WorkflowID   string            `json:"workflowId"`
	Status       string            `json:"status"`
	Source       string            `json:"source"` // "published" (the published version's schedule) or "draft"
	Schedule     jobflow.Schedule  `json:"schedule"`
	NextRunTimes []time.Time       `json:"nextRunTimes"`
	RecentRuns   []*jobflow.Run    `json:"recentRuns"`
	Temporal     *TemporalSchedule `json:"temporal"` // nil: no schedule, or Temporal not reachable
}

// TemporalSchedule is what Temporal says of a schedule.
type TemporalSchedule struct {
	ID              string      `json:"id"`
	Paused          bool        `json:"paused"`
	VersionID       string      `json:"versionId"`
	NumActions      int         `json:"numActions"`
	NextActionTimes []time.Time `json:"nextActionTimes"`
}

// ScheduleInfo lists the next 10 fire times (from the cron package, not
// from Temporal) and the 10 newest SCHEDULE runs from the store.
func (e *Engine) ScheduleInfo(ctx context.Context, tenantID, workflowID string) (*ScheduleInfo, error) {
	w, err := e.Store.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return nil, err
	}
	info := &ScheduleInfo{WorkflowID: w.ID, Status: string(w.Status), Source: "draft", Schedule: w.Config.Schedule,
		NextRunTimes: []time.Time{}}
	var cal *jobflow.Calendar
	if w.Status == jobflow.StatusPublished && w.PublishedVersionID != "" {
		v, err := e.Store.FindVersionByID(ctx, tenantID, w.PublishedVersionID)
		if err != nil {
			return nil, err
		}
		v = e.currentCalendar(ctx, v) // what the schedule's next fires follow
		info.Source, info.Schedule, cal = "published", v.Snapshot.Config.Schedule, v.Snapshot.Calendar
	} else if info.Schedule.Calendar != nil {
		cal, _ = e.scheduleCalendar(ctx, tenantID, info.Schedule)
	}
	if len(info.Schedule.CronList()) > 0 && (info.Schedule.Enabled || info.Source == "draft") {
		if next, err := info.Schedule.NextTimes(e.now(), 10, cal); err == nil {
			info.NextRunTimes = next
		}
	}
	if info.Source == "published" && !info.Schedule.Enabled {
		info.NextRunTimes = []time.Time{}
	}
	runs, _, err := e.Store.FindRuns(ctx, tenantID, jobflow.RunFilter{WorkflowID: w.ID, Trigger: jobflow.TriggerSchedule, PageSize: 10})
	if err != nil {
		return nil, err
	}
	info.RecentRuns = runs
	if e.check() == nil && info.Source == "published" {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if d, err := e.Client.ScheduleClient().GetHandle(dctx, workflows.ScheduleID(w.ID)).Describe(dctx); err == nil {
			id, _ := scheduleVersion(d.Schedule.Action)
			info.Temporal = &TemporalSchedule{ID: workflows.ScheduleID(w.ID), VersionID: id,
				NumActions: d.Info.NumActions, NextActionTimes: d.Info.NextActionTimes}
			if d.Schedule.State != nil {
				info.Temporal.Paused = d.Schedule.State.Paused
			}
		}
	}
	return info, nil
}

// checkPublish checks the draft once more before it goes live: an import,
// a restored version or a deleted datasource or workflow may have left it
// in a state a save would refuse. Every job on the canvas counts as
// changed, so its ids are checked against the tenant and its SUBFLOW calls
// for recursion (jobflow.CheckDraft).
func (e *Engine) checkPublish(ctx context.Context, w *jobflow.Workflow) error {
	if err := jobflow.CheckRunnable(w); err != nil {
		return err
	}
	placed := make(map[string]bool, len(w.Canvas.Nodes))
	for _, n := range w.Canvas.Nodes {
		placed[n.JobID] = true
	}
	var onCanvas []*jobflow.Job
	for _, j := range w.Jobs {
		if !placed[j.ID] {
			continue
		}
		if err := j.Normalize(); err != nil {
			return jobflow.Errorf(jobflow.EINVALID, "job %q: %s", j.Name, jobflow.ErrorMessage(err))
		}
		onCanvas = append(onCanvas, j)
	}
	err := jobflow.CheckDraft(ctx, jobflow.Draft{Workflow: w, Changed: onCanvas}, e.Store.DraftRefs())
	if je, ok := err.(*jobflow.Error); ok && je.Code == jobflow.EINVALID {
		return jobflow.Errorf(jobflow.EINVALID, "cannot publish: %s", je.Message).WithDetails(je.Details)
	}
	return err
}
