package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// Members of a tenant (docs/lifecycle.md#members): a SYS_ADMIN, or a TENANT_ADMIN of
// the tenant, lists members, changes a role and removes a member; the
// store refuses to take away the tenant's last TENANT_ADMIN (409).

// tenantAdminOf refuses a caller who administers neither the system nor
// tenant tid; another tenant is NOT_FOUND, as everywhere.
func (s *Server) tenantAdminOf(c echo.Context, tid string) error {
	a := actor(c)
	if a.SysAdmin {
		_, err := s.deps.Tenants.FindTenantByID(c.Request().Context(), tid)
		return err
	}
	ms, err := s.deps.Users.FindMemberships(c.Request().Context(), a.UserID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.TenantID == tid {
			if m.Role == jobflow.RoleTenantAdmin {
				return nil
			}
			return jobflow.Errorf(jobflow.EFORBIDDEN, "this route needs a tenant administrator (TENANT_ADMIN)")
		}
	}
	return jobflow.Errorf(jobflow.ENOTFOUND, "tenant not found")
}

func (s *Server) listMembers(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	if err := s.tenantAdminOf(c, c.Param("id")); err != nil {
		return err
	}
	items, total, err := s.deps.Members.FindMembers(c.Request().Context(), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(nonNil(items), total, p))
}

type roleInput struct {
	Role jobflow.Role `json:"role" required:"true"`
}

func (s *Server) changeMemberRole(c echo.Context) error {
	var in roleInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if !jobflow.ValidRole(in.Role) {
		return invalid("role", "role must be TENANT_ADMIN or MEMBER")
	}
	if err := s.tenantAdminOf(c, c.Param("id")); err != nil {
		return err
	}
	m, err := s.deps.Members.ChangeMemberRole(c.Request().Context(), c.Param("id"), c.Param("userId"), in.Role)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{TenantID: c.Param("id")})
	return c.JSON(http.StatusOK, m)
}

func (s *Server) removeMember(c echo.Context) error {
	if err := s.tenantAdminOf(c, c.Param("id")); err != nil {
		return err
	}
	setAudit(c, auditObject{TenantID: c.Param("id")})
	if err := s.deps.Members.RemoveMember(c.Request().Context(), c.Param("id"), c.Param("userId")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
