package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
)

type createdToken struct {
	jobflow.APIToken
	Token string `json:"token"`
}

func (e *env) patCount(userID string) int {
	e.t.Helper()
	ts, err := e.st.FindAPITokens(context.Background(), userID)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ts)
}

// TestAPITokens_Lifecycle: a token is shown once and stored hashed; it
// works as a Bearer on tenant routes with the role it was given, never
// above its owner's current role, only in its tenant, not on account
// routes; last used is recorded; revoke, owner disabled and expiry stop
// it. Bad input is 400 and creates nothing.
func TestAPITokens_Lifecycle(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		adminID, adminTok := e.user("tia", jobflow.RoleTenantAdmin)
		memberID, memberTok := e.user("max", jobflow.RoleMember)
		other := e.tenant("other", 10)

		// Bad input.
		for _, body := range []map[string]any{
			{"tenantId": e.tenantID},          // no name
			{"name": "ci"},                    // no tenant
			{"name": "ci", "tenantId": other}, // not a member there
			{"name": "ci", "tenantId": e.tenantID, "role": "SYS_ADMIN"}, // not a tenant role
			{"name": "ci", "tenantId": e.tenantID, "expiresAt": "2020-01-01T00:00:00Z"},
			{"name": "ci", "tenantId": e.tenantID, "expiresAt": time.Now().Add(400 * 24 * time.Hour)},
		} {
			e.fail(e.do("POST", "/api/v1/me/tokens", memberTok, "", body), 400, jobflow.EINVALID)
		}
		e.fail(e.do("POST", "/api/v1/me/tokens", memberTok, "", map[string]any{"name": "ci", "tenantId": e.tenantID, "role": "TENANT_ADMIN"}), 400, jobflow.EINVALID)
		if n := e.patCount(memberID); n != 0 {
			t.Fatalf("refused creates left %d tokens", n)
		}

		var mt createdToken
		e.ok(e.do("POST", "/api/v1/me/tokens", memberTok, "", map[string]any{"name": "ci", "tenantId": e.tenantID}), 201, &mt)
		if !strings.HasPrefix(mt.Token, jobflow.APITokenPrefix) || len(mt.Token) < 40 || mt.Role != jobflow.RoleMember || mt.ExpiresAt == nil {
			t.Fatalf("created %+v", mt)
		}
		e.fail(e.do("POST", "/api/v1/me/tokens", memberTok, "", map[string]any{"name": "ci", "tenantId": e.tenantID}), 409, jobflow.ECONFLICT)
		stored, err := e.st.FindAPITokenByHash(context.Background(), httpapi.HashAPIToken(mt.Token))
		if err != nil || stored.ID != mt.ID || stored.Hash == mt.Token {
			t.Fatalf("stored %+v, %v", stored, err)
		}
		r := e.do("GET", "/api/v1/me/tokens", memberTok, "", nil)
		if strings.Contains(string(r.body), mt.Token) || strings.Contains(string(r.body), stored.Hash) {
			t.Fatalf("the list shows the token or its hash: %s", r.body)
		}

		// Use: tenant routes, with or without X-Tenant-ID, as MEMBER.
		w := e.workflow("pat-flow")
		e.ok(e.do("GET", "/api/v1/workflows", mt.Token, e.tenantID, nil), 200, nil)
		e.ok(e.do("GET", "/api/v1/workflows/"+w.ID, mt.Token, "", nil), 200, nil)
		e.ok(e.do("PATCH", "/api/v1/workflows/"+w.ID, mt.Token, "", map[string]any{"remark": "by token"}), 200, nil)
		e.fail(e.do("DELETE", "/api/v1/workflows/"+w.ID, mt.Token, "", nil), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("GET", "/api/v1/workflows", mt.Token, other, nil), 404, jobflow.ENOTFOUND)
		e.ok(e.do("GET", "/api/v1/me", mt.Token, "", nil), 200, nil)
		e.fail(e.do("PUT", "/api/v1/me/password", mt.Token, "", map[string]any{"current": "password-max", "new": "another-password-1"}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("POST", "/api/v1/me/tokens", mt.Token, "", map[string]any{"name": "more", "tenantId": e.tenantID}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("POST", "/api/v1/auth/logout", mt.Token, "", nil), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("GET", "/api/v1/workflows", "jf_pat_forged-token-text", e.tenantID, nil), 401, jobflow.EUNAUTHORIZED)
		got, _ := e.st.FindAPITokenByHash(context.Background(), httpapi.HashAPIToken(mt.Token))
		if got.LastUsedAt == nil || time.Since(*got.LastUsedAt) > time.Minute {
			t.Fatalf("last used %v", got.LastUsedAt)
		}
		// The audit row names the token.
		if l := e.audit(e.admin, e.tenantID, "action=workflow.edit&objectId="+w.ID); l.Total != 1 || l.Items[0].TokenID != mt.ID || l.Items[0].UserID != memberID {
			t.Fatalf("audit of a token call: %+v", l.Items)
		}

		// A TENANT_ADMIN token is capped by the owner's current role.
		var at createdToken
		e.ok(e.do("POST", "/api/v1/me/tokens", adminTok, "", map[string]any{"name": "ops", "tenantId": e.tenantID, "role": "TENANT_ADMIN"}), 201, &at)
		w2 := e.workflow("to-delete")
		w3 := e.workflow("kept")
		e.ok(e.do("DELETE", "/api/v1/workflows/"+w2.ID, at.Token, "", nil), 204, nil)
		e.ok(e.as("POST", "/api/v1/tenants/"+e.tenantID+"/members", map[string]any{"userId": adminID, "role": "MEMBER"}), 200, nil)
		e.fail(e.do("DELETE", "/api/v1/workflows/"+w3.ID, at.Token, "", nil), 403, jobflow.EFORBIDDEN)
		// A token never opens SYS_ADMIN routes, even the admin's own.
		var st createdToken
		e.ok(e.as("POST", "/api/v1/me/tokens", map[string]any{"name": "root", "tenantId": e.tenantID, "role": "TENANT_ADMIN"}), 201, &st)
		e.fail(e.do("GET", "/api/v1/users", st.Token, "", nil), 403, jobflow.EFORBIDDEN)
		e.ok(e.do("GET", "/api/v1/audit-logs", st.Token, "", nil), 200, nil)

		// Revoke.
		e.fail(e.do("DELETE", "/api/v1/me/tokens/"+at.ID, memberTok, "", nil), 404, jobflow.ENOTFOUND) // not max's
		e.ok(e.do("DELETE", "/api/v1/me/tokens/"+at.ID, adminTok, "", nil), 204, nil)
		e.fail(e.do("GET", "/api/v1/workflows", at.Token, "", nil), 401, jobflow.EUNAUTHORIZED)

		// Disabling the owner stops and deletes the tokens; enabling does
		// not bring them back.
		e.ok(e.as("PATCH", "/api/v1/users/"+memberID, map[string]any{"disabled": true}), 200, nil)
		e.fail(e.do("GET", "/api/v1/workflows", mt.Token, "", nil), 401, jobflow.EUNAUTHORIZED)
		e.ok(e.as("PATCH", "/api/v1/users/"+memberID, map[string]any{"disabled": false}), 200, nil)
		e.fail(e.do("GET", "/api/v1/workflows", mt.Token, "", nil), 401, jobflow.EUNAUTHORIZED)
		if n := e.patCount(memberID); n != 0 {
			t.Fatalf("a disabled user keeps %d tokens", n)
		}

		// An expired token is refused.
		exp := &jobflow.APIToken{UserID: adminID, TenantID: e.tenantID, Name: "old", Role: jobflow.RoleMember, Hash: httpapi.HashAPIToken("jf_pat_expired-one")}
		past := time.Now().Add(-time.Minute)
		exp.ExpiresAt = &past
		if err := e.st.CreateAPIToken(context.Background(), exp); err != nil {
			t.Fatal(err)
		}
		e.fail(e.do("GET", "/api/v1/workflows", "jf_pat_expired-one", "", nil), 401, jobflow.EUNAUTHORIZED)
	})
}

