package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// Business calendars (docs/scheduling.md#business-calendars-dst-policy-several-crons-richer-backfills): a tenant's own, plus the ones a SYS_ADMIN
// shares with every tenant (shared: true). MEMBERs read them; a
// TENANT_ADMIN writes the tenant's; only a SYS_ADMIN writes shared ones.
// Every change raises version and re-applies the Temporal Schedules of the
// published workflows that name the calendar; runs already started keep
// the copy in their snapshot.

type calendarInput struct {
	jobflow.CalendarUpdate
	Shared bool            `json:"shared"`
	Import *calendarImport `json:"import"` // create only: holidays and workdays read from a file
}

// calendarImport is POST /calendars/{id}/import: an ICS file or a yearly
// list of dates; mode MERGE (default) adds them, REPLACE replaces the
// holidays and workdays.
type calendarImport struct {
	Format  string `json:"format"`
	Content string `json:"content" required:"true"`
	Mode    string `json:"mode"`
}

func (s *Server) calendars() (jobflow.CalendarService, error) {
	if s.deps.Calendars == nil {
		return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "business calendars are not available")
	}
	return s.deps.Calendars, nil
}

func (s *Server) listCalendars(c echo.Context) error {
	cs, err := s.calendars()
	if err != nil {
		return err
	}
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := cs.FindCalendars(c.Request().Context(), actor(c).TenantID, jobflow.CalendarFilter{ListParams: p})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) getCalendar(c echo.Context) error {
	cs, err := s.calendars()
	if err != nil {
		return err
	}
	cal, err := cs.FindCalendarByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cal)
}

func (s *Server) getCalendarVersion(c echo.Context) error {
	cs, err := s.calendars()
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n < 1 {
		return invalid("version", "version must be a positive number")
	}
	cal, err := cs.FindCalendarVersion(c.Request().Context(), actor(c).TenantID, c.Param("id"), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cal)
}

// applyImport merges (or replaces) the dates of in into cal.
func applyImport(cal *jobflow.Calendar, in *calendarImport) error {
	h, w, err := jobflow.ParseCalendarImport(in.Format, in.Content)
	if err != nil {
		return err
	}
	switch in.Mode {
	case "", "MERGE":
		cal.Holidays = append(cal.Holidays, h...)
		cal.Workdays = append(cal.Workdays, w...)
	case "REPLACE":
		cal.Holidays, cal.Workdays = h, w
	default:
		return invalid("mode", "mode must be MERGE or REPLACE")
	}
	// A date imported as one kind stops being the other.
	cal.Holidays = without(cal.Holidays, w)
	cal.Workdays = without(cal.Workdays, h)
	return nil
}

func without(list, drop []string) []string {
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d] = true
	}
	out := []string{}
	for _, d := range list {
		if !gone[d] {
			out = append(out, d)
		}
	}
	return out
}

func (s *Server) createCalendar(c echo.Context) error {
	cs, err := s.calendars()
	if err != nil {
		return err
	}
	var in calendarInput
	if err := decode(c, &in); err != nil {
		return err
	}
	a := actor(c)
	if in.Shared && !a.SysAdmin {
		return jobflow.Errorf(jobflow.EFORBIDDEN, "only a SYS_ADMIN may share a calendar with every tenant")
	}
	cal := &jobflow.Calendar{TenantID: a.TenantID, Shared: in.Shared, CreatedBy: a.UserID}
	in.Apply(cal)
	if in.Import != nil {
		if err := applyImport(cal, in.Import); err != nil {
			return err
		}
	}
	setAudit(c, auditObject{Name: cal.Name})
	if err := cs.CreateCalendar(c.Request().Context(), cal); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: cal.ID})
	return c.JSON(http.StatusCreated, cal)
}

// writableCalendar finds a calendar the actor may change.
func (s *Server) writableCalendar(c echo.Context, cs jobflow.CalendarService) (*jobflow.Calendar, error) {
	a := actor(c)
	cal, err := cs.FindCalendarByID(c.Request().Context(), a.TenantID, c.Param("id"))
	if err != nil {
		return nil, err
	}
	if cal.Shared && !a.SysAdmin {
		return nil, jobflow.Errorf(jobflow.EFORBIDDEN, "a shared calendar is changed by a SYS_ADMIN only")
	}
	return cal, nil
}

func (s *Server) changeCalendar(c echo.Context, change func(cal *jobflow.Calendar) error) error {
	cs, err := s.calendars()
	if err != nil {
		return err
	}
	cal, err := s.writableCalendar(c, cs)
	if err != nil {
		return err
	}
	if err := change(cal); err != nil {
		return err
	}
	cal.UpdatedBy = actor(c).UserID
	if err := cs.UpdateCalendar(c.Request().Context(), cal); err != nil {
		return err
	}
	s.refreshCalendar(c, cal)
	setAudit(c, auditObject{Name: cal.Name})
	return c.JSON(http.StatusOK, cal)
}

// refreshCalendar re-applies the schedules that name cal; a failure is
// logged (reconciliation applies them on its next pass).
func (s *Server) refreshCalendar(c echo.Context, cal *jobflow.Calendar) {
	if s.deps.Engine == nil {
		return
	}
	if err := s.deps.Engine.RefreshCalendar(c.Request().Context(), cal.TenantID, cal.ID); err != nil {
		s.log.Warn("calendar changed; schedules not re-applied yet (reconciliation will)", "calendar", cal.ID, "err", err)
	}
}

func (s *Server) updateCalendar(c echo.Context) error {
	var in jobflow.CalendarUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	return s.changeCalendar(c, func(cal *jobflow.Calendar) error {
		in.Apply(cal)
		return nil
	})
}

func (s *Server) importCalendar(c echo.Context) error {
	var in calendarImport
	if err := decode(c, &in); err != nil {
		return err
	}
	return s.changeCalendar(c, func(cal *jobflow.Calendar) error { return applyImport(cal, &in) })
}

func (s *Server) deleteCalendar(c echo.Context) error {
	cs, err := s.calendars()
	if err != nil {
		return err
	}
	cal, err := s.writableCalendar(c, cs)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: cal.Name})
	if err := cs.DeleteCalendar(c.Request().Context(), cal.TenantID, cal.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
