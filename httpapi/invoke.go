package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/invoke"
)

// invokeLimiter limits each invoke token (by jti) to invoke.DefaultRate
// runs a second with bursts of invoke.DefaultBurst, across the process.
var invokeLimiter = invoke.NewLimiter(0, 0, 0)

// defaultPublicURL is the base of links when JOBFLOW_PUBLIC_URL is unset
// and the request names no usable host (see publicBase).
const defaultPublicURL = "http://localhost:8080"

func (s *Server) invokeTokens() (jobflow.InvokeTokenService, error) {
	if s.deps.InvokeTokens != nil && len(s.cfg.JWTSecret) > 0 {
		return s.deps.InvokeTokens, nil
	}
	return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "invoke tokens are not available")
}

// issuedToken is the answer of a token create: the only time the token
// text is shown.
type issuedToken struct {
	Token     string    `json:"token"`
	JTI       string    `json:"jti"`
	ExpiresAt time.Time `json:"expiresAt"`
	Curl      string    `json:"curl"`
}

func (s *Server) createInvokeToken(c echo.Context) error {
	svc, err := s.invokeTokens()
	if err != nil {
		return err
	}
	a := actor(c)
	ctx := c.Request().Context()
	wf, err := s.deps.Workflows.FindWorkflowByID(ctx, a.TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	token, claims, err := invoke.Issue(s.cfg.JWTSecret, a.TenantID, wf.ID, time.Now())
	if err != nil {
		return err
	}
	rec := &jobflow.InvokeToken{JTI: claims.ID, TenantID: a.TenantID, WorkflowID: wf.ID, ExpiresAt: claims.ExpiresAt, CreatedBy: a.UserID}
	if err := svc.CreateInvokeToken(ctx, rec); err != nil {
		return err
	}
	setAudit(c, auditObject{ID: claims.ID, Name: wf.Name})
	return c.JSON(http.StatusCreated, issuedToken{Token: token, JTI: claims.ID, ExpiresAt: claims.ExpiresAt,
		Curl: invoke.Curl(s.publicBase(c.Request()), wf.ID, token)})
}

func (s *Server) listInvokeTokens(c echo.Context) error {
	svc, err := s.invokeTokens()
	if err != nil {
		return err
	}
	p, err := listParams(c)
	if err != nil {
		return err
	}
	all, err := svc.FindInvokeTokens(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	// A workflow holds few tokens: page in memory.
	lo := min(p.Offset(), len(all))
	hi := min(lo+p.PageSize, len(all))
	return c.JSON(http.StatusOK, page(all[lo:hi], len(all), p))
}

func (s *Server) revokeInvokeToken(c echo.Context) error {
	svc, err := s.invokeTokens()
	if err != nil {
		return err
	}
	if err := svc.RevokeInvokeToken(c.Request().Context(), actor(c).TenantID, c.Param("id"), c.Param("jti")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type invoked struct {
	RunID string `json:"runId"`
}

// invokeWorkflow is POST /workflow/open/invokeWorkflow (外部调用), wired in
// the order of the invoke package doc. A bad, revoked or foreign token and
// a workflow outside the token's tenant are all the same 401, so the body
// never tells a caller which tenants or workflows exist; the reason goes to
// the log.
func (s *Server) invokeWorkflow(c echo.Context) (err error) {
	defer func() {
		result := "accepted"
		if err != nil {
			result = jobflow.ErrorCode(err)
		}
		s.cfg.Metrics.Invoked(result)
	}()
	svc, err := s.invokeTokens()
	if err != nil {
		return err
	}
	inv, err := s.engine()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	req, err := invoke.DecodeRequest(c.Request().Body)
	if err != nil {
		return err
	}
	now := time.Now()
	claims, err := invoke.Verify(s.cfg.JWTSecret, req.Token, req.WorkflowID, now)
	if err != nil {
		return s.refuseToken(c, err)
	}
	// The rate is metered at arrival, before anything waits on the store:
	// metered after the revocation check, requests held up by a slow or
	// locked store reached the limiter all at once when it answered again
	// and a caller well within its rate got 429s (seen in the soak test).
	if ok, wait := invokeLimiter.Allow(claims.ID, now); !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(invoke.RetryAfterSeconds(wait)))
		return jobflow.Errorf(jobflow.ETOOMANY, "too many invocations with this token: retry later")
	}
	revoked, err := svc.InvokeTokenRevoked(ctx, claims.ID)
	if err != nil {
		return err
	}
	if revoked {
		return s.refuseToken(c, invoke.InvalidToken("revoked or unknown jti"))
	}
	run, err := inv.Invoke(ctx, claims.TenantID, req.WorkflowID, req.Params, req.RequestID, "invoke:"+claims.ID)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return s.refuseToken(c, invoke.InvalidToken("workflow not in the token's tenant"))
	} else if err != nil {
		return err
	}
	// The token was verified above: its tenant is the row's tenant.
	setAudit(c, auditObject{ID: run.ID, Name: run.WorkflowName, TenantID: claims.TenantID})
	return c.JSON(http.StatusOK, invoked{RunID: run.ID})
}

// refuseToken logs why a token was refused and answers the generic 401.
func (s *Server) refuseToken(c echo.Context, err error) error {
	if reason := invoke.InvalidReason(err); reason != "" {
		s.log.Info("invoke token refused", "reason", reason, "remote", c.RealIP(),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	return err
}
