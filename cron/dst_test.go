package cron

import (
	"testing"
	"time"
)

// TestExpr_Next_DST checks both daylight-saving change days of 2026 in
// Europe/Berlin (UTC+1/+2, changes at 01:00 UTC on 29 March and 25 October)
// and America/New_York (UTC-5/-4, changes on 8 March and 1 November at
// 02:00 local). Times are written in UTC so the two occurrences of a
// repeated wall-clock time can be told apart.
func TestExpr_Next_DST(t *testing.T) {
	tests := []struct {
		name, zone, expr, after string
		want                    []string // UTC, RFC 3339
	}{
		// Spring forward: 02:00-02:59 does not exist that day, so a time in
		// it does not fire that day (as in Temporal).
		{"BerlinSpringSkippedTime", "Europe/Berlin", "0 30 2 * * ?", "2026-03-28T12:00:00Z",
			[]string{"2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"}},
		{"BerlinSpringHourly", "Europe/Berlin", "0 0 * * * ?", "2026-03-29T00:30:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"}}, // 03:00 CEST, 04:00 CEST
		{"BerlinSpringAfterGap", "Europe/Berlin", "0 30 3 * * ?", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:30:00Z", "2026-03-30T01:30:00Z"}},
		{"NewYorkSpringSkippedTime", "America/New_York", "30 2 * * *", "2026-03-07T12:00:00Z",
			[]string{"2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"}},
		{"NewYorkSpringNoon", "America/New_York", "0 0 12 * * ?", "2026-03-07T12:00:00Z",
			[]string{"2026-03-07T17:00:00Z", "2026-03-08T16:00:00Z"}},
		// Fall back: 02:00-02:59 (Berlin) / 01:00-01:59 (New York) happen
		// twice; a time in it fires at both occurrences.
		{"BerlinFallRepeatedTime", "Europe/Berlin", "0 30 2 * * ?", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"}},
		{"BerlinFallHourly", "Europe/Berlin", "0 0 * * * ?", "2026-10-24T23:30:00Z",
			[]string{"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"}},
		{"BerlinFallFromSecondCopy", "Europe/Berlin", "0 30 2 * * ?", "2026-10-25T01:10:00Z",
			[]string{"2026-10-25T01:30:00Z"}},
		{"NewYorkFallRepeatedTime", "America/New_York", "0 30 1 * * ?", "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"}},
		{"NewYorkFallUnix", "America/New_York", "30 1 * * *", "2026-11-01T05:40:00Z",
			[]string{"2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"}},
		{"NewYorkFallEvery20Min", "America/New_York", "0 */20 1 * * ?", "2026-11-01T05:30:00Z",
			[]string{"2026-11-01T05:40:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:20:00Z", "2026-11-01T06:40:00Z", "2026-11-02T06:00:00Z"}},
		{"NewYorkFallNoon", "America/New_York", "0 0 12 * * ?", "2026-10-31T12:00:00Z",
			[]string{"2026-10-31T16:00:00Z", "2026-11-01T17:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			after, err := time.Parse(time.RFC3339, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			got := e.NextN(after, loc, len(tt.want))
			if len(got) != len(tt.want) {
				t.Fatalf("NextN = %v, want %v", got, tt.want)
			}
			for i, w := range tt.want {
				if g := got[i].UTC().Format(time.RFC3339); g != w {
					t.Errorf("fire %d = %s (%s), want %s", i, g, got[i].Format("15:04 MST"), w)
				}
			}
		})
	}
}

// TestExpr_Next_LeapYearEnd covers the last day of a leap year after 2037,
// where time.ZoneBounds returns a wrong period end (see periodEnd): fire
// times must go on hour by hour, and a far-away time must still be found.
func TestExpr_Next_LeapYearEnd(t *testing.T) {
	hourly, err := Parse("0 0 * * * ?")
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []string{"Europe/Berlin", "America/New_York"} {
		loc := mustLoc(t, zone)
		after := time.Date(2040, 12, 30, 12, 0, 0, 0, loc)
		got := hourly.NextN(after, loc, 60)
		for i, x := range got {
			if want := after.Add(time.Duration(i+1) * time.Hour); !x.Equal(want) {
				t.Fatalf("%s: fire %d = %v, want %v", zone, i, x, want)
			}
		}
		if len(got) != 60 {
			t.Fatalf("%s: %d fire times, want 60", zone, len(got))
		}
	}
	rare, err := Parse("0 0 0 1 1 ? 2099")
	if err != nil {
		t.Fatal(err)
	}
	berlin := mustLoc(t, "Europe/Berlin")
	got := rare.Next(time.Date(2026, 11, 25, 10, 0, 0, 0, berlin), berlin)
	if want := time.Date(2099, 1, 1, 0, 0, 0, 0, berlin); !got.Equal(want) {
		t.Fatalf("Next = %v, want %v", got, want)
	}
}
