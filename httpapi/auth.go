package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"jobflow"
)

// Token types: the same secret signs both, the typ claim keeps them apart.
const (
	TypLogin  = "login"
	TypInvoke = "invoke"
)

// LoginClaims are the claims of a login token.
type LoginClaims struct {
	Typ string `json:"typ"`
	// Ver is the user's token version at issue; a password change, reset or
	// disable moves the user's on, and the token stops working.
	Ver int `json:"ver"`
	jwt.RegisteredClaims
}

type loginRequest struct {
	Account  string `json:"account" required:"true"`
	Password string `json:"password" required:"true"`
}

type loginResponse struct {
	Token     string                `json:"token"`
	ExpiresAt time.Time             `json:"expiresAt"`
	User      *jobflow.User         `json:"user" required:"true" nonnull:"true"`
	Tenants   []*jobflow.Membership `json:"tenants"`
}

type meResponse struct {
	User    *jobflow.User         `json:"user" required:"true" nonnull:"true"`
	Tenants []*jobflow.Membership `json:"tenants"`
}

var errBadLogin = jobflow.Errorf(jobflow.EUNAUTHORIZED, "invalid account or password")

func (s *Server) login(c echo.Context) error {
	var in loginRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Account == "" || in.Password == "" {
		return jobflow.Errorf(jobflow.EINVALID, "account and password are required")
	}
	setAudit(c, auditObject{Name: in.Account})
	ctx := c.Request().Context()
	addr := c.RealIP()
	// A blocked (account, address) pair or address is refused before the
	// password is even checked, so guessing gains nothing while the block
	// lasts; the same account from other addresses is not affected.
	if err := s.throttle(c, in.Account, addr); err != nil {
		return err
	}
	u, err := s.deps.Users.FindUserByAccount(ctx, in.Account)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		// Spend the same bcrypt time as for a real account, so the answer
		// time does not tell which accounts exist.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(in.Password))
		return s.loginFailed(ctx, in.Account, addr)
	} else if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(in.Password)) != nil {
		return s.loginFailed(ctx, in.Account, addr)
	}
	if u.Disabled {
		return jobflow.Errorf(jobflow.EUNAUTHORIZED, "this account is disabled")
	}
	if err := s.loginSucceeded(ctx, in.Account, addr); err != nil {
		return err
	}
	tenants, err := s.deps.Users.FindMemberships(ctx, u.ID)
	if err != nil {
		return err
	}
	token, exp, err := s.issueLoginToken(u)
	if err != nil {
		return err
	}
	c.Set(ctxUser, u.ID)
	s.setTokenCookie(c, token, exp)
	setAudit(c, auditObject{ID: u.ID})
	return c.JSON(http.StatusOK, loginResponse{Token: token, ExpiresAt: exp, User: u, Tenants: nonNil(tenants)})
}

func (s *Server) me(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.deps.Users.FindUserByID(ctx, actor(c).UserID)
	if err != nil {
		return err
	}
	tenants, err := s.deps.Users.FindMemberships(ctx, u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, meResponse{User: u, Tenants: nonNil(tenants)})
}

func (s *Server) issueLoginToken(u *jobflow.User) (string, time.Time, error) {
	now := time.Now()
	exp := now.Add(s.cfg.TokenTTL)
	c := LoginClaims{
		Typ: TypLogin,
		Ver: u.TokenVersion,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        randomHex(16),
		},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.cfg.JWTSecret)
	return tok, exp, err
}

// parseLoginToken returns the claims of a valid login token. The
// algorithm is pinned to HS256 (no alg none, no RS256-with-HMAC-key
// confusion) and typ must be "login", so an invoke token signed with the
// same secret opens nothing here.
func (s *Server) parseLoginToken(token string) (*LoginClaims, error) {
	if token == "" {
		return nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "a Bearer login token is required")
	}
	if len(s.cfg.JWTSecret) == 0 {
		return nil, errors.New("httpapi: JWT secret is not set")
	}
	var c LoginClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if errors.Is(err, jwt.ErrTokenExpired) {
		return nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "the login token has expired")
	}
	if err != nil || c.Typ != TypLogin || c.Subject == "" || c.ID == "" || c.ExpiresAt == nil {
		return nil, jobflow.Errorf(jobflow.EUNAUTHORIZED, "invalid login token")
	}
	return &c, nil
}

func bearer(r *http.Request) string {
	h := r.Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// PasswordCost is the bcrypt cost of new password hashes. A hash records
// its own cost, so a change applies to passwords set afterwards. The test
// suites lower it to bcrypt.MinCost: at the default, two thirds of the API
// tests' CPU went to bcrypt (CONTRIBUTING.md, the fast tier).
var PasswordCost = bcrypt.DefaultCost

// HashPassword is the bcrypt hash of a password, as stored in User.PasswordHash.
func HashPassword(password string) (string, error) {
	if len(password) > 72 {
		return "", jobflow.Errorf(jobflow.EINVALID, "password must be at most 72 bytes").WithDetails(map[string]string{"field": "password"})
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(h), err
}

var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte(randomHex(16)), PasswordCost)
	return h
})

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
