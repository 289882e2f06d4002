package httpapi_test

import (
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestMembers_AdminPages: a SYS_ADMIN or the tenant's TENANT_ADMIN lists
// members (search, paging), changes roles and removes members; the last
// TENANT_ADMIN stays; a MEMBER and outsiders are refused; bad input is a
// 4xx that changes nothing.
func TestMembers_AdminPages(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		// The default tenant's only TENANT_ADMIN is admin (bootstrap).
		tid := e.tenantID
		annID, annTok := e.user("ann", jobflow.RoleTenantAdmin)
		bobID, bobTok := e.user("bob", jobflow.RoleMember)
		other := e.tenant("other", 10)
		base := "/api/v1/tenants/" + tid + "/members"

		var list jobflow.List[jobflow.Member]
		e.ok(e.do("GET", base+"?pageSize=2", annTok, "", nil), 200, &list)
		if list.Total != 3 || len(list.Items) != 2 || list.Items[0].Account != "admin" || list.Items[1].Account != "ann" {
			t.Fatalf("members %+v", list)
		}
		e.ok(e.as("GET", base+"?search=BO", nil), 200, &list)
		if list.Total != 1 || list.Items[0].UserID != bobID || list.Items[0].Role != jobflow.RoleMember {
			t.Fatalf("search: %+v", list)
		}
		e.fail(e.do("GET", base, bobTok, "", nil), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("GET", "/api/v1/tenants/"+other+"/members", annTok, "", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.as("GET", "/api/v1/tenants/tn_nope/members", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.as("GET", base+"?page=0", nil), 400, jobflow.EINVALID)

		// Bad input changes nothing.
		e.fail(e.do("PATCH", base+"/"+bobID, annTok, "", map[string]any{"role": "OWNER"}), 400, jobflow.EINVALID)
		e.fail(e.do("PATCH", base+"/"+bobID, annTok, "", "{"), 400, jobflow.EINVALID)
		e.fail(e.do("PATCH", base+"/us_nobody", annTok, "", map[string]any{"role": "MEMBER"}), 404, jobflow.ENOTFOUND)
		e.fail(e.do("PATCH", base+"/"+annID, bobTok, "", map[string]any{"role": "MEMBER"}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("DELETE", base+"/"+annID, bobTok, "", nil), 403, jobflow.EFORBIDDEN)

		// ann demotes admin, promotes bob; then the two admins left cannot
		// both go.
		var m jobflow.Member
		e.ok(e.do("PATCH", base+"/"+bobID, annTok, "", map[string]any{"role": "TENANT_ADMIN"}), 200, &m)
		if m.Role != jobflow.RoleTenantAdmin || m.Account != "bob" {
			t.Fatalf("promoted %+v", m)
		}
		e.ok(e.do("DELETE", base+"/"+annID, bobTok, "", nil), 204, nil)
		adminID := ""
		e.ok(e.as("GET", base+"?search=admin", nil), 200, &list)
		adminID = list.Items[0].UserID
		e.ok(e.do("PATCH", base+"/"+adminID, bobTok, "", map[string]any{"role": "MEMBER"}), 200, nil)
		e.fail(e.do("PATCH", base+"/"+bobID, bobTok, "", map[string]any{"role": "MEMBER"}), 409, jobflow.ECONFLICT)
		e.fail(e.do("DELETE", base+"/"+bobID, bobTok, "", nil), 409, jobflow.ECONFLICT)
		e.ok(e.as("GET", base, nil), 200, &list)
		roles := map[string]jobflow.Role{}
		for _, it := range list.Items {
			roles[it.Account] = it.Role
		}
		if len(roles) != 2 || roles["bob"] != jobflow.RoleTenantAdmin || roles["admin"] != jobflow.RoleMember {
			t.Fatalf("members after the changes: %v", roles)
		}
		// ann is out: the tenant is gone for her.
		e.fail(e.do("GET", "/api/v1/workflows", annTok, tid, nil), 404, jobflow.ENOTFOUND)
		// Every change is in the audit log.
		if l := e.audit(e.admin, "", "action=member.role"); l.Total != 7 {
			t.Fatalf("member.role rows: %d, want 7 (2 ok, 5 refused)", l.Total)
		}
	})
}

// TestMembers_SetMemberKeepsAnAdmin: the older POST /tenants/{id}/members
// cannot demote the last TENANT_ADMIN either.
func TestMembers_SetMemberKeepsAnAdmin(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		tn := e.tenant("solo", 10)
		annID, _ := e.user("ann", "")
		path := "/api/v1/tenants/" + tn + "/members"
		e.ok(e.as("POST", path, map[string]any{"userId": annID, "role": "TENANT_ADMIN"}), 200, nil)
		e.fail(e.as("POST", path, map[string]any{"userId": annID, "role": "MEMBER"}), 409, jobflow.ECONFLICT)
		var list jobflow.List[jobflow.Member]
		e.ok(e.as("GET", path, nil), 200, &list)
		if list.Total != 1 || list.Items[0].Role != jobflow.RoleTenantAdmin {
			t.Fatalf("members %+v", list.Items)
		}
		bobID, _ := e.user("bob", "")
		e.ok(e.as("POST", path, map[string]any{"userId": bobID, "role": "MEMBER"}), 200, nil)
		e.ok(e.as("POST", path, map[string]any{"userId": bobID, "role": "TENANT_ADMIN"}), 200, nil)
		e.ok(e.as("POST", path, map[string]any{"userId": annID, "role": "MEMBER"}), 200, nil)
	})
}
