package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// Tenant variables (docs/run-semantics.md#tenant-variables-and-secrets): ${global.NAME} and ${{ secret.NAME }}.
// TENANT_ADMIN writes them; MEMBERs list and read them, a secret without
// its value.

func (s *Server) listVariables(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := s.deps.Variables.FindVariables(c.Request().Context(), actor(c).TenantID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) createVariable(c echo.Context) error {
	var in jobflow.VariableInput
	if err := decode(c, &in); err != nil {
		return err
	}
	a := actor(c)
	v, err := in.Apply(jobflow.Variable{TenantID: a.TenantID, CreatedBy: a.UserID}, true)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{ID: v.Name, Name: v.Name})
	if err := s.deps.Variables.CreateVariable(c.Request().Context(), v); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) getVariable(c echo.Context) error {
	v, err := s.deps.Variables.FindVariable(c.Request().Context(), actor(c).TenantID, c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) updateVariable(c echo.Context) error {
	var in jobflow.VariableInput
	if err := decode(c, &in); err != nil {
		return err
	}
	a := actor(c)
	v, err := s.deps.Variables.UpdateVariable(c.Request().Context(), a.TenantID, c.Param("name"), in, a.UserID)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: v.Name})
	return c.JSON(http.StatusOK, v)
}

func (s *Server) deleteVariable(c echo.Context) error {
	setAudit(c, auditObject{Name: c.Param("name")})
	if err := s.deps.Variables.DeleteVariable(c.Request().Context(), actor(c).TenantID, c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
