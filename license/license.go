// Package license makes and checks jobflow licenses: Ed25519-signed JWTs
// (alg EdDSA) carrying the installation's limits. The vendor keeps the
// private key and issues tokens; an installation holds only the public key
// (JOBFLOW_LICENSE_PUBLIC_KEY) and verifies what is installed.
package license

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"jobflow"
)

// claims is the token payload. Limit names follow the contract's JSON fields (docs/contract.md#concepts-and-states).
type claims struct {
	MaxTenants            int `json:"maxTenants"`
	MaxWorkflowsPerTenant int `json:"maxWorkflowsPerTenant"`
	jwt.RegisteredClaims
}

// Keygen returns a new key pair, each base64 (standard encoding): the public
// key is 32 bytes, the private key the 64-byte Ed25519 private key.
func Keygen() (pub, priv string, err error) {
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	return base64.StdEncoding.EncodeToString(pk), base64.StdEncoding.EncodeToString(sk), nil
}

// ParsePublicKey decodes a base64 public key as printed by Keygen.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("license public key must be 32 bytes in base64")
	}
	return ed25519.PublicKey(b), nil
}

// ParsePrivateKey decodes a base64 private key as printed by Keygen.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PrivateKeySize {
		return nil, errors.New("license private key must be 64 bytes in base64")
	}
	return ed25519.PrivateKey(b), nil
}

// Issue signs l with the private key priv (base64). ExpiresAt is required so
// that every license ends; IssuedAt defaults to now.
func Issue(priv string, l jobflow.License) (string, error) {
	key, err := ParsePrivateKey(priv)
	if err != nil {
		return "", err
	}
	if l.ExpiresAt.IsZero() {
		return "", errors.New("license needs an expiry")
	}
	if l.MaxTenants < 0 || l.MaxWorkflowsPerTenant < 0 {
		return "", errors.New("license limits must not be negative")
	}
	if l.IssuedAt.IsZero() {
		l.IssuedAt = time.Now()
	}
	c := claims{
		MaxTenants:            l.MaxTenants,
		MaxWorkflowsPerTenant: l.MaxWorkflowsPerTenant,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   l.Subject,
			IssuedAt:  jwt.NewNumericDate(l.IssuedAt),
			ExpiresAt: jwt.NewNumericDate(l.ExpiresAt),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(key)
}

// Verify checks token against the base64 public key pub and returns its
// license. Expired licenses are refused.
func Verify(pub string, token string) (*jobflow.License, error) {
	key, err := ParsePublicKey(pub)
	if err != nil {
		return nil, err
	}
	return VerifyKey(key, token)
}

// VerifyKey is Verify with a decoded key.
func VerifyKey(pub ed25519.PublicKey, token string) (*jobflow.License, error) {
	return parse(pub, token, true)
}

// Decode checks the signature and algorithm of token like VerifyKey but
// accepts an expired license, so that the service can tell "expired" from
// "invalid" for the one already installed. Callers look at ExpiresAt.
func Decode(pub ed25519.PublicKey, token string) (*jobflow.License, error) {
	return parse(pub, token, false)
}

func parse(pub ed25519.PublicKey, token string, checkExpiry bool) (*jobflow.License, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, errors.New("license public key is not set")
	}
	opts := []jwt.ParserOption{
		// Pinning the algorithm stops a token signed with HS256 (using the
		// public key as the HMAC secret) or alg none from passing.
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithExpirationRequired(),
	}
	if !checkExpiry {
		opts = append(opts, jwt.WithoutClaimsValidation())
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return pub, nil }, opts...)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, errors.New("license has expired")
	case err != nil:
		return nil, fmt.Errorf("license is not valid: %w", cleanErr(err))
	case c.ExpiresAt == nil:
		return nil, errors.New("license has no expiry")
	}
	l := &jobflow.License{
		Subject:               c.Subject,
		MaxTenants:            c.MaxTenants,
		MaxWorkflowsPerTenant: c.MaxWorkflowsPerTenant,
		ExpiresAt:             c.ExpiresAt.Time.UTC(),
	}
	if c.IssuedAt != nil {
		l.IssuedAt = c.IssuedAt.Time.UTC()
	}
	return l, nil
}

// cleanErr keeps the innermost jwt sentinel so messages stay short.
func cleanErr(err error) error {
	for _, s := range []error{jwt.ErrTokenMalformed, jwt.ErrTokenSignatureInvalid, jwt.ErrTokenUnverifiable, jwt.ErrTokenInvalidClaims} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}
