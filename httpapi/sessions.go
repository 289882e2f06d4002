package httpapi

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"jobflow"
)

// Login throttling (OWASP ASVS V2.2): failures are counted in the store, so
// the limits hold across api processes, against two keys: the account from
// one client address (PAIR) and the client address across accounts (ADDR).
// Past the threshold a key is blocked for LoginLockBase, doubling with every
// further failure, never longer than LoginWindow. Refused attempts are not
// failures. No key is an account alone, so an attacker elsewhere cannot lock
// a user out: the right password from another address still logs in.
const (
	defaultLoginWindow   = 15 * time.Minute
	defaultLoginLockBase = 30 * time.Second
	pairFailures         = 5  // per (account, address) within the window
	addressFailures      = 20 // per client address within the window
	maxThrottleAccount   = 200
)

// TokenCookie holds the login token for what a browser reaches by plain
// navigation (the Temporal Web UI under /temporal/); the API itself only
// takes the Authorization header, so the cookie opens no API route to CSRF.
const TokenCookie = "jobflow_token"

// revokedTTL is how long a "not revoked" answer is cached per token: a
// logout on another api process takes effect within it.
const revokedTTL = 2 * time.Second

// revocations caches IsTokenRevoked answers by jti.
type revocations struct {
	mu      sync.Mutex
	checked map[string]time.Time // jti -> when it was found not revoked
	revoked map[string]time.Time // jti -> token expiry
}

// loginUser validates a login token and returns its user, refusing a token
// that was revoked, a token of an older token version and a disabled user.
func (s *Server) loginUser(ctx context.Context, token string) (*jobflow.User, *LoginClaims, error) {
	claims, err := s.parseLoginToken(token)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.deps.Users.FindUserByID(ctx, claims.Subject)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil, nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "the token's user no longer exists")
	} else if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "this account is disabled")
	}
	if claims.Ver != u.TokenVersion {
		return nil, nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "the login token was revoked (password changed or reset): log in again")
	}
	if revoked, err := s.isRevoked(ctx, claims.ID); err != nil {
		return nil, nil, err
	} else if revoked {
		return nil, nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "the login token was revoked (logged out): log in again")
	}
	return u, claims, nil
}

func (s *Server) isRevoked(ctx context.Context, jti string) (bool, error) {
	r := &s.revoked
	now := time.Now()
	r.mu.Lock()
	if _, ok := r.revoked[jti]; ok {
		r.mu.Unlock()
		return true, nil
	}
	if at, ok := r.checked[jti]; ok && now.Sub(at) < revokedTTL {
		r.mu.Unlock()
		return false, nil
	}
	r.mu.Unlock()
	revoked, err := s.deps.Sessions.IsTokenRevoked(ctx, jti)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checked == nil {
		r.checked = map[string]time.Time{}
	}
	if len(r.checked) > 10000 {
		clear(r.checked) // a crude bound: the cache only saves store reads
	}
	if !revoked {
		r.checked[jti] = now
	}
	return revoked, nil
}

func (s *Server) markRevoked(jti string, exp time.Time) {
	r := &s.revoked
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked == nil {
		r.revoked = map[string]time.Time{}
	}
	for k, e := range r.revoked {
		if time.Now().After(e) {
			delete(r.revoked, k)
		}
	}
	r.revoked[jti] = exp
}

// throttleKeys are the keys a login attempt counts against.
func throttleKeys(account, addr string) (pair, address jobflow.LoginThrottleKey) {
	if len(account) > maxThrottleAccount {
		// Cut on a rune boundary: PostgreSQL refuses invalid UTF-8.
		n := maxThrottleAccount
		for n > 0 && !utf8.RuneStart(account[n]) {
			n--
		}
		account = account[:n]
	}
	return jobflow.LoginThrottleKey{Kind: jobflow.ThrottlePair, Account: account, Address: addr},
		jobflow.LoginThrottleKey{Kind: jobflow.ThrottleAddress, Address: addr}
}

func (s *Server) throttlePolicy(threshold int) jobflow.ThrottlePolicy {
	return jobflow.ThrottlePolicy{Window: s.cfg.LoginWindow, Threshold: threshold, Base: s.cfg.LoginLockBase, Max: s.cfg.LoginWindow}
}

