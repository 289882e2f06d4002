package httpapi

import (
	"context"
	"strconv"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// runDeltaFinder is the store's FindRunDelta (store.Store): a run with only
// the nodes written after a version.
type runDeltaFinder interface {
	FindRunDelta(ctx context.Context, tenantID, id string, since int64) (*jobflow.Run, error)
}

// findRun reads the run of GET /runs/{id}: whole, or with ?since=<version>
// (a Run.Version answered earlier) only the nodes written after that
// version and no edges, so that polling a running 2,000-job run answers
// a few nodes, not all of them. delta says which.
func (s *Server) findRun(c echo.Context) (r *jobflow.Run, delta bool, err error) {
	ctx, tenantID, id := c.Request().Context(), actor(c).TenantID, c.Param("id")
	raw := c.QueryParam("since")
	if raw == "" {
		r, err = s.deps.Runs.FindRunByID(ctx, tenantID, id)
		return r, false, err
	}
	since, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || since < 0 {
		return nil, true, invalid("since", "since must be a run version (a whole number, 0 or more)")
	}
	f, ok := s.deps.Runs.(runDeltaFinder)
	if !ok {
		return nil, true, jobflow.Errorf(jobflow.EINTERNAL, "this store answers no run deltas")
	}
	r, err = f.FindRunDelta(ctx, tenantID, id, since)
	return r, true, err
}
