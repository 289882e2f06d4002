package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// runGridFinder is the store's FindRunGrid (store.Store).
type runGridFinder interface {
	FindRunGrid(ctx context.Context, tenantID, workflowID string, limit int) (*jobflow.RunGrid, error)
}

// runGrid answers GET /workflows/{id}/run-grid?limit=N: the workflow's
// last N runs (default 25, at most 100) by job, for the console's grid.
func (s *Server) runGrid(c echo.Context) error {
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = jobflow.RunGridDefault
	}
	if limit < 1 || limit > jobflow.RunGridMax {
		return invalid("limit", "limit must be 1 to %d", jobflow.RunGridMax)
	}
	f, ok := s.deps.Runs.(runGridFinder)
	if !ok {
		return jobflow.Errorf(jobflow.EINTERNAL, "this store answers no run grid")
	}
	g, err := f.FindRunGrid(c.Request().Context(), actor(c).TenantID, c.Param("id"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, g)
}
