package cron

import (
	"testing"
	"time"
)

const layout = "2006-01-02 15:04:05"

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestExpr_Next checks the next fire times of many expressions in
// Asia/Shanghai (no daylight saving time). The expected times were worked
// out by hand from a calendar, not produced by this package.
func TestExpr_Next(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	const base = "2026-11-25 10:00:00" // a Wednesday
	tests := []struct {
		name, expr, after string
		want              []string // empty: no fire time at all
	}{
		{"QuartzDaily", "0 0 2 * * ?", base, []string{"2026-11-26 02:00:00", "2026-11-27 02:00:00"}},
		{"QuartzEvery5Min", "0 */5 * * * ?", base, []string{"2026-11-25 10:05:00", "2026-11-25 10:10:00"}},
		{"QuartzWeekdays", "0 0 12 ? * MON-FRI", base, []string{"2026-11-25 12:00:00", "2026-11-26 12:00:00", "2026-11-27 12:00:00", "2026-11-30 12:00:00"}},
		{"QuartzThirdFriday", "0 15 10 ? * 6#3", base, []string{"2026-12-18 10:15:00", "2027-01-15 10:15:00"}},
		{"QuartzLowerCaseNth", "0 15 10 ? * fri#3", base, []string{"2026-12-18 10:15:00"}},
		{"QuartzLowerCaseLast", "0 0 0 l * ?", base, []string{"2026-11-30 00:00:00"}},
		{"QuartzLastDay", "0 0 0 L * ?", base, []string{"2026-11-30 00:00:00", "2026-12-31 00:00:00", "2027-01-31 00:00:00", "2027-02-28 00:00:00"}},
		{"QuartzLastDayLeapYear", "0 0 0 L * ?", "2028-01-31 01:00:00", []string{"2028-02-29 00:00:00", "2028-03-31 00:00:00"}},
		{"QuartzLastDayMinus2", "0 0 0 L-2 * ?", base, []string{"2026-11-28 00:00:00", "2026-12-29 00:00:00"}},
		{"QuartzLastWeekday", "0 0 0 LW * ?", base, []string{"2026-11-30 00:00:00", "2026-12-31 00:00:00", "2027-01-29 00:00:00"}},
		{"QuartzNearestWeekdaySunday", "0 0 9 15W * ?", "2026-11-01 00:00:00", []string{"2026-11-16 09:00:00", "2026-12-15 09:00:00", "2027-01-15 09:00:00"}},
		{"QuartzNearestWeekdaySaturday", "0 0 9 15W * ?", "2026-08-01 00:00:00", []string{"2026-08-14 09:00:00"}},
		{"QuartzNearestWeekdayFirstIsSaturday", "0 0 0 1W * ?", "2026-07-31 00:00:00", []string{"2026-08-03 00:00:00"}},
		{"QuartzNearestWeekdayLastIsSunday", "0 0 0 31W * ?", "2026-05-01 00:00:00", []string{"2026-05-29 00:00:00", "2026-07-31 00:00:00"}},
		{"QuartzLastFriday", "0 0 0 ? * 6L", base, []string{"2026-11-27 00:00:00", "2026-12-25 00:00:00"}},
		{"QuartzFifthMonday", "0 0 0 ? * 2#5", base, []string{"2026-11-30 00:00:00", "2027-03-29 00:00:00"}},
		{"QuartzLAloneIsSaturday", "0 0 0 ? * L", base, []string{"2026-11-28 00:00:00", "2026-12-05 00:00:00"}},
		{"QuartzSundayIs1", "0 0 9 ? * 1", base, []string{"2026-11-29 09:00:00"}},
		{"QuartzSaturdayIs7", "0 0 9 ? * 7", base, []string{"2026-11-28 09:00:00"}},
		{"QuartzDayName", "0 0 9 ? * sun", base, []string{"2026-11-29 09:00:00"}},
		{"QuartzMonthNames", "0 0 0 1 JAN,JUL ?", base, []string{"2027-01-01 00:00:00", "2027-07-01 00:00:00"}},
		{"QuartzStepFromValue", "0 10/20 * * * ?", base, []string{"2026-11-25 10:10:00", "2026-11-25 10:30:00", "2026-11-25 10:50:00", "2026-11-25 11:10:00"}},
		{"QuartzRangeStep", "0 0 8-18/4 * * ?", base, []string{"2026-11-25 12:00:00", "2026-11-25 16:00:00", "2026-11-26 08:00:00"}},
		{"QuartzSeconds", "*/15 * * * * ?", base, []string{"2026-11-25 10:00:15", "2026-11-25 10:00:30"}},
		{"QuartzList", "0 0 6,18 * * ?", base, []string{"2026-11-25 18:00:00", "2026-11-26 06:00:00"}},
		{"QuartzStarStar", "0 0 6 * * *", base, []string{"2026-11-26 06:00:00"}},
		{"QuartzLeapDay", "0 0 0 29 2 ?", base, []string{"2028-02-29 00:00:00", "2032-02-29 00:00:00"}},
		{"QuartzDay31", "0 0 0 31 * ?", base, []string{"2026-12-31 00:00:00", "2027-01-31 00:00:00", "2027-03-31 00:00:00"}},
		{"QuartzYearRange", "0 0 0 1 1 ? 2027-2028", base, []string{"2027-01-01 00:00:00", "2028-01-01 00:00:00"}},
		{"QuartzYearPast", "0 0 0 1 1 ? 2020", base, nil},
		{"QuartzFeb30Never", "0 0 0 30 2 ?", base, nil},
		{"QuartzNoLeapDayIn2100", "0 0 0 29 2 ?", "2096-03-01 00:00:00", nil},
		{"QuartzYearEnd", "0 0 0 1 1 ?", "2026-12-31 23:59:59", []string{"2027-01-01 00:00:00"}},
		{"StrictlyAfter", "0 0 10 * * ?", base, []string{"2026-11-26 10:00:00"}},
		{"UnixDaily", "0 2 * * *", base, []string{"2026-11-26 02:00:00"}},
		{"UnixWeekdays", "30 8 * * 1-5", base, []string{"2026-11-26 08:30:00", "2026-11-27 08:30:00", "2026-11-30 08:30:00"}},
		{"UnixSundayIs0", "0 9 * * 0", base, []string{"2026-11-29 09:00:00", "2026-12-06 09:00:00"}},
		{"UnixSundayIs7", "0 9 * * 7", base, []string{"2026-11-29 09:00:00", "2026-12-06 09:00:00"}},
		{"UnixRangeTo7", "0 9 * * 6-7", base, []string{"2026-11-28 09:00:00", "2026-11-29 09:00:00", "2026-12-05 09:00:00"}},
		{"UnixDayName", "0 9 * * sat", base, []string{"2026-11-28 09:00:00"}},
		{"UnixMonthRange", "0 0 1 jan-mar *", base, []string{"2027-01-01 00:00:00", "2027-02-01 00:00:00", "2027-03-01 00:00:00"}},
		{"UnixDomOrDow", "0 0 1 * 1", base, []string{"2026-11-30 00:00:00", "2026-12-01 00:00:00", "2026-12-07 00:00:00"}},
		{"UnixStarStepDomAndDow", "0 0 */2 * 1", base, []string{"2026-12-07 00:00:00", "2026-12-21 00:00:00"}},
		{"UnixLeapDay", "0 0 29 2 *", base, []string{"2028-02-29 00:00:00"}},
		{"UnixQuestionMark", "0 0 ? * 1", base, []string{"2026-11-30 00:00:00"}},
		{"ShorthandDaily", "@daily", base, []string{"2026-11-26 00:00:00"}},
		{"ShorthandMonthly", "@monthly", base, []string{"2026-12-01 00:00:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			after, err := time.ParseInLocation(layout, tt.after, sh)
			if err != nil {
				t.Fatal(err)
			}
			got := e.NextN(after, sh, len(tt.want)+1)
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("NextN(%q) = %v, want no fire time", tt.expr, got)
				}
				if n := e.Next(after, sh); !n.IsZero() {
					t.Fatalf("Next = %v, want zero time", n)
				}
				return
			}
			if len(got) < len(tt.want) {
				t.Fatalf("NextN(%q) = %v, want at least %v", tt.expr, got, tt.want)
			}
			for i, w := range tt.want {
				if g := got[i].Format(layout); g != w {
					t.Errorf("fire %d of %q after %s = %s, want %s", i, tt.expr, tt.after, g, w)
				}
				if got[i].Location() != sh {
					t.Errorf("fire %d is in %v, want Asia/Shanghai", i, got[i].Location())
				}
			}
		})
	}
}

