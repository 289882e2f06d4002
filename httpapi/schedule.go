package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/engine"
)

type publishedView struct {
	Workflow     workflowView     `json:"workflow"`
	Version      *jobflow.Version `json:"version"`
	NextRunTimes []time.Time      `json:"nextRunTimes"`
}

func (s *Server) publish(c echo.Context) error {
	note, err := publishNote(c) // versions.go
	if err != nil {
		return err
	}
	sch, err := s.engine()
	if err != nil {
		return err
	}
	a := actor(c)
	p, err := sch.PublishWithNote(c.Request().Context(), a.TenantID, c.Param("id"), a.UserID, note)
	if err != nil {
		return err
	}
	o := auditObject{Name: p.Workflow.Name}
	if p.Version != nil {
		o.Version = p.Version.Number
	}
	setAudit(c, o)
	return c.JSON(http.StatusOK, publishedView{Workflow: viewWorkflow(p.Workflow), Version: p.Version, NextRunTimes: nonNil(p.NextRunTimes)})
}

func (s *Server) offline(c echo.Context) error {
	sch, err := s.engine()
	if err != nil {
		return err
	}
	w, err := sch.Offline(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: w.Name})
	return c.JSON(http.StatusOK, viewWorkflow(w))
}

func (s *Server) schedule(c echo.Context) error {
	sch, err := s.engine()
	if err != nil {
		return err
	}
	info, err := sch.ScheduleInfo(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	for _, r := range info.RecentRuns {
		s.link(c, r)
	}
	return c.JSON(http.StatusOK, info)
}

func (s *Server) backfill(c echo.Context) error {
	var in engine.BackfillRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	sch, err := s.engine()
	if err != nil {
		return err
	}
	a := actor(c)
	out, err := sch.Backfill(c.Request().Context(), a.TenantID, c.Param("id"), in, a.UserID)
	if err != nil {
		return err
	}
	if out.DryRun {
		return c.JSON(http.StatusOK, out)
	}
	return c.JSON(http.StatusAccepted, out)
}
