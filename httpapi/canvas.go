package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"jobflow"
)

type canvasInput struct {
	Nodes    []jobflow.CanvasNode `json:"nodes"`
	Edges    []jobflow.Edge       `json:"edges"`
	Revision *int64               `json:"revision" required:"true"`
}

// saveCanvas (保存) stores the DAG. The revision the client last read is
// required: the store refuses a stale one with 409, so two editors cannot
// silently overwrite each other. Validation against the workflow's jobs
// (unknown jobs, self-loops, duplicates, cycles) happens in the store,
// where the job list is read in the same transaction.
func (s *Server) saveCanvas(c echo.Context) error {
	var in canvasInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Revision == nil {
		return invalid("revision", "revision is required (the workflow's revision you last read)")
	}
	cv := jobflow.Canvas{Nodes: nonNil(in.Nodes), Edges: nonNil(in.Edges)}
	a := actor(c)
	if err := s.checkRefs(c.Request().Context(), a.TenantID, c.Param("id"), &cv, nil); err != nil {
		return err
	}
	w, err := s.deps.Workflows.SaveCanvas(c.Request().Context(), a.TenantID, c.Param("id"), cv, *in.Revision, a.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewWorkflow(w))
}

// checkRefs makes every reference to another job's outputs name an
// ancestor (SPEC §10), on the workflow's canvas (or cv, when one is being
// saved) with its jobs (job replacing or joining the stored one of its id).
// A canvas that is not a valid DAG is left to the store to refuse.
func (s *Server) checkRefs(ctx context.Context, tenantID, workflowID string, cv *jobflow.Canvas, job *jobflow.Job) error {
	w, err := s.deps.Workflows.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return err
	}
	canvas := w.Canvas
	if cv != nil {
		canvas = *cv
	}
	jobs := make([]*jobflow.Job, 0, len(w.Jobs)+1)
	ids := make([]string, 0, len(w.Jobs)+1)
	for _, j := range w.Jobs {
		if job != nil && j.ID == job.ID {
			continue
		}
		jobs = append(jobs, j)
		ids = append(ids, j.ID)
	}
	if job != nil {
		jobs = append(jobs, job)
		ids = append(ids, job.ID)
	}
	if canvas.Validate(ids) != nil {
		return nil
	}
	return jobflow.ValidateControl(canvas, jobs)
}
