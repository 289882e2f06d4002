package license_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"jobflow"
	"jobflow/license"
)

func keys(t *testing.T) (pub, priv string) {
	t.Helper()
	pub, priv, err := license.Keygen()
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func issue(t *testing.T, priv string, exp time.Time) string {
	t.Helper()
	tok, err := license.Issue(priv, jobflow.License{Subject: "acme", MaxTenants: 3, MaxWorkflowsPerTenant: 50, ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIssueVerify(t *testing.T) {
	pub, priv := keys(t)
	exp := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	l, err := license.Verify(pub, issue(t, priv, exp))
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "acme" || l.MaxTenants != 3 || l.MaxWorkflowsPerTenant != 50 || !l.ExpiresAt.Equal(exp) || l.IssuedAt.IsZero() {
		t.Fatalf("license = %+v", l)
	}
}

func TestVerify_Refused(t *testing.T) {
	pub, priv := keys(t)
	otherPub, _ := keys(t)
	good := issue(t, priv, time.Now().Add(time.Hour))

	// A tampered payload: raise maxTenants without re-signing.
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"maxTenants":3`, `"maxTenants":300`, 1)))
	tampered := strings.Join(parts, ".")
	if tampered == good {
		t.Fatal("tampering changed nothing")
	}

	// HS256 signed with the public key bytes as the secret: the classic
	// algorithm-confusion attack.
	pk, _ := license.ParsePublicKey(pub)
	hs, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"maxTenants": 1000, "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte(pk))
	if err != nil {
		t.Fatal(err)
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"maxTenants": 1000, "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct{ pub, token string }{
		"tampered":  {pub, tampered},
		"wrong key": {otherPub, good},
		"HS256":     {pub, hs},
		"none":      {pub, none},
		"expired":   {pub, issue(t, priv, time.Now().Add(-time.Minute))},
		"garbage":   {pub, "not.a.token"},
		"bad key":   {"AAAA", good},
	} {
		t.Run(name, func(t *testing.T) {
			if l, err := license.Verify(tc.pub, tc.token); err == nil {
				t.Fatalf("accepted: %+v", l)
			}
		})
	}
}

func TestDecode_AcceptsExpiredButNotForged(t *testing.T) {
	pub, priv := keys(t)
	pk, _ := license.ParsePublicKey(pub)
	expired := issue(t, priv, time.Now().Add(-time.Hour))
	l, err := license.Decode(pk, expired)
	if err != nil {
		t.Fatal(err)
	}
	if !l.ExpiresAt.Before(time.Now()) {
		t.Fatalf("expiresAt = %v", l.ExpiresAt)
	}
	_, other := keys(t)
	if _, err := license.Decode(pk, issue(t, other, time.Now().Add(-time.Hour))); err == nil {
		t.Fatal("Decode accepted a license of another key")
	}
}

func TestIssue_NeedsExpiry(t *testing.T) {
	_, priv := keys(t)
	if _, err := license.Issue(priv, jobflow.License{MaxTenants: 1}); err == nil {
		t.Fatal("issued a license without expiry")
	}
	if _, err := license.Issue("bad", jobflow.License{ExpiresAt: time.Now().Add(time.Hour)}); err == nil {
		t.Fatal("issued with a bad private key")
	}
	if pub, _ := keys(t); len(mustDecode(t, pub)) != ed25519.PublicKeySize {
		t.Fatal("public key size")
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
