// Package cron parses cron expressions and computes their fire times in a
// time zone.
//
// Two forms are accepted, told apart by the number of fields:
//
//   - 5 fields, Unix (Vixie) cron: "minute hour day-of-month month day-of-week".
//     Day-of-week is 0-7 with 0 and 7 both Sunday. When both day-of-month and
//     day-of-week are restricted (neither starts with '*' or '?'), a day
//     matches if EITHER matches, as in Vixie cron.
//   - 6 or 7 fields, Quartz cron (the form of the original product and of
//     DolphinScheduler): "second minute hour day-of-month month day-of-week
//     [year]". Day-of-week is 1-7 with 1 = Sunday and 7 = Saturday. At most one
//     of day-of-month and day-of-week may be restricted; '*' there is treated
//     like '?'. Quartz and DolphinScheduler demand exactly one '?'; we also
//     accept "* *" (Spring style, meaning every day) because its meaning is
//     unambiguous, but reject two restricted fields and "? ?".
//
// Every field takes '*', lists "a,b", ranges "a-b", steps "*/n", "a/n" and
// "a-b/n"; months take JAN-DEC and days SUN-SAT (case-insensitive). '?' is
// allowed only in the day fields. The Quartz form also takes, as the whole
// field: in day-of-month "L" (last day), "L-n" (n days before the last day),
// "LW" (last weekday), "nW" (weekday nearest day n, never leaving the month);
// in day-of-week "dL" (last weekday d of the month), "d#n" (n-th weekday d,
// n 1-5) and "L" alone (Saturday, as in Quartz). Ranges may not wrap around
// ("FRI-MON" is an error). The year field takes 1970-2099. The shorthands
// @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly are
// accepted too.
//
// Time zones and daylight saving time: an expression fires at every instant
// whose wall-clock reading in the location matches it. That is the
// definition Temporal schedules use for a calendar match (compiledCalendar.
// matches in go.temporal.io/server), and Temporal is what really fires them.
// So a time inside the hour skipped when clocks spring forward does not
// fire that day (02:30 daily does not fire on the Berlin spring change day;
// Temporal skips it too), and a time inside the hour repeated when clocks
// fall back fires twice, once per occurrence (Temporal does the same in
// zones west of UTC such as America/New_York). In zones east of UTC such as
// Europe/Berlin, Temporal v1.32.1's search is faulty on the autumn change
// night (it misses some matching times and fires at a few non-matching
// ones, see TestExpr_Calendars_DST); Next does not copy that fault.
//
// Everything here is pure and deterministic (no clock, no mutable globals),
// so Next may be called from Temporal workflow code.
package cron

import (
	"strings"
)

// MaxLength bounds the length of an expression, so that a hostile input
// cannot make parsing expensive.
const MaxLength = 512

// maxYear is the last year searched for a fire time, the same bound
// Temporal's calendar search uses.
const maxYear = 2100

// Expr is a parsed cron expression. The zero value is not usable; get one
// from Parse. An *Expr is immutable and safe for concurrent use.
type Expr struct {
	text   string // normalized expression, see String
	quartz bool

	second, minute, hour, dom, month, dow uint64 // bit i set = value i allowed; dow uses 0 = Sunday
	years                                 []bool // nil = any year; else years[y-minYear]
	domStar, dowStar                      bool   // field was '*' or '?' (or began with '*', for the Vixie OR rule)

	lastDay        bool // L or L-n in day-of-month
	lastDayOffset  int  // n of L-n
	lastWeekday    bool // LW
	nearestWeekday int  // n of nW, 0 if unused
	lastDow        int  // weekday of dL (0 = Sunday), -1 if unused
	nthDow, nth    int  // weekday (0 = Sunday) and n of d#n; nth 0 if unused
}

// Fields is the parsed content of an expression, for callers that translate
// it into another scheduler's terms (Temporal calendar specs). All numbers
// are in Go's conventions: months 1-12, day-of-week 0 = Sunday .. 6 = Saturday
// (time.Weekday) whatever the input form was.
type Fields struct {
	Quartz bool // 6/7-field form (else 5-field Unix)

	Second     []int // sorted; Unix form: [0]
	Minute     []int
	Hour       []int
	DayOfMonth []int // sorted values; nil when a day-of-month rule (L, LW, nW) is used
	Month      []int
	DayOfWeek  []int // sorted values; nil when a day-of-week rule (dL, d#n) is used
	Year       []int // nil = every year

	// DayOfMonthAny and DayOfWeekAny tell that the field was not restricted
	// ('*' or '?', or in the Unix form any field starting with '*'). When
	// both are false, a day matches if EITHER field matches (Unix form only).
	DayOfMonthAny bool
	DayOfWeekAny  bool

	LastDayOfMonth     bool // "L" or "L-n": the last day minus LastDayOffset
	LastDayOffset      int
	LastWeekdayOfMonth bool // "LW"
	NearestWeekday     int  // "nW": n, or 0
	LastDayOfWeek      int  // "dL": weekday d, or -1
	NthDayOfWeek       int  // "d#n": weekday d (valid when NthWeek > 0)
	NthWeek            int  // "d#n": n 1-5, or 0
}

// String returns the expression in normalized form: fields separated by one
// space, names in upper case, shorthands like @daily expanded. It parses back
// to an equivalent expression.
func (e *Expr) String() string { return e.text }

// Fields returns the parsed fields of e.
func (e *Expr) Fields() Fields {
	f := Fields{
		Quartz:             e.quartz,
		Second:             bitsToInts(e.second),
		Minute:             bitsToInts(e.minute),
		Hour:               bitsToInts(e.hour),
		Month:              bitsToInts(e.month),
		DayOfMonthAny:      e.domStar,
		DayOfWeekAny:       e.dowStar,
		LastDayOfMonth:     e.lastDay,
		LastDayOffset:      e.lastDayOffset,
		LastWeekdayOfMonth: e.lastWeekday,
		NearestWeekday:     e.nearestWeekday,
		LastDayOfWeek:      e.lastDow,
		NthDayOfWeek:       e.nthDow,
		NthWeek:            e.nth,
	}
	if !e.lastDay && !e.lastWeekday && e.nearestWeekday == 0 {
		f.DayOfMonth = bitsToInts(e.dom)
	}
	if e.lastDow < 0 && e.nth == 0 {
		f.DayOfWeek = bitsToInts(e.dow)
	}
	if e.years != nil {
		for i, ok := range e.years {
			if ok {
				f.Year = append(f.Year, minYear+i)
			}
		}
	}
	return f
}

func bitsToInts(b uint64) []int {
	var out []int
	for i := 0; i < 64; i++ {
		if b&(1<<i) != 0 {
			out = append(out, i)
		}
	}
	return out
}

// shorthands maps the @-forms to their 5-field meaning.
var shorthands = map[string]string{
	"@YEARLY":   "0 0 1 1 *",
	"@ANNUALLY": "0 0 1 1 *",
	"@MONTHLY":  "0 0 1 * *",
	"@WEEKLY":   "0 0 * * 0",
	"@DAILY":    "0 0 * * *",
	"@MIDNIGHT": "0 0 * * *",
	"@HOURLY":   "0 * * * *",
}

// normalize expands shorthands and splits expr into fields. Case is kept,
// so that error messages quote what the user wrote.
func normalize(expr string) []string {
	s := strings.TrimSpace(expr)
	if long, ok := shorthands[strings.ToUpper(s)]; ok {
		s = long
	}
	return strings.Fields(s)
}