// throttle refuses a login attempt while its (account, address) pair or its
// address is blocked: 429 with Retry-After.
func (s *Server) throttle(c echo.Context, account, addr string) error {
	now := time.Now()
	pair, address := throttleKeys(account, addr)
	until, err := s.deps.Sessions.LoginBlockedUntil(c.Request().Context(), now, pair, address)
	if err != nil {
		return err
	}
	wait := until.Sub(now)
	if until.IsZero() || wait <= 0 {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return jobflow.Errorf(jobflow.ETOOMANY, "too many failed logins from this address: try again in %d s", secs).
		WithDetails(map[string]any{"retryAfter": secs})
}

// loginFailed records a failure against the pair and the address and
// answers the one message that does not say which of the two was wrong.
func (s *Server) loginFailed(ctx context.Context, account, addr string) error {
	now := time.Now()
	pair, address := throttleKeys(account, addr)
	if _, err := s.deps.Sessions.RecordLoginFailure(ctx, pair, now, s.throttlePolicy(pairFailures)); err != nil {
		return err
	}
	if _, err := s.deps.Sessions.RecordLoginFailure(ctx, address, now, s.throttlePolicy(addressFailures)); err != nil {
		return err
	}
	return errBadLogin
}

// loginSucceeded forgets the pair's failures; the address's stay, so that
// logging in to one's own account does not reset a guesser's budget.
func (s *Server) loginSucceeded(ctx context.Context, account, addr string) error {
	pair, _ := throttleKeys(account, addr)
	return s.deps.Sessions.ClearLoginThrottle(ctx, pair)
}

type loginThrottleList struct {
	Items []*jobflow.LoginThrottle `json:"items"`
	Total int                      `json:"total"`
}

// listLoginThrottles is a SYS_ADMIN's GET /login-throttles.
func (s *Server) listLoginThrottles(c echo.Context) error {
	items, err := s.deps.Sessions.ListLoginThrottles(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginThrottleList{Items: nonNil(items), Total: len(items)})
}

// clearLoginThrottles is a SYS_ADMIN's DELETE /login-throttles[?account=&address=].
func (s *Server) clearLoginThrottles(c echo.Context) error {
	account, address := c.QueryParam("account"), c.QueryParam("address")
	if address != "" {
		a, err := netip.ParseAddr(address)
		if err != nil {
			return invalid("address", "address %q is not an IP address", address)
		}
		address = a.Unmap().String()
	}
	n, err := s.deps.Sessions.DeleteLoginThrottles(c.Request().Context(), account, address)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginThrottlesCleared{Cleared: n})
}

func (s *Server) setTokenCookie(c echo.Context, token string, exp time.Time) {
	c.SetCookie(&http.Cookie{
		Name: TokenCookie, Value: token, Path: "/temporal", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.overHTTPS(c.Request()),
	})
}

// logout revokes the presented token (and clears its cookie).
func (s *Server) logout(c echo.Context) error {
	claims, _ := c.Get(ctxClaims).(*LoginClaims)
	if claims == nil {
		return jobflow.Errorf(jobflow.EINVALID, "a personal API token is revoked with DELETE /api/v1/me/tokens/{id}, not by logout")
	}
	if err := s.deps.Sessions.RevokeToken(c.Request().Context(), claims.ID, claims.ExpiresAt.Time); err != nil {
		return err
	}
	s.markRevoked(claims.ID, claims.ExpiresAt.Time)
	c.SetCookie(&http.Cookie{Name: TokenCookie, Value: "", Path: "/temporal", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.overHTTPS(c.Request())})
	return c.NoContent(http.StatusNoContent)
}

type passwordChange struct {
	Current string `json:"current" required:"true"`
	New     string `json:"new" required:"true"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// changePassword is PUT /me/password: every earlier token of the user stops
// working; the answer carries a fresh one for the caller.
func (s *Server) changePassword(c echo.Context) error {
	var in passwordChange
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.deps.Users.FindUserByID(ctx, actor(c).UserID)
	if err != nil {
		return err
	}
	if in.Current == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(in.Current)) != nil {
		return invalid("current", "the current password is wrong")
	}
	if in.New == in.Current {
		return invalid("new", "the new password must differ from the current one")
	}
	u, err = s.setPassword(ctx, u, "new", in.New)
	if err != nil {
		return err
	}
	token, exp, err := s.issueLoginToken(u)
	if err != nil {
		return err
	}
	s.setTokenCookie(c, token, exp)
	setAudit(c, auditObject{ID: u.ID, Name: u.Account})
	return c.JSON(http.StatusOK, tokenResponse{Token: token, ExpiresAt: exp})
}

type passwordReset struct {
	Password string `json:"password" required:"true"`
}

// resetPassword is a SYS_ADMIN's POST /users/{id}/password.
func (s *Server) resetPassword(c echo.Context) error {
	var in passwordReset
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.deps.Users.FindUserByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if u, err = s.setPassword(ctx, u, "password", in.Password); err != nil {
		return err
	}
	setAudit(c, auditObject{Name: u.Account})
	return c.JSON(http.StatusOK, u)
}

func (s *Server) setPassword(ctx context.Context, u *jobflow.User, field, password string) (*jobflow.User, error) {
	if err := checkPassword(field, u.Account, password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	return s.deps.Users.SetPassword(ctx, u.ID, hash)
}

// checkPassword is the rule for every new password: 10–72 bytes (bcrypt
// reads no further) and not the account name.
func checkPassword(field, account, password string) error {
	if len(password) < 10 || len(password) > 72 {
		return invalid(field, "the password must be 10-72 bytes")
	}
	if strings.EqualFold(password, account) {
		return invalid(field, "the password must not be the account name")
	}
	return nil
}

// updateUser is a SYS_ADMIN's PATCH /users/{id}: rename, disable, enable.
// Disabling revokes the user's tokens; nobody disables their own account.
func (s *Server) updateUser(c echo.Context) error {
	var in jobflow.UserUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Disabled != nil && *in.Disabled && c.Param("id") == actor(c).UserID {
		return jobflow.Errorf(jobflow.ECONFLICT, "you cannot disable your own account")
	}
	u, err := s.deps.Users.UpdateUser(c.Request().Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	if u.Disabled && s.deps.APITokens != nil {
		// Disabling revokes the user's personal API tokens for good, as it
		// does its login tokens.
		if err := s.deps.APITokens.DeleteUserAPITokens(c.Request().Context(), u.ID); err != nil {
			return err
		}
	}
	setAudit(c, auditObject{Name: u.Account})
	return c.JSON(http.StatusOK, u)
}

// loginThrottlesCleared is the answer of DELETE /login-throttles.
type loginThrottlesCleared struct {
	Cleared int `json:"cleared"`
}
