package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/jobtypes"
)

func (s *Server) listJobs(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	// FindWorkflowByID scopes the lookup to the tenant (another tenant's
	// workflow is NOT_FOUND) and brings the jobs along.
	w, err := s.deps.Workflows.FindWorkflowByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	jobs := w.Jobs
	// A workflow's jobs come whole from the store; the page is cut here.
	total := len(jobs)
	lo := min(p.Offset(), total)
	hi := min(lo+p.PageSize, total)
	return c.JSON(http.StatusOK, page(jobs[lo:hi], total, p))
}

func (s *Server) createJob(c echo.Context) error {
	var in jobflow.JobUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Type == nil {
		return invalid("type", "type is required: SHELL, PYTHON, SQL, HTTP or SUBFLOW")
	}
	a := actor(c)
	now := time.Now().UTC()
	j := in.Merge(jobflow.Job{
		ID: jobflow.NewID(jobflow.PrefixJob), TenantID: a.TenantID, WorkflowID: c.Param("id"),
		CreatedAt: now, UpdatedAt: now, CreatedBy: a.UserID,
	})
	setAudit(c, auditObject{ID: j.ID, Name: j.Name})
	// The store normalizes the job and checks that the workflow is one of
	// the tenant's and the workflow with the new job (jobflow.CheckDraft)
	// in its write transaction.
	if err := s.deps.Jobs.CreateJob(c.Request().Context(), j); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, j)
}

func (s *Server) getJob(c echo.Context) error {
	j, err := s.deps.Jobs.FindJobByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}

func (s *Server) updateJob(c echo.Context) error {
	var in jobflow.JobUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	tid := actor(c).TenantID
	// The store applies the edit and checks the workflow with the edited
	// job (jobflow.CheckDraft) in its write transaction.
	j, err := s.deps.Jobs.UpdateJob(ctx, tid, c.Param("id"), in)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: j.Name})
	return c.JSON(http.StatusOK, j)
}

func (s *Server) deleteJob(c echo.Context) error {
	if err := s.deps.Jobs.DeleteJob(c.Request().Context(), actor(c).TenantID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listJobTypes answers the job-type registry, for the console's forms.
func (s *Server) listJobTypes(c echo.Context) error {
	return c.JSON(http.StatusOK, jobtypes.Infos())
}
