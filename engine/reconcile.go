package engine

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"jobflow"
	"jobflow/workflows"
)

// DefaultReconcileEvery is how often the service reconciles schedules and runs.
const DefaultReconcileEvery = 5 * time.Minute

// ReconcileReport says what one reconciliation changed.
type ReconcileReport struct {
	Created, Updated, Deleted, Failed int
}

// Reconcile brings Temporal schedules in line with the store, which is the
// source of truth: a PUBLISHED workflow with an enabled schedule gets its
// schedule (created, or updated when it runs another version or spec); a
// jobflow-* schedule without such a workflow is deleted. One failure does
// not stop the others; it is counted and logged, and the first is returned.
func (e *Engine) Reconcile(ctx context.Context, log *slog.Logger) (ReconcileReport, error) {
	var rep ReconcileReport
	if err := e.check(); err != nil {
		return rep, err
	}
	if log == nil {
		log = slog.Default()
	}
	published, err := e.Store.FindPublishedVersions(ctx)
	if err != nil {
		return rep, err
	}
	want := make(map[string]*jobflow.Version, len(published))
	for _, p := range published {
		if p.Version.Snapshot.Config.Schedule.Enabled {
			want[workflows.ScheduleID(p.WorkflowID)] = p.Version
		}
	}
	var firstErr error
	fail := func(id string, err error) {
		rep.Failed++
		log.Error("reconcile schedule", "schedule", id, "err", err)
		if firstErr == nil {
			firstErr = err
		}
	}

	// Orphans: schedules of ours that no published workflow wants. The list
	// comes from visibility and may lag; a schedule missing from it is
	// still found by the describe below.
	ids, err := e.listScheduleIDs(ctx)
	if err != nil {
		return rep, temporalError(err)
	}
	for _, id := range ids {
		if _, ok := want[id]; ok {
			continue
		}
		// A publish may have created it a moment ago: ask the store again.
		if e.publishedNow(ctx, id) {
			continue
		}
		if err := e.deleteSchedule(ctx, strings.TrimPrefix(id, "jobflow-")); err != nil {
			fail(id, err)
			continue
		}
		rep.Deleted++
		log.Info("reconcile: deleted orphan schedule", "schedule", id)
		e.auditRepair(ctx, log, jobflow.AuditEntry{Action: "schedule.reconcile.delete", ObjectType: "schedule",
			ObjectID: id, Summary: "reconciler: no published workflow wants this schedule"})
	}

	for _, p := range published {
		v := want[workflows.ScheduleID(p.WorkflowID)]
		if v == nil {
			continue
		}
		id := workflows.ScheduleID(p.WorkflowID)
		changed, created, err := e.syncSchedule(ctx, v)
		switch {
		case err != nil:
			fail(id, err)
		case created:
			rep.Created++
			log.Info("reconcile: created missing schedule", "schedule", id, "version", v.Number)
			e.auditRepair(ctx, log, jobflow.AuditEntry{TenantID: v.TenantID, Action: "schedule.reconcile.create", ObjectType: "schedule",
				ObjectID: id, ObjectName: v.Snapshot.WorkflowName, Version: v.Number, Summary: "reconciler: the published workflow's schedule was missing"})
		case changed:
			rep.Updated++
			log.Info("reconcile: updated schedule", "schedule", id, "version", v.Number)
			e.auditRepair(ctx, log, jobflow.AuditEntry{TenantID: v.TenantID, Action: "schedule.reconcile.update", ObjectType: "schedule",
				ObjectID: id, ObjectName: v.Snapshot.WorkflowName, Version: v.Number, Summary: "reconciler: the schedule ran another version or spec"})
		}
	}
	e.Metrics.Reconciled("schedule", "created", rep.Created)
	e.Metrics.Reconciled("schedule", "updated", rep.Updated)
	e.Metrics.Reconciled("schedule", "deleted", rep.Deleted)
	e.Metrics.Reconciled("schedule", "failed", rep.Failed)
	return rep, firstErr
}

