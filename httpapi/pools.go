package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// Pools (docs/run-semantics.md#pools): MEMBERs read them, with who holds
// and who waits for their slots; a TENANT_ADMIN writes them.

func (s *Server) pools() (jobflow.PoolService, error) {
	if s.deps.Pools == nil {
		return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "pools are not available")
	}
	return s.deps.Pools, nil
}

func (s *Server) listPools(c echo.Context) error {
	ps, err := s.pools()
	if err != nil {
		return err
	}
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := ps.FindPools(c.Request().Context(), actor(c).TenantID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) getPool(c echo.Context) error {
	ps, err := s.pools()
	if err != nil {
		return err
	}
	p, err := ps.FindPoolByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) createPool(c echo.Context) error {
	ps, err := s.pools()
	if err != nil {
		return err
	}
	var in jobflow.PoolUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	p := &jobflow.Pool{TenantID: actor(c).TenantID}
	if err := in.Apply(p); err != nil {
		return err
	}
	setAudit(c, auditObject{Name: p.Name})
	if err := ps.CreatePool(c.Request().Context(), p); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: p.ID})
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) updatePool(c echo.Context) error {
	ps, err := s.pools()
	if err != nil {
		return err
	}
	var in jobflow.PoolUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := ps.UpdatePool(c.Request().Context(), actor(c).TenantID, c.Param("id"), in)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: p.Name})
	// More slots granted waiters: their runs are told now, not at their
	// next ask; a failure is logged (they ask again on their own).
	if s.deps.Engine != nil && len(p.Granted) > 0 {
		if err := s.deps.Engine.SignalPoolGrants(c.Request().Context(), p.Granted); err != nil {
			s.log.Warn("pool grown; waiting runs not signalled (they ask again)", "pool", p.ID, "err", err)
		}
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) deletePool(c echo.Context) error {
	ps, err := s.pools()
	if err != nil {
		return err
	}
	if err := ps.DeletePool(c.Request().Context(), actor(c).TenantID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
