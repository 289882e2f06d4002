package httpapi_test

import (
	"context"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

func TestTenants(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var tn jobflow.Tenant
		e.ok(e.as("POST", "/api/v1/tenants", map[string]any{"name": "acme"}), 201, &tn)
		if tn.MaxWorkflows != jobflow.DefaultMaxWorkflows || tn.ID == "" {
			t.Fatalf("created %+v", tn)
		}
		e.fail(e.as("POST", "/api/v1/tenants", map[string]any{"name": "acme"}), 409, jobflow.ECONFLICT)
		e.fail(e.as("POST", "/api/v1/tenants", map[string]any{"name": "x", "maxWorkflows": 0}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/tenants", `{"name":"x","maxWorkflows":"9"}`), 400, jobflow.EINVALID)

		var up jobflow.Tenant
		e.ok(e.as("PATCH", "/api/v1/tenants/"+tn.ID, map[string]any{"maxWorkflows": 7}), 200, &up)
		if up.MaxWorkflows != 7 || up.Name != "acme" {
			t.Fatalf("patched %+v", up)
		}
		e.fail(e.as("PATCH", "/api/v1/tenants/"+tn.ID, map[string]any{"maxWorkflows": -1}), 400, jobflow.EINVALID)
		e.fail(e.as("PATCH", "/api/v1/tenants/"+tn.ID, map[string]any{"name": "default"}), 409, jobflow.ECONFLICT)
		e.fail(e.as("PATCH", "/api/v1/tenants/tn_nope", map[string]any{"name": "z"}), 404, jobflow.ENOTFOUND)
		got, err := e.st.FindTenantByID(context.Background(), tn.ID)
		if err != nil || got.Name != "acme" || got.MaxWorkflows != 7 {
			t.Fatalf("stored %+v, %v", got, err)
		}

		var l jobflow.List[jobflow.Tenant]
		e.ok(e.as("GET", "/api/v1/tenants?search=AC", nil), 200, &l)
		if l.Total != 1 || l.Items[0].ID != tn.ID {
			t.Fatalf("list %+v", l)
		}
	})
}

func TestUsersAndMembers(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var u jobflow.User
		r := e.as("POST", "/api/v1/users", map[string]any{"account": "li.lei", "name": "Li Lei", "password": "correct-horse"})
		e.ok(r, 201, &u)
		if u.SysAdmin || u.Name != "Li Lei" {
			t.Fatalf("created %s", r.body)
		}
		e.fail(e.as("POST", "/api/v1/users", map[string]any{"account": "li.lei", "password": "correct-horse"}), 409, jobflow.ECONFLICT)
		e.fail(e.as("POST", "/api/v1/users", map[string]any{"account": "short", "password": "1234567"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/users", map[string]any{"account": "bad account", "password": "12345678"}), 400, jobflow.EINVALID)

		// Not a member yet: logs in, sees no tenants, cannot enter default.
		var login struct {
			Token   string
			Tenants []jobflow.Membership
		}
		e.ok(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "li.lei", "password": "correct-horse"}), 200, &login)
		if len(login.Tenants) != 0 {
			t.Fatalf("tenants %+v", login.Tenants)
		}
		e.fail(e.do("GET", "/api/v1/workflows", login.Token, e.tenantID, nil), 404, jobflow.ENOTFOUND)

		members := "/api/v1/tenants/" + e.tenantID + "/members"
		e.fail(e.as("POST", members, map[string]any{"userId": u.ID, "role": "SYS_ADMIN"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", members, map[string]any{"userId": "us_nope", "role": "MEMBER"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/tenants/tn_nope/members", map[string]any{"userId": u.ID, "role": "MEMBER"}), 404, jobflow.ENOTFOUND)
		e.ok(e.as("POST", members, map[string]any{"userId": u.ID, "role": "MEMBER"}), 200, nil)
		var me struct{ Tenants []jobflow.Membership }
		e.ok(e.do("GET", "/api/v1/me", login.Token, "", nil), 200, &me)
		if len(me.Tenants) != 1 || me.Tenants[0].Role != jobflow.RoleMember {
			t.Fatalf("me %+v", me)
		}
		e.ok(e.do("GET", "/api/v1/workflows", login.Token, e.tenantID, nil), 200, nil)
		e.fail(e.do("DELETE", "/api/v1/workflows/"+e.workflow("w").ID, login.Token, e.tenantID, nil), 403, jobflow.EFORBIDDEN)

		// Promotion takes effect on the next request, same token.
		e.ok(e.as("POST", members, map[string]any{"userId": u.ID, "role": "TENANT_ADMIN"}), 200, nil)
		e.ok(e.do("DELETE", "/api/v1/workflows/"+e.workflow("w2").ID, login.Token, e.tenantID, nil), 204, nil)

		var l jobflow.List[jobflow.User]
		e.ok(e.as("GET", "/api/v1/users?pageSize=1", nil), 200, &l)
		if l.Total != 2 || len(l.Items) != 1 {
			t.Fatalf("users %+v", l)
		}
	})
}
