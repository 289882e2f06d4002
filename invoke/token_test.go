package invoke_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"jobflow"
	"jobflow/invoke"
)

var (
	secret = []byte("test-secret-0123456789abcdef0123456789")
	now    = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
)

const (
	tenantA   = "tn_a"
	tenantB   = "tn_b"
	workflowA = "wf_a"
	workflowB = "wf_b"
)

// goodClaims is the payload Issue writes, as a map, for hand-made tokens.
func goodClaims() map[string]any {
	return map[string]any{
		"sub": workflowA, "tid": tenantA, "typ": "invoke", "jti": "jti-1",
		"iat": now.Unix(), "exp": now.Add(invoke.TokenLifetime).Unix(),
	}
}

func b64(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// handToken builds header.payload.signature by hand, signing with mac over
// key when mac is not nil, so that headers the library would never write
// (alg none, RS256 with an HMAC signature) can be tried.
func handToken(header, claims map[string]any, mac func() hash.Hash, key []byte) string {
	input := b64(header) + "." + b64(claims)
	sig := ""
	if mac != nil {
		h := hmac.New(mac, key)
		h.Write([]byte(input))
		sig = base64.RawURLEncoding.EncodeToString(h.Sum(nil))
	}
	return input + "." + sig
}

func libToken(t *testing.T, m jwt.SigningMethod, claims map[string]any, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, jwt.MapClaims(claims)).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func issue(t *testing.T, tenantID, workflowID string, at time.Time) string {
	t.Helper()
	tok, _, err := invoke.Issue(secret, tenantID, workflowID, at)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIssue(t *testing.T) {
	tok, c, err := invoke.Issue(secret, tenantA, workflowA, now.Add(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if c.WorkflowID != workflowA || c.TenantID != tenantA || c.Type != "invoke" || c.ID == "" {
		t.Fatalf("claims = %+v", c)
	}
	if !c.IssuedAt.Equal(now) || !c.ExpiresAt.Equal(now.AddDate(1, 0, 0)) {
		t.Fatalf("iat %v exp %v, want %v and one year later", c.IssuedAt, c.ExpiresAt, now)
	}
	// The header says HS256, as in the original product's tokens.
	head, _, _ := strings.Cut(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(head)
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil || h["alg"] != "HS256" {
		t.Fatalf("header %s (%v)", raw, err)
	}
	_, c2, _ := invoke.Issue(secret, tenantA, workflowA, now)
	if c2.ID == c.ID {
		t.Fatal("two tokens share a jti")
	}

	t.Run("ErrEmptySecret", func(t *testing.T) {
		if _, _, err := invoke.Issue(nil, tenantA, workflowA, now); err == nil {
			t.Fatal("issued with an empty secret")
		}
	})
	t.Run("ErrMissingIDs", func(t *testing.T) {
		if _, _, err := invoke.Issue(secret, "", workflowA, now); err == nil {
			t.Fatal("issued without tenant")
		}
		if _, _, err := invoke.Issue(secret, tenantA, "", now); err == nil {
			t.Fatal("issued without workflow")
		}
	})
}

func TestVerify_Good(t *testing.T) {
	tok, want, err := invoke.Issue(secret, tenantA, workflowA, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{now, now.Add(-invoke.IssuedAtLeeway), want.ExpiresAt.Add(-time.Second)} {
		got, err := invoke.Verify(secret, tok, workflowA, at)
		if err != nil {
			t.Fatalf("at %v: %v", at, err)
		}
		if *got != want {
			t.Fatalf("at %v: claims %+v, want %+v", at, *got, want)
		}
	}
	if _, err := invoke.VerifyForTenant(secret, tok, tenantA, workflowA, now); err != nil {
		t.Fatal(err)
	}
}

// TestVerify_Refused is the acceptance list of docs/contract.md#external-invocation: every token
// here is a 401 with the same generic message, and the logged reason shows
// the intended check refused it (not some earlier accident).
func TestVerify_Refused(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	good := issue(t, tenantA, workflowA, now)
	parts := strings.Split(good, ".")
	tampered := goodClaims()
	tampered["sub"] = workflowB
	loginClaims := goodClaims()
	loginClaims["typ"] = "login"
	noTyp := goodClaims()
	delete(noTyp, "typ")
	const badSig = "unparsable or bad signature"

	tests := []struct {
		name, token, reason string
		tenant              string // "" = Verify, else VerifyForTenant
	}{
		{name: "AlgNone", reason: badSig,
			token: handToken(map[string]any{"alg": "none", "typ": "JWT"}, goodClaims(), nil, nil)},
		{name: "AlgNoneCapitalised", reason: badSig,
			token: handToken(map[string]any{"alg": "None"}, goodClaims(), nil, nil)},
		{name: "AlgNoneKeepingTheRealSignature", reason: badSig,
			token: b64(map[string]any{"alg": "none"}) + "." + parts[1] + "." + parts[2]},
		{name: "RS256SignedWithRSAKey", reason: badSig,
			token: libToken(t, jwt.SigningMethodRS256, goodClaims(), rsaKey)},
		{name: "HeaderRS256SignedWithHMACSecret", reason: badSig,
			token: handToken(map[string]any{"alg": "RS256"}, goodClaims(), sha256.New, secret)},
		{name: "HeaderHS384SignedWithHMACSecret", reason: badSig,
			token: handToken(map[string]any{"alg": "HS384"}, goodClaims(), sha512.New384, secret)},
		{name: "HS512WithTheRightSecret", reason: badSig,
			token: libToken(t, jwt.SigningMethodHS512, goodClaims(), secret)},
		{name: "LoginToken", reason: "typ",
			token: libToken(t, jwt.SigningMethodHS256, loginClaims, secret)},
		{name: "TokenWithoutTyp", reason: "typ",
			token: libToken(t, jwt.SigningMethodHS256, noTyp, secret)},
		{name: "AnotherWorkflow", reason: "another workflow",
			token: issue(t, tenantA, workflowB, now)},
		{name: "AnotherTenantSameWorkflowID", reason: "another tenant", tenant: tenantA,
			token: issue(t, tenantB, workflowA, now)},
		{name: "TamperedPayload", reason: badSig,
			token: parts[0] + "." + b64(tampered) + "." + parts[2]},
		{name: "Expired", reason: "expired",
			token: issue(t, tenantA, workflowA, now.Add(-invoke.TokenLifetime-time.Second))},
		{name: "ExpiresThisSecond", reason: "expired",
			token: issue(t, tenantA, workflowA, now.Add(-invoke.TokenLifetime))},
		{name: "IssuedInTheFuture", reason: "iat in the future",
			token: issue(t, tenantA, workflowA, now.Add(invoke.IssuedAtLeeway+time.Second))},
		{name: "AnotherSecret", reason: badSig,
			token: func() string { s, _, _ := invoke.Issue([]byte("another-secret"), tenantA, workflowA, now); return s }()},
		{name: "Empty", reason: "empty token", token: ""},
		{name: "GarbageWord", reason: badSig, token: "hello"},
		{name: "GarbageDots", reason: badSig, token: "..."},
		{name: "GarbageSegments", reason: badSig, token: "eyJ.eyJ.x"},
		{name: "GarbageHeaderNotJSON", reason: badSig, token: b64("x") + "." + parts[1] + "." + parts[2]},
		{name: "TooLong", reason: "too long", token: strings.Repeat("a", invoke.MaxTokenLen+1)},
	}
	// Signed correctly but missing a claim the endpoint relies on.
	for _, claim := range []string{"tid", "jti", "iat", "exp"} {
		c := goodClaims()
		delete(c, claim)
		tests = append(tests, struct{ name, token, reason, tenant string }{
			name: "Missing_" + claim, reason: "no " + claim,
			token: libToken(t, jwt.SigningMethodHS256, c, secret)})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *invoke.Claims
			var err error
			if tt.tenant == "" {
				c, err = invoke.Verify(secret, tt.token, workflowA, now)
			} else {
				c, err = invoke.VerifyForTenant(secret, tt.token, tt.tenant, workflowA, now)
			}
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if c != nil {
				t.Fatal("claims returned with an error")
			}
			if !errors.Is(err, invoke.ErrInvalidToken) {
				t.Fatalf("err %v is not ErrInvalidToken", err)
			}
			if code := jobflow.ErrorCode(err); code != jobflow.EUNAUTHORIZED {
				t.Fatalf("code %s", code)
			}
			if msg := jobflow.ErrorMessage(err); msg != "invalid or expired invoke token" {
				t.Fatalf("message %q", msg)
			}
			if r := invoke.InvalidReason(err); !strings.Contains(r, tt.reason) {
				t.Fatalf("reason %q, want it to mention %q (err %v)", r, tt.reason, err)
			}
		})
	}
}

// A token of another tenant passes Verify: the endpoint's tenant-scoped
// lookup with the returned tid is what refuses it, so tid must come back.
func TestVerify_ReturnsTenantForScopedLookup(t *testing.T) {
	c, err := invoke.Verify(secret, issue(t, tenantB, workflowA, now), workflowA, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantID != tenantB {
		t.Fatalf("tid %q, want %q", c.TenantID, tenantB)
	}
}

func TestVerify_ErrEmptySecretIsInternal(t *testing.T) {
	_, err := invoke.Verify(nil, issue(t, tenantA, workflowA, now), workflowA, now)
	if err == nil || jobflow.ErrorCode(err) != jobflow.EINTERNAL {
		t.Fatalf("err %v (code %s), want INTERNAL", err, jobflow.ErrorCode(err))
	}
}

func TestInvalidToken(t *testing.T) {
	err := invoke.InvalidToken("revoked")
	if !errors.Is(err, invoke.ErrInvalidToken) || invoke.InvalidReason(err) != "revoked" ||
		jobflow.ErrorMessage(err) != jobflow.ErrorMessage(invoke.ErrInvalidToken) {
		t.Fatalf("InvalidToken(revoked) = %v", err)
	}
	if invoke.InvalidReason(errors.New("other")) != "" {
		t.Fatal("a reason for a foreign error")
	}
}

func BenchmarkVerify(b *testing.B) {
	tok, _, err := invoke.Issue(secret, tenantA, workflowA, now)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := invoke.Verify(secret, tok, workflowA, now); err != nil {
			b.Fatal(err)
		}
	}
}
