package cron

import (
	"time"
)

// Daylight-saving policies of a Plan.
//
// Missing says what happens to a wall-clock fire time that does not exist
// because clocks spring forward (02:30 on the Berlin spring change day):
//
//   - MissingShift (the default): it fires at the same wall-clock time read
//     with the offset in force before the change, that is shifted forward
//     by the length of the gap (02:30 fires at 03:30 CEST), as
//     java.time.ZonedDateTime and Go's time.Date resolve a gap. A shifted
//     time that equals another fire time fires once.
//   - MissingSkip: it does not fire that day (plain Temporal and Vixie cron).
//
// Repeated says what happens to a wall-clock time that happens twice
// because clocks fall back (02:30 on the Berlin autumn change day):
//
//   - RepeatedOnce (the default): it fires at its first occurrence only
//     (the earlier instant, still in summer time).
//   - RepeatedTwice: it fires at both occurrences.
const (
	MissingShift  = "SHIFT"
	MissingSkip   = "SKIP"
	RepeatedOnce  = "ONCE"
	RepeatedTwice = "TWICE"
)

// Calendar policies of a Plan.
//
//   - CalendarSkip: the plan fires on calendar days only.
//   - CalendarDryRun: the plan fires every day; Fire.CalendarDay tells the
//     days the run must only pretend to run (every job SKIPPED).
const (
	CalendarSkip   = "SKIP"
	CalendarDryRun = "DRY_RUN"
)

// Calendar is a business calendar: the days a plan fires on. A day is a
// calendar day when it is a make-up workday, or else when it is not a
// holiday and its weekday is one of Weekdays. Days are read in Loc.
type Calendar struct {
	Loc      *time.Location
	Weekdays [8]bool      // index 1 = Monday … 7 = Sunday (ISO 8601)
	Holidays map[int]bool // key DateKey(y, m, d)
	Workdays map[int]bool // make-up workdays (调休), calendar days whatever the weekday
}

// DateKey is the key of a date in Calendar.Holidays and Calendar.Workdays.
func DateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

// IsDay reports whether the date of t (read in c.Loc) is a calendar day.
func (c *Calendar) IsDay(t time.Time) bool {
	if c.Loc != nil {
		t = t.In(c.Loc)
	}
	y, m, d := t.Date()
	return c.IsDate(y, m, d)
}

// IsDate reports whether a date is a calendar day.
func (c *Calendar) IsDate(y int, m time.Month, d int) bool {
	k := DateKey(y, m, d)
	if c.Workdays[k] {
		return true
	}
	if c.Holidays[k] {
		return false
	}
	wd := int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday())
	if wd == 0 {
		wd = 7
	}
	return c.Weekdays[wd]
}

// Plan is everything that decides when a schedule fires: one or more cron
// expressions read in one zone, the daylight-saving policy and an optional
// business calendar. It is pure and deterministic (the calendar's maps are
// only looked up, never ranged), so FlowRun may call it.
type Plan struct {
	Exprs    []*Expr
	Loc      *time.Location
	Missing  string    // MissingShift ("" too) or MissingSkip
	Repeated string    // RepeatedOnce ("" too) or RepeatedTwice
	Calendar *Calendar // nil: every day
	Policy   string    // CalendarSkip ("" too) or CalendarDryRun
}

// Fire is one fire time of a plan.
type Fire struct {
	Time time.Time
	// CalendarDay is false only under CalendarDryRun, on a day that is not
	// a calendar day: the run completes at once with every job SKIPPED.
	CalendarDay bool
}

// maxCalendarSkips bounds the days a SKIP calendar may pass over in one
// Next (a calendar with no day at all).
const maxCalendarSkips = 100000

// Next returns the first fire of the plan strictly after after, or a zero
// Time when there is none before the end of year 2100.
func (p *Plan) Next(after time.Time) Fire {
	for i := 0; i < maxCalendarSkips; i++ {
		t := p.nextTime(after)
		if t.IsZero() {
			return Fire{}
		}
		if p.Calendar == nil {
			return Fire{Time: t, CalendarDay: true}
		}
		day := p.Calendar.IsDay(t)
		if day || p.Policy == CalendarDryRun {
			return Fire{Time: t, CalendarDay: day}
		}
		// Not a calendar day: go on from the end of that day (an
		// every-second cron would otherwise step through it fire by fire).
		d := t
		if p.Calendar.Loc != nil {
			d = t.In(p.Calendar.Loc)
		}
		y, m, dd := d.Date()
		after = time.Date(y, m, dd+1, 0, 0, 0, 0, d.Location()).Add(-time.Nanosecond)
		if !after.After(t) {
			after = t
		}
	}
	return Fire{}
}

