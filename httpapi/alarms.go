package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/alarms"
)

// channelTestTimeout bounds POST /alarm-channels/{id}/test: a hanging SMTP
// server costs the caller at most this.
const channelTestTimeout = 35 * time.Second

func (s *Server) alarmService() (jobflow.AlarmService, error) {
	if s.deps.Alarms != nil {
		return s.deps.Alarms, nil
	}
	return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "alarm channels are not available")
}

// alarmRoutes are the routes of alarm channels and alarm records (docs/scheduling.md#alarms).
func (s *Server) alarmRoutes() []route {
	const v1 = "/api/v1"
	list := []string{"search", "page", "pageSize"}
	return []route{
		{method: "GET", path: v1 + "/alarm-channels", access: member, summary: "MEMBER: list alarm channels (secrets never shown)", resp: schemaOf[jobflow.List[*jobflow.AlarmChannel]](), status: 200, query: list, handler: s.listAlarmChannels},
		{method: "POST", path: v1 + "/alarm-channels", access: tenantAdmin, summary: "TENANT_ADMIN: create an alarm channel {name, type WEBHOOK|DINGTALK|FEISHU|WECOM|EMAIL, config, remark}; urls, headers, secrets and passwords encrypted at rest", body: schemaOf[jobflow.AlarmChannelInput](), resp: schemaOf[jobflow.AlarmChannel](), status: 201, audit: "alarm_channel.create", handler: s.createAlarmChannel},
		{method: "GET", path: v1 + "/alarm-channels/:id", access: member, summary: "MEMBER: an alarm channel (public config only)", resp: schemaOf[jobflow.AlarmChannel](), status: 200, handler: s.getAlarmChannel},
		{method: "PATCH", path: v1 + "/alarm-channels/:id", access: tenantAdmin, summary: "TENANT_ADMIN: edit an alarm channel (an absent secret keeps its stored value)", body: schemaOf[jobflow.AlarmChannelInput](), resp: schemaOf[jobflow.AlarmChannel](), status: 200, audit: "alarm_channel.edit", handler: s.updateAlarmChannel},
		{method: "DELETE", path: v1 + "/alarm-channels/:id", access: tenantAdmin, summary: "TENANT_ADMIN: delete an alarm channel (rules naming it record a FAILED attempt)", status: 204, audit: "alarm_channel.delete", handler: s.deleteAlarmChannel},
		{method: "POST", path: v1 + "/alarm-channels/:id/test", access: member, summary: "MEMBER: send a test message: 200 {ok, code, response, error} with the channel's answer", resp: schemaOf[channelTest](), status: 200, audit: "alarm_channel.test", handler: s.testAlarmChannel},
		{method: "GET", path: v1 + "/alarm-records", access: member, summary: "MEMBER: every alarm send attempt, oldest first: status SENT|FAILED|SILENCED (held back by the rule's silence window), attempt, responseCode, response, error", resp: schemaOf[jobflow.List[*jobflow.AlarmRecord]](), status: 200, query: []string{"runId", "page", "pageSize"}, handler: s.listAlarmRecords},
	}
}

func (s *Server) listAlarmChannels(c echo.Context) error {
	svc, err := s.alarmService()
	if err != nil {
		return err
	}
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := svc.FindAlarmChannels(c.Request().Context(), actor(c).TenantID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) createAlarmChannel(c echo.Context) error {
	svc, err := s.alarmService()
	if err != nil {
		return err
	}
	var in jobflow.AlarmChannelInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name != nil {
		setAudit(c, auditObject{Name: *in.Name})
	}
	ch, err := svc.CreateAlarmChannel(c.Request().Context(), actor(c).TenantID, in)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{ID: ch.ID})
	return c.JSON(http.StatusCreated, ch)
}

func (s *Server) getAlarmChannel(c echo.Context) error {
	svc, err := s.alarmService()
	if err != nil {
		return err
	}
	ch, err := svc.FindAlarmChannelByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

func (s *Server) updateAlarmChannel(c echo.Context) error {
	svc, err := s.alarmService()
	if err != nil {
		return err
	}
	var in jobflow.AlarmChannelInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ch, err := svc.UpdateAlarmChannel(c.Request().Context(), actor(c).TenantID, c.Param("id"), in)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: ch.Name})
	return c.JSON(http.StatusOK, ch)
}

func (s *Server) deleteAlarmChannel(c echo.Context) error {
	svc, err := s.alarmService()
	if err != nil {
		return err
	}
	if err := svc.DeleteAlarmChannel(c.Request().Context(), actor(c).TenantID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// channelTest is the answer of a channel test: whether the channel
// accepted the message, and what it answered.
type channelTest struct {
	OK       bool   `json:"ok"`
	Code     int    `json:"code"`
	Response string `json:"response"`
	Error    string `json:"error,omitempty"`
}

// testAlarmChannel sends alarms.Test and records the attempt (event TEST,
// no run). A refusing channel is a 200 with ok false: the request worked,
// the channel did not.
func (s *Server) testAlarmChannel(c echo.Context) error {
	svc, err := s.alarmService()
	if err != nil {
		return err
	}
	a := actor(c)
	ch, sec, err := svc.FindAlarmChannelSecrets(c.Request().Context(), a.TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: ch.Name})
	ctx, cancel := context.WithTimeout(c.Request().Context(), channelTestTimeout)
	defer cancel()
	// The channel is reached only where the tenant's egress allows.
	res, sendErr := alarms.Default.WithDial(s.egressDial(a.TenantID)).Test(ctx, *ch, sec)
	rec := &jobflow.AlarmRecord{TenantID: a.TenantID, ChannelID: ch.ID, Event: alarms.EventTest, Attempt: 1}
	rec.SetOutcome(res.Code, res.Response, sendErr)
	if err := svc.CreateAlarmRecord(context.WithoutCancel(c.Request().Context()), rec); err != nil {
		s.log.Error("record channel test", "channel", ch.ID, "err", err)
	}
	return c.JSON(http.StatusOK, channelTest{OK: sendErr == nil, Code: rec.ResponseCode, Response: rec.Response, Error: rec.Error})
}

func (s *Server) listAlarmRecords(c echo.Context) error {
	svc, err := s.alarmService()
	if err != nil {
		return err
	}
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := svc.FindAlarmRecords(c.Request().Context(), actor(c).TenantID, c.QueryParam("runId"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}
