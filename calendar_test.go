package jobflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"jobflow"
)

func TestCalendar_Validate(t *testing.T) {
	ok := jobflow.Calendar{Name: "cn", Holidays: []string{"2026-10-02", "2026-10-01", "2026-10-01"}, Workdays: []string{"2026-10-10"}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(ok.Holidays, ",") != "2026-10-01,2026-10-02" || ok.Timezone != "Asia/Shanghai" || len(ok.Weekdays) != 5 {
		t.Errorf("normalized = %+v", ok)
	}
	tests := []struct {
		name  string
		c     jobflow.Calendar
		field string
	}{
		{"no name", jobflow.Calendar{}, "name"},
		{"zone", jobflow.Calendar{Name: "x", Timezone: "Mars/Base"}, "timezone"},
		{"weekday 0", jobflow.Calendar{Name: "x", Weekdays: []int{0}}, "weekdays"},
		{"weekday 8", jobflow.Calendar{Name: "x", Weekdays: []int{8}}, "weekdays"},
		{"bad holiday", jobflow.Calendar{Name: "x", Holidays: []string{"2026-13-01"}}, "holidays"},
		{"old holiday", jobflow.Calendar{Name: "x", Holidays: []string{"1999-01-01"}}, "holidays"},
		{"bad workday", jobflow.Calendar{Name: "x", Workdays: []string{"tomorrow"}}, "workdays"},
		{"both", jobflow.Calendar{Name: "x", Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-01"}}, "workdays"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		var e *jobflow.Error
		if !errors.As(err, &e) || e.Code != jobflow.EINVALID || fieldOf(e) != tt.field {
			t.Errorf("%s: err = %v, want INVALID on %s", tt.name, err, tt.field)
		}
	}
}

func TestCalendar_Import(t *testing.T) {
	ics := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261004\r\nSUMMARY:国庆节 休\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\nSUMMARY:国庆节 补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	h, w, err := jobflow.ParseCalendarImport("ICS", ics)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(h, ",") != "2026-10-01,2026-10-02,2026-10-03" || strings.Join(w, ",") != "2026-10-10" {
		t.Errorf("ICS: holidays %v workdays %v", h, w)
	}
	h, w, err = jobflow.ParseCalendarImport("LIST", "# 2026\n2026-01-01\n2026-02-16 HOLIDAY\n2026-02-14 workday # make-up\n")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(h, ",") != "2026-01-01,2026-02-16" || strings.Join(w, ",") != "2026-02-14" {
		t.Errorf("LIST: holidays %v workdays %v", h, w)
	}
	for _, bad := range []struct{ format, content, field string }{
		{"LIST", "2026-02-30\n", "content"}, {"LIST", "2026-02-01 MAYBE\n", "content"},
		{"ICS", "BEGIN:VCALENDAR\nEND:VCALENDAR\n", "content"}, {"XML", "", "format"},
	} {
		_, _, err := jobflow.ParseCalendarImport(bad.format, bad.content)
		var e *jobflow.Error
		if !errors.As(err, &e) || fieldOf(e) != bad.field {
			t.Errorf("%s %q: err = %v, want INVALID on %s", bad.format, bad.content, err, bad.field)
		}
	}
}

func TestSchedule_CronsCalendarDST(t *testing.T) {
	for _, tt := range []struct {
		name  string
		set   func(s *jobflow.Schedule)
		field string
	}{
		{"bad crons", func(s *jobflow.Schedule) { s.Crons = []string{"0 0 9 * * ?", "0 0 25 * * ?"} }, "schedule.crons[1]"},
		{"too many", func(s *jobflow.Schedule) { s.Crons = make([]string, 10); s.Crons[0] = "0 0 1 * * ?" }, "schedule.crons"},
		{"dst missing", func(s *jobflow.Schedule) { s.DST = &jobflow.DSTPolicy{Missing: "LATER"} }, "schedule.dst.missing"},
		{"dst repeated", func(s *jobflow.Schedule) { s.DST = &jobflow.DSTPolicy{Repeated: "THRICE"} }, "schedule.dst.repeated"},
		{"calendar id", func(s *jobflow.Schedule) { s.Calendar = &jobflow.ScheduleCalendar{} }, "schedule.calendar.id"},
		{"calendar policy", func(s *jobflow.Schedule) { s.Calendar = &jobflow.ScheduleCalendar{ID: "cal_x", Policy: "MAYBE"} }, "schedule.calendar.policy"},
	} {
		c := jobflow.DefaultConfig()
		c.Schedule.Cron = "0 0 2 * * ?"
		tt.set(&c.Schedule)
		err := c.Validate()
		var e *jobflow.Error
		if !errors.As(err, &e) || fieldOf(e) != tt.field {
			t.Errorf("%s: err = %v, want INVALID on %s", tt.name, err, tt.field)
		}
	}
	c := jobflow.DefaultConfig()
	if c.Schedule.DST == nil || c.Schedule.DST.Missing != "SHIFT" || c.Schedule.DST.Repeated != "ONCE" {
		t.Errorf("default dst = %+v, want SHIFT ONCE", c.Schedule.DST)
	}
	// Crons only, merged with a calendar under SKIP.
	s := jobflow.Schedule{Crons: []string{"0 0 9 * * ?", "0 0 18 * * ?"}, Timezone: "Asia/Shanghai",
		Calendar: &jobflow.ScheduleCalendar{ID: "cal_x", Policy: "SKIP"}}
	cal := &jobflow.Calendar{Name: "c", Holidays: []string{"2026-10-01"}}
	if err := cal.Validate(); err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	got, err := s.NextTimes(time.Date(2026, 9, 30, 12, 0, 0, 0, sh), 3, cal)
	if err != nil {
		t.Fatal(err)
	}
	var gs []string
	for _, x := range got {
		gs = append(gs, x.In(sh).Format("01-02 15:04"))
	}
	if strings.Join(gs, ",") != "09-30 18:00,10-02 09:00,10-02 18:00" {
		t.Errorf("NextTimes = %v", gs)
	}
}

func fieldOf(e *jobflow.Error) string {
	m, _ := e.Details.(map[string]string)
	return m["field"]
}
