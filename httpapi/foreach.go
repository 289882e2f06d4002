package httpapi

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// itemStatuses are the statuses an item filter may name: an item's is its
// child run's, or PENDING before the child starts.
var itemStatuses = []jobflow.RunStatus{jobflow.ItemPending, jobflow.RunQueued, jobflow.RunRunning, jobflow.RunPaused,
	jobflow.RunAborting, jobflow.RunSuccess, jobflow.RunFail, jobflow.RunAborted, jobflow.RunSkipped}

// forEachItems answers GET /runs/{id}/nodes/{jobId}/items
// (docs/run-semantics.md#foreach-jobs).
func (s *Server) forEachItems(c echo.Context) error {
	if s.deps.ForEach == nil {
		return jobflow.Errorf(jobflow.EUNAVAILABLE, "FOREACH items are not available")
	}
	f := jobflow.ForEachItemFilter{After: -1, PageSize: 100}
	if q := c.QueryParam("status"); q != "" {
		f.Status = jobflow.RunStatus(q)
		ok := false
		for _, st := range itemStatuses {
			ok = ok || st == f.Status
		}
		if !ok {
			return invalid("status", "status %q is not an item status (PENDING or a run status)", q)
		}
	}
	if q := c.QueryParam("after"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < -1 {
			return invalid("after", "after must be an item index (an integer >= -1)")
		}
		f.After = n
	}
	if q := c.QueryParam("pageSize"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 1000 {
			return invalid("pageSize", "pageSize must be between 1 and 1000")
		}
		f.PageSize = n
	}
	ctx := c.Request().Context()
	tenantID, runID, jobID := actor(c).TenantID, c.Param("id"), c.Param("jobId")
	run, err := s.deps.Runs.FindRunByID(ctx, tenantID, runID)
	if err != nil {
		return err
	}
	found := false
	for _, n := range run.Nodes {
		found = found || n.JobID == jobID && n.JobType == jobflow.JobForEach
	}
	if !found {
		return jobflow.Errorf(jobflow.ENOTFOUND, "run %s has no FOREACH node %s", runID, jobID)
	}
	items, err := s.deps.ForEach.FindForEachItems(ctx, tenantID, runID, jobID, f)
	if err != nil {
		return err
	}
	return c.JSON(200, items)
}
