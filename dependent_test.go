package jobflow

import (
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDependentWindow: every window, in a zone without DST, across both
// DST changes of New York and Berlin, at month and year ends, on Mondays
// and Sundays.
func TestDependentWindow(t *testing.T) {
	sh, ny, be := mustZone(t, "Asia/Shanghai"), mustZone(t, "America/New_York"), mustZone(t, "Europe/Berlin")
	at := func(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
		return time.Date(y, mo, d, h, mi, 0, 0, loc)
	}
	cases := []struct {
		name     string
		window   string
		logical  time.Time
		from, to time.Time
	}{
		// Wednesday 2026-11-25 02:30 in Shanghai.
		{"today", "today", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 25, 0, 0), at(sh, 2026, 11, 26, 0, 0)},
		{"yesterday", "yesterday", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 24, 0, 0), at(sh, 2026, 11, 25, 0, 0)},
		{"thisHour", "thisHour", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 25, 2, 0), at(sh, 2026, 11, 25, 3, 0)},
		{"lastHour", "lastHour", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 25, 1, 0), at(sh, 2026, 11, 25, 2, 0)},
		{"lastNHours", "lastNHours:3", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 24, 23, 0), at(sh, 2026, 11, 25, 2, 0)},
		{"thisWeek", "thisWeek", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 23, 0, 0), at(sh, 2026, 11, 26, 0, 0)},
		{"lastWeek", "lastWeek", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 16, 0, 0), at(sh, 2026, 11, 23, 0, 0)},
		{"thisMonth", "thisMonth", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 1, 0, 0), at(sh, 2026, 11, 26, 0, 0)},
		{"lastMonth", "lastMonth", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 10, 1, 0, 0), at(sh, 2026, 11, 1, 0, 0)},
		{"lastNDays", "lastNDays:7", at(sh, 2026, 11, 25, 2, 30), at(sh, 2026, 11, 18, 0, 0), at(sh, 2026, 11, 25, 0, 0)},
		// Midnight belongs to its own day; Sunday ends its week, Monday starts one.
		{"todayAtMidnight", "today", at(sh, 2026, 11, 25, 0, 0), at(sh, 2026, 11, 25, 0, 0), at(sh, 2026, 11, 26, 0, 0)},
		{"thisWeekSunday", "thisWeek", at(sh, 2026, 11, 29, 23, 59), at(sh, 2026, 11, 23, 0, 0), at(sh, 2026, 11, 30, 0, 0)},
		{"thisWeekMonday", "thisWeek", at(sh, 2026, 11, 30, 0, 0), at(sh, 2026, 11, 30, 0, 0), at(sh, 2026, 12, 1, 0, 0)},
		{"lastWeekMonday", "lastWeek", at(sh, 2026, 11, 30, 8, 0), at(sh, 2026, 11, 23, 0, 0), at(sh, 2026, 11, 30, 0, 0)},
		{"lastWeekAcrossYear", "lastWeek", at(sh, 2027, 1, 1, 8, 0), at(sh, 2026, 12, 21, 0, 0), at(sh, 2026, 12, 28, 0, 0)},
		// Month and year ends, leap and common Februaries.
		{"yesterdayNewYear", "yesterday", at(sh, 2027, 1, 1, 2, 0), at(sh, 2026, 12, 31, 0, 0), at(sh, 2027, 1, 1, 0, 0)},
		{"lastMonthJanuary", "lastMonth", at(sh, 2027, 1, 31, 2, 0), at(sh, 2026, 12, 1, 0, 0), at(sh, 2027, 1, 1, 0, 0)},
		{"lastMonthMarch31", "lastMonth", at(sh, 2026, 3, 31, 2, 0), at(sh, 2026, 2, 1, 0, 0), at(sh, 2026, 3, 1, 0, 0)},
		{"thisMonthFeb29", "thisMonth", at(sh, 2028, 2, 29, 23, 0), at(sh, 2028, 2, 1, 0, 0), at(sh, 2028, 3, 1, 0, 0)},
		{"yesterdayMarch1Leap", "yesterday", at(sh, 2028, 3, 1, 1, 0), at(sh, 2028, 2, 29, 0, 0), at(sh, 2028, 3, 1, 0, 0)},
		{"lastNDaysMarch1", "lastNDays:3", at(sh, 2026, 3, 1, 1, 0), at(sh, 2026, 2, 26, 0, 0), at(sh, 2026, 3, 1, 0, 0)},
		{"lastNHoursMidnight", "lastNHours:2", at(sh, 2026, 12, 1, 0, 10), at(sh, 2026, 11, 30, 22, 0), at(sh, 2026, 12, 1, 0, 0)},
		// New York springs forward on 2026-03-08 (02:00 EST -> 03:00 EDT): that day is 23 hours.
		{"yesterdayShortDay", "yesterday", at(ny, 2026, 3, 9, 2, 0), at(ny, 2026, 3, 8, 0, 0), at(ny, 2026, 3, 9, 0, 0)},
		{"todayShortDay", "today", at(ny, 2026, 3, 8, 12, 0), at(ny, 2026, 3, 8, 0, 0), at(ny, 2026, 3, 9, 0, 0)},
		{"lastHourAfterSpring", "lastHour", at(ny, 2026, 3, 8, 3, 30), at(ny, 2026, 3, 8, 1, 0), at(ny, 2026, 3, 8, 3, 0)},
		{"lastNHoursSpring", "lastNHours:3", at(ny, 2026, 3, 8, 4, 30), at(ny, 2026, 3, 8, 0, 0), at(ny, 2026, 3, 8, 4, 0)},
		{"thisWeekSpring", "thisWeek", at(ny, 2026, 3, 10, 9, 0), at(ny, 2026, 3, 9, 0, 0), at(ny, 2026, 3, 11, 0, 0)},
		{"lastWeekSpring", "lastWeek", at(ny, 2026, 3, 10, 9, 0), at(ny, 2026, 3, 2, 0, 0), at(ny, 2026, 3, 9, 0, 0)},
		{"lastNDaysSpring", "lastNDays:2", at(ny, 2026, 3, 9, 9, 0), at(ny, 2026, 3, 7, 0, 0), at(ny, 2026, 3, 9, 0, 0)},
		{"lastMonthSpring", "lastMonth", at(ny, 2026, 4, 1, 0, 30), at(ny, 2026, 3, 1, 0, 0), at(ny, 2026, 4, 1, 0, 0)},
		// Berlin falls back on 2026-10-25 (03:00 CEST -> 02:00 CET): that day is 25 hours.
		{"yesterdayLongDay", "yesterday", at(be, 2026, 10, 26, 6, 0), at(be, 2026, 10, 25, 0, 0), at(be, 2026, 10, 26, 0, 0)},
		{"thisMonthLongDay", "thisMonth", at(be, 2026, 10, 31, 23, 0), at(be, 2026, 10, 1, 0, 0), at(be, 2026, 11, 1, 0, 0)},
		{"lastMonthAfterFall", "lastMonth", at(be, 2026, 11, 1, 0, 30), at(be, 2026, 10, 1, 0, 0), at(be, 2026, 11, 1, 0, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, to, err := DependentWindow(c.window, c.logical, c.logical.Location())
			if err != nil {
				t.Fatal(err)
			}
			if !from.Equal(c.from) || !to.Equal(c.to) {
				t.Fatalf("%s at %v: [%v, %v), want [%v, %v)", c.window, c.logical, from, to, c.from, c.to)
			}
		})
	}

	// The window follows the zone, not UTC: 2026-11-25 02:30 in Shanghai is
	// still 11-24 in UTC, whose "today" is another day.
	l := at(sh, 2026, 11, 25, 2, 30)
	if from, _, _ := DependentWindow("today", l, time.UTC); !from.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("today in UTC starts %v", from)
	}

	// Lengths across the DST changes: 23 h, 25 h; an hour is always an hour.
	from, to, _ := DependentWindow("yesterday", at(ny, 2026, 3, 9, 2, 0), ny)
	if d := to.Sub(from); d != 23*time.Hour {
		t.Errorf("the spring-forward day lasts %v, want 23h", d)
	}
	from, to, _ = DependentWindow("yesterday", at(be, 2026, 10, 26, 6, 0), be)
	if d := to.Sub(from); d != 25*time.Hour {
		t.Errorf("the fall-back day lasts %v, want 25h", d)
	}
	// In Berlin's repeated hour 02:00-03:00, the second 02:30 (CET)'s last
	// hour is the first 02:00-03:00 (CEST): absolute hours.
	second := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST is 00:30 UTC; 02:30 CET is 01:30 UTC
	second = second.Add(time.Hour).In(be)
	from, to, _ = DependentWindow("lastHour", second, be)
	if !from.Equal(time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)) || to.Sub(from) != time.Hour {
		t.Errorf("lastHour of the second 02:30: [%v, %v)", from.UTC(), to.UTC())
	}
	// A zone half an hour off UTC: hours start at :00 local time.
	kol := mustZone(t, "Asia/Kolkata")
	from, _, _ = DependentWindow("thisHour", at(kol, 2026, 11, 25, 2, 45), kol)
	if !from.Equal(at(kol, 2026, 11, 25, 2, 0)) {
		t.Errorf("thisHour in Kolkata starts %v", from.In(kol))
	}
}

func TestDependentWindow_Invalid(t *testing.T) {
	for _, w := range []string{"", "tomorrow", "lastNHours", "lastNHours:", "lastNHours:0", "lastNHours:721",
		"lastNDays:-1", "lastNDays:x", "lastNDays:07", "lastNDays:367", "today:1", "Today"} {
		if _, _, err := DependentWindow(w, time.Now(), time.UTC); err == nil {
			t.Errorf("window %q accepted", w)
		}
	}
	for _, w := range []string{"lastNHours:720", "lastNDays:366", "lastNDays:1"} {
		if _, _, err := DependentWindow(w, time.Now(), time.UTC); err != nil {
			t.Errorf("window %q: %v", w, err)
		}
	}
}
