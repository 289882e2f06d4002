package cron

import (
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
)

// Temporal's calendar years (go.temporal.io/server scheduler: minCalendarYear,
// maxCalendarYear). A Year range outside them is refused by the server.
const (
	temporalMinYear = 2000
	temporalMaxYear = maxYear
)

// Calendars translates e into Temporal structured calendar specs. A time
// matches the expression exactly when it matches at least one of them, so
// they go into one ScheduleSpec (StructuredCalendar), with the time zone
// set on the spec (TimezoneName). Never pass the user's cron text to
// Temporal as a CronString: Temporal reads a 6-field cron as "+year", not
// "+seconds", and knows no L, W or #.
//
// Temporal calendars have no "last day" or "n-th weekday", so those are
// enumerated: "d#n" is weekday d on days 7n-6..7n; the month-end rules (L,
// L-n, LW, nW, dL) get one group of calendars per month length (31-day
// months, 30-day months, February of leap years, February of other years).
// The Unix "either day field" rule gives two calendars. Calendars returns
// nil when the expression has no fire time in Temporal's years 2000-2100.
func (e *Expr) Calendars() []*schedulepb.StructuredCalendarSpec {
	f := e.Fields()
	base := func() *schedulepb.StructuredCalendarSpec {
		return &schedulepb.StructuredCalendarSpec{
			Second: ranges(f.Second),
			Minute: ranges(f.Minute),
			Hour:   ranges(f.Hour),
		}
	}
	years := f.Year
	if years == nil {
		years = span(temporalMinYear, temporalMaxYear)
	}
	years = clip(years, temporalMinYear, temporalMaxYear)
	if len(years) == 0 {
		return nil
	}
	yearRanges := ranges(years)
	if f.Year == nil {
		yearRanges = nil // every year
	}
	allDays, allWeek := span(1, 31), span(0, 6)
	one := func(dom, dow []int) *schedulepb.StructuredCalendarSpec {
		c := base()
		c.DayOfMonth, c.DayOfWeek = ranges(dom), ranges(dow)
		c.Month, c.Year = ranges(f.Month), yearRanges
		return c
	}

	switch {
	case f.NthWeek > 0:
		return []*schedulepb.StructuredCalendarSpec{one(span(7*f.NthWeek-6, min(7*f.NthWeek, 31)), []int{f.NthDayOfWeek})}
	case f.LastDayOfWeek >= 0 && f.DayOfWeek == nil,
		f.LastDayOfMonth, f.LastWeekdayOfMonth, f.NearestWeekday > 0:
		return e.monthEndCalendars(f, base, years)
	case !f.DayOfMonthAny && !f.DayOfWeekAny: // Unix: either field
		return []*schedulepb.StructuredCalendarSpec{one(f.DayOfMonth, allWeek), one(allDays, f.DayOfWeek)}
	}
	return []*schedulepb.StructuredCalendarSpec{one(f.DayOfMonth, f.DayOfWeek)}
}

// dayRule is one (day-of-month, day-of-week) pair that fires.
type dayRule struct{ dom, dow []int }

// monthEndCalendars handles the rules that depend on the month's length.
func (e *Expr) monthEndCalendars(f Fields, base func() *schedulepb.StructuredCalendarSpec, years []int) []*schedulepb.StructuredCalendarSpec {
	var leap, common []int
	for _, y := range years {
		if daysIn(y, 2) == 29 {
			leap = append(leap, y)
		} else {
			common = append(common, y)
		}
	}
	classes := []struct {
		last   int
		months []int
		years  []int // nil = every year
	}{
		{31, []int{1, 3, 5, 7, 8, 10, 12}, f.Year},
		{30, []int{4, 6, 9, 11}, f.Year},
		{29, []int{2}, leap},
		{28, []int{2}, common},
	}
	var out []*schedulepb.StructuredCalendarSpec
	for _, c := range classes {
		months := intersect(c.months, f.Month)
		if len(months) == 0 || c.years != nil && len(clip(c.years, temporalMinYear, temporalMaxYear)) == 0 {
			continue
		}
		if c.last < 30 && len(c.years) == 0 {
			continue // no such February in range
		}
		for _, r := range dayRules(f, c.last) {
			cal := base()
			cal.DayOfMonth, cal.DayOfWeek = ranges(r.dom), ranges(r.dow)
			cal.Month = ranges(months)
			if c.years != nil {
				cal.Year = leapAwareRanges(clip(c.years, temporalMinYear, temporalMaxYear))
			}
			out = append(out, cal)
		}
	}
	return out
}

