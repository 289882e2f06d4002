// Package invoke holds the pieces of external invocation (外部调用) that need
// no store and no HTTP server: invoke tokens (issue and verify), the curl
// command shown to users, the request body of
// POST /workflow/open/invokeWorkflow, the idempotency key of a requestId and
// a per-token rate limiter.
//
// Wiring of the invoke endpoint, in this order. A bad, revoked or foreign
// token is always the same 401, so the body never says which tenant or
// workflow exists; log InvalidReason(err), answer jobflow.ErrorMessage(err).
//
//	req, err := invoke.DecodeRequest(body)               // 400 INVALID, 413 TOO_LARGE
//	c, err := invoke.Verify(secret, req.Token, req.WorkflowID, now)
//	revoked, err := isRevoked(ctx, c.ID)                 // a RevocationChecker over the store
//	if revoked { err = invoke.InvalidToken("revoked") }
//	ok, wait := limiter.Allow(c.ID, now)                 // !ok: 429 jobflow.ETOOMANY and
//	                                                     // Retry-After: invoke.RetryAfterSeconds(wait)
//	w, err := store.FindWorkflowByID(ctx, c.TenantID, req.WorkflowID)
//	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND { err = invoke.InvalidToken("workflow not in tid") }
//	// 409 unless PUBLISHED, 403 unless invoke is enabled in the published
//	// version; then start the run, under invoke.RequestWorkflowID(w.ID,
//	// req.RequestID) when a requestId is given.
//
// The tenant-scoped lookup is what ties the token's tid to the workflow's
// tenant. A caller that already holds the workflow (and so its tenant) uses
// VerifyForTenant instead.
package invoke

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"jobflow"
)

// TokenType is the typ claim of invoke tokens. Login tokens carry another
// typ (or none), so one secret can sign both without a login token ever
// passing as an invoke token.
const TokenType = "invoke"

// TokenLifetime is how long an invoke token is valid (the original product's
// "token当前有效期时间为1年").
const TokenLifetime = 365 * 24 * time.Hour

// IssuedAtLeeway is how far in the future iat may be, for clock skew between
// the API replicas that issue and verify tokens.
const IssuedAtLeeway = time.Minute

// MaxTokenLen bounds the token text Verify will look at.
const MaxTokenLen = 4096

// Claims are the claims of an invoke token, as the caller sees them.
type Claims struct {
	WorkflowID string    // sub
	TenantID   string    // tid
	Type       string    // typ, always TokenType
	ID         string    // jti: the key of revocation and rate limiting
	IssuedAt   time.Time // iat
	ExpiresAt  time.Time // exp
}

// RevocationChecker reports whether the token with this jti was revoked.
// The store implements it over its list of revoked jtis; Verify does not
// call it, the endpoint does (step 3 of the package doc) and answers a
// revoked token with InvalidToken("revoked").
type RevocationChecker func(ctx context.Context, jti string) (revoked bool, err error)

// jwtClaims is the wire form: the registered claims plus tid and typ.
type jwtClaims struct {
	jwt.RegisteredClaims
	TenantID string `json:"tid,omitempty"`
	Type     string `json:"typ,omitempty"`
}

// ErrInvalidToken is the one error every refused invoke token looks like to
// the caller. It never says which check failed, so a caller cannot probe
// which tenants or workflows exist. errors.Is(err, ErrInvalidToken) holds
// for every error Verify returns for a bad token.
var ErrInvalidToken = jobflow.Errorf(jobflow.EUNAUTHORIZED, "invalid or expired invoke token")

// TokenError is a refused token: ErrInvalidToken for the caller, with the
// reason for the logs. jobflow.ErrorCode gives UNAUTHORIZED and
// jobflow.ErrorMessage the generic message; only Error() and Reason carry
// the reason, and neither is meant for the response body.
type TokenError struct {
	Reason string
	Err    error // the parser's error, if any
}

func (e *TokenError) Error() string {
	if e.Err != nil {
		return "invoke token refused: " + e.Reason + ": " + e.Err.Error()
	}
	return "invoke token refused: " + e.Reason
}

// Unwrap makes errors.Is/As see both the generic error and the cause.
func (e *TokenError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidToken, e.Err}
	}
	return []error{ErrInvalidToken}
}

// InvalidToken returns the refusal for a reason found outside this package
// (a revoked jti, a workflow not in the token's tenant), so that every
// refusal reaches the client as the same 401.
func InvalidToken(reason string) error { return &TokenError{Reason: reason} }

