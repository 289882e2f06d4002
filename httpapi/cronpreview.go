package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/cron"
)

// cronPreviewInput is the body of POST /api/v1/cron/preview: the console's
// schedule builder asks for the next fire times as the user types, computed
// by the same cron package that publishing uses.
type cronPreviewInput struct {
	Cron     string     `json:"cron"`
	Timezone string     `json:"timezone"` // default Asia/Shanghai, as in a workflow config
	Count    int        `json:"count"`    // 1-100, default 5
	StartAt  *time.Time `json:"startAt"`
	EndAt    *time.Time `json:"endAt"`
}

type cronPreview struct {
	Times []time.Time `json:"times"`
}

// maxPreview bounds the fire times one preview lists.
const maxPreview = 100

func (s *Server) cronPreview(c echo.Context) error {
	var in cronPreviewInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Cron == "" {
		return invalid("cron", "cron is required")
	}
	if _, err := cron.Parse(in.Cron); err != nil {
		return invalid("cron", "cron: %v", err)
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
	sch := jobflow.Schedule{Cron: in.Cron, Timezone: in.Timezone, StartAt: in.StartAt, EndAt: in.EndAt}
	times, err := sch.NextTimes(time.Now(), in.Count)
	if err != nil {
		return err
	}
	if times == nil {
		times = []time.Time{}
	}
	return c.JSON(http.StatusOK, cronPreview{Times: times})
}
