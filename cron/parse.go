package cron

import (
	"fmt"
	"strings"
)

const minYear = 1970

// field describes one position of an expression.
type field struct {
	name     string
	min, max int
	names    []string // names[i] stands for the value nameBase+i (JAN = 1, SUN = 0 or 1)
	nameBase int      // value of names[0]
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

	fSecond     = field{name: "second", min: 0, max: 59}
	fMinute     = field{name: "minute", min: 0, max: 59}
	fHour       = field{name: "hour", min: 0, max: 23}
	fDom        = field{name: "day-of-month", min: 1, max: 31}
	fMonth      = field{name: "month", min: 1, max: 12, names: monthNames, nameBase: 1}
	fUnixDow    = field{name: "day-of-week", min: 0, max: 7, names: dayNames, nameBase: 0}
	fQuartzDow  = field{name: "day-of-week", min: 1, max: 7, names: dayNames, nameBase: 1}
	fYear       = field{name: "year", min: minYear, max: 2099}
	ordinals    = []string{"1st", "2nd", "3rd", "4th", "5th", "6th", "7th"}
	unixForm    = []field{fMinute, fHour, fDom, fMonth, fUnixDow}
	quartzForm  = []field{fSecond, fMinute, fHour, fDom, fMonth, fQuartzDow, fYear}
	formsString = "5 fields (Unix: minute hour day-of-month month day-of-week) or 6-7 fields (Quartz: second minute hour day-of-month month day-of-week [year])"
)

// fieldError is the error for a bad field. Its text names the field and its
// position, because callers show it to users as is.
func fieldError(f field, pos int, format string, args ...any) error {
	return fmt.Errorf("field %q (%s): %s", f.name, ordinals[pos], fmt.Sprintf(format, args...))
}

// Parse parses a 5-field Unix or a 6/7-field Quartz expression (see the
// package documentation). Errors name the bad field, for example
// `field "hour" (3rd): value 25 out of range 0-23`.
func Parse(expr string) (*Expr, error) {
	if len(expr) > MaxLength {
		return nil, fmt.Errorf("cron expression is too long (at most %d characters)", MaxLength)
	}
	parts := normalize(expr)
	if len(parts) == 0 {
		return nil, fmt.Errorf("cron expression is empty")
	}
	e := &Expr{text: strings.ToUpper(strings.Join(parts, " ")), lastDow: -1}
	var form []field
	switch len(parts) {
	case 5:
		form = unixForm
	case 6, 7:
		form, e.quartz = quartzForm, true
	default:
		return nil, fmt.Errorf("expected %s, got %d field(s)", formsString, len(parts))
	}
	if !e.quartz {
		e.second = 1 // Unix cron fires at second 0
	}
	for i, p := range parts {
		if err := e.parseField(form[i], i, p); err != nil {
			return nil, err
		}
	}
	if e.quartz {
		domQ, dowQ := parts[3] == "?", parts[5] == "?"
		switch {
		case domQ && dowQ:
			return nil, fmt.Errorf(`field "day-of-week" (6th): "?" may not be used in both day-of-month and day-of-week; restrict one of them`)
		case !e.domStar && !e.dowStar:
			return nil, fmt.Errorf(`field "day-of-week" (6th): day-of-month and day-of-week may not both be restricted in the Quartz form; use "?" in one of them`)
		}
	}
	return e, nil
}

// parseField parses one field text into e.
func (e *Expr) parseField(f field, pos int, s string) error {
	var bits *uint64
	switch f.name {
	case "second":
		bits = &e.second
	case "minute":
		bits = &e.minute
	case "hour":
		bits = &e.hour
	case "month":
		bits = &e.month
	case "day-of-month":
		bits = &e.dom
		e.domStar = unrestricted(s, e.quartz)
		if s == "?" {
			*bits = rangeBits(1, 31, 1)
			return nil
		}
		if ok, err := e.parseDomRule(f, pos, s); ok || err != nil {
			return err
		}
	case "day-of-week":
		bits = &e.dow
		e.dowStar = unrestricted(s, e.quartz)
		if s == "?" {
			*bits = rangeBits(0, 6, 1)
			return nil
		}
		if ok, err := e.parseDowRule(f, pos, s); ok || err != nil {
			return err
		}
	case "year":
		if s == "*" {
			return nil
		}
		e.years = make([]bool, f.max-f.min+1)
	}
	if strings.Contains(s, "?") {
		if f.name == "day-of-month" || f.name == "day-of-week" {
			return fieldError(f, pos, `"?" must stand alone`)
		}
		return fieldError(f, pos, `"?" is only allowed in day-of-month and day-of-week`)
	}
	for _, item := range strings.Split(s, ",") {
		lo, hi, step, err := parseItem(f, pos, item)
		if err != nil {
			return err
		}
		for v := lo; v <= hi; v += step {
			switch {
			case e.years != nil:
				e.years[v-f.min] = true
			case f.name == "day-of-week" && e.quartz:
				*bits |= 1 << (v - 1) // Quartz 1 = Sunday -> 0
			case f.name == "day-of-week" && v == 7:
				*bits |= 1 // Unix 7 = Sunday -> 0
			default:
				*bits |= 1 << v
			}
		}
	}
	return nil
}