// syncSchedule makes the schedule run v when it does not already, and
// says whether it changed or created it.
func (e *Engine) syncSchedule(ctx context.Context, v *jobflow.Version) (changed, created bool, err error) {
	v = e.currentCalendar(ctx, v)
	opts, err := e.ScheduleOptions(v)
	if err != nil {
		return false, false, err
	}
	d, err := e.Client.ScheduleClient().GetHandle(ctx, opts.ID).Describe(ctx)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return true, true, e.applySchedule(ctx, v)
	} else if err != nil {
		return false, false, temporalError(err)
	}
	id, _ := scheduleVersion(d.Schedule.Action)
	if id == v.ID && sameSpec(d.Schedule.Spec, opts.Spec) && scheduleCalendarVersion(d.Schedule.Action) == calendarVersion(v) {
		return false, false, nil
	}
	return true, false, e.applySchedule(ctx, v)
}

// publishedNow reports whether the workflow of schedule id is PUBLISHED in
// the store right now (its tenant comes from the schedule's memo).
func (e *Engine) publishedNow(ctx context.Context, id string) bool {
	d, err := e.Client.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		return false
	}
	var tenantID string
	if p := d.Memo.GetFields()[memoTenantID]; p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &tenantID)
	}
	if tenantID == "" {
		return false
	}
	w, err := e.Store.FindWorkflowByID(ctx, tenantID, strings.TrimPrefix(id, "jobflow-"))
	if err != nil || w.Status != jobflow.StatusPublished {
		return false
	}
	v, err := e.Store.FindVersionByID(ctx, tenantID, w.PublishedVersionID)
	return err == nil && v.Snapshot.Config.Schedule.Enabled
}

// listScheduleIDs lists the ids of every jobflow-* schedule.
func (e *Engine) listScheduleIDs(ctx context.Context) ([]string, error) {
	it, err := e.Client.ScheduleClient().List(ctx, client.ScheduleListOptions{PageSize: 1000})
	if err != nil {
		return nil, err
	}
	var ids []string
	for it.HasNext() {
		s, err := it.Next()
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(s.ID, "jobflow-") {
			ids = append(ids, s.ID)
		}
	}
	return ids, nil
}

// RunReconciler reconciles schedules and then runs (ReconcileRuns) at once
// and then every interval until ctx ends.
func (e *Engine) RunReconciler(ctx context.Context, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = DefaultReconcileEvery
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, every)
		rep, err := e.Reconcile(rctx, log)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Error("reconcile schedules", "err", err)
		}
		if err == nil && rep != (ReconcileReport{}) {
			log.Info("reconciled schedules", "created", rep.Created, "updated", rep.Updated, "deleted", rep.Deleted, "failed", rep.Failed)
		}
		e.reconcileRunBacklog(ctx, every, log)
		bctx, cancel := context.WithTimeout(ctx, every)
		e.EnsureBaselines(bctx, log)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// backlogPause is the pause between run reconciler passes while they find
// a backlog of stuck runs.
var backlogPause = time.Second

// reconcileRunBacklog makes one pass of the run reconciler and, while
// passes come back full with runs settled, the next ones after
// backlogPause instead of a whole interval later: a crash under load
// leaves hundreds of runs that were recorded but never started (the soak
// test saw 80 to 250 per kill of a standalone at 20 invokes/s), and at one
// batch per interval they would stay RUNNING for hours. Each pass stays
// bounded; a backlog of runs that are merely running settles nothing and
// waits for the interval.
func (e *Engine) reconcileRunBacklog(ctx context.Context, every time.Duration, log *slog.Logger) {
	batch := e.RunBatch
	if batch <= 0 {
		batch = DefaultRunBatch
	}
	for {
		rctx, cancel := context.WithTimeout(ctx, every)
		runs, err := e.ReconcileRuns(rctx, log)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Error("reconcile runs", "err", err)
		}
		if runs.Settled > 0 {
			log.Info("reconciled runs", "checked", runs.Checked, "settled", runs.Settled, "failed", runs.Failed)
		}
		if err != nil || runs.Settled == 0 || runs.Checked < batch {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backlogPause):
		}
	}
}
