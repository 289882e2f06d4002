package httpapi_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
)

// fastLocks: a 1 s lock (5 failures do not double it) within a window long
// enough that a slow, loaded machine's 24 bcrypt checks all fall inside it.
func fastLocks(cfg *httpapi.Config) {
	cfg.LoginWindow = time.Minute
	cfg.LoginLockBase = time.Second
}

func loginAs(e *env, account, password string) resp {
	e.t.Helper()
	return e.do("POST", "/api/v1/auth/login", "", "", map[string]string{"account": account, "password": password})
}

// TestLogin_Throttled: 20 wrong passwords for one account get 429 with a
// Retry-After once 5 have failed, the right password is refused too while
// the lock lasts (so guessing gains nothing), and after the lock the right
// password works and clears the count.
func TestLogin_Throttled(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		e.user("wang.wu", jobflow.RoleMember)
		statuses := map[int]int{}
		var retryAfter string
		for i := 0; i < 20; i++ {
			r := loginAs(e, "wang.wu", "wrong-password-"+strconv.Itoa(i))
			statuses[r.status]++
			if r.status == 429 {
				e.fail(r, 429, jobflow.ETOOMANY)
				retryAfter = r.header.Get("Retry-After")
			}
		}
		if statuses[401] != 5 || statuses[429] != 15 {
			t.Fatalf("statuses %v, want 5×401 then 15×429", statuses)
		}
		secs, err := strconv.Atoi(retryAfter)
		if err != nil || secs < 1 || secs > 2 {
			t.Fatalf("Retry-After %q, want 1-2 s (the 1 s lock of the fifth failure)", retryAfter)
		}
		if r := loginAs(e, "wang.wu", "password-wang.wu"); r.status != 429 {
			t.Fatalf("right password during the lock: %d, want 429", r.status)
		}
		time.Sleep(time.Duration(secs)*time.Second + 200*time.Millisecond) // the lock is a time window: it must pass
		var ok struct{ Token string }
		e.ok(loginAs(e, "wang.wu", "password-wang.wu"), 200, &ok)
		if ok.Token == "" {
			t.Fatal("no token after the lock")
		}
		// A good login cleared the account: one more failure is a 401 again.
		e.fail(loginAs(e, "wang.wu", "wrong"), 401, jobflow.EUNAUTHORIZED)
	}, fastLocks)
}

// TestLogin_ThrottledPerAddress: one client guessing across many accounts
// (unknown ones too) is locked by its address after 20 failures.
func TestLogin_ThrottledPerAddress(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		got429 := 0
		for i := 0; i < 24; i++ {
			r := loginAs(e, "nobody-"+strconv.Itoa(i), "some-password")
			if r.status == 429 {
				got429++
			}
		}
		if got429 != 4 {
			t.Fatalf("%d of 24 attempts over distinct accounts got 429, want 4 (after 20 failures)", got429)
		}
		if r := loginAs(e, "admin", adminPassword); r.status != 429 {
			t.Fatalf("admin from the locked address: %d, want 429", r.status)
		}
	}, fastLocks)
}

// TestPasswordChange: a token issued before the change is 401 on the next
// request, the answer's fresh token works, the old password no longer logs
// in and the new one does; bad input is 400 and changes nothing.
func TestPasswordChange(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		_, old := e.user("zhao.liu", jobflow.RoleMember)
		other := loginAs(e, "zhao.liu", "password-zhao.liu") // a second session of the same user
		var otherTok struct{ Token string }
		e.ok(other, 200, &otherTok)

		for _, bad := range []map[string]string{
			{"current": "wrong-current", "new": "a-good-new-password"},
			{"current": "password-zhao.liu", "new": "short"},
			{"current": "password-zhao.liu", "new": "ZHAO.LIU"},
			{"current": "password-zhao.liu", "new": "password-zhao.liu"},
			{"current": "password-zhao.liu", "new": strings.Repeat("x", 73)},
		} {
			e.fail(e.do("PUT", "/api/v1/me/password", old, "", bad), 400, jobflow.EINVALID)
		}
		e.ok(e.do("GET", "/api/v1/me", old, "", nil), 200, nil) // nothing changed: the token still works

		var fresh struct{ Token string }
		e.ok(e.do("PUT", "/api/v1/me/password", old, "", map[string]string{"current": "password-zhao.liu", "new": "a-good-new-password"}), 200, &fresh)
		for _, tok := range []string{old, otherTok.Token} {
			e.fail(e.do("GET", "/api/v1/me", tok, "", nil), 401, jobflow.EUNAUTHORIZED)
		}
		e.ok(e.do("GET", "/api/v1/me", fresh.Token, "", nil), 200, nil)
		e.fail(loginAs(e, "zhao.liu", "password-zhao.liu"), 401, jobflow.EUNAUTHORIZED)
		e.ok(loginAs(e, "zhao.liu", "a-good-new-password"), 200, nil)
	})
}