// dayRules lists the day pairs of a month-end rule in a month of last days.
func dayRules(f Fields, last int) []dayRule {
	week, fri, mon := span(0, 6), []int{5}, []int{1}
	workdays := span(1, 5)
	switch {
	case f.LastDayOfMonth:
		if d := last - f.LastDayOffset; d >= 1 {
			return []dayRule{{[]int{d}, week}}
		}
		return nil
	case f.LastWeekdayOfMonth:
		// The last day if it is a workday, else the Friday before it.
		return []dayRule{{[]int{last}, workdays}, {[]int{last - 1}, fri}, {[]int{last - 2}, fri}}
	case f.NearestWeekday > 0:
		n := f.NearestWeekday
		if n > last {
			return nil
		}
		rules := []dayRule{{[]int{n}, workdays}}
		// n a Saturday: the Friday before, or Monday the 3rd when n is the 1st.
		if n == 1 {
			rules = append(rules, dayRule{[]int{3}, mon})
		} else {
			rules = append(rules, dayRule{[]int{n - 1}, fri})
		}
		// n a Sunday: the Monday after, or the Friday before when n is the last day.
		if n == last {
			rules = append(rules, dayRule{[]int{n - 2}, fri})
		} else {
			rules = append(rules, dayRule{[]int{n + 1}, mon})
		}
		return rules
	}
	// dL: weekday d in the last seven days.
	return []dayRule{{span(last-6, last), []int{f.LastDayOfWeek}}}
}

// ranges compresses sorted values into Temporal ranges, each an arithmetic
// progression (so 0,5,10,...,55 is one range with step 5).
func ranges(vs []int) []*schedulepb.Range {
	var out []*schedulepb.Range
	for i := 0; i < len(vs); {
		j, step := i+1, 1
		if j < len(vs) {
			step = vs[j] - vs[i]
			for j < len(vs) && vs[j]-vs[j-1] == step {
				j++
			}
		}
		if j-i == 2 && step > 1 && j < len(vs) {
			j, step = i+1, 1 // a lone pair is better left to join the next run
		}
		out = append(out, &schedulepb.Range{Start: int32(vs[i]), End: int32(vs[j-1]), Step: int32(step)})
		i = j
	}
	return out
}

// leapAwareRanges compresses years per residue modulo 4, so that "every
// year except leap years" is four ranges rather than dozens.
func leapAwareRanges(years []int) []*schedulepb.Range {
	var out []*schedulepb.Range
	for r := 0; r < 4; r++ {
		var group []int
		for _, y := range years {
			if y%4 == r {
				group = append(group, y)
			}
		}
		out = append(out, ranges(group)...)
	}
	return out
}

func span(lo, hi int) []int {
	var out []int
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

func clip(vs []int, lo, hi int) []int {
	var out []int
	for _, v := range vs {
		if v >= lo && v <= hi {
			out = append(out, v)
		}
	}
	return out
}

func intersect(a, b []int) []int {
	var out []int
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
			}
		}
	}
	return out
}

