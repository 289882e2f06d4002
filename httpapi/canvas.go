package httpapi

import (
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
// silently overwrite each other. The workflow with the new canvas is
// checked (jobflow.CheckDraft) in the store, where the jobs are read in the
// same transaction as the write.
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
	w, err := s.deps.Workflows.SaveCanvas(c.Request().Context(), a.TenantID, c.Param("id"), cv, *in.Revision, a.UserID)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: w.Name})
	return c.JSON(http.StatusOK, viewWorkflow(w))
}