// parseItem parses one list item: "*", "*/n", "a", "a-b", "a/n", "a-b/n".
func parseItem(f field, pos int, item string) (lo, hi, step int, err error) {
	if item == "" {
		return 0, 0, 0, fieldError(f, pos, "empty list item")
	}
	step = 1
	rng := item
	if i := strings.IndexByte(item, '/'); i >= 0 {
		rng = item[:i]
		n, ok := number(item[i+1:])
		if !ok {
			return 0, 0, 0, fieldError(f, pos, "invalid step %q", item[i+1:])
		}
		if n < 1 || n > f.max-f.min+1 {
			return 0, 0, 0, fieldError(f, pos, "step %d out of range 1-%d", n, f.max-f.min+1)
		}
		step = n
	}
	if rng == "*" {
		return f.min, f.max, step, nil
	}
	if i := strings.IndexByte(rng, '-'); i >= 0 {
		if lo, err = value(f, pos, rng[:i]); err != nil {
			return 0, 0, 0, err
		}
		if hi, err = value(f, pos, rng[i+1:]); err != nil {
			return 0, 0, 0, err
		}
		if lo > hi {
			return 0, 0, 0, fieldError(f, pos, "range %s: start is after end (ranges do not wrap around)", rng)
		}
		return lo, hi, step, nil
	}
	if lo, err = value(f, pos, rng); err != nil {
		return 0, 0, 0, err
	}
	if strings.Contains(item, "/") {
		return lo, f.max, step, nil // "a/n" means a through max in steps of n
	}
	return lo, lo, 1, nil
}

// value parses a number or a name of field f and checks its range.
func value(f field, pos int, s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.nameBase + i, nil
		}
	}
	n, ok := number(s)
	if !ok {
		if s == "" {
			return 0, fieldError(f, pos, "missing value")
		}
		return 0, fieldError(f, pos, "invalid value %q", s)
	}
	if n < f.min || n > f.max {
		return 0, fieldError(f, pos, "value %d out of range %d-%d", n, f.min, f.max)
	}
	return n, nil
}

// number parses a short unsigned decimal; unlike strconv.Atoi it refuses
// signs and absurd lengths.
func number(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// unrestricted reports whether a day field takes no part in day selection:
// '*' or '?' in the Quartz form; in the Unix form, like Vixie cron, any
// field that starts with '*' (so "*/2" in day-of-month and "1" in
// day-of-week means odd days that are Mondays, not either).
func unrestricted(s string, quartz bool) bool {
	if quartz {
		return s == "*" || s == "?"
	}
	return s == "?" || strings.HasPrefix(s, "*")
}

func rangeBits(lo, hi, step int) uint64 {
	var b uint64
	for v := lo; v <= hi; v += step {
		b |= 1 << v
	}
	return b
}

// parseDomRule handles the Quartz day-of-month rules L, L-n, LW and nW.
// It reports whether s was such a rule.
func (e *Expr) parseDomRule(f field, pos int, orig string) (bool, error) {
	s := strings.ToUpper(orig)
	if !strings.ContainsAny(s, "LW") {
		return false, nil
	}
	if !e.quartz {
		return true, fieldError(f, pos, "L, W and # are only supported in the 6/7-field Quartz form")
	}
	switch {
	case s == "L":
		e.lastDay = true
	case s == "LW":
		e.lastWeekday = true
	case strings.HasPrefix(s, "L-"):
		n, ok := number(s[2:])
		if !ok || n > 30 {
			return true, fieldError(f, pos, "invalid %q: expected L-n with n 0-30", orig)
		}
		e.lastDay, e.lastDayOffset = true, n
	case strings.HasSuffix(s, "W"):
		n, ok := number(s[:len(s)-1])
		if !ok || n < 1 || n > 31 {
			return true, fieldError(f, pos, "invalid %q: expected nW with n 1-31", orig)
		}
		e.nearestWeekday = n
	default:
		return true, fieldError(f, pos, "invalid %q: L and W must stand alone (L, L-n, LW or nW)", orig)
	}
	return true, nil
}

// parseDowRule handles the Quartz day-of-week rules dL, d#n and L alone.
// It reports whether s was such a rule.
func (e *Expr) parseDowRule(f field, pos int, orig string) (bool, error) {
	s := strings.ToUpper(orig)
	if !strings.ContainsAny(s, "L#") {
		return false, nil
	}
	if !e.quartz {
		return true, fieldError(f, pos, "L, W and # are only supported in the 6/7-field Quartz form")
	}
	if s == "L" { // Quartz: "L" alone in day-of-week is Saturday
		e.dow = 1 << 6
		return true, nil
	}
	if strings.ContainsAny(s, ",-/*") {
		return true, fieldError(f, pos, "invalid %q: L and # must stand alone (dL or d#n)", orig)
	}
	if d, ok := strings.CutSuffix(s, "L"); ok {
		v, err := value(f, pos, d)
		if err != nil {
			return true, err
		}
		e.lastDow = v - 1
		return true, nil
	}
	d, n, _ := strings.Cut(s, "#")
	v, err := value(f, pos, d)
	if err != nil {
		return true, err
	}
	k, ok := number(n)
	if !ok || k < 1 || k > 5 {
		return true, fieldError(f, pos, "invalid %q: expected d#n with n 1-5", orig)
	}
	e.nthDow, e.nth = v-1, k
	return true, nil
}
