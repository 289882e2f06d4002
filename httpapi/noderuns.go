package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// nodeRunLister is the store's FindNodeRunsList (store.Store).
type nodeRunLister interface {
	FindNodeRunsList(ctx context.Context, tenantID string, f jobflow.NodeRunFilter) ([]*jobflow.NodeRunItem, int, error)
}

// listNodeRuns answers GET /node-runs: task instances across runs, newest
// first, without logs.
func (s *Server) listNodeRuns(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	f := jobflow.NodeRunFilter{Page: p.Page, PageSize: p.PageSize, WorkflowID: c.QueryParam("workflowId"),
		JobID: c.QueryParam("jobId"), Status: jobflow.NodeStatus(c.QueryParam("status"))}
	if f.Status != "" && !jobflow.ValidNodeStatus(f.Status) {
		return invalid("status", "status must be one of %s", strings.Join(names(jobflow.NodeStatuses), ", "))
	}
	if f.From, f.To, err = queryTimeRange(c); err != nil {
		return err
	}
	l, ok := s.deps.Runs.(nodeRunLister)
	if !ok {
		return jobflow.Errorf(jobflow.EINTERNAL, "this store lists no node runs")
	}
	items, total, err := l.FindNodeRunsList(c.Request().Context(), actor(c).TenantID, f)
	if err != nil {
		return err
	}
	out := page(items, total, p)
	if limit := jobflow.RunCountLimit(p); total > limit {
		out.Total, out.TotalCapped = limit, true
	}
	return c.JSON(http.StatusOK, out)
}

// queryTimeRange reads the from and to query parameters (RFC 3339, both
// optional); a bad one, or to before from, is 400 naming it.
func queryTimeRange(c echo.Context) (from, to *time.Time, err error) {
	for _, q := range []struct {
		name string
		dst  **time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := c.QueryParam(q.name); v != "" {
			t, perr := time.Parse(time.RFC3339, v)
			if perr != nil {
				return nil, nil, invalid(q.name, "%s must be an RFC 3339 time such as 2026-11-25T00:00:00Z", q.name)
			}
			*q.dst = &t
		}
	}
	if from != nil && to != nil && to.Before(*from) {
		return nil, nil, invalid("to", "to must not be before from")
	}
	return from, to, nil
}
