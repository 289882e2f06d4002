package cron

import (
	"reflect"
	"testing"
	"time"
)

// FuzzParse checks that no input makes Parse or Next panic, that a fire
// time is always strictly after the given time (or zero), and that String
// parses back to the same fields.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0 0 2 * * ?", "0 */5 * * * ?", "0 0 12 ? * MON-FRI", "0 15 10 ? * 6#3", "0 0 0 L * ?",
		"0 0 0 LW * ?", "0 0 9 15W * ?", "0 0 0 ? * 6L", "0 0 0 L-2 * ?", "0 0 0 1 1 ? 2027-2028",
		"30 8 * * 1-5", "0 0 1 * 1", "0 0 */2 * 1", "@daily", "0 9 * * 7", "0 0 0 30 2 ?", "*/7 3-9/2 1,5 JAN-MAR/2 ?",
	} {
		f.Add(s, int64(1795000000), uint8(2))
	}
	f.Add("0 30 1 * * ?", int64(1793502000), uint8(3))
	f.Add("* * * * *", int64(-62135596800), uint8(0))
	// Zones with and without daylight saving time, one with a 30-minute shift.
	var zones []*time.Location
	for _, name := range []string{"UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"} {
		zones = append(zones, mustLoc(f, name))
	}
	f.Fuzz(func(t *testing.T, expr string, unix int64, zone uint8) {
		e, err := Parse(expr)
		if err != nil {
			if e != nil {
				t.Fatalf("Parse(%q) returned both an expression and an error", expr)
			}
			return
		}
		back, err := Parse(e.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", expr, e.String(), err)
		}
		if !reflect.DeepEqual(back.Fields(), e.Fields()) {
			t.Fatalf("Parse(%q).String() = %q parses to different fields", expr, e.String())
		}
		loc := zones[int(zone)%len(zones)]
		// Keep the start within the years Next searches, plus a margin.
		after := time.Unix(unix%(200*365*24*3600), 0).In(loc)
		next := e.Next(after, loc)
		if !next.IsZero() && !next.After(after) {
			t.Fatalf("Parse(%q).Next(%v) = %v, not after it", expr, after, next)
		}
	})
}
