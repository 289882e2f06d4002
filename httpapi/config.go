package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"jobflow"
)

func (s *Server) getConfig(c echo.Context) error {
	w, err := s.deps.Workflows.FindWorkflowByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w.Config)
}

// saveConfig (配置) validates before the store is touched, so a bad cron or
// time zone is a 400 naming the field and nothing changes; a foreign or
// unknown alarm channel id is the store's 400 (alarms[i].channelIds[k]).
func (s *Server) saveConfig(c echo.Context) error {
	var cfg jobflow.WorkflowConfig
	if err := decode(c, &cfg); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	a := actor(c)
	// The store checks every alarm channel id against the tenant in its
	// write transaction (store/refs.go).
	if cal := cfg.Schedule.Calendar; cal != nil && s.deps.Calendars != nil {
		if _, err := s.deps.Calendars.FindCalendarByID(c.Request().Context(), a.TenantID, cal.ID); jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
			return invalid("schedule.calendar.id", "schedule.calendar.id %q names no calendar", cal.ID)
		} else if err != nil {
			return err
		}
	}
	w, err := s.deps.Workflows.SaveConfig(c.Request().Context(), a.TenantID, c.Param("id"), cfg, a.UserID)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: w.Name})
	return c.JSON(http.StatusOK, w.Config)
}
