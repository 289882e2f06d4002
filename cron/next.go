package cron

import (
	"math/bits"
	"time"
)

// Next returns the first fire time strictly after after, computed in loc
// (UTC when loc is nil), as a time in loc. It returns the zero time when
// there is none before the end of year 2100 (for example when the year
// field is exhausted, or for "0 0 30 2 *").
//
// The search walks the zone's offset periods (time.ZoneBounds): inside one
// period wall clock and instant differ by a fixed offset, so the next
// matching wall-clock time is found by plain calendar arithmetic and kept
// if its instant still lies in the period; otherwise the search resumes at
// the start of the next period. This gives exactly "every instant whose
// wall-clock reading matches" across daylight-saving changes.
func (e *Expr) Next(after time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	from := after
	// Every period change moves from forward by at least one period; the
	// bound only guards against a pathological location.
	for i := 0; i < 100000; i++ {
		probe := from.Add(time.Nanosecond).In(loc)
		_, offset := probe.Zone()
		_, end := probe.ZoneBounds()
		if !end.IsZero() && !end.After(probe) {
			end = periodEnd(probe, offset)
		}
		off := time.Duration(offset) * time.Second
		wall := e.nextWall(from.UTC().Add(off))
		if wall.IsZero() {
			return time.Time{}
		}
		t := wall.Add(-off)
		if end.IsZero() || t.Before(end) {
			return t.In(loc)
		}
		from = end.Add(-time.Nanosecond)
	}
	return time.Time{}
}

// periodEnd finds the end of the constant-offset period around probe when
// time.ZoneBounds cannot be trusted: Go 1.26 returns an end before the time
// itself on the last day of a leap year in zones described by a TZ rule
// (Europe/Berlin in 2040, for example). It looks one hour ahead, which is
// exact because no zone changes its offset twice within an hour, and
// bisects to the second if the offset changes in that hour.
func periodEnd(probe time.Time, offset int) time.Time {
	lo, hi := probe.Truncate(time.Second), probe.Truncate(time.Second).Add(time.Hour)
	if _, o := hi.Zone(); o == offset {
		return hi
	}
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if _, o := mid.Zone(); o == offset {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// NextN returns up to n successive fire times after after (fewer when the
// expression runs out of fire times).
func (e *Expr) NextN(after time.Time, loc *time.Location, n int) []time.Time {
	var out []time.Time
	for len(out) < n {
		t := e.Next(after, loc)
		if t.IsZero() {
			break
		}
		out = append(out, t)
		after = t
	}
	return out
}

// nextWall returns the first whole second strictly after w (a wall-clock
// reading written as a UTC time) that matches e, or the zero time if there
// is none up to maxYear.
func (e *Expr) nextWall(w time.Time) time.Time {
	t := w.Truncate(time.Second).Add(time.Second)
	if t.Year() < 1 {
		t = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for t.Year() <= maxYear {
		y, mo, d := t.Date()
		h, m, s := t.Clock()
		if !e.yearOK(y) {
			t = time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if n := nextBit(e.month, int(mo)); n != int(mo) {
			if n < 0 {
				t = time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
			} else {
				t = time.Date(y, time.Month(n), 1, 0, 0, 0, 0, time.UTC)
			}
			continue
		}
		if !e.dayOK(y, mo, d) {
			t = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if n := nextBit(e.hour, h); n != h {
			if n < 0 {
				t = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
			} else {
				t = time.Date(y, mo, d, n, 0, 0, 0, time.UTC)
			}
			continue
		}
		if n := nextBit(e.minute, m); n != m {
			if n < 0 {
				t = time.Date(y, mo, d, h+1, 0, 0, 0, time.UTC)
			} else {
				t = time.Date(y, mo, d, h, n, 0, 0, time.UTC)
			}
			continue
		}
		if n := nextBit(e.second, s); n != s {
			if n < 0 {
				t = time.Date(y, mo, d, h, m+1, 0, 0, time.UTC)
			} else {
				t = time.Date(y, mo, d, h, m, n, 0, time.UTC)
			}
			continue
		}
		return t
	}
	return time.Time{}
}

// nextBit returns the smallest set bit of b at or above v, or -1.
func nextBit(b uint64, v int) int {
	if v >= 64 {
		return -1
	}
	b &^= 1<<v - 1
	if b == 0 {
		return -1
	}
	return bits.TrailingZeros64(b)
}

func (e *Expr) yearOK(y int) bool {
	if e.years == nil {
		return true
	}
	i := y - minYear
	return i >= 0 && i < len(e.years) && e.years[i]
}

// dayOK reports whether the calendar day y-mo-d matches the day fields.
func (e *Expr) dayOK(y int, mo time.Month, d int) bool {
	if e.domStar || e.dowStar {
		return e.domOK(y, mo, d) && e.dowOK(y, mo, d)
	}
	return e.domOK(y, mo, d) || e.dowOK(y, mo, d) // Vixie: either restricted field
}

func (e *Expr) domOK(y int, mo time.Month, d int) bool {
	last := daysIn(y, mo)
	switch {
	case e.lastDay:
		return d == last-e.lastDayOffset
	case e.lastWeekday:
		return d == nearestWeekday(y, mo, last)
	case e.nearestWeekday > 0:
		// A day beyond the month's end (31W in April) never fires, as in Quartz.
		return e.nearestWeekday <= last && d == nearestWeekday(y, mo, e.nearestWeekday)
	}
	return e.dom&(1<<d) != 0
}

func (e *Expr) dowOK(y int, mo time.Month, d int) bool {
	wd := int(weekday(y, mo, d))
	switch {
	case e.lastDow >= 0:
		return wd == e.lastDow && d+7 > daysIn(y, mo)
	case e.nth > 0:
		return wd == e.nthDow && (d-1)/7+1 == e.nth
	}
	return e.dow&(1<<wd) != 0
}

// nearestWeekday returns the weekday (Monday-Friday) nearest to day d of
// the month, without leaving the month (Quartz "W").
func nearestWeekday(y int, mo time.Month, d int) int {
	switch weekday(y, mo, d) {
	case time.Saturday:
		if d == 1 {
			return 3 // Monday the 3rd
		}
		return d - 1
	case time.Sunday:
		if d == daysIn(y, mo) {
			return d - 2 // Friday before
		}
		return d + 1
	}
	return d
}

func weekday(y int, mo time.Month, d int) time.Weekday {
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Weekday()
}

func daysIn(y int, mo time.Month) int {
	return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
