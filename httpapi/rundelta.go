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

// predictedJobs reads ?predictedJobs=: a delta answer (since=) leaves out
// the prediction's jobs, the Gantt's predicted bars, one per job not yet
// ended (a 2,000-job run's are ~280 KB, on every poll), unless it is true.
// The whole answer always has them.
func predictedJobs(c echo.Context) (bool, error) {
	switch c.QueryParam("predictedJobs") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, invalid("predictedJobs", "predictedJobs must be true or false")
}
