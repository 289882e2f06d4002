package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// checkChannels refuses alarm rules naming a channel the tenant does not
// have. (A channel deleted later shows as a FAILED alarm record instead.)
func (s *Server) checkChannels(c echo.Context, tenantID string, rules []jobflow.AlarmRule) error {
	if len(rules) == 0 || s.deps.Alarms == nil {
		return nil
	}
	for i, r := range rules {
		for _, id := range r.ChannelIDs {
			_, err := s.deps.Alarms.FindAlarmChannelByID(c.Request().Context(), tenantID, id)
			if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
				return invalid("alarms", "alarms[%d]: alarm channel %q does not exist", i, id)
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) getConfig(c echo.Context) error {
	w, err := s.deps.Workflows.FindWorkflowByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w.Config)
}

// saveConfig (配置) validates before the store is touched, so a bad cron or
// time zone is a 400 naming the field and nothing changes.
func (s *Server) saveConfig(c echo.Context) error {
	var cfg jobflow.WorkflowConfig
	if err := decode(c, &cfg); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	a := actor(c)
	if err := s.checkChannels(c, a.TenantID, cfg.Alarms); err != nil {
		return err
	}
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
	return c.JSON(http.StatusOK, w.Config)
}