// TestExpr_Next_Exhausted checks that NextN stops when the year field runs out.
func TestExpr_Next_Exhausted(t *testing.T) {
	e, err := Parse("0 0 0 1 1 ? 2027-2028")
	if err != nil {
		t.Fatal(err)
	}
	got := e.NextN(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC, 10)
	if len(got) != 2 {
		t.Fatalf("NextN = %v, want 2 fire times", got)
	}
	if n := e.Next(got[1], time.UTC); !n.IsZero() {
		t.Fatalf("Next after the last year = %v, want zero", n)
	}
}

// TestExpr_Next_NilLocation checks that a nil location means UTC.
func TestExpr_Next_NilLocation(t *testing.T) {
	e, err := Parse("0 0 2 * * ?")
	if err != nil {
		t.Fatal(err)
	}
	got := e.Next(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC), nil)
	if want := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Next = %v, want %v", got, want)
	}
}

// TestExpr_Next_SubSecond checks that fire times are whole seconds strictly
// after a time with a fraction of a second.
func TestExpr_Next_SubSecond(t *testing.T) {
	e, err := Parse("* * * * * ?")
	if err != nil {
		t.Fatal(err)
	}
	after := time.Date(2026, 11, 25, 10, 0, 0, 500_000_000, time.UTC)
	if got, want := e.Next(after, time.UTC), time.Date(2026, 11, 25, 10, 0, 1, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Next = %v, want %v", got, want)
	}
}

// BenchmarkExpr_Next measures one Next call for a frequent, a daily, a
// month-end and a rare expression in a zone with daylight saving time.
func BenchmarkExpr_Next(b *testing.B) {
	loc := mustLoc(b, "Europe/Berlin")
	after := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	for _, expr := range []string{"0 */5 * * * ?", "0 0 2 * * ?", "0 0 0 LW * ?", "0 0 0 29 2 ?", "0 0 0 1 1 ? 2099"} {
		e, err := Parse(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			for b.Loop() {
				if e.Next(after, loc).IsZero() {
					b.Fatal("no fire time")
				}
			}
		})
	}
}

// BenchmarkParse measures parsing a typical Quartz expression.
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("0 0/15 8-18 ? JAN-NOV MON-FRI 2026-2030"); err != nil {
			b.Fatal(err)
		}
	}
}
