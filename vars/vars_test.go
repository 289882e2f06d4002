package vars

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestResolve checks every variable kind. Expected values were worked out
// by hand from a calendar (2026-11-25 is a Wednesday).
func TestResolve(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	params := map[string]string{"dt": "2020-01-01", "name": "o'brien", "tricky": "${qing.current_date}"}
	tests := []struct {
		name, text, at, want string
	}{
		{"CurrentDate", "${qing.current_date}", "2026-11-25 02:00:00", "2026-11-25"},
		{"CurrentDate1", "${qing.current_date1}", "2026-11-25 02:00:00", "20261125"},
		{"CurrentDatetime", "${qing.current_datetime}", "2026-11-25 02:00:00", "2026-11-25 02:00:00"},
		{"CurrentYear", "${qing.current_year}", "2026-11-25 02:00:00", "2026"},
		{"CurrentMonth", "${qing.current_month}", "2026-11-25 02:00:00", "11"},
		{"CurrentMonthPadded", "${qing.current_month}", "2026-03-05 02:00:00", "03"},
		{"CurrentDay", "${qing.current_day}", "2026-03-05 02:00:00", "05"},
		{"Param", "dt=${params.dt}", "2026-11-25 02:00:00", "dt=2020-01-01"},
		{"ParamNotExpandedAgain", "${params.tricky}", "2026-11-25 02:00:00", "${qing.current_date}"},
		{"Pattern", "$[yyyyMMdd]", "2026-11-25 02:00:00", "20261125"},
		{"PatternMinus1", "$[yyyyMMdd-1]", "2026-11-25 02:00:00", "20261124"},
		{"PatternPlus7", "$[yyyy-MM-dd+7]", "2026-11-25 02:00:00", "2026-12-02"},
		{"Clock", "$[HH:mm:ss]", "2026-11-25 02:03:04", "02:03:04"},
		{"Compact", "$[yyyyMMddHHmmss]", "2026-11-25 02:03:04", "20261125020304"},
		{"ShortForms", "$[yy/M/d H:m:s]", "2026-03-05 02:03:04", "26/3/5 2:3:4"},
		{"Millis", "$[ss.SSS]", "2026-11-25 02:03:04", "04.000"},
		{"Weeks", "$[yyyyMMdd-7*2]", "2026-11-25 02:00:00", "20261111"},
		{"Hours", "$[yyyyMMdd HH:mm-3/24]", "2026-11-25 02:00:00", "20261124 23:00"},
		{"Minutes", "$[HH:mm-30/24/60]", "2026-11-25 02:00:00", "01:30"},
		{"YearEndBack", "$[yyyyMMdd-1]", "2026-01-01 00:30:00", "20251231"},
		{"YearEndForward", "$[yyyy-MM-dd+1]", "2026-12-31 23:30:00", "2027-01-01"},
		{"LeapDayBack", "$[yyyyMMdd-1]", "2028-03-01 02:00:00", "20280229"},
		{"LeapDayForward", "$[yyyyMMdd+1]", "2028-02-28 02:00:00", "20280229"},
		{"NoLeapDay", "$[yyyyMMdd-1]", "2027-03-01 02:00:00", "20270228"},
		{"AddMonthsBack", "$[add_months(yyyyMMdd,-1)]", "2026-11-25 02:00:00", "20261025"},
		{"AddMonthsClamped", "$[add_months(yyyyMMdd,-1)]", "2026-03-31 02:00:00", "20260228"},
		{"AddMonthsLeap", "$[add_months(yyyyMMdd,-1)]", "2028-03-31 02:00:00", "20280229"},
		{"AddMonthsOverYear", "$[add_months(yyyy-MM, 2)]", "2026-11-25 02:00:00", "2027-01"},
		{"ThisDay", "$[this_day(yyyy-MM-dd)]", "2026-11-25 02:00:00", "2026-11-25"},
		{"LastDay", "$[last_day(yyyyMMdd)]", "2026-03-01 02:00:00", "20260228"},
		{"MonthFirstDay", "$[month_first_day(yyyy-MM-dd,-1)]", "2026-11-25 02:00:00", "2026-10-01"},
		{"MonthLastDay", "$[month_last_day(yyyy-MM-dd,0)]", "2026-11-25 02:00:00", "2026-11-30"},
		{"MonthLastDayFeb", "$[month_last_day(yyyyMMdd,-9)]", "2026-11-25 02:00:00", "20260228"},
		{"WeekFirstDay", "$[week_first_day(yyyy-MM-dd,0)]", "2026-11-25 02:00:00", "2026-11-23"},
		{"WeekFirstDayPrev", "$[week_first_day(yyyy-MM-dd,-1)]", "2026-11-25 02:00:00", "2026-11-16"},
		{"WeekFirstDayOnSunday", "$[week_first_day(yyyy-MM-dd,0)]", "2026-11-29 02:00:00", "2026-11-23"},
		{"WeekLastDay", "$[week_last_day(yyyy-MM-dd,0)]", "2026-11-25 02:00:00", "2026-11-29"},
		{"SQL", "select * from t where dt='$[yyyyMMdd-1]' and n='${params.name}' -- ${HOME}", "2026-11-25 02:00:00",
			"select * from t where dt='20261124' and n='o'brien' -- ${HOME}"},
		{"ShellLeftAlone", "echo ${HOME} $HOME ${foo} $1 $$ $(date) ${#arr[@]} cost $5 $", "2026-11-25 02:00:00",
			"echo ${HOME} $HOME ${foo} $1 $$ $(date) ${#arr[@]} cost $5 $"},
		{"BracketsLeftAlone", `{"path":"$[0].name","x":"$[*]","y":$[1+2]}`, "2026-11-25 02:00:00", `{"path":"$[0].name","x":"$[*]","y":$[1+2]}`},
		{"NoVariables", "plain text\nwith lines", "2026-11-25 02:00:00", "plain text\nwith lines"},
		{"Empty", "", "2026-11-25 02:00:00", ""},
		{"Adjacent", "${qing.current_year}${qing.current_month}$[dd]", "2026-11-25 02:00:00", "20261125"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, err := time.ParseInLocation("2006-01-02 15:04:05", tt.at, sh)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(tt.text, at, sh, params)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.text, err)
			}
			if got != tt.want {
				t.Fatalf("Resolve(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestResolve_Location checks that values are evaluated in the given zone,
// not in the zone of the logical time, and that nil means UTC.
func TestResolve_Location(t *testing.T) {
	at := time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC) // 02:30 on the 25th in Shanghai
	got, err := Resolve("${qing.current_datetime}", at, mustLoc(t, "Asia/Shanghai"), nil)
	if err != nil || got != "2026-11-25 02:30:00" {
		t.Fatalf("Shanghai: got %q, %v", got, err)
	}
	got, err = Resolve("${qing.current_datetime}", at.In(mustLoc(t, "Asia/Shanghai")), nil, nil)
	if err != nil || got != "2026-11-24 18:30:00" {
		t.Fatalf("nil location: got %q, %v", got, err)
	}
}

// TestResolve_DST checks that day arithmetic keeps the wall-clock time
// across a daylight-saving change while hour arithmetic is exact.
func TestResolve_DST(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin") // clocks go forward at 01:00 UTC on 2026-03-29
	at := time.Date(2026, 3, 30, 12, 0, 0, 0, berlin)
	tests := []struct{ text, want string }{
		{"$[yyyy-MM-dd HH:mm-2]", "2026-03-28 12:00"},     // two calendar days, still noon
		{"$[yyyy-MM-dd HH:mm-48/24]", "2026-03-28 11:00"}, // 48 real hours
	}
	for _, tt := range tests {
		got, err := Resolve(tt.text, at, berlin, nil)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tt.text, got, err, tt.want)
		}
	}
}

