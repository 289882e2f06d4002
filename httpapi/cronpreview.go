package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/cron"
)

// cronPreviewInput is the body of POST /api/v1/cron/preview: the console's
// schedule builder asks for the next fire times as the user types, computed
// by the same plan (cron.Plan) that publishing compiles and FlowRun judges
// fires by: every cron, the DST policy and the business calendar.
type cronPreviewInput struct {
	Cron     string                    `json:"cron"`
	Crons    []string                  `json:"crons"`
	Timezone string                    `json:"timezone"` // default Asia/Shanghai, as in a workflow config
	Count    int                       `json:"count"`    // 1-100, default 5
	From     *time.Time                `json:"from"`     // default now
	StartAt  *time.Time                `json:"startAt"`
	EndAt    *time.Time                `json:"endAt"`
	Calendar *jobflow.ScheduleCalendar `json:"calendar"`
	DST      *jobflow.DSTPolicy        `json:"dst"`
}

type cronPreview struct {
	Times []time.Time `json:"times"`
	// Fires tells for each time whether it is a dry run (DRY_RUN calendar,
	// not a calendar day).
	Fires []previewFire `json:"fires"`
}

type previewFire struct {
	Time   time.Time `json:"time"`
	DryRun bool      `json:"dryRun"`
}

// maxPreview bounds the fire times one preview lists.
const maxPreview = 100

func (s *Server) cronPreview(c echo.Context) error {
	var in cronPreviewInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Cron == "" && len(in.Crons) == 0 {
		return invalid("cron", "cron (or crons) is required")
	}
	if in.Cron != "" {
		if _, err := cron.Parse(in.Cron); err != nil {
			return invalid("cron", "cron: %v", err)
		}
	}
	if n := len(in.Crons); n > jobflow.MaxCrons || (in.Cron != "" && n == jobflow.MaxCrons) {
		return invalid("crons", "at most %d cron expressions (cron and crons)", jobflow.MaxCrons)
	}
	for i, x := range in.Crons {
		if _, err := cron.Parse(x); err != nil {
			return invalid(fmt.Sprintf("crons[%d]", i), "crons[%d]: %v", i, err)
		}
	}
	if in.Timezone == "" {
		in.Timezone = "Asia/Shanghai"
	}
	if _, err := jobflow.LoadLocation(in.Timezone); err != nil {
		return invalid("timezone", "timezone %q is not an IANA time zone", in.Timezone)
	}
	switch {
	case in.Count == 0:
		in.Count = 5
	case in.Count < 1 || in.Count > maxPreview:
		return invalid("count", "count must be between 1 and %d", maxPreview)
	}
	if in.StartAt != nil && in.EndAt != nil && !in.EndAt.After(*in.StartAt) {
		return invalid("endAt", "endAt must be after startAt")
	}
	if err := in.DST.Validate("dst"); err != nil {
		return err
	}
	if in.Calendar == nil {
		return s.answerPreview(c, &in, nil)
	}
	if in.Calendar.Policy == "" {
		in.Calendar.Policy = cron.CalendarSkip
	}
	if in.Calendar.Policy != cron.CalendarSkip && in.Calendar.Policy != cron.CalendarDryRun {
		return invalid("calendar.policy", "calendar.policy must be SKIP or DRY_RUN")
	}
	if s.deps.Calendars == nil {
		return invalid("calendar.id", "business calendars are not available")
	}
	// A calendar is a tenant's: the preview then needs X-Tenant-ID.
	return s.enterTenant(func(c echo.Context) error {
		cal, err := s.deps.Calendars.FindCalendarByID(c.Request().Context(), actor(c).TenantID, in.Calendar.ID)
		if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
			return invalid("calendar.id", "calendar.id %q names no calendar", in.Calendar.ID)
		} else if err != nil {
			return err
		}
		return s.answerPreview(c, &in, cal)
	})(c)
}

func (s *Server) answerPreview(c echo.Context, in *cronPreviewInput, cal *jobflow.Calendar) error {
	sch := jobflow.Schedule{Cron: in.Cron, Crons: in.Crons, Timezone: in.Timezone, StartAt: in.StartAt, EndAt: in.EndAt,
		Calendar: in.Calendar, DST: in.DST}
	from := time.Now()
	if in.From != nil {
		from = *in.From
	}
	fires, err := sch.NextFires(from, in.Count, cal)
	if err != nil {
		return err
	}
	out := cronPreview{Times: []time.Time{}, Fires: []previewFire{}}
	for _, f := range fires {
		out.Times = append(out.Times, f.Time)
		out.Fires = append(out.Fires, previewFire{Time: f.Time, DryRun: !f.CalendarDay})
	}
	return c.JSON(http.StatusOK, out)
}
