package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// Personal API tokens (docs/lifecycle.md#personal-api-tokens): `jf_pat_` and 32 random bytes,
// shown once; the store keeps the SHA-256 of the text (a random 256-bit
// secret needs no slow hash). A token is bound to one tenant and a role
// there; at every use the role is capped by the owner's current role in
// the tenant, a disabled owner's tokens are refused (and deleted when the
// owner is disabled), and a token never carries SYS_ADMIN powers. Tokens
// work on tenant routes and GET /me and GET /audit-logs only, so a leaked
// token cannot change its owner's password or mint more tokens.

// ctxAPIToken holds the personal API token a request authenticated with;
// ctxTokenOK marks routes that accept one.
const (
	ctxAPIToken = "jobflow.apitoken"
	ctxTokenOK  = "jobflow.tokenok"
)

// MaxAPITokenLifetime bounds expiresAt; DefaultAPITokenLifetime is used
// when none is given.
const (
	MaxAPITokenLifetime     = 366 * 24 * time.Hour
	DefaultAPITokenLifetime = 90 * 24 * time.Hour
)

// tokenRoutes outside tenant routes that accept a personal API token.
var tokenRoutes = map[string]bool{
	"GET /api/v1/me":         true,
	"GET /api/v1/audit-logs": true,
}

// lifecycleGuard adds the lifecycle's middleware to a route's chain, after
// the route marker: the personal-token marker and the audit recorder.
func (s *Server) auditGuard(r route, mws []echo.MiddlewareFunc) []echo.MiddlewareFunc {
	if len(mws) == 0 {
		return mws
	}
	out := []echo.MiddlewareFunc{mws[0]}
	if r.access == member || r.access == tenantAdmin || tokenRoutes[r.method+" "+r.path] {
		out = append(out, func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				c.Set(ctxTokenOK, true)
				return next(c)
			}
		})
	}
	if r.method != http.MethodGet && r.method != http.MethodHead {
		out = append(out, s.audit(r))
	}
	return append(out, mws[1:]...)
}

// HashAPIToken is the stored form of a token text.
func HashAPIToken(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func newAPITokenText() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return jobflow.APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

var errBadAPIToken = jobflow.Errorf(jobflow.EUNAUTHORIZED, "invalid, expired or revoked API token")

// apiTokenUser validates a personal API token and returns its owner.
func (s *Server) apiTokenUser(ctx context.Context, text string) (*jobflow.User, *jobflow.APIToken, error) {
	if s.deps.APITokens == nil {
		return nil, nil, errBadAPIToken
	}
	t, err := s.deps.APITokens.FindAPITokenByHash(ctx, HashAPIToken(text))
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil, nil, errBadAPIToken
	} else if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "the API token has expired")
	}
	u, err := s.deps.Users.FindUserByID(ctx, t.UserID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil, nil, errBadAPIToken
	} else if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "the token's owner is disabled")
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		if err := s.deps.APITokens.TouchAPIToken(ctx, t.ID, now); err != nil {
			s.log.Warn("api token: last used not updated", "err", err)
		}
	}
	return u, t, nil
}

// authenticateAPIToken is authenticate for a jf_pat_ bearer.
func (s *Server) authenticateAPIToken(c echo.Context, text string, next echo.HandlerFunc) error {
	u, t, err := s.apiTokenUser(c.Request().Context(), text)
	if err != nil {
		return err
	}
	if ok, _ := c.Get(ctxTokenOK).(bool); !ok {
		return jobflow.Errorf(jobflow.EFORBIDDEN, "a personal API token cannot be used on this route; log in with a password")
	}
	c.Set(ctxUser, u.ID)
	c.Set(ctxAPIToken, t)
	a := jobflow.Actor{UserID: u.ID} // never SYS_ADMIN through a token
	c.Set(ctxTokenOwnerSys, u.SysAdmin)
	c.SetRequest(c.Request().WithContext(jobflow.NewContextWithActor(c.Request().Context(), a)))
	return next(c)
}

const ctxTokenOwnerSys = "jobflow.tokenownersys"

// enterTenantWithToken is enterTenant for a personal API token: only the
// token's tenant, with the lower of the token's role and the owner's
// current one.
func (s *Server) enterTenantWithToken(c echo.Context, t *jobflow.APIToken, next echo.HandlerFunc) error {
	notFound := jobflow.Errorf(jobflow.ENOTFOUND, "tenant not found")
	tid := c.Request().Header.Get(headerTenant)
	if tid == "" {
		tid = t.TenantID // a token names its tenant: the header is optional
	}
	if tid != t.TenantID {
		return notFound
	}
	ctx := c.Request().Context()
	a := actor(c)
	owner := jobflow.Role("")
	if sys, _ := c.Get(ctxTokenOwnerSys).(bool); sys {
		owner = jobflow.RoleTenantAdmin
	} else {
		ms, err := s.deps.Users.FindMemberships(ctx, a.UserID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.TenantID == tid {
				owner = m.Role
			}
		}
	}
	if owner == "" {
		return notFound
	}
	a.Role = t.Role
	if owner == jobflow.RoleMember {
		a.Role = jobflow.RoleMember
	}
	a.TenantID = tid
	c.SetRequest(c.Request().WithContext(jobflow.NewContextWithActor(ctx, a)))
	return next(c)
}

