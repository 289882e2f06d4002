package cron

import (
	"reflect"
	"strings"
	"testing"
)

// TestParse_Errors checks that every bad input is refused with a message
// that names the field and its position.
func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"QuartzSecond", "60 * * * * ?", `field "second" (1st): value 60 out of range 0-59`},
		{"QuartzMinute", "0 60 * * * ?", `field "minute" (2nd): value 60 out of range 0-59`},
		{"QuartzHour", "0 0 25 * * ?", `field "hour" (3rd): value 25 out of range 0-23`},
		{"QuartzDayOfMonth", "0 0 0 32 * ?", `field "day-of-month" (4th): value 32 out of range 1-31`},
		{"QuartzMonth", "0 0 0 ? 13 MON", `field "month" (5th): value 13 out of range 1-12`},
		{"QuartzDayOfWeek8", "0 0 0 ? * 8", `field "day-of-week" (6th): value 8 out of range 1-7`},
		{"QuartzDayOfWeek0", "0 0 0 ? * 0", `field "day-of-week" (6th): value 0 out of range 1-7`},
		{"QuartzYear", "0 0 0 1 1 ? 1969", `field "year" (7th): value 1969 out of range 1970-2099`},
		{"UnixMinute", "60 * * * *", `field "minute" (1st): value 60 out of range 0-59`},
		{"UnixHour", "* 24 * * *", `field "hour" (2nd): value 24 out of range 0-23`},
		{"UnixDayOfMonth", "* * 0 * *", `field "day-of-month" (3rd): value 0 out of range 1-31`},
		{"UnixMonth", "* * * 0 *", `field "month" (4th): value 0 out of range 1-12`},
		{"UnixDayOfWeek", "* * * * 8", `field "day-of-week" (5th): value 8 out of range 0-7`},
		{"TooFewFields", "* * * *", "got 4 field(s)"},
		{"TooManyFields", "0 0 0 1 1 ? 2030 x", "got 8 field(s)"},
		{"Empty", "   ", "cron expression is empty"},
		{"TooLong", strings.Repeat("1,", 300) + "1 * * * *", "too long"},
		{"BothQuestionMarks", "0 0 0 ? * ?", `"?" may not be used in both`},
		{"BothRestricted", "0 0 0 1 * MON", "may not both be restricted"},
		{"BothRestrictedStep", "0 0 0 */2 * MON", "may not both be restricted"},
		{"QuestionMarkInHour", "0 0 ? * * ?", `field "hour" (3rd): "?" is only allowed in day-of-month and day-of-week`},
		{"QuestionMarkInList", "0 0 0 ?,1 * MON", `field "day-of-month" (4th): "?" must stand alone`},
		{"LastDayInUnix", "0 0 L * *", `field "day-of-month" (3rd): L, W and # are only supported in the 6/7-field Quartz form`},
		{"NthInUnix", "0 0 * * 1#2", `field "day-of-week" (5th): L, W and # are only supported`},
		{"LInHour", "0 0 L * * ?", `field "hour" (3rd): invalid value "L"`},
		{"ReversedRange", "0 0 5-3 * * ?", `field "hour" (3rd): range 5-3: start is after end`},
		{"WrappingDayRange", "0 0 0 ? * FRI-MON", `field "day-of-week" (6th): range FRI-MON: start is after end`},
		{"StepZero", "0 */0 * * * ?", `field "minute" (2nd): step 0 out of range 1-60`},
		{"StepTooBig", "0 0 */25 * * ?", `field "hour" (3rd): step 25 out of range 1-24`},
		{"StepNotNumber", "0 */x * * * ?", `field "minute" (2nd): invalid step "x"`},
		{"NotANumber", "0 a * * * ?", `field "minute" (2nd): invalid value "a"`},
		{"Negative", "-1 * * * *", `field "minute" (1st): missing value`},
		{"Plus", "+1 * * * *", `field "minute" (1st): invalid value "+1"`},
		{"EmptyListItem", "0 1,,2 * * * ?", `field "minute" (2nd): empty list item`},
		{"DayNameInMonth", "0 0 0 1 MON ?", `field "month" (5th): invalid value "MON"`},
		{"NthOutOfRange", "0 0 0 ? * 2#6", `field "day-of-week" (6th): invalid "2#6": expected d#n with n 1-5`},
		{"NthBadDay", "0 0 0 ? * 9#2", `field "day-of-week" (6th): value 9 out of range 1-7`},
		{"LastDowBadDay", "0 0 0 ? * 0L", `field "day-of-week" (6th): value 0 out of range 1-7`},
		{"LInList", "0 0 0 L,5 * ?", `field "day-of-month" (4th): invalid "L,5": L and W must stand alone`},
		{"NthInList", "0 0 0 ? * 1#2,3", `field "day-of-week" (6th): invalid "1#2,3": L and # must stand alone`},
		{"WOutOfRange", "0 0 0 32W * ?", `field "day-of-month" (4th): invalid "32W": expected nW with n 1-31`},
		{"LOffsetTooBig", "0 0 0 L-31 * ?", `field "day-of-month" (4th): invalid "L-31": expected L-n with n 0-30`},
		{"MissingRangeEnd", "0 0 0 ? * MON-", `field "day-of-week" (6th): missing value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error containing %q", tt.expr, e, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) error = %q, want it to contain %q", tt.expr, err, tt.want)
			}
		})
	}
}

// TestParse_String checks the normalized text of an expression.
func TestParse_String(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"  0  0 2 * *  ? ", "0 0 2 * * ?"},
		{"0 0 12 ? * mon-fri", "0 0 12 ? * MON-FRI"},
		{"@daily", "0 0 * * *"},
		{"@Hourly", "0 * * * *"},
		{"0 0 0 1 1 ? 2030", "0 0 0 1 1 ? 2030"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		if got := e.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// TestExpr_Fields checks the exported field sets, in particular that
// day-of-week always uses 0 = Sunday whatever the input form.
func TestExpr_Fields(t *testing.T) {
	all := func(lo, hi int) []int {
		var out []int
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
		return out
	}
	tests := []struct {
		expr string
		want Fields
	}{
		{"30 8 * * 1-5", Fields{Second: []int{0}, Minute: []int{30}, Hour: []int{8}, DayOfMonth: all(1, 31), Month: all(1, 12),
			DayOfWeek: []int{1, 2, 3, 4, 5}, DayOfMonthAny: true, LastDayOfWeek: -1}},
		{"0 9 * * 7", Fields{Second: []int{0}, Minute: []int{0}, Hour: []int{9}, DayOfMonth: all(1, 31), Month: all(1, 12),
			DayOfWeek: []int{0}, DayOfMonthAny: true, LastDayOfWeek: -1}},
		{"0 0 1 * 1", Fields{Second: []int{0}, Minute: []int{0}, Hour: []int{0}, DayOfMonth: []int{1}, Month: all(1, 12),
			DayOfWeek: []int{1}, LastDayOfWeek: -1}},
		{"0 0 9 ? * 1,7 2027/2", Fields{Quartz: true, Second: []int{0}, Minute: []int{0}, Hour: []int{9}, DayOfMonth: all(1, 31),
			Month: all(1, 12), DayOfWeek: []int{0, 6}, Year: []int{2027, 2029, 2031}[:0], DayOfMonthAny: true, LastDayOfWeek: -1}},
		{"0 15 10 ? * 6#3", Fields{Quartz: true, Second: []int{0}, Minute: []int{15}, Hour: []int{10}, DayOfMonth: all(1, 31),
			Month: all(1, 12), DayOfMonthAny: true, LastDayOfWeek: -1, NthDayOfWeek: 5, NthWeek: 3}},
		{"0 0 0 ? * 6L", Fields{Quartz: true, Second: []int{0}, Minute: []int{0}, Hour: []int{0}, DayOfMonth: all(1, 31),
			Month: all(1, 12), DayOfMonthAny: true, LastDayOfWeek: 5}},
		{"0 0 0 L-3 FEB ?", Fields{Quartz: true, Second: []int{0}, Minute: []int{0}, Hour: []int{0}, Month: []int{2},
			DayOfWeek: all(0, 6), DayOfWeekAny: true, LastDayOfMonth: true, LastDayOffset: 3, LastDayOfWeek: -1}},
		{"0 0 0 LW * ?", Fields{Quartz: true, Second: []int{0}, Minute: []int{0}, Hour: []int{0}, Month: all(1, 12),
			DayOfWeek: all(0, 6), DayOfWeekAny: true, LastWeekdayOfMonth: true, LastDayOfWeek: -1}},
		{"0 0 0 15W * ?", Fields{Quartz: true, Second: []int{0}, Minute: []int{0}, Hour: []int{0}, Month: all(1, 12),
			DayOfWeek: all(0, 6), DayOfWeekAny: true, NearestWeekday: 15, LastDayOfWeek: -1}},
	}
	// The year list of the fourth case: every second year from 2027 to 2099.
	for y := 2027; y <= 2099; y += 2 {
		tests[3].want.Year = append(tests[3].want.Year, y)
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		if got := e.Fields(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q).Fields() =\n%+v\nwant\n%+v", tt.expr, got, tt.want)
		}
	}
}
