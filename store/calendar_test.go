package store_test

import (
	"testing"

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
