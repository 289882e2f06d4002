package vars

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeExpr evaluates the content of $[...] at logical time t.
//
// Forms (DolphinScheduler's):
//
//	PATTERN            the time formatted, e.g. yyyyMMdd, yyyy-MM-dd, HH:mm:ss
//	PATTERN+N, -N      N days later / earlier (calendar days: 02:00 stays
//	                   02:00 across a daylight-saving change)
//	PATTERN+N*M        N*M days (e.g. -7*2 for two weeks)
//	PATTERN-N/24       N hours; PATTERN-N/24/60 N minutes (exact durations)
//	add_months(PATTERN,N)     N months later, clamped to the month's end
//	this_day(PATTERN), last_day(PATTERN)          today, yesterday
//	month_first_day(PATTERN,N), month_last_day(PATTERN,N)
//	                   first / last day of the month N months away
//	week_first_day(PATTERN,N), week_last_day(PATTERN,N)
//	                   Monday / Sunday of the week N weeks away
//
// A trailing +N or -N is always arithmetic, never part of the pattern.
func timeExpr(s string, t time.Time) (string, error) {
	if open := strings.IndexByte(s, '('); open >= 0 {
		return callFunc(s, open, t)
	}
	pattern := s
	if i := strings.LastIndexAny(s, "+-"); i > 0 && isOffset(s[i+1:]) {
		pattern = s[:i]
		var err error
		if t, err = shift(t, s[i], s[i+1:]); err != nil {
			return "", err
		}
	}
	return format(t, pattern)
}

// isOffset reports whether s looks like the N of a trailing +N/-N: digits,
// '*' and '/', starting with a digit.
func isOffset(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	return strings.Trim(s, "0123456789*/") == ""
}

// shift moves t by the offset "N", "N*M", "N/24" or "N/24/60" (days).
func shift(t time.Time, sign byte, s string) (time.Time, error) {
	num, den := int64(1), int64(1)
	body, divs, hasDivs := strings.Cut(s, "/")
	for _, f := range strings.Split(body, "*") {
		n, err := smallInt(f)
		if err != nil {
			return t, err
		}
		if num *= n; num > 100000 {
			return t, fmt.Errorf("offset %s is too large (at most 100000 days)", s)
		}
	}
	if hasDivs {
		for _, f := range strings.Split(divs, "/") {
			n, err := smallInt(f)
			if err != nil {
				return t, err
			}
			if n == 0 {
				return t, fmt.Errorf("division by zero")
			}
			den *= n
		}
	}
	if sign == '-' {
		num = -num
	}
	if den == 1 {
		return t.AddDate(0, 0, int(num)), nil
	}
	if den > 1_000_000 {
		return t, fmt.Errorf("offset %s: divisor too large", s)
	}
	return t.Add(time.Duration(num) * 24 * time.Hour / time.Duration(den)), nil
}

func smallInt(s string) (int64, error) {
	if s == "" || len(s) > 6 || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	return strconv.ParseInt(s, 10, 64)
}

// callFunc evaluates FUNC(PATTERN[,N]).
func callFunc(s string, open int, t time.Time) (string, error) {
	name := strings.TrimSpace(s[:open])
	if !strings.HasSuffix(s, ")") {
		return "", fmt.Errorf("missing ) after %s(", name)
	}
	args := strings.Split(s[open+1:len(s)-1], ",")
	pattern := strings.TrimSpace(args[0])
	n := 0
	switch len(args) {
	case 1:
	case 2:
		v, err := strconv.Atoi(strings.TrimSpace(args[1]))
		if err != nil || v < -100000 || v > 100000 {
			return "", fmt.Errorf("%s: invalid number %q", name, strings.TrimSpace(args[1]))
		}
		n = v
	default:
		return "", fmt.Errorf("%s takes a pattern and at most one number", name)
	}
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	at := func(y int, m time.Month, d int) time.Time {
		return time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), t.Location())
	}
	switch name {
	case "add_months":
		first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
		t = at(first.Year(), first.Month(), min(d, daysIn(first)))
	case "this_day":
	case "last_day":
		t = at(y, m, d-1)
	case "month_first_day":
		t = at(y, m+time.Month(n), 1)
	case "month_last_day":
		first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
		t = at(first.Year(), first.Month(), daysIn(first))
	case "week_first_day", "week_last_day":
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		if name == "week_last_day" {
			back -= 6
		}
		t = at(y, m, d-back+7*n)
	default:
		return "", fmt.Errorf("unknown function %q", name)
	}
	return format(t, pattern)
}

func daysIn(first time.Time) int {
	return first.AddDate(0, 1, -1).Day()
}

// format writes t with a Java/DolphinScheduler date pattern: yyyy, yy, MM,
// M, dd, d, HH, H, mm, m, ss, s, SSS. Other letters are refused (rather than
// printed literally) because they are most likely a typo; everything else is
// copied as is.
func format(t time.Time, pattern string) (string, error) {
	if pattern == "" {
		return "", fmt.Errorf("empty date pattern")
	}
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		j := i
		for j < len(pattern) && pattern[j] == c {
			j++
		}
		n := j - i
		i = j
		if !isLetter(c) {
			b.WriteString(strings.Repeat(string(c), n))
			continue
		}
		var v, width int
		switch {
		case c == 'y' && n == 2:
			v, width = t.Year()%100, 2
		case c == 'y':
			v, width = t.Year(), n
		case c == 'M' && n <= 2:
			v, width = int(t.Month()), n
		case c == 'd' && n <= 2:
			v, width = t.Day(), n
		case c == 'H' && n <= 2:
			v, width = t.Hour(), n
		case c == 'm' && n <= 2:
			v, width = t.Minute(), n
		case c == 's' && n <= 2:
			v, width = t.Second(), n
		case c == 'S' && n <= 3:
			v, width = t.Nanosecond()/1e6, n
		default:
			return "", fmt.Errorf("unsupported date pattern %q (use yyyy, yy, MM, dd, HH, mm, ss, SSS)", strings.Repeat(string(c), n))
		}
		fmt.Fprintf(&b, "%0*d", width, v)
	}
	return b.String(), nil
}
