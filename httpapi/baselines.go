package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// Baselines (docs/baselines.md): MEMBERs read them and their instances
// per data date; a TENANT_ADMIN writes them. Each write wakes the
// baseline's workflow, so an edit is checked at once.

func (s *Server) baselines() (jobflow.BaselineService, error) {
	if s.deps.Baselines == nil {
		return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "baselines are not available")
	}
	return s.deps.Baselines, nil
}

func (s *Server) listBaselines(c echo.Context) error {
	bs, err := s.baselines()
	if err != nil {
		return err
	}
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := bs.FindBaselines(c.Request().Context(), actor(c).TenantID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) getBaseline(c echo.Context) error {
	bs, err := s.baselines()
	if err != nil {
		return err
	}
	b, err := bs.FindBaselineByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

func (s *Server) createBaseline(c echo.Context) error {
	bs, err := s.baselines()
	if err != nil {
		return err
	}
	eng, err := s.engine() // a baseline nobody watches would promise what it cannot keep
	if err != nil {
		return err
	}
	var in jobflow.BaselineUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	b := &jobflow.Baseline{TenantID: actor(c).TenantID}
	if err := in.Apply(b); err != nil {
		return err
	}
	setAudit(c, auditObject{Name: b.Name})
	ctx := c.Request().Context()
	if err := bs.CreateBaseline(ctx, b); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: b.ID})
	if err := eng.WatchBaseline(ctx, b); err != nil {
		// The reconciler starts it later; the baseline is saved.
		s.log.Warn("baseline saved; its workflow starts with the next reconcile", "baseline", b.ID, "err", err)
	}
	return c.JSON(http.StatusCreated, b)
}

func (s *Server) updateBaseline(c echo.Context) error {
	bs, err := s.baselines()
	if err != nil {
		return err
	}
	var in jobflow.BaselineUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := bs.UpdateBaseline(ctx, actor(c).TenantID, c.Param("id"), in)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: b.Name})
	if s.deps.Engine != nil {
		if err := s.deps.Engine.WatchBaseline(ctx, b); err != nil {
			s.log.Warn("baseline saved; its workflow sees the change at its next check", "baseline", b.ID, "err", err)
		}
	}
	return c.JSON(http.StatusOK, b)
}

func (s *Server) deleteBaseline(c echo.Context) error {
	bs, err := s.baselines()
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), c.Param("id")
	if err := bs.DeleteBaseline(ctx, actor(c).TenantID, id); err != nil {
		return err
	}
	if s.deps.Engine != nil {
		if err := s.deps.Engine.ForgetBaseline(ctx, id); err != nil {
			s.log.Warn("baseline deleted; its workflow ends at its next check", "baseline", id, "err", err)
		}
	}
	return c.NoContent(http.StatusNoContent)
}

// baselineInstances answers one data date's instance with ?date=, else
// the latest dates (newest first, at most 60).
func (s *Server) baselineInstances(c echo.Context) error {
	bs, err := s.baselines()
	if err != nil {
		return err
	}
	ctx, tenantID, id := c.Request().Context(), actor(c).TenantID, c.Param("id")
	if _, err := bs.FindBaselineByID(ctx, tenantID, id); err != nil {
		return err
	}
	date := c.QueryParam("date")
	if date == "" {
		items, err := bs.FindBaselineInstances(ctx, tenantID, id, 60)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jobflow.List[*jobflow.BaselineInstance]{Items: items, Total: len(items), Page: 1, PageSize: 60})
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return invalid("date", "date must be YYYY-MM-DD")
	}
	in, err := bs.FindBaselineInstance(ctx, tenantID, id, date)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, jobflow.List[*jobflow.BaselineInstance]{Items: []*jobflow.BaselineInstance{in}, Total: 1, Page: 1, PageSize: 60})
}
