package httpapi

import (
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

type userInput struct {
	Account  string `json:"account" required:"true"`
	Name     string `json:"name"`
	Password string `json:"password" required:"true"`
	SysAdmin bool   `json:"sysAdmin"`
	// ServiceAccount: no password, cannot log in, holds API tokens (docs/lifecycle.md#personal-api-tokens).
	ServiceAccount bool `json:"serviceAccount"`
}

type memberInput struct {
	UserID string       `json:"userId" required:"true"`
	Role   jobflow.Role `json:"role" required:"true"`
}

type memberView struct {
	TenantID string       `json:"tenantId"`
	UserID   string       `json:"userId"`
	Role     jobflow.Role `json:"role"`
}

var accountRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

func (s *Server) createUser(c echo.Context) error {
	var in userInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if !accountRE.MatchString(in.Account) {
		return invalid("account", "account must be 1-64 letters, digits, '.', '_', '@' or '-'")
	}
	if in.Name == "" {
		in.Name = in.Account
	}
	if err := jobflow.ValidateName("name", in.Name); err != nil {
		return err
	}
	hash := ""
	if in.ServiceAccount {
		if in.Password != "" || in.SysAdmin {
			return invalid("serviceAccount", "a service account has no password and is not a SYS_ADMIN")
		}
	} else {
		if err := checkPassword("password", in.Account, in.Password); err != nil {
			return err
		}
		var err error
		if hash, err = HashPassword(in.Password); err != nil {
			return err
		}
	}
	u := &jobflow.User{
		ID: jobflow.NewID(jobflow.PrefixUser), Account: in.Account, Name: in.Name,
		SysAdmin: in.SysAdmin, PasswordHash: hash, ServiceAccount: in.ServiceAccount, CreatedAt: time.Now().UTC(),
	}
	if err := s.deps.Users.CreateUser(c.Request().Context(), u); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: u.ID, Name: u.Account})
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) listUsers(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := s.deps.Users.FindUsers(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, total, p))
}

func (s *Server) setMember(c echo.Context) error {
	var in memberInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if !jobflow.ValidRole(in.Role) {
		return invalid("role", "role must be TENANT_ADMIN or MEMBER")
	}
	if in.UserID == "" {
		return invalid("userId", "userId is required")
	}
	ctx := c.Request().Context()
	setAudit(c, auditObject{ID: in.UserID, TenantID: c.Param("id")})
	tid := c.Param("id")
	if _, err := s.deps.Tenants.FindTenantByID(ctx, tid); err != nil {
		return err
	}
	if _, err := s.deps.Users.FindUserByID(ctx, in.UserID); jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return invalid("userId", "no user with id %q", in.UserID)
	} else if err != nil {
		return err
	}
	// Demoting an existing member goes through the members service, which
	// keeps the tenant's last TENANT_ADMIN (docs/lifecycle.md#members); adding a member or
	// promoting one cannot lose an admin.
	demoted := false
	if in.Role != jobflow.RoleTenantAdmin && s.deps.Members != nil {
		_, err := s.deps.Members.ChangeMemberRole(ctx, tid, in.UserID, in.Role)
		if err != nil && jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			return err
		}
		demoted = err == nil
	}
	if !demoted {
		if err := s.deps.Users.SetMembership(ctx, tid, in.UserID, in.Role); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, memberView{TenantID: tid, UserID: in.UserID, Role: in.Role})
}
