package httpapi

import (
	"jobflow/internal/testtier"

	"strings"
	"testing"
)

// TestAudit_EveryMutatingRouteDeclares: each route of the table that
// changes something names its audit action, reads name none, and the
// object type is the action's first part; a route without a declaration is
// refused when the server is built.
func TestAudit_EveryMutatingRouteDeclares(t *testing.T) {
	testtier.Parallel(t)
	s := New(Config{}, Deps{})
	actions := map[string]int{}
	for _, r := range s.routes {
		mutating := r.method != "GET" && r.method != "HEAD"
		if mutating != (r.audit != "") {
			t.Errorf("%s %s: audit %q", r.method, r.path, r.audit)
		}
		if !mutating || r.audit == noAudit {
			continue
		}
		typ, action, param := auditDecl(r)
		if action != r.audit || !strings.HasPrefix(action, typ+".") {
			t.Errorf("%s %s: type %q action %q", r.method, r.path, typ, action)
		}
		if param != "" && !strings.Contains(r.path, "/:"+param) && !(param == "*" && strings.HasSuffix(r.path, "/*")) {
			t.Errorf("%s %s: object parameter %q is not in the path", r.method, r.path, param)
		}
		actions[action]++
	}
	if len(actions) < 40 || actions["workflow.publish"] != 1 || actions["api_token.create"] != 2 {
		t.Fatalf("declared actions %v", actions)
	}
	for _, bad := range []route{{method: "POST", path: "/api/v1/x"}, {method: "GET", path: "/api/v1/x", audit: "x.read"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s %s with audit %q was accepted", bad.method, bad.path, bad.audit)
				}
			}()
			auditDecl(bad)
		}()
	}
}