type apiTokenInput struct {
	Name      string       `json:"name" required:"true"`
	TenantID  string       `json:"tenantId" required:"true"`
	Role      jobflow.Role `json:"role"`
	ExpiresAt *time.Time   `json:"expiresAt"`
}

type apiTokenCreated struct {
	*jobflow.APIToken
	Token string `json:"token"`
}

// createMyToken is POST /me/tokens: a token for the caller.
func (s *Server) createMyToken(c echo.Context) error {
	return s.createToken(c, actor(c).UserID, true)
}

// createUserToken is a SYS_ADMIN's POST /users/{id}/tokens: a token for a
// service account (or any user), capped by that user's roles.
func (s *Server) createUserToken(c echo.Context) error {
	return s.createToken(c, c.Param("id"), false)
}

func (s *Server) createToken(c echo.Context, userID string, self bool) error {
	var in apiTokenInput
	if err := decode(c, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := jobflow.ValidateName("name", in.Name); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = jobflow.RoleMember
	}
	if !jobflow.ValidRole(in.Role) {
		return invalid("role", "role must be TENANT_ADMIN or MEMBER")
	}
	if in.TenantID == "" {
		return invalid("tenantId", "tenantId is required: a token works in one tenant")
	}
	now := time.Now().UTC()
	if in.ExpiresAt == nil {
		exp := now.Add(DefaultAPITokenLifetime)
		in.ExpiresAt = &exp
	}
	if !in.ExpiresAt.After(now) || in.ExpiresAt.After(now.Add(MaxAPITokenLifetime)) {
		return invalid("expiresAt", "expiresAt must be in the future and at most 366 days ahead")
	}
	ctx := c.Request().Context()
	u, err := s.deps.Users.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.Disabled {
		return jobflow.Errorf(jobflow.ECONFLICT, "the user is disabled")
	}
	// The role may not exceed the owner's in the tenant.
	owner := jobflow.Role("")
	if u.SysAdmin {
		if _, err := s.deps.Tenants.FindTenantByID(ctx, in.TenantID); err == nil {
			owner = jobflow.RoleTenantAdmin
		}
	} else {
		ms, err := s.deps.Users.FindMemberships(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.TenantID == in.TenantID {
				owner = m.Role
			}
		}
	}
	if owner == "" {
		who := "the user is"
		if self {
			who = "you are"
		}
		return invalid("tenantId", "%s not a member of tenant %q", who, in.TenantID)
	}
	if in.Role == jobflow.RoleTenantAdmin && owner != jobflow.RoleTenantAdmin {
		return invalid("role", "the role must not be higher than the owner's in the tenant (%s)", owner)
	}
	text := newAPITokenText()
	t := &jobflow.APIToken{UserID: u.ID, TenantID: in.TenantID, Name: in.Name, Role: in.Role,
		Hash: HashAPIToken(text), ExpiresAt: in.ExpiresAt}
	if err := s.deps.APITokens.CreateAPIToken(ctx, t); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: t.ID, Name: t.Name})
	return c.JSON(http.StatusCreated, apiTokenCreated{APIToken: t, Token: text})
}

func (s *Server) listMyTokens(c echo.Context) error { return s.listTokens(c, actor(c).UserID) }

func (s *Server) listUserTokens(c echo.Context) error {
	if _, err := s.deps.Users.FindUserByID(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return s.listTokens(c, c.Param("id"))
}

func (s *Server) listTokens(c echo.Context, userID string) error {
	ts, err := s.deps.APITokens.FindAPITokens(c.Request().Context(), userID)
	if err != nil {
		return err
	}
	ts = nonNil(ts)
	return c.JSON(http.StatusOK, jobflow.List[*jobflow.APIToken]{Items: ts, Total: len(ts), Page: 1, PageSize: max(len(ts), 1)})
}

func (s *Server) deleteMyToken(c echo.Context) error {
	if err := s.deps.APITokens.DeleteAPIToken(c.Request().Context(), actor(c).UserID, c.Param("tokenId")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) deleteUserToken(c echo.Context) error {
	if err := s.deps.APITokens.DeleteAPIToken(c.Request().Context(), c.Param("id"), c.Param("tokenId")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
