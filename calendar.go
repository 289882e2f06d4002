package jobflow

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"jobflow/cron"
)

// PrefixCalendar is the id prefix of business calendars.
const PrefixCalendar = "cal"

// Calendar is a business calendar (业务日历): the days a schedule that names
// it fires on. A day is a calendar day when it is a make-up workday (调休),
// or else when it is not a holiday and its weekday is in Weekdays (1 =
// Monday … 7 = Sunday, ISO 8601). Dates are read in Timezone.
//
// A calendar belongs to one tenant, or, created by a SYS_ADMIN with
// shared set, to every tenant (TenantID ""). Every change raises Version;
// publishing a workflow copies the calendar's current content into the
// version's snapshot, so a change never alters a run already started,
// and Engine.RefreshCalendar re-applies the schedules of published
// workflows so their next fires use the new content.
type Calendar struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenantId"` // "" = shared with every tenant
	Shared    bool      `json:"shared"`
	Name      string    `json:"name"`
	Timezone  string    `json:"timezone"`
	Weekdays  []int     `json:"weekdays"`
	Holidays  []string  `json:"holidays"` // 2006-01-02, sorted
	Workdays  []string  `json:"workdays"` // make-up workdays, sorted
	Remark    string    `json:"remark"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	CreatedBy string    `json:"createdBy"`
	UpdatedBy string    `json:"updatedBy"`
}

// Calendar limits.
const (
	MaxCalendarDates = 5000
	calendarMinYear  = 2000
	calendarMaxYear  = 2099
)

// Normalize fills defaults (Monday to Friday, Asia/Shanghai) and sorts and
// de-duplicates the dates.
func (c *Calendar) Normalize() {
	if c.Timezone == "" {
		c.Timezone = "Asia/Shanghai"
	}
	if c.Weekdays == nil {
		c.Weekdays = []int{1, 2, 3, 4, 5}
	}
	c.Weekdays = uniqInts(c.Weekdays)
	c.Holidays = uniqStrings(c.Holidays)
	c.Workdays = uniqStrings(c.Workdays)
}

// Validate normalizes c and checks every field; errors name the field.
func (c *Calendar) Validate() error {
	c.Normalize()
	if err := ValidateName("name", c.Name); err != nil {
		return err
	}
	if err := ValidateRemark(c.Remark); err != nil {
		return err
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
		return InvalidField("timezone", "timezone %q is not an IANA time zone", c.Timezone)
	}
	for _, d := range c.Weekdays {
		if d < 1 || d > 7 {
			return InvalidField("weekdays", "weekdays: %d is not a weekday (1 = Monday … 7 = Sunday)", d)
		}
	}
	if len(c.Holidays)+len(c.Workdays) > MaxCalendarDates {
		return InvalidField("holidays", "a calendar holds at most %d holidays and workdays", MaxCalendarDates)
	}
	for _, f := range []struct {
		name  string
		dates []string
	}{{"holidays", c.Holidays}, {"workdays", c.Workdays}} {
		for _, d := range f.dates {
			if _, err := parseCalendarDate(d); err != nil {
				return InvalidField(f.name, "%s: %q is not a date 2006-01-02 in the years %d-%d", f.name, d, calendarMinYear, calendarMaxYear)
			}
		}
	}
	hol := map[string]bool{}
	for _, d := range c.Holidays {
		hol[d] = true
	}
	for _, d := range c.Workdays {
		if hol[d] {
			return InvalidField("workdays", "%s is both a holiday and a workday", d)
		}
	}
	return nil
}

func parseCalendarDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, err
	}
	if t.Year() < calendarMinYear || t.Year() > calendarMaxYear {
		return t, fmt.Errorf("year out of range")
	}
	return t, nil
}

// Days returns the calendar as cron's decision type. c must be valid.
func (c *Calendar) Days() (*cron.Calendar, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, InvalidField("timezone", "timezone %q is not an IANA time zone", c.Timezone)
	}
	out := &cron.Calendar{Loc: loc, Holidays: map[int]bool{}, Workdays: map[int]bool{}}
	for _, d := range c.Weekdays {
		if d >= 1 && d <= 7 {
			out.Weekdays[d] = true
		}
	}
	for _, s := range c.Holidays {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			out.Holidays[cron.DateKey(t.Date())] = true
		}
	}
	for _, s := range c.Workdays {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			out.Workdays[cron.DateKey(t.Date())] = true
		}
	}
	return out, nil
}

// CalendarUpdate is PATCH /calendars/{id}; nil fields stay.
type CalendarUpdate struct {
	Name     *string   `json:"name"`
	Timezone *string   `json:"timezone"`
	Weekdays *[]int    `json:"weekdays"`
	Holidays *[]string `json:"holidays"`
	Workdays *[]string `json:"workdays"`
	Remark   *string   `json:"remark"`
}

// Apply copies the set fields onto c.
func (u CalendarUpdate) Apply(c *Calendar) {
	if u.Name != nil {
		c.Name = *u.Name
	}
	if u.Timezone != nil {
		c.Timezone = *u.Timezone
	}
	if u.Weekdays != nil {
		c.Weekdays = *u.Weekdays
	}
	if u.Holidays != nil {
		c.Holidays = *u.Holidays
	}
	if u.Workdays != nil {
		c.Workdays = *u.Workdays
	}
	if u.Remark != nil {
		c.Remark = *u.Remark
	}
}

// CalendarFilter selects the calendars a tenant sees (its own and the shared ones).
type CalendarFilter struct {
	ListParams
}

// CalendarService stores business calendars.
type CalendarService interface {
	CreateCalendar(ctx context.Context, c *Calendar) error
	// FindCalendarByID finds a calendar of the tenant or a shared one.
	FindCalendarByID(ctx context.Context, tenantID, id string) (*Calendar, error)
	FindCalendars(ctx context.Context, tenantID string, f CalendarFilter) ([]*Calendar, int, error)
	// FindCalendarVersion returns the content of one version of a
	// calendar the tenant sees.
	FindCalendarVersion(ctx context.Context, tenantID, id string, version int) (*Calendar, error)
	// UpdateCalendar stores c (found with FindCalendarByID) with Version+1,
	// unless the stored version is no longer c.Version: CONFLICT.
	UpdateCalendar(ctx context.Context, c *Calendar) error
	DeleteCalendar(ctx context.Context, tenantID, id string) error
}

// Calendar import formats (POST /calendars/{id}/import and create).
const (
	ImportICS  = "ICS"  // iCalendar: each all-day VEVENT is a holiday; one whose SUMMARY says 班/补班/workday is a make-up workday
	ImportList = "LIST" // one date a line: "2026-10-01", "2026-10-01 HOLIDAY" or "2026-10-10 WORKDAY"; '#' starts a comment
)

// ParseCalendarImport reads holidays and workdays from an ICS file or a
// yearly list. Errors are INVALID naming the field "content" and the line.
func ParseCalendarImport(format, content string) (holidays, workdays []string, err error) {
	switch strings.ToUpper(format) {
	case ImportICS:
		return parseICS(content)
	case ImportList, "":
		return parseDateList(content)
	}
	return nil, nil, InvalidField("format", "format must be ICS or LIST")
}

func parseDateList(content string) (holidays, workdays []string, err error) {
	sc := bufio.NewScanner(strings.NewReader(content))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
		if len(f) == 0 {
			continue
		}
		if _, err := parseCalendarDate(f[0]); err != nil || len(f) > 2 {
			return nil, nil, InvalidField("content", "line %d: want \"2006-01-02 [HOLIDAY|WORKDAY]\", got %q", n, strings.TrimSpace(line))
		}
		kind := "HOLIDAY"
		if len(f) == 2 {
			kind = strings.ToUpper(f[1])
		}
		switch kind {
		case "HOLIDAY", "H", "休":
			holidays = append(holidays, f[0])
		case "WORKDAY", "W", "班":
			workdays = append(workdays, f[0])
		default:
			return nil, nil, InvalidField("content", "line %d: %q is neither HOLIDAY nor WORKDAY", n, f[1])
		}
	}
	return holidays, workdays, nil
}

// parseICS reads the all-day events of an iCalendar file (RFC 5545):
// DTSTART;VALUE=DATE:20261001 and DTEND (exclusive; one day when absent).
func parseICS(content string) (holidays, workdays []string, err error) {
	// Unfold continuation lines (RFC 5545 3.1).
	content = strings.ReplaceAll(content, "\r\n", "\n")
	content = strings.ReplaceAll(content, "\n ", "")
	content = strings.ReplaceAll(content, "\n\t", "")
	var in bool
	var start, end, summary string
	for n, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		name, value, _ := strings.Cut(line, ":")
		key := strings.ToUpper(strings.SplitN(name, ";", 2)[0])
		switch {
		case strings.EqualFold(line, "BEGIN:VEVENT"):
			in, start, end, summary = true, "", "", ""
		case strings.EqualFold(line, "END:VEVENT"):
			if !in || start == "" {
				return nil, nil, InvalidField("content", "line %d: an event without DTSTART", n+1)
			}
			in = false
			s, err1 := time.Parse("20060102", start[:min(8, len(start))])
			e := s.AddDate(0, 0, 1)
			if end != "" {
				var err2 error
				if e, err2 = time.Parse("20060102", end[:min(8, len(end))]); err2 != nil {
					err1 = err2
				}
			}
			if err1 != nil || e.Before(s) || e.Sub(s) > 366*24*time.Hour {
				return nil, nil, InvalidField("content", "line %d: bad DTSTART/DTEND %q/%q", n+1, start, end)
			}
			work := strings.Contains(summary, "班") || strings.Contains(strings.ToLower(summary), "workday")
			for d := s; d.Before(e) || d.Equal(s); d = d.AddDate(0, 0, 1) {
				if _, err := parseCalendarDate(d.Format("2006-01-02")); err != nil {
					return nil, nil, InvalidField("content", "line %d: %s is outside the years %d-%d", n+1, d.Format("2006-01-02"), calendarMinYear, calendarMaxYear)
				}
				if work {
					workdays = append(workdays, d.Format("2006-01-02"))
				} else {
					holidays = append(holidays, d.Format("2006-01-02"))
				}
				if !d.AddDate(0, 0, 1).Before(e) {
					break
				}
			}
		case in && key == "DTSTART":
			start = value
		case in && key == "DTEND":
			end = value
		case in && key == "SUMMARY":
			summary = value
		}
	}
	if len(holidays)+len(workdays) == 0 {
		return nil, nil, InvalidField("content", "the ICS file holds no all-day event")
	}
	return holidays, workdays, nil
}

func uniqInts(vs []int) []int {
	out := append([]int{}, vs...)
	slices.Sort(out)
	return slices.Compact(out)
}

func uniqStrings(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, strings.TrimSpace(v))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