// TemporalSpec compiles p into the calendars and skip calendars of one
// Temporal ScheduleSpec (zone p.Loc), so that Temporal fires at every fire
// time of p, and as few others as it can; FlowRun drops the others with
// Decide. Compiled:
//
//   - the calendars of every expression (their union);
//   - under MissingShift, one extra calendar per shifted fire time's date
//     and hour between from and the end of the year from+years (the
//     shifted times are plain wall-clock times of that day);
//   - under a CalendarSkip calendar read in the same zone, a skip entry
//     per holiday, and one for the weekdays that are not calendar days
//     when no make-up workday falls on such a weekday.
//
// Not compiled, and left to Decide: RepeatedOnce (Temporal fires both
// occurrences of a repeated time; a skip entry would drop both), make-up
// workdays' weekdays, and calendars read in another zone.
func (p *Plan) TemporalSpec(from time.Time, years int) (cals, skip []*schedulepb.StructuredCalendarSpec) {
	for _, e := range p.Exprs {
		cals = append(cals, e.Calendars()...)
	}
	loc := p.loc()
	if p.Missing != MissingSkip {
		until := time.Date(from.In(loc).Year()+years, 12, 31, 23, 59, 59, 0, loc)
		type key struct{ y, m, d, h int }
		var order []key
		mins := map[key][]int{}
		secs := map[key][]int{}
		for _, e := range p.Exprs {
			after := from
			for i := 0; i < 100000; i++ {
				s := shiftedNext(e, after, until, loc)
				if s.IsZero() || s.After(until) {
					break
				}
				w := s.In(loc)
				k := key{w.Year(), int(w.Month()), w.Day(), w.Hour()}
				if _, ok := mins[k]; !ok {
					order = append(order, k)
				}
				mins[k] = addSorted(mins[k], w.Minute())
				secs[k] = addSorted(secs[k], w.Second())
				after = s
			}
		}
		for _, k := range order {
			// minutes × seconds may hold times that are not shifted fires;
			// Decide drops them.
			cals = append(cals, &schedulepb.StructuredCalendarSpec{
				Second: ranges(secs[k]), Minute: ranges(mins[k]), Hour: ranges([]int{k.h}),
				DayOfMonth: ranges([]int{k.d}), Month: ranges([]int{k.m}), Year: ranges([]int{k.y}),
				DayOfWeek: ranges(span(0, 6)), // an empty field matches nothing
			})
		}
	}
	c := p.Calendar
	if c == nil || p.Policy == CalendarDryRun || c.Loc == nil || c.Loc.String() != loc.String() {
		return cals, nil
	}
	allDay := func() *schedulepb.StructuredCalendarSpec {
		return &schedulepb.StructuredCalendarSpec{Second: ranges(span(0, 59)), Minute: ranges(span(0, 59)), Hour: ranges(span(0, 23)),
			DayOfMonth: ranges(span(1, 31)), Month: ranges(span(1, 12)), DayOfWeek: ranges(span(0, 6))} // an empty field matches nothing
	}
	for _, k := range sortedKeys(c.Holidays) {
		y, m, d := k/10000, k/100%100, k%100
		if y < temporalMinYear || y > temporalMaxYear || c.Workdays[k] {
			continue
		}
		s := allDay()
		s.Year, s.Month, s.DayOfMonth = ranges([]int{y}), ranges([]int{m}), ranges([]int{d})
		skip = append(skip, s)
	}
	var off []int // Go weekdays (0 = Sunday) that are not calendar days
	for wd := 1; wd <= 7; wd++ {
		if !c.Weekdays[wd] {
			off = append(off, wd%7)
		}
	}
	for _, k := range sortedKeys(c.Workdays) {
		wd := int(time.Date(k/10000, time.Month(k/100%100), k%100, 12, 0, 0, 0, time.UTC).Weekday())
		for _, o := range off {
			if o == wd {
				return cals, skip // a make-up day on an off weekday: Decide judges weekdays
			}
		}
	}
	if len(off) > 0 {
		s := allDay()
		sortInts(off)
		s.DayOfWeek = ranges(off)
		skip = append(skip, s)
	}
	return cals, skip
}

func addSorted(vs []int, v int) []int {
	for i, x := range vs {
		if x == v {
			return vs
		}
		if x > v {
			return append(vs[:i], append([]int{v}, vs[i:]...)...)
		}
	}
	return append(vs, v)
}

// sortedKeys lists the true keys of m in order (not for workflow code: it
// ranges over the map).
func sortedKeys(m map[int]bool) []int {
	var out []int
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sortInts(out)
	return out
}

func sortInts(vs []int) {
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && vs[j] < vs[j-1]; j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
}