// TestAPITokens_ServiceAccount: a SYS_ADMIN makes a user with no password,
// which cannot log in, adds it to a tenant and gives it a token that a
// script uses; only SYS_ADMIN manages its tokens.
func TestAPITokens_ServiceAccount(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		_, memberTok := e.user("ann", jobflow.RoleMember)
		e.fail(e.as("POST", "/api/v1/users", map[string]any{"account": "ci-bot", "serviceAccount": true, "password": "a-password-123"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/users", map[string]any{"account": "ci-bot", "serviceAccount": true, "sysAdmin": true}), 400, jobflow.EINVALID)
		var bot jobflow.User
		e.ok(e.as("POST", "/api/v1/users", map[string]any{"account": "ci-bot", "serviceAccount": true}), 201, &bot)
		if !bot.ServiceAccount {
			t.Fatalf("created %+v", bot)
		}
		e.fail(loginAs(e, "ci-bot", ""), 400, jobflow.EINVALID)
		e.fail(loginAs(e, "ci-bot", "anything-at-all"), 401, jobflow.EUNAUTHORIZED)

		path := "/api/v1/users/" + bot.ID + "/tokens"
		e.fail(e.as("POST", path, map[string]any{"name": "deploy", "tenantId": e.tenantID}), 400, jobflow.EINVALID) // not a member yet
		e.ok(e.as("POST", "/api/v1/tenants/"+e.tenantID+"/members", map[string]any{"userId": bot.ID, "role": "MEMBER"}), 200, nil)
		e.fail(e.do("POST", path, memberTok, "", map[string]any{"name": "deploy", "tenantId": e.tenantID}), 403, jobflow.EFORBIDDEN)
		e.fail(e.as("POST", "/api/v1/users/us_nobody/tokens", map[string]any{"name": "deploy", "tenantId": e.tenantID}), 404, jobflow.ENOTFOUND)
		var tok createdToken
		e.ok(e.as("POST", path, map[string]any{"name": "deploy", "tenantId": e.tenantID}), 201, &tok)
		var wf jobflow.Workflow
		e.ok(e.do("POST", "/api/v1/workflows", tok.Token, "", map[string]any{"name": "made-by-bot"}), 201, &wf)
		if wf.CreatedBy != bot.ID {
			t.Fatalf("createdBy %q, want the service account", wf.CreatedBy)
		}
		var list jobflow.List[jobflow.APIToken]
		e.ok(e.as("GET", path, nil), 200, &list)
		if list.Total != 1 || list.Items[0].Name != "deploy" || list.Items[0].LastUsedAt == nil {
			t.Fatalf("tokens %+v", list)
		}
		e.ok(e.as("DELETE", path+"/"+tok.ID, nil), 204, nil)
		e.fail(e.as("DELETE", path+"/"+tok.ID, nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("GET", "/api/v1/workflows", tok.Token, "", nil), 401, jobflow.EUNAUTHORIZED)
	})
}
