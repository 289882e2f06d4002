package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestLogin(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		t.Run("OK", func(t *testing.T) {
			r := e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "admin", "password": adminPassword})
			var out struct {
				Token   string
				User    jobflow.User
				Tenants []jobflow.Membership
			}
			e.ok(r, 200, &out)
			if out.User.Account != "admin" || !out.User.SysAdmin || len(out.Tenants) != 1 || out.Tenants[0].Role != jobflow.RoleTenantAdmin || out.Tenants[0].TenantName != "default" {
				t.Fatalf("login = %s", r.body)
			}
			if strings.Contains(string(r.body), "$2a$") || strings.Contains(strings.ToLower(string(r.body)), "password") {
				t.Fatalf("login answer shows the password hash: %s", r.body)
			}
			claims := jwt.MapClaims{}
			if _, _, err := jwt.NewParser().ParseUnverified(out.Token, claims); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"sub", "typ", "iat", "exp", "jti"} {
				if claims[k] == nil {
					t.Errorf("token lacks claim %s: %v", k, claims)
				}
			}
			if claims["typ"] != "login" || claims["sub"] != out.User.ID {
				t.Errorf("claims = %v", claims)
			}
		})
		t.Run("ErrWrongPassword", func(t *testing.T) {
			a := e.fail(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "admin", "password": "nope-nope"}), 401, jobflow.EUNAUTHORIZED)
			b := e.fail(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "ghost", "password": "nope-nope"}), 401, jobflow.EUNAUTHORIZED)
			if a.Message != b.Message {
				t.Fatalf("wrong password %q and unknown account %q answer differently", a.Message, b.Message)
			}
		})
		t.Run("ErrBadBody", func(t *testing.T) {
			e.fail(e.do("POST", "/api/v1/auth/login", "", "", `{"account":`), 400, jobflow.EINVALID)
			e.fail(e.do("POST", "/api/v1/auth/login", "", "", map[string]any{"account": "admin"}), 400, jobflow.EINVALID)
			e.fail(e.do("POST", "/api/v1/auth/login", "", "", map[string]any{"account": "admin", "password": adminPassword, "extra": 1}), 400, jobflow.EINVALID)
		})
	})
}

func TestAuth_Tokens(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var me struct{ User jobflow.User }
		e.ok(e.do("GET", "/api/v1/me", e.admin, "", nil), 200, &me)
		uid := me.User.ID
		now := time.Now()
		sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
			s, err := jwt.NewWithClaims(m, c).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		claims := func(typ string, exp time.Time) jwt.MapClaims {
			return jwt.MapClaims{"sub": uid, "typ": typ, "iat": now.Unix(), "exp": exp.Unix(), "jti": "x1"}
		}
		cases := map[string]string{
			"missing":      "",
			"garbage":      "not-a-jwt",
			"invoke typ":   sign(jwt.SigningMethodHS256, testSecret, claims("invoke", now.Add(time.Hour))),
			"alg none":     sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("login", now.Add(time.Hour))),
			"expired":      sign(jwt.SigningMethodHS256, testSecret, claims("login", now.Add(-time.Minute))),
			"other secret": sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-00"), claims("login", now.Add(time.Hour))),
			"HS512":        sign(jwt.SigningMethodHS512, testSecret, claims("login", now.Add(time.Hour))),
			"no exp":       sign(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": uid, "typ": "login"}),
			"unknown user": sign(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "us_nobody", "typ": "login", "exp": now.Add(time.Hour).Unix()}),
		}
		for name, tok := range cases {
			t.Run(name, func(t *testing.T) {
				e.fail(e.do("GET", "/api/v1/me", tok, "", nil), 401, jobflow.EUNAUTHORIZED)
				e.fail(e.do("GET", "/api/v1/workflows", tok, e.tenantID, nil), 401, jobflow.EUNAUTHORIZED)
			})
		}
		// A valid token built the same way passes, so the cases above fail
		// for the reason they name.
		e.ok(e.do("GET", "/api/v1/me", sign(jwt.SigningMethodHS256, testSecret, claims("login", now.Add(time.Hour))), "", nil), 200, nil)
	})
}