// NextN returns up to n successive fires after after.
func (p *Plan) NextN(after time.Time, n int) []Fire {
	var out []Fire
	for len(out) < n {
		f := p.Next(after)
		if f.Time.IsZero() {
			break
		}
		out = append(out, f)
		after = f.Time
	}
	return out
}

// Decide tells whether t is a fire time of the plan, and if so whether it
// falls on a calendar day. FlowRun asks it at the start of a scheduled run:
// a fire Temporal made that the plan does not (a repeated time under ONCE,
// a non-calendar day under SKIP, a misfire) is not a run.
func (p *Plan) Decide(t time.Time) (fire bool, calendarDay bool) {
	f := p.Next(t.Add(-time.Nanosecond))
	if f.Time.IsZero() || !f.Time.Equal(t) {
		return false, false
	}
	return true, f.CalendarDay
}

// nextTime is the first time after after that any expression fires under
// the DST policy, ignoring the calendar.
func (p *Plan) nextTime(after time.Time) time.Time {
	var best time.Time
	for _, e := range p.Exprs {
		t := p.nextOf(e, after)
		if !t.IsZero() && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	return best
}

func (p *Plan) loc() *time.Location {
	if p.Loc == nil {
		return time.UTC
	}
	return p.Loc
}

// nextOf is the first fire of e after after under the DST policy.
func (p *Plan) nextOf(e *Expr, after time.Time) time.Time {
	loc := p.loc()
	from := after
	var t time.Time
	for i := 0; i < 10000; i++ {
		t = e.Next(from, loc)
		if t.IsZero() || p.Repeated == RepeatedTwice || !repeatedOccurrence(t, loc) {
			break
		}
		from = t // the second occurrence of a repeated time: not under ONCE
	}
	if p.Missing == MissingSkip {
		return t
	}
	s := shiftedNext(e, after, t, loc)
	if !s.IsZero() && (t.IsZero() || s.Before(t)) {
		return s
	}
	return t
}

// dstDeltas are the sizes of the clock changes looked for (Lord Howe Island
// moves by 30 minutes, Troll by two hours).
var dstDeltas = []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour}

// repeatedOccurrence reports whether t's wall-clock reading already
// happened earlier (t is the second occurrence after clocks fell back).
func repeatedOccurrence(t time.Time, loc *time.Location) bool {
	w := t.In(loc)
	for _, d := range dstDeltas {
		u := t.Add(-d).In(loc)
		if sameWall(u, w) {
			return true
		}
	}
	return false
}

// FirstOccurrence returns the first occurrence of t's wall-clock reading
// when t is its second occurrence (clocks fell back), else the zero time.
func FirstOccurrence(t time.Time, loc *time.Location) time.Time {
	w := t.In(loc)
	for _, d := range dstDeltas {
		if u := t.Add(-d).In(loc); sameWall(u, w) {
			return u
		}
	}
	return time.Time{}
}

func sameWall(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ah, ami, as := a.Clock()
	bh, bmi, bs := b.Clock()
	return ay == by && am == bm && ad == bd && ah == bh && ami == bmi && as == bs
}

// shiftedNext returns the first shifted fire of e strictly after after,
// before limit (or at all when limit is zero): for each spring-forward
// change at T from offset o1 to o2 (gap g = o2-o1), a wall time w in the
// gap [T+o1, T+o1+g) that matches e fires at the instant w-o1, in [T, T+g).
func shiftedNext(e *Expr, after, limit time.Time, loc *time.Location) time.Time {
	probe := after.Add(-3 * time.Hour) // a gap is shorter than that
	for i := 0; i < 1000; i++ {
		p := probe.In(loc)
		_, offset := p.Zone()
		_, end := p.ZoneBounds()
		if end.IsZero() {
			return time.Time{}
		}
		if !end.After(p) {
			end = periodEnd(p, offset)
		}
		if !limit.IsZero() && end.After(limit) || end.Year() > maxYear {
			return time.Time{}
		}
		_, o1 := end.Add(-time.Nanosecond).In(loc).Zone()
		_, o2 := end.In(loc).Zone()
		if o2 > o1 {
			g := time.Duration(o2-o1) * time.Second
			off1 := time.Duration(o1) * time.Second
			tw := end.UTC().Add(off1) // the wall reading at which the gap starts
			// The first wall time in the gap whose instant is after after.
			from := tw.Add(-time.Second)
			if a := after.UTC().Add(off1); a.After(from) {
				from = a
			}
			if w := e.nextWall(from); !w.IsZero() && w.Before(tw.Add(g)) {
				return w.Add(-off1).In(loc)
			}
		}
		probe = end
	}
	return time.Time{}
}
