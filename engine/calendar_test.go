package engine_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/workflows"
)

// holidaysAround are yesterday, today and tomorrow (UTC): whatever zone a
// calendar reads days in, the test's fires fall on a holiday.
func holidaysAround() []string {
	now := time.Now().UTC()
	return []string{now.AddDate(0, 0, -1).Format("2006-01-02"), now.Format("2006-01-02"), now.AddDate(0, 0, 1).Format("2006-01-02")}
}

// TestEngine_CalendarSchedule publishes workflows whose every-second
// schedule names a calendar on which today is a holiday, through a real
// Temporal Schedule:
//
//   - SKIP, calendar in the schedule's zone: compiled into skip entries,
//     Temporal does not fire at all;
//   - SKIP, calendar in another zone: not compiled, Temporal fires, and
//     FlowRun drops each fire ("not a calendar day") without a run row;
//   - DRY_RUN: every fire is a run that succeeds at once with every job
//     SKIPPED "not a calendar day" and no job executed.
func TestEngine_CalendarSchedule(t *testing.T) {
	testtier.Parallel(t)
	testtier.Long(t, "waits for calendar-filtered schedule fires (cron/plan tests cover the decisions)")
	e := newEnv(t)
	ctx := context.Background()
	calendar := func(name, zone string) string {
		var cal jobflow.Calendar
		e.API.Must("POST", "/api/v1/calendars", map[string]any{"name": name, "timezone": zone,
			"weekdays": []int{1, 2, 3, 4, 5, 6, 7}, "holidays": holidaysAround()}, 201, &cal)
		return cal.ID
	}
	utcCal, shCal := calendar("utc", "UTC"), calendar("shanghai", "Asia/Shanghai")
	describe := func(wfID string) *client.ScheduleDescription {
		d, err := e.Client.ScheduleClient().GetHandle(ctx, workflows.ScheduleID(wfID)).Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("SkipCompiled", func(t *testing.T) {
		wfID, _ := e.workflow("skip-compiled", []jobSpec{shell("a", "echo ran")},
			schedule("* * * * * ?", "UTC", map[string]any{"calendar": map[string]any{"id": utcCal, "policy": "SKIP"}}))
		p := e.publish(wfID)
		if p.Version.Snapshot.Calendar == nil || p.Version.Snapshot.Calendar.ID != utcCal {
			t.Fatalf("the version's snapshot holds no copy of the calendar: %+v", p.Version.Snapshot.Calendar)
		}
		d := describe(wfID)
		if len(d.Schedule.Spec.Skip) != 3 {
			t.Fatalf("schedule skip entries = %d, want one per holiday", len(d.Schedule.Spec.Skip))
		}
		// Nothing must happen here: only time shows it (three fire times
		// of the every-second cron).
		time.Sleep(3 * time.Second)
		if n := describe(wfID).Info.NumActions; n != 0 {
			t.Errorf("Temporal fired %d times on a holiday", n)
		}
		if l := e.runs(wfID, jobflow.TriggerSchedule); l.Total != 0 {
			t.Errorf("%d scheduled runs on a holiday", l.Total)
		}
	})

	t.Run("SkipCheckedByFlowRun", func(t *testing.T) {
		wfID, _ := e.workflow("skip-checked", []jobSpec{shell("a", "echo ran")},
			schedule("* * * * * ?", "UTC", map[string]any{"calendar": map[string]any{"id": shCal, "policy": "SKIP"}}))
		e.publish(wfID)
		var d *client.ScheduleDescription
		e.eventually(30*time.Second, "Temporal to fire", func() bool {
			d = describe(wfID)
			return len(d.Info.RecentActions) >= 2
		})
		a := d.Info.RecentActions[0].StartWorkflowResult
		var res workflows.FlowRunResult
		if err := e.Client.GetWorkflow(ctx, a.WorkflowID, a.FirstExecutionRunID).Get(ctx, &res); err != nil {
			t.Fatal(err)
		}
		if res.Dropped != workflows.NotCalendarDay {
			t.Errorf("FlowRun result %+v, want dropped %q", res, workflows.NotCalendarDay)
		}
		if l := e.runs(wfID, jobflow.TriggerSchedule); l.Total != 0 {
			t.Errorf("%d scheduled runs recorded on a holiday", l.Total)
		}
	})

	t.Run("EditReachesSchedule", func(t *testing.T) {
		var cal jobflow.Calendar
		e.API.Must("POST", "/api/v1/calendars", map[string]any{"name": "editable", "timezone": "UTC",
			"weekdays": []int{1, 2, 3, 4, 5, 6, 7}}, 201, &cal)
		wfID, _ := e.workflow("edit-reaches", []jobSpec{shell("a", "true")},
			schedule("* * * * * ?", "UTC", map[string]any{"calendar": map[string]any{"id": cal.ID, "policy": "SKIP"}}))
		e.publish(wfID)
		e.eventually(30*time.Second, "a scheduled run before the edit", func() bool { return e.runs(wfID, jobflow.TriggerSchedule).Total > 0 })
		// Today becomes a holiday: the schedule is re-applied at once with skip entries.
		e.API.Must("PATCH", "/api/v1/calendars/"+cal.ID, map[string]any{"holidays": holidaysAround()}, 200, nil)
		d := describe(wfID)
		if len(d.Schedule.Spec.Skip) != 3 {
			t.Fatalf("after the edit the schedule has %d skip entries, want 3", len(d.Schedule.Spec.Skip))
		}
		time.Sleep(1500 * time.Millisecond) // a fire already in flight may still land
		before := e.runs(wfID, jobflow.TriggerSchedule).Total
		time.Sleep(2 * time.Second) // two fire times: no run must come of them, only time shows it
		if after := e.runs(wfID, jobflow.TriggerSchedule).Total; after != before {
			t.Errorf("runs went on after today became a holiday: %d → %d", before, after)
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 200, nil)
	})

	t.Run("DryRun", func(t *testing.T) {
		wfID, jobs := e.workflow("dry-run", []jobSpec{shell("a", "echo ran"), shell("b", "echo ran")},
			schedule("* * * * * ?", "UTC", map[string]any{"calendar": map[string]any{"id": utcCal, "policy": "DRY_RUN"}}))
		e.publish(wfID)
		var runs runList
		e.eventually(30*time.Second, "a dry run", func() bool {
			runs = e.runs(wfID, jobflow.TriggerSchedule)
			return runs.Total > 0
		})
		r := e.waitFinished(runs.Items[len(runs.Items)-1].ID)
		if r.Status != jobflow.RunSuccess || len(r.Nodes) != 2 {
			t.Fatalf("dry run = %s with %d nodes", r.Status, len(r.Nodes))
		}
		for _, n := range r.Nodes {
			if n.Status != jobflow.NodeSkipped || n.Error != workflows.NotCalendarDay {
				t.Errorf("node %s = %s %q, want SKIPPED %q", n.JobName, n.Status, n.Error, workflows.NotCalendarDay)
			}
		}
		if log := e.log(r.ID, jobs["a"]); contains(log, "ran") {
			t.Errorf("a job of a dry run ran: %q", log)
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 200, nil)
	})
}

// TestEngine_BackfillOptions covers reprocess NONE|FAILED|ALL, order,
// maxConcurrent and dryRun, and the calendar in a backfill.
func TestEngine_BackfillOptions(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	var cal jobflow.Calendar
	e.API.Must("POST", "/api/v1/calendars", map[string]any{"name": "nov", "weekdays": []int{1, 2, 3, 4, 5, 6, 7},
		"holidays": []string{"2026-11-04"}}, 201, &cal)
	// The 2 November run fails; every other day succeeds.
	wfID, _ := e.workflow("daily", []jobSpec{shell("a", `sleep 1; [ "${qing.current_date}" != "2026-11-02" ]`)},
		schedule("0 0 2 * * ?", "Asia/Shanghai", map[string]any{"calendar": map[string]any{"id": cal.ID, "policy": "SKIP"}}))
	e.publish(wfID)
	path := "/api/v1/workflows/" + wfID + "/backfill"
	sh, _ := time.LoadLocation("Asia/Shanghai")
	type backfilled struct {
		BackfillID   string      `json:"backfillId"`
		RunIDs       []string    `json:"runIds"`
		Count        int         `json:"count"`
		LogicalTimes []time.Time `json:"logicalTimes"`
		Skipped      int         `json:"skipped"`
		DryRun       bool        `json:"dryRun"`
	}
	days := func(ts []time.Time) string {
		var out string
		for _, x := range ts {
			out += x.In(sh).Format("02") + " "
		}
		return out
	}

	t.Run("DryRunDescSkipsHoliday", func(t *testing.T) {
		var out backfilled
		e.API.Must("POST", path, map[string]any{"start": "2026-11-01", "end": "2026-11-05", "order": "DESC", "dryRun": true}, 200, &out)
		if !out.DryRun || out.BackfillID != "" || len(out.RunIDs) != 0 || days(out.LogicalTimes) != "05 03 02 01 " {
			t.Fatalf("dry run = %+v (%s)", out, days(out.LogicalTimes))
		}
		if l := e.runs(wfID, jobflow.TriggerBackfill); l.Total != 0 {
			t.Fatalf("a dry run started %d runs", l.Total)
		}
	})

	t.Run("MaxConcurrent", func(t *testing.T) {
		var out backfilled
		e.API.Must("POST", path, map[string]any{"start": "2026-11-01", "end": "2026-11-05", "maxConcurrent": 2}, 202, &out)
		if out.Count != 4 || len(out.RunIDs) != 4 {
			t.Fatalf("backfill = %+v", out)
		}
		var spans [][2]time.Time
		for i, id := range out.RunIDs {
			r := e.waitFinished(id)
			if n := r.Nodes[0]; n.StartedAt != nil && n.EndedAt != nil {
				spans = append(spans, [2]time.Time{*n.StartedAt, *n.EndedAt})
			}
			want := jobflow.RunSuccess
			if r.LogicalTime.In(sh).Day() == 2 {
				want = jobflow.RunFail
			}
			if r.Status != want || !r.LogicalTime.Equal(out.LogicalTimes[i]) {
				t.Fatalf("run %s on %v = %s, want %s", id, r.LogicalTime, r.Status, want)
			}
		}
		peak := 0 // the most jobs running at one job's start
		for _, a := range spans {
			at := 0
			for _, b := range spans {
				if !b[0].After(a[0]) && b[1].After(a[0]) {
					at++
				}
			}
			peak = max(peak, at)
		}
		if peak != 2 {
			t.Errorf("at most %d runs went at once, want 2 (maxConcurrent)", peak)
		}
	})

	t.Run("Reprocess", func(t *testing.T) {
		var out backfilled
		e.API.Must("POST", path, map[string]any{"start": "2026-10-31", "end": "2026-11-05", "reprocess": "NONE", "dryRun": true}, 200, &out)
		if days(out.LogicalTimes) != "31 02 " || out.Skipped != 3 {
			t.Fatalf("NONE = %s skipped %d, want 31 (never ran) and 02 (failed)", days(out.LogicalTimes), out.Skipped)
		}
		e.API.Must("POST", path, map[string]any{"start": "2026-10-31", "end": "2026-11-05", "reprocess": "FAILED", "dryRun": true}, 200, &out)
		if days(out.LogicalTimes) != "02 " || out.Skipped != 4 {
			t.Fatalf("FAILED = %s skipped %d, want 02 only", days(out.LogicalTimes), out.Skipped)
		}
		e.API.Must("POST", path, map[string]any{"start": "2026-10-31", "end": "2026-11-05", "reprocess": "ALL", "dryRun": true}, 200, &out)
		if len(out.LogicalTimes) != 5 || out.Skipped != 0 {
			t.Fatalf("ALL = %s", days(out.LogicalTimes))
		}
		// A real FAILED backfill reruns 2 November only.
		e.API.Must("POST", path, map[string]any{"start": "2026-10-31", "end": "2026-11-05", "reprocess": "FAILED"}, 202, &out)
		if len(out.RunIDs) != 1 {
			t.Fatalf("FAILED backfill = %+v", out)
		}
		e.waitFinished(out.RunIDs[0])
	})

	t.Run("BadInput", func(t *testing.T) {
		before := e.runs(wfID, jobflow.TriggerBackfill).Total
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"start": "2026-11-01", "end": "2026-11-02", "reprocess": "SOME"}, "reprocess"},
			{map[string]any{"start": "2026-11-01", "end": "2026-11-02", "order": "RANDOM"}, "order"},
			{map[string]any{"start": "2026-11-01", "end": "2026-11-02", "maxConcurrent": 101}, "maxConcurrent"},
			{map[string]any{"start": "2026-11-01", "end": "2026-11-02", "maxConcurrent": -1}, "maxConcurrent"},
		} {
			got := e.API.Fail("POST", path, tc.body, 400)
			if details, _ := got.Details.(map[string]any); details["field"] != tc.field {
				t.Errorf("%v: details %v, want field %s", tc.body, got.Details, tc.field)
			}
		}
		if after := e.runs(wfID, jobflow.TriggerBackfill).Total; after != before {
			t.Errorf("bad input started runs: %d → %d", before, after)
		}
	})
}
