package cron

import (
	"testing"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/service/worker/scheduler"
)

// temporalTimes returns the fire times Temporal's own schedule spec code
// (the server's scheduler package, run in-process) computes for the
// calendars of e: up to n times, none later than until (if not zero).
func temporalTimes(t *testing.T, e *Expr, zone string, after, until time.Time, n int) []time.Time {
	t.Helper()
	cals := e.Calendars()
	if len(cals) == 0 {
		return nil
	}
	b := scheduler.NewSpecBuilder(dynamicconfig.GetIntPropertyFn(0), dynamicconfig.GetIntPropertyFn(0))
	cs, err := b.NewCompiledSpec(&schedulepb.ScheduleSpec{StructuredCalendar: cals, TimezoneName: zone})
	if err != nil {
		t.Fatalf("Temporal refuses the calendars of %q: %v", e, err)
	}
	var out []time.Time
	for len(out) < n {
		r, err := cs.GetNextTime("", after)
		if err != nil {
			t.Fatal(err)
		}
		if r.Nominal.IsZero() || !until.IsZero() && r.Nominal.After(until) {
			break
		}
		out = append(out, r.Nominal)
		after = r.Nominal
	}
	return out
}

// TestExpr_Calendars compares Next with the times a Temporal schedule made
// from Calendars would fire, for many expressions in Asia/Shanghai.
func TestExpr_Calendars(t *testing.T) {
	exprs := []string{
		"0 0 2 * * ?", "0 */5 * * * ?", "0 0 12 ? * MON-FRI", "0 15 10 ? * 6#3", "0 0 0 ? * 2#5", "0 0 0 ? * 7#1",
		"0 0 0 L * ?", "0 0 0 L-2 * ?", "0 0 0 L-30 * ?", "0 0 0 LW * ?", "0 0 9 15W * ?", "0 0 0 1W * ?",
		"0 0 0 31W * ?", "0 0 0 30W * ?", "0 0 0 29W * ?", "0 0 0 28W * ?", "0 30 1 1W 2 ?", "0 0 0 ? * 6L",
		"15 30 4 ? 2 1L", "0 0 0 ? * L", "0 0 9 ? * 1", "0 0 9 ? * 7", "0 0 0 1 JAN,JUL ?", "0 10/20 * * * ?",
		"0 0 8-18/4 * * ?", "*/15 * * * * ?", "0 0 6,18 * * ?", "0 0 0 29 2 ?", "0 0 0 31 * ?",
		"0 0 0 1 1 ? 2027-2030", "0 0 0 L 2 ? 2027-2033", "0 0 0 LW 2 ? 2027-2040/3", "0 0 0 1 1 ? 1990-2001",
		"0 2 * * *", "30 8 * * 1-5", "0 9 * * 7", "0 0 1 * 1", "0 0 */2 * 1", "0 0 29 2 *", "@monthly",
		"0 0 1,15 * 5", "5,7,9,11,13 1 * * *", "0 0 0 ? * 1,3,5,7",
	}
	sh := mustLoc(t, "Asia/Shanghai")
	after := time.Date(2026, 11, 25, 10, 0, 0, 0, sh)
	for _, expr := range exprs {
		t.Run(expr, func(t *testing.T) {
			e, err := Parse(expr)
			if err != nil {
				t.Fatal(err)
			}
			want := temporalTimes(t, e, "Asia/Shanghai", after, time.Time{}, 24)
			got := e.NextN(after, sh, 24)
			if len(got) != len(want) {
				t.Fatalf("Next gives %d times, Temporal %d:\n got %v\nwant %v", len(got), len(want), got, want)
			}
			for i := range want {
				if !got[i].Equal(want[i]) {
					t.Fatalf("fire %d: Next %v, Temporal %v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestExpr_Calendars_DST compares Next with Temporal on the daylight-saving
// change days of Europe/Berlin and America/New_York. They agree everywhere
// except for a known fault of Temporal's search (go.temporal.io/server
// v1.32.1, compiledCalendar.next) in zones east of UTC on the autumn change
// night: it resolves the repeated wall time to its second occurrence and
// then "corrects" by an hour, so it both misses matching times (02:20 CEST,
// 03:00 CET for every 20 minutes) and fires at non-matching ones (02:30 CEST
// for "0 30 1 * * ?"). The test allows differences only from 23:00 to 03:00
// UTC of that night (the repeated hour 00:00-01:00 UTC and its
// neighbours) and logs them; any other difference fails.
func TestExpr_Calendars_DST(t *testing.T) {
	exprs := []string{"0 30 2 * * ?", "0 0 * * * ?", "0 */20 * * * ?", "0 30 1 * * ?", "0 0 12 * * ?", "0 0 3 * * ?", "30 2 * * *", "0 59 1 * * ?"}
	berlinQuirk := [2]time.Time{time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC)}
	days := []struct {
		zone, day string
		quirk     bool
	}{
		{"Europe/Berlin", "2026-03-28", false},
		{"Europe/Berlin", "2026-10-24", true},
		{"America/New_York", "2026-03-07", false},
		{"America/New_York", "2026-10-31", false},
	}
	for _, d := range days {
		for _, expr := range exprs {
			t.Run(d.zone+" "+d.day+" "+expr, func(t *testing.T) {
				loc := mustLoc(t, d.zone)
				after, err := time.ParseInLocation("2006-01-02", d.day, loc)
				if err != nil {
					t.Fatal(err)
				}
				until := after.Add(72 * time.Hour)
				e, err := Parse(expr)
				if err != nil {
					t.Fatal(err)
				}
				theirs := map[int64]bool{}
				for _, x := range temporalTimes(t, e, d.zone, after, until, 500) {
					theirs[x.Unix()] = true
				}
				ours := map[int64]bool{}
				for _, x := range e.NextN(after, loc, 500) {
					if !x.After(until) {
						ours[x.Unix()] = true
					}
				}
				if len(ours) < 2 {
					t.Fatalf("only %d fire times in three days, the test checks nothing", len(ours))
				}
				check := func(a, b map[int64]bool, msg string) {
					for u := range a {
						if b[u] {
							continue
						}
						x := time.Unix(u, 0).In(loc)
						if d.quirk && !x.Before(berlinQuirk[0]) && x.Before(berlinQuirk[1]) {
							t.Logf("known Temporal fault: %s %s", msg, x.Format("2006-01-02 15:04:05 MST"))
							continue
						}
						t.Errorf("%s %s", msg, x.Format("2006-01-02 15:04:05 MST"))
					}
				}
				check(ours, theirs, "Next fires and Temporal does not at")
				check(theirs, ours, "Temporal fires and Next does not at")
			})
		}
	}
}

// FuzzCalendars checks Next against Temporal's own computation on the
// calendars of any expression that parses, in zones where Temporal's search
// is sound (UTC, Asia/Shanghai, America/New_York).
func FuzzCalendars(f *testing.F) {
	for _, s := range []string{
		"0 0 2 * * ?", "0 15 10 ? * 6#3", "0 0 0 L-3 * ?", "0 0 0 LW * ?", "0 0 9 30W * ?", "0 0 0 ? * 1L",
		"0 0 1 * 1", "0 0 */2 * 1", "5-40/7 */13 1,2,3 29 2 ? 2028/8", "@weekly",
	} {
		f.Add(s, int64(1795000000), uint8(1))
	}
	zones := []string{"UTC", "Asia/Shanghai", "America/New_York"}
	var locs []*time.Location
	for _, z := range zones {
		locs = append(locs, mustLoc(f, z))
	}
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	f.Fuzz(func(t *testing.T, expr string, unix int64, zone uint8) {
		e, err := Parse(expr)
		if err != nil {
			return
		}
		i := int(zone) % len(zones)
		after := time.Unix(start+(unix%(100*365*24*3600)+100*365*24*3600)%(100*365*24*3600), 0)
		want := temporalTimes(t, e, zones[i], after, time.Time{}, 1)
		got := e.Next(after, locs[i])
		if len(want) == 0 {
			if !got.IsZero() {
				t.Fatalf("%q after %v in %s: Next %v, Temporal none", expr, after, zones[i], got)
			}
			return
		}
		if !got.Equal(want[0]) {
			t.Fatalf("%q after %v in %s: Next %v, Temporal %v", expr, after, zones[i], got, want[0])
		}
	})
}