// TestResolve_Errors checks that unknown and malformed variables fail with
// a message that names them.
func TestResolve_Errors(t *testing.T) {
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	tests := []struct{ text, want string }{
		{"x ${params.missing} y", "unknown variable ${params.missing}"},
		{"${qing.nope}", "unknown variable ${qing.nope}"},
		{"${qing.}", "unknown variable ${qing.}"},
		{"${params.}", "unknown variable ${params.}"},
		{"${qing.current_date", "unterminated variable ${qing.current_date (missing })"},
		{"${params.a b}", "unterminated variable ${params.a b}"},
		{"$[yyyyMMdd", "unterminated variable $[yyyyMMdd (missing ])"},
		{"$[EEE]", `invalid variable $[EEE]: unsupported date pattern "EEE"`},
		{"$[yyyyMMMdd]", `invalid variable $[yyyyMMMdd]: unsupported date pattern "MMM"`},
		{"$[yyyyMMdd-1/0]", "invalid variable $[yyyyMMdd-1/0]: division by zero"},
		{"$[yyyyMMdd-1/]", `invalid variable $[yyyyMMdd-1/]: invalid number ""`},
		{"$[yyyyMMdd-9999999]", `invalid variable $[yyyyMMdd-9999999]: invalid number "9999999"`},
		{"$[yyyyMMdd-200000]", "offset 200000 is too large"},
		{"$[foo(yyyy)]", `invalid variable $[foo(yyyy)]: unknown function "foo"`},
		{"$[add_months(yyyyMMdd,x)]", `add_months: invalid number "x"`},
		{"$[add_months(yyyyMMdd,1,2)]", "add_months takes a pattern and at most one number"},
		{"$[add_months(yyyyMMdd,1]", "missing ) after add_months("},
	}
	for _, tt := range tests {
		got, err := Resolve(tt.text, at, time.UTC, map[string]string{"present": "1"})
		if err == nil {
			t.Errorf("Resolve(%q) = %q, want error containing %q", tt.text, got, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Resolve(%q) error = %q, want it to contain %q", tt.text, err, tt.want)
		}
	}
}

// TestRender checks alarm template rendering.
func TestRender(t *testing.T) {
	values := map[string]string{"qing.workflow_name": "etl", "qing.status": "FAIL"}
	tests := []struct{ tpl, want string }{
		{"[${qing.status}] ${qing.workflow_name}", "[FAIL] etl"},
		{"${qing.unknown} stays", "${qing.unknown} stays"},
		{"open ${qing.status", "open ${qing.status"},
		{"no placeholders", "no placeholders"},
	}
	for _, tt := range tests {
		if got := Render(tt.tpl, values); got != tt.want {
			t.Errorf("Render(%q) = %q, want %q", tt.tpl, got, tt.want)
		}
	}
}
