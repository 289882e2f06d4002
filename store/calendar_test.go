package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestCalendarService_CRUD(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		c := &jobflow.Calendar{TenantID: tn.ID, Name: "cn-2026", Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-10"}, CreatedBy: "u1"}
		if err := s.CreateCalendar(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.Version != 1 || c.Timezone != "Asia/Shanghai" || c.Shared {
			t.Fatalf("created = %+v", c)
		}
		wantCode(t, s.CreateCalendar(ctx, &jobflow.Calendar{TenantID: tn.ID, Name: "cn-2026"}), jobflow.ECONFLICT)
		wantCode(t, s.CreateCalendar(ctx, &jobflow.Calendar{TenantID: tn.ID, Name: "bad", Weekdays: []int{9}}), jobflow.EINVALID)
		shared := &jobflow.Calendar{Name: "global", Shared: true, Weekdays: []int{1, 2, 3, 4, 5, 6}}
		if err := s.CreateCalendar(ctx, shared); err != nil || shared.TenantID != "" {
			t.Fatalf("shared: %+v %v", shared, err)
		}
		// The tenant sees its own and the shared one; the other tenant only the shared one.
		if list, total, err := s.FindCalendars(ctx, tn.ID, jobflow.CalendarFilter{}); err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("FindCalendars = %d %v", total, err)
		}
		if list, total, err := s.FindCalendars(ctx, other.ID, jobflow.CalendarFilter{}); err != nil || total != 1 || list[0].ID != shared.ID {
			t.Fatalf("other FindCalendars = %d %v", total, err)
		}
		_, err := s.FindCalendarByID(ctx, other.ID, c.ID)
		wantCode(t, err, jobflow.ENOTFOUND)

		got, err := s.FindCalendarByID(ctx, tn.ID, c.ID)
		if err != nil || len(got.Holidays) != 1 || got.Workdays[0] != "2026-10-10" {
			t.Fatalf("FindCalendarByID = %+v %v", got, err)
		}
		got.Holidays = append(got.Holidays, "2026-10-02")
		if err := s.UpdateCalendar(ctx, got); err != nil || got.Version != 2 {
			t.Fatalf("UpdateCalendar = %v, version %d", err, got.Version)
		}
		stale := *c // version 1
		wantCode(t, s.UpdateCalendar(ctx, &stale), jobflow.ECONFLICT)
		bad := *got
		bad.Workdays = []string{"2026-10-02"} // also a holiday
		wantCode(t, s.UpdateCalendar(ctx, &bad), jobflow.EINVALID)
		if now, _ := s.FindCalendarByID(ctx, tn.ID, c.ID); now.Version != 2 || len(now.Holidays) != 2 {
			t.Fatalf("after refused updates: %+v", now)
		}
		v1, err := s.FindCalendarVersion(ctx, tn.ID, c.ID, 1)
		if err != nil || len(v1.Holidays) != 1 || v1.Version != 1 {
			t.Fatalf("version 1 = %+v %v", v1, err)
		}
		wantCode(t, s.DeleteCalendar(ctx, other.ID, c.ID), jobflow.ENOTFOUND)
		if err := s.DeleteCalendar(ctx, tn.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.FindCalendarByID(ctx, tn.ID, c.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
	})
}

// TestRunService_FindRunOutcomes: the latest run per logical time, top-level
// runs only, within the range (backfill reprocess).
func TestRunService_FindRunOutcomes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		day := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
		put := func(logical time.Time, started time.Time, st jobflow.RunStatus) {
			r := f.run(jobflow.TriggerBackfill, started)
			r.LogicalTime, r.Status = logical, st
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		put(day, day.Add(time.Hour), jobflow.RunFail)
		put(day, day.Add(2*time.Hour), jobflow.RunSuccess) // a later rerun succeeded
		put(day.AddDate(0, 0, 1), day.Add(25*time.Hour), jobflow.RunFail)
		put(day.AddDate(0, 0, 5), day.Add(121*time.Hour), jobflow.RunSuccess) // outside the range
		got, err := s.FindRunOutcomes(ctx, f.tenant.ID, f.wf.ID, day, day.AddDate(0, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[day.Unix()] != jobflow.RunSuccess || got[day.AddDate(0, 0, 1).Unix()] != jobflow.RunFail {
			t.Fatalf("FindRunOutcomes = %v", got)
		}
		if other, _ := s.FindRunOutcomes(ctx, f.other.ID, f.wf.ID, day, day.AddDate(0, 0, 2)); len(other) != 0 {
			t.Fatalf("another tenant sees %v", other)
		}
	})
}
