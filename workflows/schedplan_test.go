package workflows

import (
	"testing"
	"time"

	"jobflow"
)

// planInput is a SCHEDULE run of a two-job chain (a DEPENDENT-style
// downstream b) at logical time at, on schedule s with calendar cal.
func planInput(s jobflow.Schedule, cal *jobflow.Calendar, trigger jobflow.Trigger, at time.Time) FlowRunInput {
	snap := snapshot("a b", "a>b")
	snap.Config.Schedule = s
	snap.Config.Normalize()
	snap.Calendar = cal
	in := input(snap)
	in.Trigger, in.LogicalTime = trigger, at
	return in
}

func holidayCalendar(t *testing.T) *jobflow.Calendar {
	cal := &jobflow.Calendar{ID: "cal_1", Name: "cn", Timezone: "Asia/Shanghai", Holidays: []string{"2026-10-01"}}
	if err := cal.Validate(); err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestFlowRun_CalendarSkip: under SKIP a fire on a holiday is dropped
// (nothing recorded, no job runs); a workday runs as usual.
func TestFlowRun_CalendarSkip(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	sched := jobflow.Schedule{Cron: "0 0 2 * * ?", Timezone: "Asia/Shanghai", Enabled: true,
		Calendar: &jobflow.ScheduleCalendar{ID: "cal_1", Policy: "SKIP"}}
	s := newStub()
	res, err := run(t, newEnv(t, s), planInput(sched, holidayCalendar(t), jobflow.TriggerSchedule, time.Date(2026, 10, 1, 2, 0, 0, 0, sh)))
	if err != nil || res.Dropped != NotCalendarDay {
		t.Fatalf("holiday: dropped %q, err %v; want %q", res.Dropped, err, NotCalendarDay)
	}
	if len(s.records) != 0 || len(s.calls) != 0 {
		t.Errorf("holiday: %d records, %d job calls; want none", len(s.records), len(s.calls))
	}
	s = newStub()
	res, err = run(t, newEnv(t, s), planInput(sched, holidayCalendar(t), jobflow.TriggerSchedule, time.Date(2026, 10, 2, 2, 0, 0, 0, sh)))
	if err != nil || res.Status != jobflow.RunSuccess || res.Dropped != "" || len(s.calls) != 2 {
		t.Fatalf("workday: %+v, err %v, calls %v", res, err, s.calls)
	}
}

// TestFlowRun_CalendarDryRun: under DRY_RUN a holiday's fire (scheduled or
// backfilled) completes SUCCESS at once with every job SKIPPED.
func TestFlowRun_CalendarDryRun(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	sched := jobflow.Schedule{Cron: "0 0 2 * * ?", Timezone: "Asia/Shanghai", Enabled: true,
		Calendar: &jobflow.ScheduleCalendar{ID: "cal_1", Policy: "DRY_RUN"}}
	for _, trig := range []jobflow.Trigger{jobflow.TriggerSchedule, jobflow.TriggerBackfill} {
		s := newStub()
		res, err := run(t, newEnv(t, s), planInput(sched, holidayCalendar(t), trig, time.Date(2026, 10, 1, 2, 0, 0, 0, sh)))
		if err != nil || res.Status != jobflow.RunSuccess {
			t.Fatalf("%s: %+v, err %v", trig, res, err)
		}
		wantStatuses(t, res.Nodes, map[string]jobflow.NodeStatus{"a": jobflow.NodeSkipped, "b": jobflow.NodeSkipped})
		if n := node(t, res.Nodes, "b"); n.Error != NotCalendarDay {
			t.Errorf("%s: node error %q", trig, n.Error)
		}
		if len(s.calls) != 0 {
			t.Errorf("%s: jobs ran: %v", trig, s.calls)
		}
		last := s.lastRecord(t)
		if last.Run.Status != jobflow.RunSuccess {
			t.Errorf("%s: recorded %s", trig, last.Run.Status)
		}
	}
}

// TestFlowRun_DSTRepeatedOnce: Temporal fires a Berlin 02:30 schedule at
// both occurrences on the autumn night; under ONCE the second is dropped,
// under TWICE it runs. A manual run is never judged.
func TestFlowRun_DSTRepeatedOnce(t *testing.T) {
	first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)
	second := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)
	sched := jobflow.Schedule{Cron: "0 30 2 * * ?", Timezone: "Europe/Berlin", Enabled: true}
	for _, tt := range []struct {
		repeated   string
		at         time.Time
		trigger    jobflow.Trigger
		firstRan   bool // the store has a run at the first occurrence
		dropped    bool
		logicalRow time.Time // the logical time recorded, when not dropped
	}{
		{"ONCE", first, jobflow.TriggerSchedule, false, false, first},
		{"ONCE", second, jobflow.TriggerSchedule, true, true, time.Time{}},
		// Temporal missed the first occurrence (v1.32.1 east of UTC): the
		// second runs in its place, as the first.
		{"ONCE", second, jobflow.TriggerSchedule, false, false, first},
		{"TWICE", second, jobflow.TriggerSchedule, true, false, second},
		{"ONCE", second, jobflow.TriggerManual, true, false, second},
	} {
		sched.DST = &jobflow.DSTPolicy{Missing: "SHIFT", Repeated: tt.repeated}
		s := newStub()
		s.runsAt = map[int64]bool{first.Unix(): tt.firstRan}
		res, err := run(t, newEnv(t, s), planInput(sched, nil, tt.trigger, tt.at))
		if err != nil || (res.Dropped != "") != tt.dropped {
			t.Errorf("%s %s %v first ran %v: dropped %q err %v, want dropped %v", tt.repeated, tt.trigger, tt.at, tt.firstRan, res.Dropped, err, tt.dropped)
			continue
		}
		if !tt.dropped {
			if row := s.lastRecord(t).Run; !row.LogicalTime.Equal(tt.logicalRow) {
				t.Errorf("%s %s %v: recorded logical time %v, want %v", tt.repeated, tt.trigger, tt.at, row.LogicalTime, tt.logicalRow)
			}
		}
	}
}
