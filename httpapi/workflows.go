package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// workflowItem is a workflow in a list: no canvas, config or jobs.
type workflowItem struct {
	ID          string                 `json:"id"`
	Name        string                 `json:"name"`
	Remark      string                 `json:"remark"`
	Status      jobflow.WorkflowStatus `json:"status"`
	NextRunTime *time.Time             `json:"nextRunTime" required:"true"`
	CreatedAt   time.Time              `json:"createdAt"`
	UpdatedAt   time.Time              `json:"updatedAt"`
	CreatedBy   string                 `json:"createdBy"`
}

// workflowView is one workflow with its jobs always present (never omitted).
type workflowView struct {
	*jobflow.Workflow
	Jobs []*jobflow.Job `json:"jobs"`
}

func viewWorkflow(w *jobflow.Workflow) workflowView {
	return workflowView{Workflow: w, Jobs: nonNil(w.Jobs)}
}

type workflowInput struct {
	Name   *string `json:"name"`
	Remark *string `json:"remark"`
}

func (s *Server) listWorkflows(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	f := jobflow.WorkflowFilter{ListParams: p, Status: jobflow.WorkflowStatus(c.QueryParam("status"))}
	if f.Status != "" && !jobflow.ValidWorkflowStatus(f.Status) {
		return invalid("status", "status must be DRAFT, PUBLISHED or OFFLINE")
	}
	ws, total, err := s.deps.Workflows.FindWorkflows(c.Request().Context(), actor(c).TenantID, f)
	if err != nil {
		return err
	}
	items := make([]workflowItem, len(ws))
	for i, w := range ws {
		items[i] = workflowItem{ID: w.ID, Name: w.Name, Remark: w.Remark, Status: w.Status, NextRunTime: w.NextRunTime,
			CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, CreatedBy: w.CreatedBy}
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) createWorkflow(c echo.Context) error {
	var in workflowInput
	if err := decode(c, &in); err != nil {
		return err
	}
	a := actor(c)
	w := &jobflow.Workflow{TenantID: a.TenantID, CreatedBy: a.UserID, UpdatedBy: a.UserID}
	if in.Name != nil {
		w.Name = *in.Name
	}
	if in.Remark != nil {
		w.Remark = *in.Remark
	}
	setAudit(c, auditObject{Name: w.Name})
	ctx := c.Request().Context()
	lic, err := s.license(ctx)
	if err != nil {
		return err
	}
	if err := lic.allowCreate(); err != nil {
		return err
	}
	// The store validates w, sets its defaults and applies the license ×
	// tenant limit in one transaction with the insert.
	if err := s.deps.Workflows.CreateWorkflow(ctx, w, lic.perTenant()); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: w.ID})
	return c.JSON(http.StatusCreated, viewWorkflow(w))
}

func (s *Server) getWorkflow(c echo.Context) error {
	w, err := s.deps.Workflows.FindWorkflowByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewWorkflow(w))
}

func (s *Server) updateWorkflow(c echo.Context) error {
	var in workflowInput
	if err := decode(c, &in); err != nil {
		return err
	}
	upd := jobflow.WorkflowUpdate{Name: in.Name, Remark: in.Remark}
	if err := upd.Validate(); err != nil {
		return err
	}
	a := actor(c)
	w, err := s.deps.Workflows.UpdateWorkflow(c.Request().Context(), a.TenantID, c.Param("id"), upd, a.UserID)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: w.Name})
	return c.JSON(http.StatusOK, viewWorkflow(w))
}

func (s *Server) deleteWorkflow(c echo.Context) error {
	if err := s.deps.Workflows.DeleteWorkflow(c.Request().Context(), actor(c).TenantID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