func TestAuth_Roles(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		_, member := e.user("mia", jobflow.RoleMember)
		_, tadmin := e.user("tom", jobflow.RoleTenantAdmin)
		_, outsider := e.user("olga", "")
		w := e.workflow("wf-roles")

		t.Run("MemberOnAdminRoutes", func(t *testing.T) {
			e.fail(e.do("GET", "/api/v1/tenants", member, "", nil), 403, jobflow.EFORBIDDEN)
			e.fail(e.do("POST", "/api/v1/users", member, "", map[string]any{"account": "x", "password": "12345678"}), 403, jobflow.EFORBIDDEN)
			e.fail(e.do("GET", "/api/v1/license", tadmin, "", nil), 403, jobflow.EFORBIDDEN)
			before := e.snapshot(e.tenantID, w.ID)
			e.fail(e.do("DELETE", "/api/v1/workflows/"+w.ID, member, e.tenantID, nil), 403, jobflow.EFORBIDDEN)
			if after := e.snapshot(e.tenantID, w.ID); after != before {
				t.Fatalf("refused delete changed the workflow")
			}
			e.fail(e.do("POST", "/api/v1/datasources", member, e.tenantID, map[string]any{"name": "d", "type": "POSTGRES", "host": "h", "database": "d", "user": "u"}), 403, jobflow.EFORBIDDEN)
		})
		t.Run("MemberWorks", func(t *testing.T) {
			e.ok(e.do("POST", "/api/v1/workflows", member, e.tenantID, map[string]any{"name": "by-member"}), 201, nil)
			e.ok(e.do("GET", "/api/v1/workflows/"+w.ID, member, e.tenantID, nil), 200, nil)
		})
		t.Run("TenantAdminDeletes", func(t *testing.T) {
			e.ok(e.do("DELETE", "/api/v1/workflows/"+w.ID, tadmin, e.tenantID, nil), 204, nil)
			e.fail(e.as("GET", "/api/v1/workflows/"+w.ID, nil), 404, jobflow.ENOTFOUND)
		})
		t.Run("ErrNoTenantHeader", func(t *testing.T) {
			err := e.fail(e.do("GET", "/api/v1/workflows", member, "", nil), 400, jobflow.EINVALID)
			if !strings.Contains(err.Message, "X-Tenant-ID") {
				t.Fatalf("message = %q", err.Message)
			}
		})
		t.Run("OutsiderSeesNoTenant", func(t *testing.T) {
			a := e.do("GET", "/api/v1/workflows", outsider, e.tenantID, nil)
			b := e.do("GET", "/api/v1/workflows", outsider, "tn_doesnotexist", nil)
			e.fail(a, 404, jobflow.ENOTFOUND)
			e.fail(b, 404, jobflow.ENOTFOUND)
			if string(a.body) != string(b.body) {
				t.Fatalf("an existing tenant (%s) and a missing one (%s) answer differently", a.body, b.body)
			}
		})
		t.Run("SysAdminEntersAnyTenant", func(t *testing.T) {
			other := e.tenant("other", 10)
			e.ok(e.do("POST", "/api/v1/workflows", e.admin, other, map[string]any{"name": "in-other"}), 201, nil)
			e.ok(e.do("DELETE", "/api/v1/workflows/"+e.workflowIn(other, "to-delete").ID, e.admin, other, nil), 204, nil)
			e.fail(e.do("GET", "/api/v1/workflows", e.admin, "tn_doesnotexist", nil), 404, jobflow.ENOTFOUND)
		})
	})
}

func (e *env) workflowIn(tenantID, name string) *jobflow.Workflow {
	e.t.Helper()
	var w jobflow.Workflow
	e.ok(e.do("POST", "/api/v1/workflows", e.admin, tenantID, map[string]any{"name": name}), 201, &w)
	return &w
}

func TestBootstrap(t *testing.T) {
	testtier.Parallel(t)
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		deps := httpapi.NewDeps(s)
		pw, err := httpapi.Bootstrap(ctx, deps, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 16 {
			t.Fatalf("generated password %q", pw)
		}
		again, err := httpapi.Bootstrap(ctx, deps, "other-password")
		if err != nil || again != "" {
			t.Fatalf("second bootstrap = %q, %v", again, err)
		}
		if _, n, _ := s.FindUsers(ctx, jobflow.ListParams{Page: 1, PageSize: 10}); n != 1 {
			t.Fatalf("%d users after two bootstraps", n)
		}
		if _, n, _ := s.FindTenants(ctx, jobflow.ListParams{Page: 1, PageSize: 10}); n != 1 {
			t.Fatalf("%d tenants after two bootstraps", n)
		}
		api := httpapi.New(httpapi.Config{JWTSecret: testSecret}, deps)
		e := &env{t: t, st: s, api: api}
		e.srv = newServer(t, api)
		// The generated password works, the second one was not applied.
		e.ok(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "admin", "password": pw}), 200, nil)
		e.fail(e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": "admin", "password": "other-password"}), 401, jobflow.EUNAUTHORIZED)
	})
}

// Two instances starting at once end with one admin, one default tenant,
// and admin a member of it.
func TestBootstrap_Concurrent(t *testing.T) {
	testtier.Parallel(t)
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		deps := httpapi.NewDeps(s)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				_, err := httpapi.Bootstrap(ctx, deps, adminPassword)
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		_, users, _ := s.FindUsers(ctx, jobflow.ListParams{Page: 1, PageSize: 10})
		_, tenants, _ := s.FindTenants(ctx, jobflow.ListParams{Page: 1, PageSize: 10})
		admin, err := s.FindUserByAccount(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := s.FindMemberships(ctx, admin.ID)
		if users != 1 || tenants != 1 || len(ms) != 1 || ms[0].Role != jobflow.RoleTenantAdmin || ms[0].TenantName != "default" {
			t.Fatalf("%d users, %d tenants, memberships %+v", users, tenants, ms)
		}
	})
}