// TestLogout: the presented token is revoked; another session is not.
func TestLogout(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		_, tok := e.user("qian.qi", jobflow.RoleMember)
		var second struct{ Token string }
		e.ok(loginAs(e, "qian.qi", "password-qian.qi"), 200, &second)
		r := e.do("POST", "/api/v1/auth/logout", tok, "", nil)
		if r.status != 204 {
			t.Fatalf("logout: %d %s", r.status, r.body)
		}
		if c := r.header.Get("Set-Cookie"); !strings.Contains(c, httpapi.TokenCookie+"=;") {
			t.Errorf("logout does not clear the cookie: %q", c)
		}
		e.fail(e.do("GET", "/api/v1/me", tok, "", nil), 401, jobflow.EUNAUTHORIZED)
		e.fail(e.do("POST", "/api/v1/auth/logout", tok, "", nil), 401, jobflow.EUNAUTHORIZED)
		e.ok(e.do("GET", "/api/v1/me", second.Token, "", nil), 200, nil)
	})
}

// TestResetAndDisable: a SYS_ADMIN's reset and disable revoke the user's
// tokens; a disabled user cannot log in; enabling lets it in again; only
// SYS_ADMIN may, and not on its own account; bad input changes nothing.
func TestResetAndDisable(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		id, tok := e.user("sun.ba", jobflow.RoleTenantAdmin)
		e.fail(e.do("POST", "/api/v1/users/"+id+"/password", tok, "", map[string]string{"password": "by-myself-123"}), 403, jobflow.EFORBIDDEN)
		e.fail(e.as("POST", "/api/v1/users/"+id+"/password", map[string]string{"password": "short"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/users/user_nope/password", map[string]string{"password": "long-enough-pw"}), 404, jobflow.ENOTFOUND)
		e.ok(e.do("GET", "/api/v1/me", tok, "", nil), 200, nil)

		e.ok(e.as("POST", "/api/v1/users/"+id+"/password", map[string]string{"password": "reset-by-admin"}), 200, nil)
		e.fail(e.do("GET", "/api/v1/me", tok, "", nil), 401, jobflow.EUNAUTHORIZED)
		var again struct{ Token string }
		e.ok(loginAs(e, "sun.ba", "reset-by-admin"), 200, &again)

		var u jobflow.User
		e.ok(e.as("PATCH", "/api/v1/users/"+id, map[string]any{"disabled": true}), 200, &u)
		if !u.Disabled {
			t.Fatalf("user after disable: %+v", u)
		}
		e.fail(e.do("GET", "/api/v1/me", again.Token, "", nil), 401, jobflow.EUNAUTHORIZED)
		e.fail(loginAs(e, "sun.ba", "reset-by-admin"), 401, jobflow.EUNAUTHORIZED)
		e.ok(e.as("PATCH", "/api/v1/users/"+id, map[string]any{"disabled": false, "name": "Sun Ba"}), 200, &u)
		if u.Disabled || u.Name != "Sun Ba" {
			t.Fatalf("user after enable: %+v", u)
		}
		e.ok(loginAs(e, "sun.ba", "reset-by-admin"), 200, nil)

		var me struct{ User jobflow.User }
		e.ok(e.as("GET", "/api/v1/me", nil), 200, &me)
		e.fail(e.as("PATCH", "/api/v1/users/"+me.User.ID, map[string]any{"disabled": true}), 409, jobflow.ECONFLICT)
		e.fail(e.as("PATCH", "/api/v1/users/"+id, map[string]any{"name": ""}), 400, jobflow.EINVALID)
		e.ok(e.as("GET", "/api/v1/me", nil), 200, nil)
	})
}

// TestTenantOSUser: a SYS_ADMIN sets a tenant's OS user; root, a bad name
// and a tenant admin's attempt are refused and change nothing.
func TestTenantOSUser(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		tid := e.tenant("os-users", 10)
		var tn jobflow.Tenant
		e.ok(e.as("PATCH", "/api/v1/tenants/"+tid, map[string]any{"osUser": "jobflow-t2"}), 200, &tn)
		if tn.OSUser != "jobflow-t2" {
			t.Fatalf("tenant %+v", tn)
		}
		for _, bad := range []string{"root", "Bad User", "../etc", strings.Repeat("a", 33)} {
			e.fail(e.as("PATCH", "/api/v1/tenants/"+tid, map[string]any{"osUser": bad}), 400, jobflow.EINVALID)
		}
		_, tok := e.user("zhou.jiu", jobflow.RoleTenantAdmin)
		e.fail(e.do("PATCH", "/api/v1/tenants/"+tid, tok, "", map[string]any{"osUser": "jobflow-job"}), 403, jobflow.EFORBIDDEN)
		var list struct{ Items []jobflow.Tenant }
		e.ok(e.as("GET", "/api/v1/tenants?search=os-users", nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].OSUser != "jobflow-t2" {
			t.Fatalf("tenants %+v, want os-users with jobflow-t2 unchanged", list.Items)
		}
	})
}
