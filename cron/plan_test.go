package cron

import (
	"strings"
	"testing"
	"time"
)

// TestPlan_DST checks the daylight-saving policies on the change days of
// 2026 in Europe/Berlin (spring 29 March 02:00→03:00, autumn 25 October
// 03:00→02:00), America/New_York (8 March 02:00→03:00, 1 November
// 02:00→01:00) and Australia/Sydney (autumn 5 April 03:00→02:00, spring
// 4 October 02:00→03:00). Times are UTC.
func TestPlan_DST(t *testing.T) {
	tests := []struct {
		name, zone, expr, missing, repeated, after string
		want                                       []string
	}{
		// Berlin spring: 02:30 does not exist.
		{"BerlinSpringShift", "Europe/Berlin", "0 30 2 * * ?", MissingShift, RepeatedOnce, "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}}, // 03:30 CEST, then 02:30 CEST
		{"BerlinSpringSkip", "Europe/Berlin", "0 30 2 * * ?", MissingSkip, RepeatedOnce, "2026-03-28T12:00:00Z",
			[]string{"2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"}},
		{"BerlinSpringHourlyShiftDedup", "Europe/Berlin", "0 0 * * * ?", MissingShift, RepeatedOnce, "2026-03-29T00:30:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"}}, // 02:00 shifts onto 03:00: one fire
		{"BerlinSpringEvery20Shift", "Europe/Berlin", "0 */20 2 * * ?", MissingShift, RepeatedOnce, "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-29T01:20:00Z", "2026-03-29T01:40:00Z", "2026-03-30T00:00:00Z"}},
		// Berlin autumn: 02:30 happens at 00:30Z (CEST) and 01:30Z (CET).
		{"BerlinAutumnOnce", "Europe/Berlin", "0 30 2 * * ?", MissingShift, RepeatedOnce, "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"BerlinAutumnTwice", "Europe/Berlin", "0 30 2 * * ?", MissingShift, RepeatedTwice, "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"}},
		{"BerlinAutumnHourlyOnce", "Europe/Berlin", "0 0 * * * ?", MissingShift, RepeatedOnce, "2026-10-24T23:30:00Z",
			[]string{"2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"}}, // 02:00 CEST, 03:00 CET
		// New York.
		{"NewYorkSpringShift", "America/New_York", "30 2 * * *", MissingShift, RepeatedOnce, "2026-03-07T12:00:00Z",
			[]string{"2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"}}, // 03:30 EDT
		{"NewYorkSpringSkip", "America/New_York", "30 2 * * *", MissingSkip, RepeatedTwice, "2026-03-07T12:00:00Z",
			[]string{"2026-03-09T06:30:00Z"}},
		{"NewYorkAutumnOnce", "America/New_York", "0 30 1 * * ?", MissingShift, RepeatedOnce, "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		{"NewYorkAutumnTwice", "America/New_York", "0 30 1 * * ?", MissingSkip, RepeatedTwice, "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"}},
		// Sydney (UTC+10/+11): autumn 5 April 03:00 AEDT → 02:00 AEST at 16:00Z on the 4th,
		// spring 4 October 02:00 AEST → 03:00 AEDT at 16:00Z on the 3rd.
		{"SydneyAutumnOnce", "Australia/Sydney", "0 30 2 * * ?", MissingShift, RepeatedOnce, "2026-04-04T00:00:00Z",
			[]string{"2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"}},
		{"SydneyAutumnTwice", "Australia/Sydney", "0 30 2 * * ?", MissingShift, RepeatedTwice, "2026-04-04T00:00:00Z",
			[]string{"2026-04-04T15:30:00Z", "2026-04-04T16:30:00Z", "2026-04-05T16:30:00Z"}},
		{"SydneySpringShift", "Australia/Sydney", "0 30 2 * * ?", MissingShift, RepeatedOnce, "2026-10-02T00:00:00Z",
			[]string{"2026-10-02T16:30:00Z", "2026-10-03T16:30:00Z", "2026-10-04T15:30:00Z"}}, // 03:30 AEDT on the 4th
		{"SydneySpringSkip", "Australia/Sydney", "0 30 2 * * ?", MissingSkip, RepeatedOnce, "2026-10-02T00:00:00Z",
			[]string{"2026-10-02T16:30:00Z", "2026-10-04T15:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{Exprs: []*Expr{mustParse(t, tt.expr)}, Loc: mustLoc(t, tt.zone), Missing: tt.missing, Repeated: tt.repeated}
			after, _ := time.Parse(time.RFC3339, tt.after)
			got := p.NextN(after, len(tt.want))
			var gs []string
			for _, f := range got {
				gs = append(gs, f.Time.UTC().Format(time.RFC3339))
			}
			if strings.Join(gs, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("NextN =\n %v\nwant\n %v", gs, tt.want)
			}
			for _, f := range got { // Decide agrees with Next
				if ok, _ := p.Decide(f.Time); !ok {
					t.Errorf("Decide(%v) = false", f.Time)
				}
				if ok, _ := p.Decide(f.Time.Add(time.Second)); ok {
					t.Errorf("Decide(%v) = true", f.Time.Add(time.Second))
				}
			}
		})
	}
}

// TestPlan_Calendar checks SKIP and DRY_RUN calendars, make-up workdays
// and several crons merged.
func TestPlan_Calendar(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	cal := &Calendar{Loc: sh, Holidays: map[int]bool{DateKey(2026, 10, 1): true, DateKey(2026, 10, 2): true},
		Workdays: map[int]bool{DateKey(2026, 10, 10): true}} // Saturday 10 October is a make-up day
	for d := 1; d <= 5; d++ {
		cal.Weekdays[d] = true
	}
	after := time.Date(2026, 9, 30, 12, 0, 0, 0, sh)
	p := &Plan{Exprs: []*Expr{mustParse(t, "0 0 2 * * ?")}, Loc: sh, Calendar: cal, Policy: CalendarSkip}
	var got []string
	for _, f := range p.NextN(after, 7) {
		got = append(got, f.Time.In(sh).Format("01-02"))
	}
	if want := "10-05 10-06 10-07 10-08 10-09 10-10 10-12"; strings.Join(got, " ") != want {
		t.Errorf("SKIP fires on %v, want %s", got, want)
	}
	if ok, _ := p.Decide(time.Date(2026, 10, 1, 2, 0, 0, 0, sh)); ok {
		t.Error("SKIP: a holiday is a fire")
	}
	p.Policy = CalendarDryRun
	got = nil
	for _, f := range p.NextN(after, 4) {
		got = append(got, f.Time.In(sh).Format("01-02")+map[bool]string{true: "", false: "(dry)"}[f.CalendarDay])
	}
	if want := "10-01(dry) 10-02(dry) 10-03(dry) 10-04(dry)"; strings.Join(got, " ") != want {
		t.Errorf("DRY_RUN fires %v, want %s", got, want)
	}
	if ok, day := p.Decide(time.Date(2026, 10, 1, 2, 0, 0, 0, sh)); !ok || day {
		t.Errorf("DRY_RUN Decide(holiday) = %v %v, want true false", ok, day)
	}
	// Several crons merge, a shared time fires once.
	m := &Plan{Exprs: []*Expr{mustParse(t, "0 0 9 * * ?"), mustParse(t, "0 0 9,18 * * ?"), mustParse(t, "30 12 * * *")}, Loc: sh}
	got = nil
	for _, f := range m.NextN(time.Date(2026, 10, 1, 0, 0, 0, 0, sh), 4) {
		got = append(got, f.Time.In(sh).Format("02 15:04"))
	}
	if want := "01 09:00 01 12:30 01 18:00 02 09:00"; strings.Join(got, " ") != want {
		t.Errorf("merged crons fire %v, want %s", got, want)
	}
}

func mustParse(t *testing.T, s string) *Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestPlan_CalendarEverySecond: a SKIP calendar passes over whole days, so
// an every-second cron finds Monday's first second after a long weekend.
func TestPlan_CalendarEverySecond(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	cal := &Calendar{Loc: sh, Holidays: map[int]bool{DateKey(2026, 10, 5): true}}
	for d := 1; d <= 5; d++ {
		cal.Weekdays[d] = true
	}
	p := &Plan{Exprs: []*Expr{mustParse(t, "* * * * * ?")}, Loc: sh, Calendar: cal}
	f := p.Next(time.Date(2026, 10, 2, 23, 59, 59, 0, sh)) // Friday's last second
	if want := time.Date(2026, 10, 6, 0, 0, 0, 0, sh); !f.Time.Equal(want) {
		t.Fatalf("Next = %v, want %v", f.Time, want)
	}
}

func TestFirstOccurrence(t *testing.T) {
	berlin, sydney := mustLoc(t, "Europe/Berlin"), mustLoc(t, "Australia/Sydney")
	for _, tt := range []struct {
		loc       *time.Location
		at, first string // UTC; first "" = not a second occurrence
	}{
		{berlin, "2026-10-25T01:30:00Z", "2026-10-25T00:30:00Z"},
		{berlin, "2026-10-25T00:30:00Z", ""},
		{berlin, "2026-10-25T02:30:00Z", ""},
		{sydney, "2026-04-04T16:30:00Z", "2026-04-04T15:30:00Z"},
		{sydney, "2026-04-04T15:30:00Z", ""},
	} {
		at, _ := time.Parse(time.RFC3339, tt.at)
		got := FirstOccurrence(at, tt.loc)
		if (tt.first == "") != got.IsZero() || (tt.first != "" && got.UTC().Format(time.RFC3339) != tt.first) {
			t.Errorf("FirstOccurrence(%s) = %v, want %q", tt.at, got, tt.first)
		}
	}
}