// InvalidReason returns the log reason of a refused token, "" for any
// other error.
func InvalidReason(err error) string {
	var te *TokenError
	if errors.As(err, &te) {
		return te.Reason
	}
	return ""
}

// Issue signs a new invoke token for a workflow of a tenant, valid for
// TokenLifetime from now. The returned claims are what the store records
// (jti, expiry); the token text is shown once and never stored.
func Issue(secret []byte, tenantID, workflowID string, now time.Time) (string, Claims, error) {
	if len(secret) == 0 {
		return "", Claims{}, errors.New("invoke: empty signing secret")
	}
	if tenantID == "" || workflowID == "" {
		return "", Claims{}, errors.New("invoke: tenant and workflow ids are required")
	}
	now = now.UTC().Truncate(time.Second) // NumericDate keeps seconds
	c := Claims{
		WorkflowID: workflowID,
		TenantID:   tenantID,
		Type:       TokenType,
		ID:         uuid.NewString(),
		IssuedAt:   now,
		ExpiresAt:  now.Add(TokenLifetime),
	}
	wire := jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.WorkflowID,
			ID:        c.ID,
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		},
		TenantID: c.TenantID,
		Type:     c.Type,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, wire).SignedString(secret)
	if err != nil {
		return "", Claims{}, fmt.Errorf("invoke: sign token: %w", err)
	}
	return s, c, nil
}

// Verify checks an invoke token for workflowID at time now: HS256 only (the
// algorithm is pinned, so alg "none", RS256 and HS512 are refused whatever
// key signed them), a valid signature, typ "invoke", sub == workflowID, tid,
// jti and iat present, iat not more than IssuedAtLeeway ahead, exp after
// now. Every refusal is a *TokenError (401, generic message). The tenant is
// not checked here: the caller ties tid to the workflow (see the package
// doc), or uses VerifyForTenant.
func Verify(secret []byte, token, workflowID string, now time.Time) (*Claims, error) {
	if len(secret) == 0 {
		return nil, errors.New("invoke: empty signing secret") // a server fault, not the caller's
	}
	if token == "" {
		return nil, &TokenError{Reason: "empty token"}
	}
	if len(token) > MaxTokenLen {
		return nil, &TokenError{Reason: "token too long"}
	}
	var wire jwtClaims
	p := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithoutClaimsValidation())
	_, err := p.ParseWithClaims(token, &wire, func(t *jwt.Token) (any, error) {
		// WithValidMethods already refuses other algorithms; checking the
		// method type again costs nothing and survives a change of options.
		if t.Method != jwt.SigningMethodHS256 {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return secret, nil
	})
	if err != nil {
		return nil, &TokenError{Reason: "unparsable or bad signature", Err: err}
	}
	switch {
	case wire.Type != TokenType:
		return nil, &TokenError{Reason: fmt.Sprintf("typ %q is not %q", wire.Type, TokenType)}
	case workflowID == "" || wire.Subject != workflowID:
		return nil, &TokenError{Reason: "token is for another workflow"}
	case wire.TenantID == "":
		return nil, &TokenError{Reason: "no tid claim"}
	case wire.ID == "":
		return nil, &TokenError{Reason: "no jti claim"}
	case wire.IssuedAt == nil:
		return nil, &TokenError{Reason: "no iat claim"}
	case wire.ExpiresAt == nil:
		return nil, &TokenError{Reason: "no exp claim"}
	case wire.IssuedAt.After(now.Add(IssuedAtLeeway)):
		return nil, &TokenError{Reason: "iat in the future"}
	case !wire.ExpiresAt.After(now):
		return nil, &TokenError{Reason: "expired"}
	}
	return &Claims{
		WorkflowID: wire.Subject,
		TenantID:   wire.TenantID,
		Type:       wire.Type,
		ID:         wire.ID,
		IssuedAt:   wire.IssuedAt.UTC(),
		ExpiresAt:  wire.ExpiresAt.UTC(),
	}, nil
}

// VerifyForTenant is Verify plus tid == tenantID, for a caller that already
// loaded the workflow and passes the workflow's own tenant id.
func VerifyForTenant(secret []byte, token, tenantID, workflowID string, now time.Time) (*Claims, error) {
	c, err := Verify(secret, token, workflowID, now)
	if err != nil {
		return nil, err
	}
	if tenantID == "" || c.TenantID != tenantID {
		return nil, &TokenError{Reason: "token is for another tenant"}
	}
	return c, nil
}
